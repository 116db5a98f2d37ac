/**
 * The JSON Schemas of the files users write for the mock, generated from the zod schemas that check them
 * at start (`npm run schemas` writes them into fixtures/; a test fails when they drift). Editors use them
 * through a file's "$schema": completion, descriptions and most checks; the cross-references and the
 * case-safe id suffix are checked by the mock only.
 */
import { z } from 'zod';
import { faultsFileSchema } from '../../contracts/fault-schemas.ts';
import { rulesFileSchema } from '../cli/rules-file.ts';
import { orgFixtureSchema } from './org-fixture-schema.ts';

export interface FixtureJsonSchema {
  /** The file's name in fixtures/. */
  file: string;
  schema: Record<string, unknown>;
}

const toJsonSchema = (schema: z.ZodType) =>
  // input: what a file may leave out (defaults) is optional; refinements have no JSON Schema form.
  z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;

export function fixtureJsonSchemas(): FixtureJsonSchema[] {
  return [
    { file: 'org-fixture.schema.json', schema: toJsonSchema(orgFixtureSchema) },
    { file: 'rules-file.schema.json', schema: toJsonSchema(rulesFileSchema) },
    { file: 'faults-file.schema.json', schema: toJsonSchema(faultsFileSchema) },
  ];
}

/** A schema file's text, as `npm run schemas` writes it. */
export const jsonSchemaText = (schema: Record<string, unknown>): string => `${JSON.stringify(schema, null, 2)}\n`;
