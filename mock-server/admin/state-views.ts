/** What the admin API shows of stored state: a conversation with its legs and everything attached. */
import type { ConversationState } from '../../contracts/admin-schemas.ts';
import type { ConversationRecord, TenantRecord } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

/** Records without the tenant field (the caller already knows its tenant). */
function untenanted<T extends TenantRecord>(records: readonly T[]): Array<Omit<T, 'tenant'>> {
  return records.map(({ tenant: _tenant, ...rest }) => rest);
}

export function conversationState(store: TelephonyStore, conversation: ConversationRecord): ConversationState {
  const tenant = conversation.tenant;
  const legs = store.legsOfConversation(tenant, conversation.id);
  const perLeg = <T extends TenantRecord>(find: (voiceCallId: string) => T | T[] | undefined): T[] =>
    legs.flatMap((leg) => find(leg.id) ?? []);
  return {
    conversationId: conversation.id,
    status: conversation.status,
    firstVendorCallKey: conversation.firstVendorCallKey,
    startTime: conversation.startTime,
    endTime: conversation.endTime,
    legs: untenanted(legs),
    transcripts: untenanted(store.transcriptsOf(tenant, conversation.id)),
    recordings: untenanted(perLeg((id) => store.recordingOf(tenant, id))),
    pendingRoutings: untenanted(perLeg((id) => store.pendingRoutingOf(tenant, id))),
    contactRequests: untenanted(perLeg((id) => store.contactRequestsOf(tenant, id))),
    events: untenanted(store.eventsOf(tenant, conversation.id)),
  };
}
