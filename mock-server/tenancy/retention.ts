/**
 * The retention policy of a long-running sandbox (--retain-calls, --retain-for): which closed
 * conversations to forget, oldest first, with everything they own (their legs, transcript messages,
 * recordings, pending routings, callback requests and events). Open conversations are never evicted: a
 * connector may still be working on them. Pure: it returns the delete mutations, and the caller commits
 * them like any other write (so they reach the log, and the disk once the log is folded).
 */
import type { CollectionName, Mutation } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

export interface RetentionPolicy {
  /** Conversations a tenant keeps; the oldest closed ones past it are evicted. */
  retainCalls?: number;
  /** How long a closed conversation is kept after it closed, in milliseconds. */
  retainForMs?: number;
}

export const hasRetention = (policy: RetentionPolicy): boolean =>
  policy.retainCalls !== undefined || policy.retainForMs !== undefined;

/** Every record a conversation owns, as deletes (the conversation's own last). */
function deletesOf(store: TelephonyStore, tenant: string, conversationId: string): Mutation[] {
  const deletes: Mutation[] = [];
  const del = (collection: CollectionName, id: string) => deletes.push({ op: 'delete', collection, id });
  for (const entry of store.transcriptsOf(tenant, conversationId)) del('transcripts', entry.id);
  for (const event of store.eventsOf(tenant, conversationId)) del('events', event.id);
  for (const leg of store.legsOfConversation(tenant, conversationId)) {
    const recording = store.recordingOf(tenant, leg.id);
    if (recording !== undefined) del('recordings', recording.id);
    const routing = store.pendingRoutingOf(tenant, leg.id);
    if (routing !== undefined) del('routings', routing.id);
    for (const request of store.contactRequestsOf(tenant, leg.id)) del('contactRequests', request.id);
    del('calls', leg.id);
  }
  del('conversations', conversationId);
  return deletes;
}

/** What the policy evicts from a tenant now: the deletes, and how many conversations they remove. */
export function retentionEvictions(
  store: TelephonyStore,
  tenant: string,
  policy: RetentionPolicy,
  now: Date,
): { conversations: number; mutations: Mutation[] } {
  const { retainCalls, retainForMs } = policy;
  const held = store.conversationCount(tenant);
  const overCount = retainCalls === undefined ? 0 : Math.max(0, held - retainCalls);
  if (overCount === 0 && retainForMs === undefined) return { conversations: 0, mutations: [] };
  const cutoff = retainForMs === undefined ? undefined : now.getTime() - retainForMs;
  const mutations: Mutation[] = [];
  let evicted = 0;
  // Oldest first, as the store keeps them.
  for (const conversation of store.conversationsOf(tenant)) {
    if (conversation.status !== 'closed') continue;
    const closedAt = conversation.closedAt === null ? Number.NaN : Date.parse(conversation.closedAt);
    const expired = cutoff !== undefined && closedAt <= cutoff;
    if (evicted >= overCount && !expired) {
      // Past the count, only expired ones go; a tenant whose conversations all still count can stop early.
      if (cutoff === undefined) break;
      continue;
    }
    mutations.push(...deletesOf(store, tenant, conversation.id));
    evicted += 1;
  }
  return { conversations: evicted, mutations };
}
