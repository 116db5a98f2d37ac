/**
 * zod schemas for every request and response body of openapi.yaml. The spec is the source of truth:
 * test/contracts-agree-with-spec.test.ts compares these schemas with it, property by property, and runs
 * the same payloads through both.
 */
import { z } from 'zod';
import { isDateTime } from './formats.ts';

const MAX_INT32 = 2147483647;

const nonEmpty = () => z.string().min(1);
const isoDateTime = () =>
  z
    .string()
    .refine(isDateTime, { message: 'must be an ISO-8601 date-time such as 2022-08-02T17:32:28Z' })
    .meta({ format: 'date-time' });
export const isoDateTimeSchema = isoDateTime();
const epochMillis = () => z.int().min(0).meta({ format: 'int64' });
export const epochMillisSchema = epochMillis();
export const httpStatusSchema = z.int().min(100).max(599);
const seconds = () => z.int().min(0).max(MAX_INT32).meta({ format: 'int32' });

export const CALL_ORIGINS = ['Preview', 'Progressive', 'Voicemail'] as const;
export const INITIATION_METHODS = ['Inbound', 'Transfer'] as const;
export const CALL_SUBTYPES = ['PSTN', 'WebRTC', 'webRTC'] as const;
export const SENDER_TYPES = ['END_USER', 'EXTERNAL_USER', 'HUMAN_AGENT', 'SUPERVISOR', 'VIRTUAL_AGENT'] as const;
export const EVENT_PARTICIPANTS = ['AGENT', 'CUSTOMER'] as const;
export const REALTIME_EVENT_TYPES = ['IntelligenceSignal__Category', 'IntelligenceSignal__Sentiment'] as const;
/** The page lists Sentiment; Salesforce's post-call Lambda also sends OverallSentimentScore (one per participant). */
export const POST_CALL_EVENT_TYPES = [
  'IntelligenceSignal__Sentiment',
  'IntelligenceSignal__OverallSentimentScore',
] as const;
export const CALL_DISPOSITIONS = ['new', 'in-progress', 'transferred', 'completed'] as const;

export const callOriginSchema = z.enum(CALL_ORIGINS);
export const callAttributesSchema = z.string();

/** The words the API reserves right after /voiceCalls/ (its own endpoints); they never name a call. */
export const RESERVED_PATH_WORDS = [
  'messages',
  'route',
  'reserveRoutableNumber',
  'voicemailGreeting',
  'defaultOutboundPhoneNumber',
] as const;

/** A vendorCallKey a new call may take: any key but a word the API reserves after /voiceCalls/. */
export const newVendorCallKeySchema = nonEmpty().refine(
  (key) => !(RESERVED_PATH_WORDS as readonly string[]).includes(key),
  {
    message: `must not be a word the API reserves after /voiceCalls/ (${RESERVED_PATH_WORDS.join(', ')}): a path with it never names a call`,
  },
);

export const participantSchema = z.object({
  participantKey: nonEmpty(),
  type: z.enum(['END_USER']),
});

export const createVoiceCallRequestSchema = z
  .object({
    callCenterApiName: nonEmpty(),
    vendorCallKey: newVendorCallKeySchema,
    to: nonEmpty(),
    from: nonEmpty(),
    initiationMethod: z.enum(INITIATION_METHODS),
    parentVoiceCallId: nonEmpty().optional(),
    startTime: isoDateTime(),
    participants: z.array(participantSchema).min(1),
    callOrigin: callOriginSchema.optional(),
    queue: nonEmpty().optional(),
    callSubtype: z.enum(CALL_SUBTYPES).optional(),
    callAttributes: callAttributesSchema.optional(),
  })
  .refine((body) => body.initiationMethod !== 'Transfer' || body.parentVoiceCallId !== undefined, {
    message: 'parentVoiceCallId is required when initiationMethod is Transfer',
    path: ['parentVoiceCallId'],
  });

export const createVoiceCallResponseSchema = z.object({
  voiceCallId: z.string(),
  errors: z.union([z.array(z.string()), z.string()]),
});

export const disconnectReasonSchema = z.object({
  value: nonEmpty(),
  isError: z.boolean(),
});

export const updateVoiceCallRequestSchema = z.object({
  startTime: isoDateTime().optional(),
  endTime: isoDateTime().optional(),
  enqueueTime: isoDateTime().optional(),
  // "" when no rep ever connected (what the post-call sync sends; Winter '27 notes).
  acceptTime: z.union([isoDateTime(), z.literal('')]).optional(),
  fromNumber: z.string().optional(),
  totalHoldDuration: seconds().optional(),
  longestHoldDuration: seconds().optional(),
  numberOfHolds: seconds().optional(),
  queue: z.string().optional(),
  agent: z.string().optional(),
  agentInteractionDuration: seconds().optional(),
  callOrigin: callOriginSchema.optional(),
  recordingLocation: nonEmpty().optional(),
  totalRecordingDuration: seconds().optional(),
  callAttributes: callAttributesSchema.optional(),
  isActiveCall: z.boolean().optional(),
  disconnectReason: disconnectReasonSchema.optional(),
  // Not on the Update page; Salesforce's own Lambdas send them (x-observed in openapi.yaml).
  callCenterApiName: nonEmpty().optional(),
  initiationMethod: nonEmpty().optional(),
  toNumber: z.string().optional(),
  callSubType: z.string().optional(),
  parentCallIdentifier: z.string().nullable().optional(),
  secretName: z.string().optional(),
});

export const updateVoiceCallResponseSchema = z.object({ status: z.literal('pending') });

export const transcriptMessageSchema = z.object({
  participantId: nonEmpty(),
  messageId: nonEmpty(),
  startTime: epochMillis(),
  endTime: epochMillis(),
  content: z.string(),
  senderType: z.enum(SENDER_TYPES),
  /** Not on the transcript pages; Salesforce's Lambda handler adds it (x-observed). */
  callCenterApiName: nonEmpty().optional(),
});

/**
 * The page's limits; Salesforce's own Contact Lens Lambda exceeds them, so they are a rule (BULK_TRANSCRIPT_LIMITS),
 * not the schema.
 */
export const BULK_MAX_ENTRIES = 5;
export const BULK_MAX_MESSAGES_PER_ENTRY = 5;

export const bulkTranscriptEntrySchema = z.object({
  vendorCallKey: nonEmpty(),
  messages: z.array(transcriptMessageSchema).min(1),
});

export const bulkTranscriptsRequestSchema = z.object({
  entries: z.array(bulkTranscriptEntrySchema).min(1),
});

export const acceptedResultSchema = z.object({ result: z.literal('Accepted') });

export const bulkTranscriptsPartialFailureSchema = z.object({
  errorResponse: z.object({
    errorResponseEntries: z.array(
      z.object({
        vendorCallKey: z.string(),
        message: z.string(),
        status: httpStatusSchema,
        errorCode: z.string().optional(),
        rule: z.string().optional(),
      }),
    ),
  }),
});

export const flowInputParametersSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const executeOmniFlowRequestSchema = z
  .object({
    dialedNumber: nonEmpty().optional(),
    flowDevName: nonEmpty().optional(),
    flowName: nonEmpty().optional(),
    fallbackQueue: nonEmpty().optional(),
    flowInputParameters: flowInputParametersSchema.optional(),
    /** Not on the page; Salesforce's Lambda handler sends it (x-observed). */
    transferTarget: z.string().optional(),
  })
  .refine(
    (body) =>
      body.dialedNumber !== undefined ||
      body.flowDevName !== undefined ||
      body.flowName !== undefined ||
      body.fallbackQueue !== undefined,
    { message: 'give dialedNumber, flowDevName or fallbackQueue' },
  );

export const executeOmniFlowResponseSchema = z.object({
  agent: z.string().nullable(),
  queue: z.string().nullable(),
});

export const routeVoiceCallRequestSchema = z.object({
  routingTarget: nonEmpty(),
  fallbackQueue: nonEmpty().optional(),
  flowInputParameters: flowInputParametersSchema.optional(),
});

export const routingStatusResponseSchema = z.object({ status: z.literal('Success') });

export const requestCallbackRequestSchema = z.object({
  callbackNumber: nonEmpty(),
  isPreviewCallback: z.boolean().optional(),
  scheduledRoutingDateTime: isoDateTime().optional(),
  /** Sent by the docs' sample; not in the parameter table. */
  vendorCallKey: nonEmpty().optional(),
});
export const requestCallbackResponseSchema = z.object({ recordId: z.string() });

export const realtimeEventSchema = z.object({
  type: z.enum(REALTIME_EVENT_TYPES),
  value: z.string(),
  startTime: epochMillis(),
  score: z.union([z.number(), z.string()]).optional(),
  participant: z.enum(EVENT_PARTICIPANTS).optional(),
  /** Not on the page; Salesforce's Contact Lens Lambda sends it (x-observed). */
  details: z.record(z.string(), z.unknown()).optional(),
});

export const realtimeConversationEventsRequestSchema = z.object({
  service: nonEmpty(),
  persist: z.boolean().optional(),
  events: z.array(realtimeEventSchema).min(1),
});

export const postCallEventSchema = z.object({
  type: z.enum(POST_CALL_EVENT_TYPES),
  value: z.string(),
  startTime: epochMillis(),
  endTime: epochMillis(),
  participant: z.enum(EVENT_PARTICIPANTS),
});

export const postConversationEventsRequestSchema = z.object({
  service: nonEmpty(),
  events: z.array(postCallEventSchema).min(1),
});

export const eventsAcceptedResponseSchema = z.object({ status: z.literal('202 Accepted') });
export const clearRoutingResponseSchema = z.object({ success: z.literal(true) });

const countryCode = () => z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as GB');

/** The countries the 262.0 Reserve a Routable Number page lists (rule RESERVE_COUNTRY_NOT_LISTED). */
export const ROUTABLE_NUMBER_COUNTRIES = ['BE', 'DK', 'FI', 'FR', 'DE', 'NL', 'PL', 'ES', 'SE', 'CH', 'GB'] as const;

export const reserveRoutableNumberRequestSchema = z
  .object({
    countryCode: countryCode().optional(),
    /** What the page's example sends instead of countryCode. */
    country: countryCode().optional(),
    fromNumber: z.string().regex(/^\+[1-9][0-9]{1,14}$/, 'must be an E.164 number such as +14155551234'),
    context: z
      .object({
        scrt2Domain: z.string().optional(),
        toNumber: z.string().optional(),
        callId: z.string().nullable().optional(),
        transactionId: z.string().nullable().optional(),
      })
      .optional(),
  })
  .refine((body) => body.countryCode !== undefined || body.country !== undefined, { message: 'give countryCode' });

export const reserveRoutableNumberResponseSchema = z.object({
  status: z.literal('success'),
  mode: z.literal('number'),
  handle: z.object({ routableNumber: z.string(), uid: z.string(), expiresAt: isoDateTime() }),
});

/** The GET lookups take query parameters, not a body. */
export const voicemailGreetingQuerySchema = z.object({ toPhoneNumber: nonEmpty() });
export const voicemailGreetingResponseSchema = z.object({ greetingUrl: z.string() });
export const defaultOutboundPhoneNumberQuerySchema = z.object({ externalRepId: nonEmpty() });
export const defaultOutboundPhoneNumberResponseSchema = z.object({ phoneNumber: z.string() });
export const voicemailDropResponseSchema = z.object({ recordingUrl: z.string() });

/** clearRouting and reroute take no parameters: no body, `null` or `{}`. */
export const noParametersSchema = z.union([z.null(), z.object({}).strict()]).optional();

export const ERROR_CODES = [
  'INVALID_REQUEST',
  'INVALID_JSON',
  'RULE_VIOLATION',
  'UNKNOWN_CALL_CENTER',
  'NO_ROUTE',
  'INVALID_TENANT',
  'INVALID_KEY',
  'JOURNAL_OFF',
  'AUTH_MISSING',
  'AUTH_NOT_BEARER',
  'AUTH_MALFORMED',
  'AUTH_ALG_NOT_ALLOWED',
  'AUTH_CLAIM_MISSING',
  'AUTH_UNKNOWN_ORG',
  'AUTH_UNKNOWN_CONTACT_CENTER',
  'AUTH_NO_KEY',
  'AUTH_BAD_SIGNATURE',
  'AUTH_EXPIRED',
  'AUTH_ISSUED_IN_FUTURE',
  'AUTH_LIFETIME_TOO_LONG',
  'AUTH_BAD_AUDIENCE',
  'AUTH_REPLAYED_JTI',
  'AUTH_CONTACT_CENTER_MISMATCH',
  'CALL_NOT_FOUND',
  'RESOURCE_NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'FEATURE_NOT_ENABLED',
  'NUMBER_POOL_EXHAUSTED',
  'METHOD_NOT_ALLOWED',
  'SEQUENCE_VIOLATION',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'TENANT_FULL',
  'CALL_FULL',
  'STORE_FULL',
  'TOO_MANY_TENANTS',
  'TOO_MANY_KEYS',
  'ADMIN_TOKEN_MISSING',
  'ADMIN_TOKEN_INVALID',
  'ADMIN_LOCAL_ONLY',
  'UNSUPPORTED_MEDIA_TYPE',
  'STORE_UNAVAILABLE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const callStateSchema = z.object({
  voiceCallId: z.string().optional(),
  vendorCallKey: z.string().optional(),
  disposition: z.enum(CALL_DISPOSITIONS).optional(),
  conversation: z.enum(['open', 'closed']).optional(),
  callOrigin: z.string().nullable().optional(),
  routing: z.enum(['pending', 'none']).optional(),
  flowExecuted: z.boolean().optional(),
});

export const errorDetailSchema = z.object({ field: z.string(), problem: z.string() });

export const errorResponseSchema = z.object({
  errors: z.array(z.string()).min(1),
  errorCode: z.enum(ERROR_CODES),
  rule: z.string().optional(),
  rules: z.array(z.string()).optional(),
  callState: callStateSchema.optional(),
  details: z.array(errorDetailSchema).optional(),
});

export type CallOrigin = z.infer<typeof callOriginSchema>;
export type CallDisposition = (typeof CALL_DISPOSITIONS)[number];
export type Participant = z.infer<typeof participantSchema>;
export type CreateVoiceCallRequest = z.infer<typeof createVoiceCallRequestSchema>;
export type CreateVoiceCallResponse = z.infer<typeof createVoiceCallResponseSchema>;
export type DisconnectReason = z.infer<typeof disconnectReasonSchema>;
export type UpdateVoiceCallRequest = z.infer<typeof updateVoiceCallRequestSchema>;
export type UpdateVoiceCallResponse = z.infer<typeof updateVoiceCallResponseSchema>;
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>;
export type BulkTranscriptEntry = z.infer<typeof bulkTranscriptEntrySchema>;
export type BulkTranscriptsRequest = z.infer<typeof bulkTranscriptsRequestSchema>;
export type AcceptedResult = z.infer<typeof acceptedResultSchema>;
export type BulkTranscriptsPartialFailure = z.infer<typeof bulkTranscriptsPartialFailureSchema>;
export type FlowInputParameters = z.infer<typeof flowInputParametersSchema>;
export type ExecuteOmniFlowRequest = z.infer<typeof executeOmniFlowRequestSchema>;
export type ExecuteOmniFlowResponse = z.infer<typeof executeOmniFlowResponseSchema>;
export type RouteVoiceCallRequest = z.infer<typeof routeVoiceCallRequestSchema>;
export type RoutingStatusResponse = z.infer<typeof routingStatusResponseSchema>;
export type RequestCallbackRequest = z.infer<typeof requestCallbackRequestSchema>;
export type RequestCallbackResponse = z.infer<typeof requestCallbackResponseSchema>;
export type RealtimeEvent = z.infer<typeof realtimeEventSchema>;
export type RealtimeConversationEventsRequest = z.infer<typeof realtimeConversationEventsRequestSchema>;
export type PostCallEvent = z.infer<typeof postCallEventSchema>;
export type PostConversationEventsRequest = z.infer<typeof postConversationEventsRequestSchema>;
export type EventsAcceptedResponse = z.infer<typeof eventsAcceptedResponseSchema>;
export type ClearRoutingResponse = z.infer<typeof clearRoutingResponseSchema>;
export type ReserveRoutableNumberRequest = z.infer<typeof reserveRoutableNumberRequestSchema>;
export type ReserveRoutableNumberResponse = z.infer<typeof reserveRoutableNumberResponseSchema>;
export type VoicemailGreetingQuery = z.infer<typeof voicemailGreetingQuerySchema>;
export type VoicemailGreetingResponse = z.infer<typeof voicemailGreetingResponseSchema>;
export type DefaultOutboundPhoneNumberQuery = z.infer<typeof defaultOutboundPhoneNumberQuerySchema>;
export type DefaultOutboundPhoneNumberResponse = z.infer<typeof defaultOutboundPhoneNumberResponseSchema>;
export type VoicemailDropResponse = z.infer<typeof voicemailDropResponseSchema>;
export type CallState = z.infer<typeof callStateSchema>;
export type ErrorDetail = z.infer<typeof errorDetailSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
