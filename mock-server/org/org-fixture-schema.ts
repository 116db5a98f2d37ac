/**
 * The simulated org's file format (fixtures/default-org.json is one): contact centers with their phone
 * channels, routing, queues, reps and Omni-Channel flows. Cross-references are checked here too, so a
 * bad file fails at start with the path of every problem.
 */
import { z } from 'zod';
import { ruleSettingsSchema } from '../../contracts/rule-settings.ts';
import { CALL_ORIGINS } from '../../contracts/wire-schemas.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';

const sfId = (prefix: string, what: string) =>
  z.string().refine((value) => isSalesforceId(value, prefix), {
    message: `must be a ${what} id: 15 or 18 characters starting with ${prefix} (an 18-character id needs its case-safe suffix)`,
  });

const routingSchema = z
  .strictObject({
    flow: z.string().min(1).optional().describe('developer name of an Omni-Channel flow of this contact center'),
    fallbackQueue: z.string().min(1).optional().describe('developer name of a queue, used when the flow fails'),
  })
  .refine((routing) => routing.flow !== undefined || routing.fallbackQueue !== undefined, {
    message: 'needs a flow, a fallbackQueue, or both',
  });

const phoneChannelSchema = z.strictObject({
  phoneNumber: z.string().min(1),
  label: z.string().optional(),
  live: routingSchema,
  voicemail: routingSchema.optional(),
  /** What GET /voiceCalls/voicemailGreeting answers for this number. */
  voicemailGreetingUrl: z.url().optional(),
});

const queueSchema = z.strictObject({
  developerName: z.string().min(1),
  id: sfId('00G', 'queue (Group)'),
  label: z.string().optional(),
  /** The CallCenterRoutingMap ExternalId; null = not mapped, so the queue is never routed to. */
  externalId: z.string().min(1).nullable(),
});

const repSchema = z.strictObject({
  username: z.string().min(1),
  id: sfId('005', 'user'),
  name: z.string().optional(),
  externalId: z.string().min(1).nullable(),
  /** What GET /voiceCalls/defaultOutboundPhoneNumber answers for this rep. */
  defaultOutboundPhoneNumber: z.string().min(1).optional(),
  /** What GET /voiceCalls/{id}/voicemailDrop answers for a call with this rep. */
  voicemailDropUrl: z.url().optional(),
});

const E164 = /^\+[1-9][0-9]{1,14}$/;

/** The Agentforce Voice number pool (reserveRoutableNumber): its numbers, and how long a reservation holds one. */
const numberPoolSchema = z.strictObject({
  numbers: z
    .array(
      z.strictObject({
        number: z.string().regex(E164, 'must be an E.164 number such as +14155559876'),
        countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US'),
      }),
    )
    .min(1),
  /** The docs: a number is valid for at most 180 seconds. */
  reservationSeconds: z.int().min(1).max(180).default(180),
});

const flowRouteSchema = z
  .strictObject({
    when: z.strictObject({ callOrigin: z.enum([...CALL_ORIGINS, 'none']) }).optional(),
    queue: z.string().min(1).optional(),
    rep: z.string().min(1).optional(),
  })
  .refine((route) => route.queue !== undefined || route.rep !== undefined, {
    message: 'a route needs a queue, a rep, or both',
  });

const flowSchema = z
  .strictObject({
    developerName: z.string().min(1),
    id: sfId('300', 'flow'),
    label: z.string().optional(),
    /** The first route whose `when` matches the call decides; a flow that fails falls back to the fallback queue. */
    routes: z.array(flowRouteSchema).default([]),
    fails: z.boolean().default(false),
  })
  .refine((flow) => flow.fails || flow.routes.length > 0, { message: 'a flow needs routes, or "fails": true' });

/** A key the contact center accepts tokens from: a PEM public key or X.509 certificate, inline or in a file. */
const keySchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    publicKey: z.string().min(1).optional(),
    certificate: z.string().min(1).optional(),
    /** Relative to the fixture file. */
    publicKeyFile: z.string().min(1).optional(),
    certificateFile: z.string().min(1).optional(),
  })
  .refine(
    (key) =>
      [key.publicKey, key.certificate, key.publicKeyFile, key.certificateFile].filter((v) => v !== undefined).length ===
      1,
    {
      message: 'give exactly one of publicKey, certificate, publicKeyFile, certificateFile',
    },
  );

const contactCenterSchema = z
  .strictObject({
    apiName: z.string().min(1),
    id: sfId('04v', 'contact center (CallCenter)'),
    label: z.string().optional(),
    unifiedRouting: z.boolean().default(false),
    keys: z.array(keySchema).default([]),
    /** Agentforce Voice with the number pool: without it, reserveRoutableNumber answers 403. */
    numberPool: numberPoolSchema.optional(),
    phoneChannels: z.array(phoneChannelSchema).min(1),
    queues: z.array(queueSchema),
    reps: z.array(repSchema),
    flows: z.array(flowSchema),
  })
  .superRefine((center, ctx) => {
    const queues = new Set(center.queues.map((q) => q.developerName));
    const reps = new Set(center.reps.map((r) => r.username));
    const flows = new Set(center.flows.map((f) => f.developerName));
    const known = (names: Set<string>) => [...names].join(', ') || 'none';
    const check = (value: string | undefined, names: Set<string>, kind: string, path: (string | number)[]) => {
      if (value !== undefined && !names.has(value)) {
        ctx.addIssue({ code: 'custom', path, message: `names no ${kind} "${value}" (known: ${known(names)})` });
      }
    };
    const unique = (values: readonly string[], kind: string, key: string) => {
      const seen = new Set<string>();
      values.forEach((value, i) => {
        if (seen.has(value))
          ctx.addIssue({ code: 'custom', path: [kind, i, key], message: `duplicate ${key} "${value}"` });
        seen.add(value);
      });
    };
    // Each list's own order (a Set would hide the duplicates and their indices).
    const keyed = [
      ['queues', 'developerName', center.queues.map((q) => q.developerName)],
      ['reps', 'username', center.reps.map((r) => r.username)],
      ['flows', 'developerName', center.flows.map((f) => f.developerName)],
      ['phoneChannels', 'phoneNumber', center.phoneChannels.map((c) => c.phoneNumber)],
    ] as const;
    for (const [kind, key, values] of keyed) unique(values, kind, key);
    center.phoneChannels.forEach((channel, i) => {
      for (const kind of ['live', 'voicemail'] as const) {
        const routing = channel[kind];
        check(routing?.flow, flows, 'flow', ['phoneChannels', i, kind, 'flow']);
        check(routing?.fallbackQueue, queues, 'queue', ['phoneChannels', i, kind, 'fallbackQueue']);
      }
    });
    center.flows.forEach((flow, i) => {
      flow.routes.forEach((route, j) => {
        check(route.queue, queues, 'queue', ['flows', i, 'routes', j, 'queue']);
        check(route.rep, reps, 'rep', ['flows', i, 'routes', j, 'rep']);
      });
    });
  });

export const orgFixtureSchema = z
  .strictObject({
    $comment: z.string().optional(),
    orgId: sfId('00D', 'org'),
    name: z.string().min(1),
    /**
     * Accept tokens whose iss is any org id (each one a tenant of its own), not only orgId. The default
     * fixture does, so parallel test suites isolate themselves by choosing their own org ids.
     */
    acceptAnyOrgId: z.boolean().default(false),
    contactCenters: z.array(contactCenterSchema).min(1),
    /** Rule levels for runs on this org, e.g. {"CLEAR_ROUTING_WITHOUT_PENDING": "refuse"}; flags and options win. */
    rules: ruleSettingsSchema.default({}),
  })
  .superRefine((org, ctx) => {
    const seen = new Set<string>();
    org.contactCenters.forEach((center, i) => {
      if (seen.has(center.apiName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['contactCenters', i, 'apiName'],
          message: `duplicate apiName "${center.apiName}"`,
        });
      }
      seen.add(center.apiName);
    });
  });

export type OrgFixture = z.infer<typeof orgFixtureSchema>;
export type ContactCenter = OrgFixture['contactCenters'][number];
export type PhoneChannel = ContactCenter['phoneChannels'][number];
export type ChannelRouting = PhoneChannel['live'];
export type Queue = ContactCenter['queues'][number];
export type Rep = ContactCenter['reps'][number];
export type Flow = ContactCenter['flows'][number];
export type FixtureKey = ContactCenter['keys'][number];
