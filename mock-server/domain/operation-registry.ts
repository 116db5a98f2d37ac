/**
 * Which function serves which operationId of openapi.yaml. The server registers exactly these with
 * openapi-backend, and a test checks that every telephony operation of the spec has one.
 */
import { OPERATION_OF_OPERATION_ID, type Operation, type OperationId } from '../../contracts/operations.ts';
import type { OperationEnv, OperationOutcome, OperationRequest } from './operation-types.ts';
import { sendRealtimeConversationEvents, storePostConversationEvents } from './operations/event-operations.ts';
import {
  clearRouting,
  executeOmniFlow,
  requestCallback,
  rerouteVoiceCall,
  routeVoiceCall,
} from './operations/routing-operations.ts';
import { createTranscript, createTranscriptsBulk } from './operations/transcript-operations.ts';
import { createVoiceCall, updateVoiceCall } from './operations/voice-call-operations.ts';
import {
  getDefaultOutboundPhoneNumber,
  getVoicemailDrop,
  getVoicemailGreeting,
} from './operations/lookup-operations.ts';
import { reserveRoutableNumber } from './operations/number-pool-operations.ts';

// Each function takes the request body type its operation's schema guarantees; the dispatcher only
// calls one after openapi-backend validated the body against that schema.
export type OperationHandler = (req: OperationRequest<never>, env: OperationEnv) => OperationOutcome;

const HANDLERS: Readonly<Record<Operation, OperationHandler>> = {
  createVoiceCall,
  updateVoiceCall,
  createTranscript,
  createTranscriptsBulk,
  executeOmniFlow,
  routeVoiceCall,
  requestCallback,
  sendRealtimeConversationEvents,
  storePostConversationEvents,
  rerouteVoiceCall,
  clearRouting,
  reserveRoutableNumber,
  getVoicemailGreeting,
  getDefaultOutboundPhoneNumber,
  getVoicemailDrop,
};

export function handlerFor(operationId: OperationId): { operation: Operation; handle: OperationHandler } {
  const operation = OPERATION_OF_OPERATION_ID[operationId];
  return { operation, handle: HANDLERS[operation] };
}
