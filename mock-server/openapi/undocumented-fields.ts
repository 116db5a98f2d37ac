/**
 * Finds the body fields a request sends that the spec does not document: names missing from a schema's
 * `properties`, and properties the spec marks `deprecated` (seen in client code, not in the docs). A
 * property's `x-alias-of` names the documented field to send instead.
 */
import type { OpenAPIV3_1 } from 'openapi-types';

type Schema = OpenAPIV3_1.SchemaObject & { 'x-alias-of'?: string };

export interface UndocumentedFields {
  fields: string[];
  aliasHints: string[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function findUndocumentedFields(schema: Schema | undefined, body: unknown): UndocumentedFields {
  const fields = new Set<string>();
  const aliasHints = new Set<string>();
  const walk = (node: Schema | undefined, value: unknown, path: string): void => {
    if (node === undefined) return;
    if (Array.isArray(value) && node.type === 'array' && node.items !== undefined) {
      // Indices collapse to [] so one stray field in five messages is reported once.
      for (const item of value) walk(node.items as Schema, item, `${path}[]`);
      return;
    }
    if (!isPlainObject(value) || node.properties === undefined) return;
    for (const key of Object.keys(value)) {
      const fieldPath = path === '' ? key : `${path}.${key}`;
      const property = node.properties[key] as Schema | undefined;
      if (property === undefined) {
        fields.add(fieldPath);
        continue;
      }
      if (property.deprecated === true) {
        fields.add(fieldPath);
        if (property['x-alias-of'] !== undefined) aliasHints.add(`Send ${property['x-alias-of']} instead of ${key}`);
      }
      walk(property, value[key], fieldPath);
    }
  };
  walk(schema, body, '');
  return { fields: [...fields], aliasHints: [...aliasHints] };
}
