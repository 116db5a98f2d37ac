/**
 * The simulated org's file format (fixtures/default-org.json is one): contact centers with their phone
 * channels, routing, queues, reps and Omni-Channel flows. Cross-references are checked here too, even
 * when the shape has problems, so a bad file fails at start with the path of every problem at once.
 * fixtures/org-fixture.schema.json is generated from this schema (npm run schemas) for editors.
 */
import { z } from 'zod';
import { ruleSettingsSchema } from '../../contracts/rule-settings.ts';
import { CALL_ORIGINS } from '../../contracts/wire-schemas.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';
import { objectsIn, stringOr } from './loose-json.ts';

const sfId = (prefix: string, what: string) =>
  z
    .string()
    .refine((value) => isSalesforceId(value, prefix), {
      message: `must be a ${what} id: 15 or 18 characters starting with ${prefix} (an 18-character id needs its case-safe suffix)`,
    })
    // The JSON Schema's part of the check (an editor cannot check the case-safe suffix).
    .meta({
      description: `${what} id: 15 or 18 characters starting with ${prefix}`,
      pattern: `^${prefix}[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$`,
    });

// Editors see `oneOf`/`anyOf` from the JSON Schema; zod checks the same with a refinement and a message.
const routingSchema = z
  .strictObject({
    flow: z.string().min(1).optional().describe('developer name of an Omni-Channel flow of this contact center'),
    fallbackQueue: z.string().min(1).optional().describe('developer name of a queue, used when the flow fails'),
  })
  .refine((routing) => routing.flow !== undefined || routing.fallbackQueue !== undefined, {
    message: 'needs a flow, a fallbackQueue, or both',
  })
  .meta({ anyOf: [{ required: ['flow'] }, { required: ['fallbackQueue'] }] });

const phoneChannelSchema = z.strictObject({
  phoneNumber: z.string().min(1).describe("the number callers dial, as omniFlow's dialedNumber names it"),
  label: z.string().optional(),
  live: routingSchema.describe('routing for live calls'),
  voicemail: routingSchema.optional().describe('routing for voicemails (callOrigin Voicemail)'),
  voicemailGreetingUrl: z.url().optional().describe('what GET /voiceCalls/voicemailGreeting answers for this number'),
});

const queueSchema = z.strictObject({
  developerName: z.string().min(1),
  id: sfId('00G', 'queue (Group)'),
  label: z.string().optional(),
  externalId: z
    .string()
    .min(1)
    .nullable()
    .describe('the CallCenterRoutingMap ExternalId omniFlow answers with; null: not mapped, never routed to'),
});

const repSchema = z.strictObject({
  username: z.string().min(1),
  id: sfId('005', 'user'),
  name: z.string().optional(),
  externalId: z
    .string()
    .min(1)
    .nullable()
    .describe('the CallCenterRoutingMap ExternalId omniFlow answers with; null: not mapped, never routed to'),
  defaultOutboundPhoneNumber: z
    .string()
    .min(1)
    .optional()
    .describe('what GET /voiceCalls/defaultOutboundPhoneNumber answers for this rep'),
  voicemailDropUrl: z
    .url()
    .optional()
    .describe('what GET /voiceCalls/{id}/voicemailDrop answers for a call with this rep'),
});

const E164 = /^\+[1-9][0-9]{1,14}$/;

const numberPoolSchema = z
  .strictObject({
    numbers: z
      .array(
        z.strictObject({
          number: z.string().regex(E164, 'must be an E.164 number such as +14155559876'),
          countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US'),
        }),
      )
      .min(1),
    // The docs: a number is valid for at most 180 seconds.
    reservationSeconds: z.int().min(1).max(180).default(180).describe('how long a reservation holds a number'),
  })
  .describe('the Agentforce Voice number pool (reserveRoutableNumber); without one, it answers 403');

const flowRouteSchema = z
  .strictObject({
    when: z
      .strictObject({ callOrigin: z.enum([...CALL_ORIGINS, 'none']) })
      .optional()
      .describe('the route applies to calls with this callOrigin (none: calls without one); default all'),
    queue: z.string().min(1).optional().describe('developer name of a queue of this contact center'),
    rep: z.string().min(1).optional().describe('username of a rep of this contact center'),
  })
  .refine((route) => route.queue !== undefined || route.rep !== undefined, {
    message: 'a route needs a queue, a rep, or both',
  })
  .meta({ anyOf: [{ required: ['queue'] }, { required: ['rep'] }] });

const flowSchema = z
  .strictObject({
    developerName: z.string().min(1),
    id: sfId('300', 'flow'),
    label: z.string().optional(),
    routes: z.array(flowRouteSchema).default([]).describe('the first route whose `when` matches the call decides'),
    fails: z.boolean().default(false).describe("the flow fails, so the channel's fallback queue answers"),
  })
  .refine((flow) => flow.fails || flow.routes.length > 0, {
    message: 'a flow needs routes, or "fails": true',
  });

const KEY_SOURCES = ['publicKey', 'certificate', 'publicKeyFile', 'certificateFile'] as const;

const keySchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    publicKey: z.string().min(1).optional().describe('a PEM public key (SPKI)'),
    certificate: z.string().min(1).optional().describe('a PEM X.509 certificate'),
    publicKeyFile: z.string().min(1).optional().describe('a PEM public key file, relative to this fixture file'),
    certificateFile: z.string().min(1).optional().describe('a PEM certificate file, relative to this fixture file'),
  })
  .refine((key) => KEY_SOURCES.filter((source) => key[source] !== undefined).length === 1, {
    message: `give exactly one of ${KEY_SOURCES.join(', ')}`,
  })
  .meta({ oneOf: KEY_SOURCES.map((source) => ({ required: [source] })) })
  .describe('a key the contact center accepts tokens from');

type Issues = z.core.$RefinementCtx;
// Run even when the shape has problems: the file's author gets every problem in one pass.
const always = { when: () => true };

/** The names in a list, reporting duplicates; undefined when the list is not there to name things. */
function uniqueNames(ctx: Issues, list: unknown, listName: string, key: string): Set<string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const seen = new Set<string>();
  for (const [i, item] of objectsIn(list)) {
    const name = stringOr(item[key]);
    if (name === undefined) continue;
    if (seen.has(name))
      ctx.addIssue({ code: 'custom', path: [listName, i, key], message: `duplicate ${key} "${name}"` });
    seen.add(name);
  }
  return seen;
}

function checkCenterReferences(center: unknown, ctx: Issues): void {
  if (typeof center !== 'object' || center === null) return;
  const fields = center as Record<string, unknown>;
  const queues = uniqueNames(ctx, fields.queues, 'queues', 'developerName');
  const reps = uniqueNames(ctx, fields.reps, 'reps', 'username');
  const flows = uniqueNames(ctx, fields.flows, 'flows', 'developerName');
  uniqueNames(ctx, fields.phoneChannels, 'phoneChannels', 'phoneNumber');
  // A list that is missing or malformed has its own problem: references to it are not checked.
  const check = (value: unknown, names: Set<string> | undefined, kind: string, path: (string | number)[]) => {
    const name = stringOr(value);
    if (names !== undefined && name !== undefined && !names.has(name)) {
      const known = [...names].join(', ') || 'none';
      ctx.addIssue({ code: 'custom', path, message: `names no ${kind} "${name}" (known: ${known})` });
    }
  };
  for (const [i, channel] of objectsIn(fields.phoneChannels)) {
    for (const kind of ['live', 'voicemail'] as const) {
      const routing = channel[kind];
      if (typeof routing !== 'object' || routing === null) continue;
      const { flow, fallbackQueue } = routing as Record<string, unknown>;
      check(flow, flows, 'flow', ['phoneChannels', i, kind, 'flow']);
      check(fallbackQueue, queues, 'queue', ['phoneChannels', i, kind, 'fallbackQueue']);
    }
  }
  for (const [i, flow] of objectsIn(fields.flows)) {
    for (const [j, route] of objectsIn(flow.routes)) {
      check(route.queue, queues, 'queue', ['flows', i, 'routes', j, 'queue']);
      check(route.rep, reps, 'rep', ['flows', i, 'routes', j, 'rep']);
    }
  }
}

const contactCenterSchema = z
  .strictObject({
    apiName: z
      .string()
      .min(1)
      .describe('the CallCenter API name: tokens name it in sub, requests in callCenterApiName'),
    id: sfId('04v', 'contact center (CallCenter)'),
    label: z.string().optional(),
    unifiedRouting: z.boolean().default(false).describe('Unified Routing: routeVoiceCall, requestCallback, reroute'),
    keys: z.array(keySchema).default([]),
    numberPool: numberPoolSchema.optional(),
    phoneChannels: z.array(phoneChannelSchema).min(1),
    queues: z.array(queueSchema),
    reps: z.array(repSchema),
    flows: z.array(flowSchema),
  })
  .superRefine(checkCenterReferences, always);

export const orgFixtureSchema = z
  .strictObject({
    $schema: z.string().optional().describe("this file's JSON Schema, for editors"),
    $comment: z.string().optional(),
    orgId: sfId('00D', 'org'),
    name: z.string().min(1),
    // The default fixture accepts any org id, so parallel test suites isolate themselves by their own.
    acceptAnyOrgId: z
      .boolean()
      .default(false)
      .describe('accept tokens whose iss is any org id (each one a tenant of its own), not only orgId'),
    contactCenters: z.array(contactCenterSchema).min(1),
    rules: ruleSettingsSchema
      .default({})
      .describe(
        'rule levels for runs on this org, e.g. {"CLEAR_ROUTING_WITHOUT_PENDING": "refuse"}; flags and options win',
      ),
  })
  .superRefine((org, ctx) => {
    uniqueNames(ctx, (org as { contactCenters?: unknown }).contactCenters, 'contactCenters', 'apiName');
  }, always)
  .meta({ title: 'scv-telephony-mock org fixture' });

export type OrgFixture = z.infer<typeof orgFixtureSchema>;
export type ContactCenter = OrgFixture['contactCenters'][number];
export type PhoneChannel = ContactCenter['phoneChannels'][number];
export type ChannelRouting = PhoneChannel['live'];
export type Queue = ContactCenter['queues'][number];
export type Rep = ContactCenter['reps'][number];
export type Flow = ContactCenter['flows'][number];
export type FixtureKey = ContactCenter['keys'][number];
