/**
 * String formats shared by the zod contracts and the server's validator. The date-time check is
 * ajv-formats' own, so a payload the spec (validated by Ajv) accepts is one the contracts accept.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

const dateTimeFormat = fullFormats['date-time'];
if (
  typeof dateTimeFormat !== 'object' ||
  !('validate' in dateTimeFormat) ||
  typeof dateTimeFormat.validate !== 'function'
) {
  throw new Error('ajv-formats no longer exports a date-time validator; update contracts/formats.ts');
}
const validateDateTime = dateTimeFormat.validate as (value: string) => boolean;

/** RFC 3339 date-time with a time zone (Z or an offset), as JSON Schema's `date-time` format means it. */
export function isDateTime(value: string): boolean {
  return validateDateTime(value);
}
