/** How large a record is as JSON, estimated without serialising it (the storage limits count this). */

/** The length of a value's JSON, near enough: strings by their length, numbers and literals as 8. */
export function jsonSizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return 8;
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) size += jsonSizeOf(item) + 1;
    return size;
  }
  for (const key in value) size += key.length + 4 + jsonSizeOf((value as Record<string, unknown>)[key]);
  return size;
}
