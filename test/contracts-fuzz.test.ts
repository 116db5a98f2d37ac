/**
 * Property test: for every operation and admin body, generated values that fit the spec, and near
 * misses of them, are accepted or rejected alike by the spec (Ajv) and the zod contracts. Runs per
 * schema: SCV_FUZZ_RUNS (default 300).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsNamespace from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  journalEntrySchema,
  registerKeyRequestSchema,
  resetRequestSchema,
  verificationReportSchema,
  verifyRequestSchema,
} from '../contracts/admin-schemas.ts';
import { OPERATION_CONTRACTS, OPERATION_OF_OPERATION_ID, type OperationId } from '../contracts/operations.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { nearMiss, valid } from './support/schema-arbitrary.ts';
import { inputSchemaOf, responseSchemaOf, spec, specOperations, type JsonSchema } from './support/spec-schemas.ts';

const RUNS = Number(process.env.SCV_FUZZ_RUNS ?? 300);
const ajv = new Ajv2020({ strict: false });
formatsNamespace.default(ajv);

function agree(name: string, specSchema: JsonSchema, zodSchema: z.ZodType): void {
  const validate = ajv.compile(specSchema);
  let accepted = 0;
  let rejected = 0;
  fc.assert(
    fc.property(fc.oneof(valid(specSchema), nearMiss(specSchema)), (value) => {
      const bySpec = validate(value);
      if (bySpec) accepted += 1;
      else rejected += 1;
      expect(zodSchema.safeParse(value).success, `${name}: ${JSON.stringify(value)}`).toBe(bySpec);
    }),
    { numRuns: RUNS },
  );
  // Both verdicts must occur, or the property proves little.
  expect(accepted, `${name} accepted nothing`).toBeGreaterThan(0);
  expect(rejected, `${name} rejected nothing`).toBeGreaterThan(0);
}

const telephony = specOperations().filter((op) => !op.path.startsWith('/__admin'));

describe('zod and the spec agree on generated payloads', () => {
  it.each(telephony.map((op) => [op.operationId, op] as const))('%s request bodies', (operationId, op) => {
    const contract = OPERATION_CONTRACTS[OPERATION_OF_OPERATION_ID[operationId as OperationId]];
    agree(operationId, inputSchemaOf(op)!, (contract.request ?? contract.query)!);
  });

  it.each(telephony.map((op) => [op.operationId, op] as const))('%s success responses', (operationId, op) => {
    const contract = OPERATION_CONTRACTS[OPERATION_OF_OPERATION_ID[operationId as OperationId]];
    for (const [status, schema] of Object.entries(contract.responses))
      agree(`${operationId} ${status}`, responseSchemaOf(op, Number(status))!, schema);
  });

  it.each([
    ['ErrorResponse', errorResponseSchema],
    ['RegisterKeyRequest', registerKeyRequestSchema],
    ['ResetRequest', resetRequestSchema],
    ['VerifyRequest', verifyRequestSchema],
    ['JournalEntry', journalEntrySchema],
    ['VerificationReport', verificationReportSchema],
  ] as const)('%s', (name, schema) => {
    agree(name, (spec.components!.schemas! as Record<string, JsonSchema>)[name]!, schema);
  });
});
