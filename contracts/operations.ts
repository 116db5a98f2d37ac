/**
 * The operations of openapi.yaml, keyed by operationId, with the zod schemas of their bodies. The
 * POST/PATCH twins of route and reroute, and the newer route path, are one logical operation for rules,
 * journal and scenarios.
 */
import { z } from 'zod';
import {
  acceptedResultSchema,
  bulkTranscriptsPartialFailureSchema,
  bulkTranscriptsRequestSchema,
  clearRoutingResponseSchema,
  createVoiceCallRequestSchema,
  createVoiceCallResponseSchema,
  defaultOutboundPhoneNumberQuerySchema,
  defaultOutboundPhoneNumberResponseSchema,
  eventsAcceptedResponseSchema,
  executeOmniFlowRequestSchema,
  executeOmniFlowResponseSchema,
  noParametersSchema,
  postConversationEventsRequestSchema,
  realtimeConversationEventsRequestSchema,
  requestCallbackRequestSchema,
  requestCallbackResponseSchema,
  reserveRoutableNumberRequestSchema,
  reserveRoutableNumberResponseSchema,
  routeVoiceCallRequestSchema,
  routingStatusResponseSchema,
  transcriptMessageSchema,
  updateVoiceCallRequestSchema,
  updateVoiceCallResponseSchema,
  voicemailDropResponseSchema,
  voicemailGreetingQuerySchema,
  voicemailGreetingResponseSchema,
} from './wire-schemas.ts';

export const OPERATIONS = [
  'createVoiceCall',
  'updateVoiceCall',
  'createTranscript',
  'createTranscriptsBulk',
  'executeOmniFlow',
  'routeVoiceCall',
  'requestCallback',
  'sendRealtimeConversationEvents',
  'storePostConversationEvents',
  'rerouteVoiceCall',
  'clearRouting',
  'reserveRoutableNumber',
  'getVoicemailGreeting',
  'getDefaultOutboundPhoneNumber',
  'getVoicemailDrop',
] as const;
/** A logical operation: what rules, journal and scenarios talk about. */
export type Operation = (typeof OPERATIONS)[number];

/**
 * The operations whose JSON body has fields of its own (reroute and clearRouting take none; the GET lookups no body).
 */
export const OPERATIONS_WITH_BODY_FIELDS = OPERATIONS.filter(
  (
    op,
  ): op is Exclude<
    Operation,
    'rerouteVoiceCall' | 'clearRouting' | 'getVoicemailGreeting' | 'getDefaultOutboundPhoneNumber' | 'getVoicemailDrop'
  > =>
    ![
      'rerouteVoiceCall',
      'clearRouting',
      'getVoicemailGreeting',
      'getDefaultOutboundPhoneNumber',
      'getVoicemailDrop',
    ].includes(op),
);

/** Every operationId of the telephony surface of openapi.yaml, mapped to its logical operation. */
export const OPERATION_OF_OPERATION_ID = {
  createVoiceCall: 'createVoiceCall',
  updateVoiceCall: 'updateVoiceCall',
  createTranscript: 'createTranscript',
  createTranscriptsBulk: 'createTranscriptsBulk',
  executeOmniFlow: 'executeOmniFlow',
  routeVoiceCall: 'routeVoiceCall',
  routeVoiceCallPatch: 'routeVoiceCall',
  routeVoiceCallByPath: 'routeVoiceCall',
  requestCallback: 'requestCallback',
  sendRealtimeConversationEvents: 'sendRealtimeConversationEvents',
  storePostConversationEvents: 'storePostConversationEvents',
  rerouteVoiceCall: 'rerouteVoiceCall',
  rerouteVoiceCallPatch: 'rerouteVoiceCall',
  clearRouting: 'clearRouting',
  reserveRoutableNumber: 'reserveRoutableNumber',
  getVoicemailGreeting: 'getVoicemailGreeting',
  getDefaultOutboundPhoneNumber: 'getDefaultOutboundPhoneNumber',
  getVoicemailDrop: 'getVoicemailDrop',
} as const satisfies Record<string, Operation>;
export type OperationId = keyof typeof OPERATION_OF_OPERATION_ID;

export interface OperationContract {
  /** The JSON body; null for the GET lookups, which take none. */
  request: z.ZodType | null;
  /** The query parameters, for the operations that take them. */
  query?: z.ZodType;
  /** Success bodies by status code. */
  responses: Readonly<Record<number, z.ZodType>>;
}

export const OPERATION_CONTRACTS: Readonly<Record<Operation, OperationContract>> = {
  createVoiceCall: {
    request: createVoiceCallRequestSchema,
    responses: { 200: createVoiceCallResponseSchema, 201: createVoiceCallResponseSchema },
  },
  updateVoiceCall: { request: updateVoiceCallRequestSchema, responses: { 200: updateVoiceCallResponseSchema } },
  createTranscript: { request: transcriptMessageSchema, responses: { 202: acceptedResultSchema } },
  createTranscriptsBulk: {
    request: bulkTranscriptsRequestSchema,
    responses: { 202: acceptedResultSchema, 207: bulkTranscriptsPartialFailureSchema },
  },
  executeOmniFlow: { request: executeOmniFlowRequestSchema, responses: { 200: executeOmniFlowResponseSchema } },
  routeVoiceCall: { request: routeVoiceCallRequestSchema, responses: { 200: routingStatusResponseSchema } },
  requestCallback: { request: requestCallbackRequestSchema, responses: { 201: requestCallbackResponseSchema } },
  sendRealtimeConversationEvents: {
    request: realtimeConversationEventsRequestSchema,
    responses: { 202: eventsAcceptedResponseSchema },
  },
  storePostConversationEvents: {
    request: postConversationEventsRequestSchema,
    responses: { 202: eventsAcceptedResponseSchema },
  },
  rerouteVoiceCall: { request: noParametersSchema, responses: { 200: routingStatusResponseSchema } },
  clearRouting: { request: noParametersSchema, responses: { 200: clearRoutingResponseSchema } },
  reserveRoutableNumber: {
    request: reserveRoutableNumberRequestSchema,
    responses: { 200: reserveRoutableNumberResponseSchema },
  },
  getVoicemailGreeting: {
    request: null,
    query: voicemailGreetingQuerySchema,
    responses: { 200: voicemailGreetingResponseSchema },
  },
  getDefaultOutboundPhoneNumber: {
    request: null,
    query: defaultOutboundPhoneNumberQuerySchema,
    responses: { 200: defaultOutboundPhoneNumberResponseSchema },
  },
  getVoicemailDrop: { request: null, query: z.object({}), responses: { 200: voicemailDropResponseSchema } },
};
