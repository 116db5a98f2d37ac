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

const joined = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * Runs on every request's body, so it builds nothing for documented fields: a field's path is made only
 * when the field is reported or holds an object or array to look into.
 */
export function findUndocumentedFields(schema: Schema | undefined, body: unknown): UndocumentedField[] {
  let found: Map<string, UndocumentedField> | undefined;
  const report = (field: UndocumentedField, once: boolean): void => {
    found ??= new Map();
    if (!once || !found.has(field.path)) found.set(field.path, field);
  };
  const walk = (node: Schema | undefined, value: unknown, path: string): void => {
    if (node === undefined) return;
    if (Array.isArray(value) && node.type === 'array' && node.items !== undefined) {
      // Indices collapse to [] so one stray field in five messages is reported once.
      for (const item of value) if (typeof item === 'object' && item !== null) walk(node.items, item, `${path}[]`);
      return;
    }
    if (!isPlainObject(value) || node.properties === undefined) return;
    const properties = node.properties as Record<string, Schema>;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      // Own properties only: a field named like an Object.prototype member ("constructor") is not documented.
      const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (property === undefined) {
        const documented = Object.keys(properties).filter((name) => properties[name]!.deprecated !== true);
        const near = closestName(key, documented);
        report(
          {
            path: joined(path, key),
            ...(near === undefined ? {} : { suggestion: near, because: 'spelling' as const }),
          },
          true,
        );
        continue;
      }
      if (property.deprecated === true) {
        const alias = property['x-alias-of'];
        report(
          { path: joined(path, key), ...(alias === undefined ? {} : { suggestion: alias, because: 'alias' as const }) },
          false,
        );
      }
      const child = value[key];
      if (typeof child === 'object' && child !== null) walk(property, child, joined(path, key));
    }
  };
  walk(schema, body, '');
  return found === undefined ? [] : [...found.values()];
}
