/**
 * Reading a parsed JSON file that may not have the expected shape: only what has the expected type is
 * returned, so checks that run beside the schema (cross-references, key files) neither crash on nor
 * repeat its problems.
 */

/** The objects of an array, with their indices; nothing when the value is not an array. */
export function objectsIn(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, i): [number, Record<string, unknown>][] =>
    typeof item === 'object' && item !== null && !Array.isArray(item) ? [[i, item as Record<string, unknown>]] : [],
  );
}

export const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
