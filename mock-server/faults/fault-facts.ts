/**
 * What a fault rule's match reads of a request: its operation and method, and what its call is (the
 * call a path names, or the one a create describes). Read before the operation runs, so a rule sees the
 * call as the request found it.
 */
import type { Operation } from '../../contracts/operations.ts';
import { findCall } from '../domain/call-resolution.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import type { FaultFacts } from './fault-book.ts';

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function faultFactsOf(
  request: { operation: Operation; method: string; params: Readonly<Record<string, string>>; body: unknown },
  store: TelephonyStore,
  tenant: string,
): FaultFacts {
  const { operation, method, params, body } = request;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (operation === 'createVoiceCall') {
    // A transfer create makes the next leg of its parent's conversation.
    const parentKey = text(fields.parentVoiceCallId);
    const parent = parentKey === null ? undefined : findCall(store, tenant, parentKey);
    return {
      operation,
      method,
      vendorCallKey: text(fields.vendorCallKey),
      callOrigin: text(fields.callOrigin),
      initiationMethod: text(fields.initiationMethod),
      conversation: 'open',
      leg: parent === undefined ? 1 : store.legsOfConversation(tenant, parent.conversationId).length + 1,
    };
  }
  const key = params.CALL_ID ?? params.vendorCallKey ?? params.callId;
  const call = key === undefined ? undefined : findCall(store, tenant, key);
  const legs = call === undefined ? [] : store.legsOfConversation(tenant, call.conversationId);
  return {
    operation,
    method,
    vendorCallKey: call?.vendorCallKey ?? key ?? null,
    callOrigin: call?.callOrigin ?? null,
    initiationMethod: call?.callType === 'Transfer' || call?.callType === 'Inbound' ? call.callType : null,
    conversation: call === undefined ? null : (store.getConversation(tenant, call.conversationId)?.status ?? null),
    leg: call === undefined ? null : legs.findIndex((leg) => leg.id === call.id) + 1,
  };
}
