/**
 * fast-check arbitraries from the spec's JSON Schemas (the subset openapi.yaml uses): values that
 * should fit a schema, and near-misses made by changing one field of such a value.
 */
import fc from 'fast-check';
import type { JsonSchema } from './spec-schemas.ts';

const typesOf = (s: JsonSchema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];

function forType(schema: JsonSchema, type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
      const max =
        typeof schema.maximum === 'number' ? Math.min(schema.maximum, Number.MAX_SAFE_INTEGER) : 1_000_000_000_000;
      return fc.oneof(
        fc.integer({ min: Math.max(min, -2_147_483_648), max: Math.min(max, 2_147_483_647) }),
        fc.constantFrom(min, max),
      );
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'string':
      if (schema.format === 'date-time') {
        return fc
          .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: typeof schema.minLength === 'number' ? schema.minLength : 0, maxLength: 24 });
    case 'array': {
      const items = schema.items === undefined ? fc.jsonValue() : valid(schema.items as JsonSchema);
      return fc.array(items, {
        minLength: typeof schema.minItems === 'number' ? schema.minItems : 0,
        maxLength: typeof schema.maxItems === 'number' ? schema.maxItems : 4,
      });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      if (schema.maxProperties === 0) return fc.constant({});
      if (Object.keys(properties).length === 0) {
        // A map (z.record): its values follow additionalProperties, or the generated map would rarely be valid.
        const values =
          typeof schema.additionalProperties === 'object'
            ? valid(schema.additionalProperties as JsonSchema)
            : fc.jsonValue();
        return fc.dictionary(fc.string({ maxLength: 8 }), values, { maxKeys: 3 });
      }
      const required = new Set((schema.required ?? []) as string[]);
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, valid(value)])),
        { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) },
      );
      return record;
    }
    default:
      return fc.jsonValue();
  }
}

/** Values built to fit the schema (conditional keywords such as if/then and anyOf-required aside). */
export function valid(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue();
  return fc.oneof(...types.map((type) => forType(schema, type)));
}

const NEAR_MISSES: unknown[] = [
  null,
  '',
  'x',
  0,
  -1,
  1.5,
  true,
  [],
  {},
  'not-a-date',
  2 ** 53 + 10,
  '\u0000',
  'Voicemail',
];

/** A value that fits, with one field (at any depth) removed or replaced by an odd value. */
export function nearMiss(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid(schema), fc.nat(), fc.constantFrom(...NEAR_MISSES, '__delete__'), fc.jsonValue())
    .map(([value, pick, odd, random]) => {
      const paths: Array<Array<string | number>> = [];
      const walk = (node: unknown, path: Array<string | number>) => {
        if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
        else if (typeof node === 'object' && node !== null) {
          for (const [key, child] of Object.entries(node)) {
            paths.push([...path, key]);
            walk(child, [...path, key]);
          }
        }
      };
      walk(value, []);
      if (paths.length === 0) return pick % 2 === 0 ? odd : random;
      const path = paths[pick % paths.length]!;
      const copy = structuredClone(value) as Record<string | number, unknown>;
      let parent: Record<string | number, unknown> = copy;
      for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
      const last = path[path.length - 1]!;
      if (odd === '__delete__') delete parent[last];
      else parent[last] = pick % 3 === 0 ? random : odd;
      return copy;
    });
}
