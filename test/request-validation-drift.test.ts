/**
 * Drift test for request validation: the pipeline runs the validators openapi-backend compiled for an
 * operation on the request as it has already read it (RequestValidator.validate); openapi-backend's
 * validateRequest parses the request itself first (validateParsing). For every operation, generated
 * bodies that fit the spec and near misses of them, the fixtures' requests, and odd bodies and headers
 * must get the same errors both ways. An upgrade of openapi-backend that changes what its validators
 * read fails here.
 */
import fc from 'fast-check';
import type { Operation } from 'openapi-backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { RequestValidator, type ValidationInput } from '../mock-server/openapi/request-validator.ts';
import { loadSpecDocument, telephonySurface } from '../mock-server/openapi/spec-document.ts';
import { nearMiss, valid } from './support/schema-arbitrary.ts';
import type { JsonSchema } from './support/spec-schemas.ts';

const RUNS = Number(process.env.SCV_FUZZ_RUNS ?? 150);

let validator: RequestValidator;
beforeAll(async () => {
  validator = await RequestValidator.create(telephonySurface(loadSpecDocument()));
});

/** A request of `operation` with these parts; a path parameter not given is a VoiceCall id. */
function inputOf(operation: Operation, parts: Partial<ValidationInput> & { body?: unknown }): ValidationInput {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const params = Object.fromEntries(names.map((name) => [name, parts.params?.[name] ?? '0LQSM0000000001AAA']));
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  return {
    method: operation.method.toUpperCase(),
    path,
    params,
    headers: parts.headers ?? { 'content-type': 'application/json' },
    query: parts.query ?? {},
    body: parts.body,
  };
}

/** Both ways, as comparable values (Ajv's errors carry the validated data and schema by reference). */
function bothWays(operation: Operation, input: ValidationInput): { fast: string; parsing: string } {
  const plain = (errors: unknown[]) => JSON.stringify(errors);
  return {
    fast: plain(validator.validate(operation, structuredClone(input))),
    parsing: plain(validator.validateParsing(operation, structuredClone(input))),
  };
}

function expectSame(operation: Operation, input: ValidationInput): number {
  const { fast, parsing } = bothWays(operation, input);
  expect(fast, `${operation.operationId}: ${JSON.stringify(input)}`).toBe(parsing);
  return JSON.parse(fast).length as number;
}

const bodySchema = (operation: Operation): JsonSchema | undefined =>
  (operation.requestBody as { content: Record<string, { schema?: JsonSchema }> } | undefined)?.content[
    'application/json'
  ]?.schema;

describe('request validation drift (the pipeline vs openapi-backend validateRequest)', () => {
  it('gives the same errors for generated bodies, valid and near misses, of every operation', () => {
    let rejected = 0;
    let accepted = 0;
    for (const operation of validator.operations()) {
      const schema = bodySchema(operation);
      if (schema === undefined) continue;
      fc.assert(
        fc.property(fc.oneof(valid(schema), nearMiss(schema)), (body) => {
          if (expectSame(operation, inputOf(operation, { body })) === 0) accepted += 1;
          else rejected += 1;
        }),
        { numRuns: RUNS },
      );
    }
    // Both verdicts must occur, or the comparison proves little.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it("gives the same errors for every request of the fixtures' scripts", () => {
    const byId = new Map(validator.operations().map((operation) => [operation.operationId, operation]));
    let compared = 0;
    for (const file of readdirSync('fixtures/scripts')) {
      const script = JSON.parse(readFileSync(`fixtures/scripts/${file}`, 'utf8')) as {
        steps: { operationId: string; body?: unknown; query?: Record<string, string> }[];
      };
      for (const step of script.steps) {
        const operation = byId.get(step.operationId);
        if (operation === undefined) continue;
        expect(expectSame(operation, inputOf(operation, { body: step.body, query: step.query }))).toBe(0);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('gives the same errors for a missing body, non-object bodies, queries, headers and path parameters', () => {
    let rejected = 0;
    for (const operation of validator.operations()) {
      const cases: Partial<ValidationInput>[] = [
        { body: undefined },
        { body: null },
        { body: [] },
        { body: 42 },
        { body: true },
        { body: 'text' },
        { body: {} },
        { body: { unexpected: 1 } },
        { query: { toPhoneNumber: '+15551234567', unknownParameter: 'x' } },
        { query: { externalRepId: 'rep-1' } },
        { headers: { 'content-type': 'application/json', 'telephony-provider-name': 'amazon-connect' } },
        { headers: { 'content-type': 'application/json', 'telephony-provider-name': ['a', 'b'] } },
        { params: { voiceCallId: 'not/an id%', conversationId: 'a b' } },
      ];
      for (const parts of cases) if (expectSame(operation, inputOf(operation, parts)) > 0) rejected += 1;
    }
    expect(rejected).toBeGreaterThan(10);
  });
});
