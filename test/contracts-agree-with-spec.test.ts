/**
 * openapi.yaml is the source of truth; the zod contracts must say the same thing. Two proofs: the
 * schemas match property by property (type, required, enum, format, bounds), and both accept and
 * reject the same payloads: the spec's examples and thousands of mutants of them.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsNamespace from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPERATION_CONTRACTS, OPERATION_OF_OPERATION_ID, type OperationId } from '../contracts/operations.ts';
import { SEQUENCE_RULES } from '../contracts/sequence-rules.ts';
import {
  callListSchema,
  demoTokenRequestSchema,
  demoTokenResponseSchema,
  orgViewSchema,
  tenantListSchema,
  conversationStateSchema,
  healthResponseSchema,
  journalClearedSchema,
  journalEntrySchema,
  journalPageSchema,
  keyListSchema,
  resetRequestSchema,
  resetResponseSchema,
  ruleCheckSchema,
  ruleListSchema,
  registeredKeySchema,
  salesforceCallRequestSchema,
  salesforceCallResponseSchema,
  registerKeyRequestSchema,
  verificationProblemSchema,
  verificationReportSchema,
  verificationStepSchema,
  verificationSummarySchema,
  verifyRequestSchema,
  callSelectionSchema,
  clockRequestSchema,
  clockStateSchema,
} from '../contracts/admin-schemas.ts';
import {
  faultActionSchema,
  faultListSchema,
  faultMatchSchema,
  faultRuleRequestSchema,
  faultRuleSchema,
  faultsClearedSchema,
  injectedFaultSchema,
} from '../contracts/fault-schemas.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import {
  requestExamplesOf,
  inputSchemaOf,
  requestSchemaOf,
  responseSchemaOf,
  spec,
  specOperations,
  type JsonSchema,
  type SpecOperation,
} from './support/spec-schemas.ts';

const KEPT = [
  'type',
  'properties',
  'required',
  'enum',
  'const',
  'format',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'items',
  'maxProperties',
];
const typesOf = (s: JsonSchema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];

/** The parts of a JSON Schema both sides must agree on, in one canonical form. */
function normalize(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  let base: JsonSchema = { ...schema };
  const members = Array.isArray(base.anyOf) ? (base.anyOf as JsonSchema[]) : [];
  delete base.anyOf;
  // A union of types (zod's nullable and union) is the spec's `type: [a, b]`. A union of `required`
  // lists (the spec's "at least one of") is not structural; the payload samples cover it.
  if (members.length > 0 && members.every((m) => 'type' in m)) {
    const merged = members
      .map((m) => normalize(m)!)
      .reduce<JsonSchema>((acc, m) => ({ ...acc, ...m, type: [...typesOf(acc), ...typesOf(m)] }), {});
    // A nullable enum: JSON Schema needs null among the enum values too.
    if (Array.isArray(merged.enum) && typesOf(merged).includes('null'))
      merged.enum = [...(merged.enum as unknown[]), null];
    base = { ...merged, ...base };
  }
  const out: JsonSchema = {};
  for (const key of KEPT) {
    const value = base[key];
    if (value === undefined) continue;
    if (key === 'type') out.type = typesOf(base).sort();
    else if (key === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, normalize(v)]),
      );
    else if (key === 'items') out.items = normalize(value as JsonSchema);
    else if (key === 'required' || key === 'enum') out[key] = [...(value as unknown[])].sort();
    else out[key] = value;
  }
  // JavaScript's safe-integer bounds are implied by every integer; zod spells them out.
  if (out.minimum === -Number.MAX_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  // zod's strict empty object is the spec's maxProperties: 0.
  if (
    base.additionalProperties === false &&
    out.properties !== undefined &&
    Object.keys(out.properties as object).length === 0
  )
    out.maxProperties = 0;
  if (out.properties !== undefined && Object.keys(out.properties as object).length === 0) delete out.properties;
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  return out;
}

const zodSchema = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const ajv = new Ajv2020({ strict: false, allErrors: false });
formatsNamespace.default(ajv);
/** The spec's verdict on a request body; `undefined` is an absent body, allowed where the body is optional. */
const specAccepts = (schema: JsonSchema, bodyRequired = true) => {
  const validate = ajv.compile(schema);
  return (value: unknown) => (value === undefined ? !bodyRequired : validate(value));
};
const bodyRequired = (op: SpecOperation) =>
  (op.operation.requestBody as { required?: boolean } | undefined)?.required === true;

/** Each example with one change at a time: fields removed, retyped, nulled, emptied, added; nested too. */
function mutants(example: unknown, depth = 3): unknown[] {
  const out: unknown[] = [];
  const replacements: unknown[] = [null, 42, -1, 1.5, 'x', '', true, [], {}, 'not-a-date', 1e16];
  const visit = (value: unknown, rebuild: (v: unknown) => unknown, level: number): void => {
    if (level > depth) return;
    if (Array.isArray(value)) {
      out.push(rebuild([]), rebuild([...value, ...value, ...value, ...value, ...value, ...value]));
      if (value.length > 0) visit(value[0], (v) => rebuild([v, ...value.slice(1)]), level + 1);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    out.push(rebuild({ ...record, undocumentedExtra: 'x' }));
    for (const key of Object.keys(record)) {
      const { [key]: _removed, ...rest } = record;
      out.push(rebuild(rest));
      for (const replacement of replacements) out.push(rebuild({ ...record, [key]: replacement }));
      visit(record[key], (v) => rebuild({ ...record, [key]: v }), level + 1);
    }
  };
  visit(example, (v) => v, 0);
  return out;
}

const telephonyOperations = specOperations().filter((op) => !op.path.startsWith('/__admin'));

describe('operations', () => {
  it('every telephony operationId of the spec has a contract, and every contract an operation', () => {
    expect(telephonyOperations.map((op) => op.operationId).sort()).toEqual(
      Object.keys(OPERATION_OF_OPERATION_ID).sort(),
    );
  });

  it.each(telephonyOperations.map((op) => [op.operationId, op] as const))(
    "%s lists exactly the table's rules in x-sequence-rules",
    (operationId, op) => {
      const operation = OPERATION_OF_OPERATION_ID[operationId as OperationId];
      const fromTable = SEQUENCE_RULES.filter((rule) => rule.operations.includes(operation)).map((rule) => rule.id);
      expect([...(op.operation['x-sequence-rules'] ?? [])].sort()).toEqual(fromTable.sort());
    },
  );
});

describe.each(telephonyOperations.map((op) => [op.operationId, op] as const))('%s', (operationId, op) => {
  const contract = OPERATION_CONTRACTS[OPERATION_OF_OPERATION_ID[operationId as OperationId]];
  // The GET lookups take their input in the query, every other operation in its JSON body.
  const specRequest = inputSchemaOf(op)!;
  const zodRequest = (contract.request ?? contract.query)!;

  it('request schema: zod matches the spec property by property', () => {
    expect(contract.request === null, 'a GET takes no body; any other operation does').toBe(op.method === 'get');
    expect(normalize(zodSchema(zodRequest))).toEqual(normalize(specRequest));
  });

  it('success responses: zod matches the spec for every 2xx', () => {
    const statuses = Object.keys(op.operation.responses ?? {})
      .filter((s) => s.startsWith('2'))
      .map(Number);
    expect(statuses.sort()).toEqual(Object.keys(contract.responses).map(Number).sort());
    for (const status of statuses) {
      expect(normalize(zodSchema(contract.responses[status]!)), `${status}`).toEqual(
        normalize(responseSchemaOf(op, status)),
      );
    }
  });

  it('error responses use the ErrorResponse schema', () => {
    for (const [status, response] of Object.entries(op.operation.responses ?? {})) {
      if (Number(status) < 400) continue;
      const schema = (response as { content: Record<string, { schema: JsonSchema }> }).content['application/json']!
        .schema;
      expect(normalize(schema), status).toEqual(normalize(zodSchema(errorResponseSchema)));
    }
  });

  it('the spec examples are valid for both, and both judge every mutant of them the same way', () => {
    const isQuery = contract.request === null;
    const accepts = specAccepts(specRequest, isQuery || bodyRequired(op));
    // A query always arrives as an object: its example has each required parameter.
    const queryExample = Object.fromEntries(
      ((specRequest.required ?? []) as string[]).map((name) => [name, '+14155550100']),
    );
    const examples = isQuery ? [queryExample] : requestExamplesOf(op);
    for (const example of examples) {
      expect(accepts(example), JSON.stringify(example)).toBe(true);
      expect(zodRequest.safeParse(example).success, JSON.stringify(example)).toBe(true);
    }
    const samples = examples.flatMap((e) => mutants(e));
    samples.push(...(isQuery ? [{}] : [undefined, null, {}, [], 'text', 0]));
    let rejected = 0;
    for (const sample of samples) {
      const verdict = accepts(sample);
      if (!verdict) rejected += 1;
      expect(zodRequest.safeParse(sample).success, `${operationId}: ${JSON.stringify(sample)}`).toBe(verdict);
    }
    // The mutants must exercise rejection, or this test proves nothing (a lookup without parameters takes any query).
    const takesNothing = isQuery && Object.keys(queryExample).length === 0;
    if (examples.length > 0 && !takesNothing) expect(rejected).toBeGreaterThan(0);
  });
});

describe('conditional and cross-field requirements', () => {
  const opOf = (operationId: string) => telephonyOperations.find((op) => op.operationId === operationId)!;
  const agree = (operationId: OperationId, sample: unknown, expected: boolean) => {
    expect(specAccepts(requestSchemaOf(opOf(operationId))!, bodyRequired(opOf(operationId)))(sample)).toBe(expected);
    expect(OPERATION_CONTRACTS[OPERATION_OF_OPERATION_ID[operationId]].request!.safeParse(sample).success).toBe(
      expected,
    );
  };
  const transfer = {
    callCenterApiName: 'MyContactCenter',
    vendorCallKey: 'k',
    to: '1',
    from: '2',
    initiationMethod: 'Transfer',
    startTime: '2022-08-02T17:32:28Z',
    participants: [{ participantKey: '2', type: 'END_USER' }],
  };

  it('a transfer needs parentVoiceCallId', () => {
    agree('createVoiceCall', transfer, false);
    agree('createVoiceCall', { ...transfer, parentVoiceCallId: 'p' }, true);
    agree('createVoiceCall', { ...transfer, initiationMethod: 'Inbound' }, true);
  });

  it('omniFlow needs dialedNumber, flowDevName, flowName or fallbackQueue', () => {
    agree('executeOmniFlow', {}, false);
    agree('executeOmniFlow', { flowInputParameters: { a: 1 } }, false);
    for (const field of ['dialedNumber', 'flowDevName', 'flowName', 'fallbackQueue'])
      agree('executeOmniFlow', { [field]: 'x' }, true);
  });

  it('clearRouting and reroute take nothing, null or {}', () => {
    for (const operationId of ['clearRouting', 'rerouteVoiceCall'] as const) {
      agree(operationId, undefined, true);
      agree(operationId, null, true);
      agree(operationId, {}, true);
      agree(operationId, { a: 1 }, false);
      agree(operationId, [], false);
    }
  });

  it('date-times agree on edge cases', () => {
    const base = { ...transfer, initiationMethod: 'Inbound' };
    for (const [startTime, ok] of [
      ['2019-07-02T17:32:28Z', true],
      ['2019-07-02T17:32:28.123Z', true],
      ['2019-07-02T17:32:28+02:00', true],
      ['2019-07-02T17:32:28', false],
      ['2019-02-30T17:32:28Z', false],
      ['2019-07-02', false],
    ] as const) {
      agree('createVoiceCall', { ...base, startTime }, ok);
    }
  });
});

describe('shared schemas', () => {
  it.each([
    ['ErrorResponse', errorResponseSchema],
    ['HealthResponse', healthResponseSchema],
    ['RegisterKeyRequest', registerKeyRequestSchema],
    ['RegisteredKey', registeredKeySchema],
    ['KeyList', keyListSchema],
    ['RuleCheck', ruleCheckSchema],
    ['RuleList', ruleListSchema],
    ['JournalEntry', journalEntrySchema],
    ['JournalPage', journalPageSchema],
    ['JournalCleared', journalClearedSchema],
    ['ResetRequest', resetRequestSchema],
    ['ResetResponse', resetResponseSchema],
    ['ConversationState', conversationStateSchema],
    ['CallList', callListSchema],
    ['VerifyRequest', verifyRequestSchema],
    ['CallSelection', callSelectionSchema],
    ['SalesforceCallRequest', salesforceCallRequestSchema],
    ['SalesforceCallResponse', salesforceCallResponseSchema],
    ['VerificationProblem', verificationProblemSchema],
    ['VerificationStep', verificationStepSchema],
    ['VerificationReport', verificationReportSchema],
    ['VerificationSummary', verificationSummarySchema],
    ['ClockRequest', clockRequestSchema],
    ['ClockState', clockStateSchema],
    ['InjectedFault', injectedFaultSchema],
    ['FaultMatch', faultMatchSchema],
    ['FaultAction', faultActionSchema],
    ['FaultRuleRequest', faultRuleRequestSchema],
    ['FaultRule', faultRuleSchema],
    ['FaultList', faultListSchema],
    ['FaultsCleared', faultsClearedSchema],
    ['TenantList', tenantListSchema],
    ['DemoTokenRequest', demoTokenRequestSchema],
    ['DemoTokenResponse', demoTokenResponseSchema],
    ['OrgView', orgViewSchema],
  ] as const)('%s matches the spec', (name, schema) => {
    const schemas = spec.components!.schemas! as Record<string, JsonSchema>;
    expect(normalize(zodSchema(schema))).toEqual(normalize(schemas[name]));
  });
});
