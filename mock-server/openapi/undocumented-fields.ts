/**
 * Finds the body fields a request sends that the spec does not document: names missing from a schema's
 * `properties`, and properties the spec marks `deprecated` (seen in client code, not in the docs). Each
 * comes with the documented field to send instead, when there is one: the property's `x-alias-of`, or
 * the closest documented name for a likely typo (`callOrigen` → `callOrigin`).
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { closestName } from '../../contracts/closest-name.ts';
import type { UndocumentedField } from '../domain/undocumented-field.ts';

type Schema = OpenAPIV3_1.SchemaObject & { 'x-alias-of'?: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function findUndocumentedFields(schema: Schema | undefined, body: unknown): UndocumentedField[] {
  const found = new Map<string, UndocumentedField>();
  const walk = (node: Schema | undefined, value: unknown, path: string): void => {
    if (node === undefined) return;
    if (Array.isArray(value) && node.type === 'array' && node.items !== undefined) {
      // Indices collapse to [] so one stray field in five messages is reported once.
      for (const item of value) walk(node.items, item, `${path}[]`);
      return;
    }
    if (!isPlainObject(value) || node.properties === undefined) return;
    const properties = node.properties as Record<string, Schema>;
    for (const key of Object.keys(value)) {
      const fieldPath = path === '' ? key : `${path}.${key}`;
      const property = properties[key];
      if (property === undefined) {
        const documented = Object.keys(properties).filter((name) => properties[name]!.deprecated !== true);
        const near = closestName(key, documented);
        if (!found.has(fieldPath))
          found.set(fieldPath, {
            path: fieldPath,
            ...(near === undefined ? {} : { suggestion: near, because: 'spelling' as const }),
          });
        continue;
      }
      if (property.deprecated === true) {
        const alias = property['x-alias-of'];
        found.set(fieldPath, {
          path: fieldPath,
          ...(alias === undefined ? {} : { suggestion: alias, because: 'alias' as const }),
        });
      }
      walk(property, value[key], fieldPath);
    }
  };
  walk(schema, body, '');
  return [...found.values()];
}
