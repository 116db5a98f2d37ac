/**
 * Fault rules, as data: what a connector's failure handling is tested against. A rule matches requests
 * of a tenant (by operation, method and what the call is) and acts on some of them (from the Nth, a
 * number of times, or with a seeded probability): an error status with the documented error body, a
 * delay, a hang, a dropped connection or a broken body; and it says whether the operation still happens
 * (a write applied whose answer is lost is what makes retries dangerous). POST /__admin/faults takes a
 * rule; the journal records the fault on each request it hit.
 */
import { z } from 'zod';
import { OPERATIONS } from './operations.ts';
import { CALL_ORIGINS, INITIATION_METHODS } from './wire-schemas.ts';

const count = () => z.int().min(0);

/** The statuses a fault answers with, each with the error body and code the mock uses for it. */
export const FAULT_STATUSES = [401, 429, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export const FAULT_BODIES = ['malformed-json', 'empty'] as const;

/** What a request must be for the rule to consider it; every field given must hold. */
export const faultMatchSchema = z.strictObject({
  operation: z.enum(OPERATIONS).optional(),
  method: z.enum(['GET', 'POST', 'PATCH']).optional(),
  /** The call's vendorCallKey (a path key, or a create's body). */
  vendorCallKey: z.string().min(1).optional(),
  /** The call's callOrigin: a create's, or the stored call's. */
  callOrigin: z.enum(CALL_ORIGINS).optional(),
  initiationMethod: z.enum(INITIATION_METHODS).optional(),
  /** Whether the call's conversation is open; a create opens one. */
  conversation: z.enum(['open', 'closed']).optional(),
  /** The call's leg in its conversation: 1 for the first, 2 for the first transfer leg, … */
  leg: z.int().min(1).optional(),
});

/** What the rule does to a request it hits: an answer (status, hang, drop or body) and/or a delay first. */
export const faultActionSchema = z
  .strictObject({
    // The literal's JSON Schema says number; the values are HTTP statuses.
    status: z.literal(FAULT_STATUSES).meta({ type: 'integer' }).optional(),
    /** Seconds, sent as Retry-After with a 429 or a 503. */
    retryAfter: z.int().min(0).max(3600).optional(),
    delayMs: z.int().min(1).max(120_000).optional(),
    /** Up to this much more delay, drawn from the rule's random sequence. */
    jitterMs: z.int().min(1).max(60_000).optional(),
    /** Never answer: the request waits until the client gives up (or the mock stops). */
    hang: z.literal(true).optional(),
    /** Close the connection without an answer. */
    drop: z.literal(true).optional(),
    /** Answer the operation's status with a broken body. */
    body: z.enum(FAULT_BODIES).optional(),
    /**
     * Whether the operation still runs (and its write is kept). Default: yes for a delay or a broken
     * body, no for a status, a hang or a drop; `drop` with `applyOperation: true` is the lost answer.
     */
    applyOperation: z.boolean().optional(),
  })
  .superRefine((action, ctx) => {
    const answers = (['status', 'hang', 'drop', 'body'] as const).filter((name) => action[name] !== undefined);
    if (answers.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `give one of status, hang, drop and body, not ${answers.join(' and ')}`,
      });
    if (answers.length === 0 && action.delayMs === undefined)
      ctx.addIssue({ code: 'custom', message: 'give what the fault does: status, delayMs, hang, drop or body' });
    if (action.retryAfter !== undefined && action.status !== 429 && action.status !== 503)
      ctx.addIssue({ code: 'custom', path: ['retryAfter'], message: 'goes with status 429 or 503' });
    if (action.jitterMs !== undefined && action.delayMs === undefined)
      ctx.addIssue({ code: 'custom', path: ['jitterMs'], message: 'goes with delayMs' });
  });

export const faultRuleRequestSchema = z.strictObject({
  /** A label for the journal and the log. */
  name: z.string().min(1).max(200).optional(),
  match: faultMatchSchema.optional(),
  action: faultActionSchema,
  /** Matching requests let through before the rule acts: 2 means it acts from the third. */
  after: count().optional(),
  /** How many requests it acts on, then it is spent; default every matching request. */
  times: z.int().min(1).optional(),
  /** The chance it acts on a matching request, drawn from a sequence seeded by `seed`. */
  probability: z.number().gt(0).max(1).optional(),
  seed: z.string().min(1).max(200).optional(),
});

export const faultRuleSchema = faultRuleRequestSchema.extend({
  id: z.string(),
  tenant: z.string(),
  /** Requests that matched so far. */
  matched: count(),
  /** Requests it acted on so far. */
  injected: count(),
  /** It has acted `times` times and acts no more. */
  spent: z.boolean(),
});

/** A rule in a --faults file: for the tenant it names, by default the org fixture's org and first contact center. */
export const faultFileRuleSchema = faultRuleRequestSchema.extend({
  orgId: z
    .string()
    .regex(/^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'must be an org id: 15 or 18 characters starting with 00D')
    .optional(),
  callCenterApiName: z.string().min(1).optional(),
});

/** `scv-mock start --faults FILE`: fault rules from the start. */
export const faultsFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe("this file's JSON Schema, for editors"),
    $comment: z.string().optional(),
    faults: z.array(faultFileRuleSchema),
  })
  .meta({ title: 'scv-telephony-mock faults file (--faults)' });

export const faultListSchema = z.object({ tenant: z.string(), faults: z.array(faultRuleSchema) });
export const faultsClearedSchema = z.object({ tenant: z.string(), removed: count() });

export const FAULT_KINDS = ['status', 'delay', 'hang', 'drop', 'body'] as const;

/** What a fault did to one request, as the journal records it. */
export const injectedFaultSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  kind: z.enum(FAULT_KINDS),
  /** The status answered instead of the operation's (kind status). */
  status: z.int().min(100).max(599).optional(),
  /** The delay before the request went on (a rule's delayMs and jitterMs together). */
  delayMs: z.int().min(0).max(180_000).optional(),
  /** The Retry-After (seconds) a 429 or 503 answered with. */
  retryAfter: z.int().min(0).max(3600).optional(),
  /** Whether the operation ran and its write was kept. */
  applied: z.boolean(),
});

export type FaultMatch = z.infer<typeof faultMatchSchema>;
export type FaultAction = z.infer<typeof faultActionSchema>;
export type FaultRuleRequest = z.infer<typeof faultRuleRequestSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultList = z.infer<typeof faultListSchema>;
export type FaultFileRule = z.infer<typeof faultFileRuleSchema>;
export type FaultsCleared = z.infer<typeof faultsClearedSchema>;
export type InjectedFault = z.infer<typeof injectedFaultSchema>;
