/**
 * zod schemas for scv-telephony-mock's own admin surface under /__admin (the Admin tag of
 * openapi.yaml): health, keys, the request journal, reset and state inspection. Like the wire schemas,
 * they are tested against the spec.
 */
import { z } from 'zod';
import { OPERATIONS } from './operations.ts';
import { injectedFaultSchema } from './fault-schemas.ts';
import { RULE_SETTING_SOURCES } from './rule-settings.ts';
import { EVIDENCE_GRADES, RULE_IDS, RULE_LEVELS } from './sequence-rules.ts';
import {
  CALL_DISPOSITIONS,
  epochMillisSchema,
  httpStatusSchema,
  isoDateTimeSchema,
  newVendorCallKeySchema,
} from './wire-schemas.ts';

const nonEmpty = () => z.string().min(1);
/** A count or sequence number (the spec's Count). */
const count = () => z.int().min(0);

export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  mode: z.enum(['strict', 'lenient']),
  auth: z.enum(['jwt', 'off']),
  store: z.enum(['file', 'postgres', 'memory']),
});

/** POST /__admin/keys as JSON: a PEM public key or certificate for a contact center. */
export const registerKeyRequestSchema = z
  .object({
    callCenterApiName: nonEmpty(),
    publicKey: nonEmpty().optional(),
    certificate: nonEmpty().optional(),
    name: nonEmpty().optional(),
    orgId: nonEmpty().optional(),
  })
  .refine((body) => (body.publicKey === undefined) !== (body.certificate === undefined), {
    message: 'give publicKey or certificate (one of them)',
  });

export const registeredKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  callCenterApiName: z.string(),
  orgId: z.string().nullable(),
  kind: z.enum(['publicKey', 'certificate']),
  source: z.enum(['fixture', 'admin']),
  modulusLength: count(),
  registeredAt: z.string(),
  /** What works in the mock but not by the current page (a 1024-bit key). */
  warnings: z.array(z.string()),
});

export const keyListSchema = z.object({ keys: z.array(registeredKeySchema) });

/** A rule of the table as GET /__admin/rules lists it: what it judges, its evidence, and its level in this run. */
export const ruleInfoSchema = z.object({
  id: z.enum(RULE_IDS),
  title: z.string(),
  kind: z.enum(['requirement', 'behaviour']),
  evidence: z.object({
    grade: z.enum(EVIDENCE_GRADES),
    url: z.string(),
    quote: z.string().optional(),
    contradictedBy: z.object({ url: z.string(), what: z.string() }).optional(),
    note: z.string().optional(),
  }),
  operations: z.array(z.enum(OPERATIONS)),
  scope: z.enum(['request', 'message']),
  /** The status a refusal answers with (when the rule is at refuse in strict mode). */
  refusalStatus: z.literal([400, 409]),
  /** What happens to the request when the rule matches and lets it through. */
  effect: z.enum(['apply', 'skip']),
  /** The level the evidence gives it. */
  default: z.enum(['refuse', 'warn']),
  /** The level in this run, and where it was set. */
  level: z.enum(RULE_LEVELS),
  levelFrom: z.enum(RULE_SETTING_SOURCES),
});

export const ruleListSchema = z.object({
  /** strict: rules at refuse answer with their status; lenient: they are let through and recorded as violations. */
  mode: z.enum(['strict', 'lenient']),
  /** How a run sets levels. */
  howToSet: z.string(),
  rules: z.array(ruleInfoSchema),
});

export const CHECK_OUTCOMES = ['ok', 'warning', 'violation'] as const;

/** One rule the table ran for a request, and its outcome. */
export const ruleCheckSchema = z.object({
  rule: z.enum(RULE_IDS),
  scope: z.enum(['request', 'message']),
  outcome: z.enum(CHECK_OUTCOMES),
  message: z.string().optional(),
  /** For message-scope checks: the messageId. */
  subject: z.string().optional(),
});

/** One request the mock received, as the journal keeps it. */
export const journalEntrySchema = z.object({
  seq: count(),
  time: z.string(),
  tenant: z.string(),
  method: z.string(),
  path: z.string(),
  operationId: z.string().nullable(),
  operation: z.enum(OPERATIONS).nullable(),
  params: z.record(z.string(), z.string()),
  /** The call the request resolved to (or created), when there was one. */
  voiceCallId: z.string().nullable(),
  vendorCallKey: z.string().nullable(),
  conversationId: z.string().nullable(),
  providerName: z.string().nullable(),
  request: z.object({
    /** Content-Type, Telephony-Provider-Name and Authorization (redacted: never the token). */
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
  }),
  response: z.object({
    /** null when no answer was sent: a fault rule dropped the connection or left the request hanging. */
    status: httpStatusSchema.nullable(),
    body: z.unknown(),
  }),
  checks: z.array(ruleCheckSchema),
  /** The fault a fault rule injected into this request (POST /__admin/faults), if any. */
  fault: injectedFaultSchema.optional(),
  durationMs: z.number(),
});

export const journalPageSchema = z.object({
  tenant: z.string(),
  enabled: z.boolean(),
  /** Entries kept per tenant; the oldest are dropped beyond it. */
  capacity: count(),
  /** Entries of this tenant held now (before filters). */
  total: count(),
  /** Entries of this tenant dropped because the journal was full. */
  dropped: count(),
  entries: z.array(journalEntrySchema),
});

export const journalClearedSchema = z.object({ tenant: z.string(), cleared: count() });

export const resetRequestSchema = z.object({
  calls: z.boolean().optional(),
  journal: z.boolean().optional(),
});

export const storeCountsSchema = z.object({
  calls: count(),
  conversations: count(),
  transcripts: count(),
  recordings: count(),
  routings: count(),
  contactRequests: count(),
  events: count(),
  numberReservations: count(),
});

export const resetResponseSchema = z.object({
  tenant: z.string(),
  removed: storeCountsSchema,
  journalCleared: count(),
});

/** A stored record, with the fields inspection relies on; the rest are as in mock-server/store/records.ts. */
const record = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ id: z.string(), ...shape });

export const conversationStateSchema = z.object({
  conversationId: z.string(),
  status: z.enum(['open', 'closed']),
  firstVendorCallKey: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  legs: z.array(
    record({
      vendorCallKey: z.string(),
      disposition: z.enum(CALL_DISPOSITIONS),
      callOrigin: z.string().nullable(),
      previousCallId: z.string().nullable(),
      nextCallId: z.string().nullable(),
      /** What ended the leg: its final update, or a transfer to the next leg; null while it is live. */
      endedBy: z.enum(['update', 'transfer']).nullable(),
    }),
  ),
  transcripts: z.array(
    record({ messageId: z.string(), senderType: z.string(), content: z.string(), startTime: epochMillisSchema }),
  ),
  recordings: z.array(record({ voiceCallId: z.string(), recordingLocation: z.string(), durationInSeconds: count() })),
  pendingRoutings: z.array(record({ voiceCallId: z.string(), source: z.string() })),
  contactRequests: z.array(record({ voiceCallId: z.string(), callbackNumber: z.string() })),
  events: z.array(record({ kind: z.enum(['realtime', 'postCall']), service: z.string() })),
});

export const callListSchema = z.object({
  tenant: z.string(),
  /** Conversations the retention policy (--retain-calls, --retain-for) evicted from the tenant since the start. */
  evicted: count(),
  conversations: z.array(conversationStateSchema),
});

export const PROBLEM_KINDS = [
  'missing-step',
  'out-of-order',
  'extra-request',
  'failed-request',
  'rule-violation',
  'condition',
  'incomplete-evidence',
  'resilience',
] as const;

/** One thing the connector did wrong for this call, and what to change. */
/** The request a problem is about and what the mock answered, as the journal kept them. */
export const problemExchangeSchema = z.object({
  method: z.string(),
  path: z.string(),
  requestBody: z.unknown(),
  /** null when no answer was sent (a fault rule's drop or hang). */
  status: httpStatusSchema.nullable(),
  responseBody: z.unknown(),
});

export const verificationProblemSchema = z.object({
  kind: z.enum(PROBLEM_KINDS),
  step: z.string().optional(),
  /** The journal entry it is about. */
  seq: count().optional(),
  rule: z.enum(RULE_IDS).optional(),
  message: z.string(),
  /** With seq: that request and its answer, so a report shows what to change without the journal. */
  exchange: problemExchangeSchema.optional(),
});

export const verificationStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  operations: z.array(z.enum(OPERATIONS)),
  optional: z.boolean(),
  repeatable: z.boolean(),
  /** unknown: not seen, but the journal dropped some of the call's requests (incomplete evidence). */
  status: z.enum(['passed', 'failed', 'missing', 'skipped', 'unknown']),
  /** The journal entries (seq) that made this step. */
  requests: z.array(count()),
});

export const verificationReportSchema = z.object({
  ok: z.boolean(),
  scenario: z.string(),
  title: z.string(),
  vendorCallKey: z.string().nullable(),
  conversationId: z.string().nullable(),
  steps: z.array(verificationStepSchema),
  /** When the call's first and last kept requests arrived (null without any). */
  firstRequestAt: isoDateTimeSchema.nullable(),
  lastRequestAt: isoDateTimeSchema.nullable(),
  problems: z.array(verificationProblemSchema),
  warnings: z.array(z.object({ rule: z.enum(RULE_IDS), seq: count(), message: z.string() })),
  coverage: z.object({
    /** Requests per operation. */
    operations: z.record(z.string(), count()),
    /** Per rule: how often it was checked with each outcome. */
    rules: z.record(z.string(), z.object({ ok: count(), warning: count(), violation: count() })),
    /** Answers per status code. */
    statuses: z.record(z.string(), count()),
  }),
});

/** POST /__admin/calls: a call Salesforce creates itself, so a connector can post transcripts and events for it. */
export const salesforceCallRequestSchema = z.object({
  callType: z.enum(['Outbound', 'Callback', 'Consult']),
  vendorCallKey: newVendorCallKeySchema,
  from: nonEmpty().optional(),
  to: nonEmpty().optional(),
  /** ISO-8601; the transcript window opens here. Default: now. */
  startTime: isoDateTimeSchema.optional(),
});

export const salesforceCallResponseSchema = z.object({
  voiceCallId: z.string(),
  vendorCallKey: z.string(),
  conversationId: z.string(),
  callType: z.enum(['Outbound', 'Callback', 'Consult']),
});

/** Which calls of the tenant a verification without vendorCallKey judges (all of them by default). */
export const callSelectionSchema = z.object({
  /** Only calls whose vendorCallKey starts with this (a test run's own prefix). */
  vendorCallKeyPrefix: nonEmpty().optional(),
  /** Only calls whose first request arrived at or after this time. */
  since: isoDateTimeSchema.optional(),
});

export const verifyRequestSchema = z.object({
  scenario: nonEmpty(),
  vendorCallKey: nonEmpty().optional(),
  ...callSelectionSchema.shape,
});

/** Every call of the tenant (or those the selection names) verified against a scenario. */
export const verificationSummarySchema = z.object({
  ok: z.boolean(),
  scenario: z.string(),
  /** The selection the calls were picked by, when one was given. */
  selection: callSelectionSchema.optional(),
  reports: z.array(verificationReportSchema),
});

/** GET /__admin/tenants: the tenants this mock serves, with their stored calls. */
export const tenantListSchema = z.object({
  tenants: z.array(z.object({ tenant: z.string(), calls: count() })),
  /** --max-tenants. */
  limit: count(),
});

/** POST /__admin/ui/token: a token signed with the fixture's public demo key. */
export const demoTokenRequestSchema = z.strictObject({ callCenterApiName: nonEmpty().optional() });
export const demoTokenResponseSchema = z.object({
  token: z.string(),
  orgId: z.string(),
  callCenterApiName: z.string(),
});

/** GET /__admin/org: the tenant's contact center as the org fixture has it (without its keys). */
export const orgViewSchema = z.object({
  orgId: z.string(),
  name: z.string(),
  contactCenter: z.looseObject({
    apiName: z.string(),
    phoneChannels: z.array(z.looseObject({ phoneNumber: z.string() })),
    queues: z.array(z.looseObject({ developerName: z.string(), id: z.string() })),
    reps: z.array(z.looseObject({ username: z.string(), id: z.string() })),
  }),
});

export type TenantList = z.infer<typeof tenantListSchema>;
export type DemoTokenResponse = z.infer<typeof demoTokenResponseSchema>;
export type OrgView = z.infer<typeof orgViewSchema>;
export type HealthResponse = z.infer<typeof healthResponseSchema>;
export type RegisterKeyRequest = z.infer<typeof registerKeyRequestSchema>;
export type RegisteredKeyInfo = z.infer<typeof registeredKeySchema>;
export type KeyList = z.infer<typeof keyListSchema>;
export type RuleInfo = z.infer<typeof ruleInfoSchema>;
export type RuleList = z.infer<typeof ruleListSchema>;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];
export type RuleCheck = z.infer<typeof ruleCheckSchema>;
export type JournalEntry = z.infer<typeof journalEntrySchema>;
export type JournalPage = z.infer<typeof journalPageSchema>;
export type JournalCleared = z.infer<typeof journalClearedSchema>;
export type ResetRequest = z.infer<typeof resetRequestSchema>;
export type StoreCounts = z.infer<typeof storeCountsSchema>;
export type ResetResponse = z.infer<typeof resetResponseSchema>;
export type ConversationState = z.infer<typeof conversationStateSchema>;
export type CallList = z.infer<typeof callListSchema>;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];
export type VerificationProblem = z.infer<typeof verificationProblemSchema>;
export type VerificationStep = z.infer<typeof verificationStepSchema>;
export type VerificationReport = z.infer<typeof verificationReportSchema>;
export type VerifyRequest = z.infer<typeof verifyRequestSchema>;
export type CallSelection = z.infer<typeof callSelectionSchema>;
export type SalesforceCallRequest = z.infer<typeof salesforceCallRequestSchema>;
export type SalesforceCallResponse = z.infer<typeof salesforceCallResponseSchema>;
export type VerificationSummary = z.infer<typeof verificationSummarySchema>;

/** A duration for the clock: milliseconds, or a number with a unit (500ms, 90s, 15m, 5h, 2d). */
export const CLOCK_DURATION = /^\d+(?:ms|s|m|h|d)$/;

/** POST /__admin/clock: set or advance the mock's time, and freeze or release it. */
export const clockRequestSchema = z
  .strictObject({
    /** Jump to this instant (frozen there if the clock is frozen, running on from it otherwise). */
    set: isoDateTimeSchema.optional(),
    /** Move forward by this much. */
    advance: z.union([z.int().min(0), z.string().regex(CLOCK_DURATION)]).optional(),
    /** Stop the clock (true) or let it run again from where it stands (false). */
    freeze: z.boolean().optional(),
    /** Back to the machine's time, running. */
    reset: z.literal(true).optional(),
  })
  .refine((request) => request.set === undefined || request.advance === undefined, {
    message: 'give set or advance, not both',
  })
  .refine((request) => request.reset === undefined || Object.keys(request).length === 1, {
    message: 'reset goes alone',
  });

/** The mock's time: what it reads as now, whether it is frozen, and how far it is from the machine's. */
export const clockStateSchema = z.object({
  now: isoDateTimeSchema,
  frozen: z.boolean(),
  offsetMs: z.int(),
});

export type ClockRequest = z.infer<typeof clockRequestSchema>;
export type ClockState = z.infer<typeof clockStateSchema>;
