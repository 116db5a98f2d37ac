/**
 * Which stored call a path names. `{CALL_ID}` is a Salesforce id or a vendorCallKey (a shared key means
 * the latest leg); `{vendorCallKey}` must be the first leg's key, and what else it named is a fact the
 * rules judge.
 */
import type { CallState } from '../../contracts/wire-schemas.ts';
import { id15Of, isSalesforceId, KEY_PREFIX, to18 } from '../ids/salesforce-id.ts';
import type { ConversationRecord, VoiceCallRecord } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { ApiError } from '../errors/api-error.ts';

export function findCall(store: TelephonyStore, tenant: string, callId: string): VoiceCallRecord | undefined {
  if (isSalesforceId(callId, KEY_PREFIX.VoiceCall)) {
    const byId = store.getCall(tenant, to18(id15Of(callId)));
    if (byId !== undefined) return byId;
  }
  const legs = store.legsByVendorKey(tenant, callId);
  return legs[legs.length - 1];
}

export function notFound(key: string): ApiError {
  return new ApiError(404, 'CALL_NOT_FOUND', [
    `No voice call has id or vendorCallKey "${key}" in this tenant. Create the call first (POST /voiceCalls), and check the org and contact center of your token.`,
  ]);
}

export function requireCall(store: TelephonyStore, tenant: string, callId: string): VoiceCallRecord {
  const call = findCall(store, tenant, callId);
  if (call === undefined) throw notFound(callId);
  return call;
}

export function conversationOf(store: TelephonyStore, call: VoiceCallRecord): ConversationRecord {
  const conversation = store.getConversation(call.tenant, call.conversationId);
  // Calls and their conversation are committed together; a missing one is a store defect, not a client error.
  if (conversation === undefined) throw new Error(`call ${call.id} has no conversation ${call.conversationId}`);
  return conversation;
}

export interface ConversationByKey {
  conversation: ConversationRecord;
  firstCall: VoiceCallRecord;
  pathKey: 'firstLegKey' | 'laterLegKey' | 'salesforceId';
}

/** Resolves a `{vendorCallKey}` path to its conversation, recording how the key named it. */
export function requireConversationByKey(store: TelephonyStore, tenant: string, key: string): ConversationByKey {
  const legs = store.legsByVendorKey(tenant, key);
  let call = legs[0];
  let pathKey: ConversationByKey['pathKey'] | undefined;
  if (call !== undefined) {
    const conversation = conversationOf(store, call);
    pathKey = conversation.firstVendorCallKey === key ? 'firstLegKey' : 'laterLegKey';
  } else if (isSalesforceId(key, KEY_PREFIX.VoiceCall)) {
    call = store.getCall(tenant, to18(id15Of(key)));
    pathKey = 'salesforceId';
  }
  if (call === undefined || pathKey === undefined) throw notFound(key);
  const conversation = conversationOf(store, call);
  const firstCall = store.getCall(tenant, conversation.firstCallId) ?? call;
  return { conversation, firstCall, pathKey };
}

export function callStateOf(store: TelephonyStore, call: VoiceCallRecord): CallState {
  const conversation = store.getConversation(call.tenant, call.conversationId);
  return {
    voiceCallId: call.id,
    vendorCallKey: call.vendorCallKey,
    disposition: call.disposition,
    conversation: conversation?.status ?? 'open',
    callOrigin: call.callOrigin,
    routing: store.pendingRoutingOf(call.tenant, call.id) === undefined ? 'none' : 'pending',
    flowExecuted: call.flowExecutedAt !== null,
  };
}
