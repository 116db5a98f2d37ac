/**
 * The Scv-Mock-Warnings response header: one list item per rule that let the request through with a
 * warning, and for UNDOCUMENTED_FIELD one item per field, with the field and the documented name it
 * likely means as parameters, in HTTP structured-field list syntax (RFC 8941):
 *
 *   Scv-Mock-Warnings: UNDOCUMENTED_FIELD;field="callOrigen";suggest="callOrigin", TRANSCRIPT_OUTSIDE_WINDOW
 */
import type { RuleHit } from '../../contracts/sequence-rules.ts';
import type { UndocumentedField } from '../domain/undocumented-field.ts';

export const WARNINGS_HEADER = 'Scv-Mock-Warnings';

/** A structured-field string: printable ASCII only, so anything else is percent-encoded. */
function sfString(value: string): string {
  const printable = /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
  return `"${printable.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function warningsHeader(hits: readonly RuleHit[], fields: readonly UndocumentedField[]): string {
  const items: string[] = [];
  for (const id of new Set(hits.map((hit) => hit.rule.id))) {
    if (id !== 'UNDOCUMENTED_FIELD' || fields.length === 0) {
      items.push(id);
      continue;
    }
    for (const field of fields) {
      items.push(
        `${id};field=${sfString(field.path)}${field.suggestion === undefined ? '' : `;suggest=${sfString(field.suggestion)}`}`,
      );
    }
  }
  return items.join(', ');
}
