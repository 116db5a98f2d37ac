/** Send a Real-Time Conversation Event and Store a Post-Call Conversation Event. */
import type { Operation } from '../../../contracts/operations.ts';
import type { SequenceFacts } from '../../../contracts/sequence-rules.ts';
import type {
  EventsAcceptedResponse,
  PostConversationEventsRequest,
  RealtimeConversationEventsRequest,
} from '../../../contracts/wire-schemas.ts';
import { KEY_PREFIX } from '../../ids/salesforce-id.ts';
import type { ConversationEventRecord } from '../../store/records.ts';
import { callStateOf, requireConversationByKey } from '../call-resolution.ts';
import { enforceRules, requestFacts, type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-context.ts';

const ACCEPTED: EventsAcceptedResponse = { status: '202 Accepted' };

/** The index of the first event that starts before the one preceding it, or -1. */
function firstUnsorted(events: readonly { startTime: number }[]): number {
  return events.findIndex((event, i) => i > 0 && event.startTime < events[i - 1]!.startTime);
}

function storeEvents(
  req: OperationRequest<RealtimeConversationEventsRequest | PostConversationEventsRequest>,
  env: OperationEnv,
  operation: Operation,
  kind: ConversationEventRecord['kind'],
  facts: SequenceFacts,
  vars: Record<string, string>,
): OperationOutcome {
  const { store } = env;
  const key = req.params.vendorCallKey!;
  const { conversation, firstCall, pathKey } = requireConversationByKey(store, req.tenant.key, key);
  const unsortedAt = firstUnsorted(req.body.events);
  const shared = requestFacts(req);
  enforceRules(
    {
      operation,
      scope: 'request',
      facts: { ...shared.facts, ...facts, pathKey, conversation: conversation.status, eventsSorted: unsortedAt < 0 },
      vars: {
        ...shared.vars,
        ...vars,
        key,
        firstLegKey: conversation.firstVendorCallKey,
        unsortedAt: unsortedAt < 0 ? '' : `events[${unsortedAt}] starts before events[${unsortedAt - 1}]`,
      },
      callState: callStateOf(store, firstCall),
    },
    env.mode,
    req.rules,
  );
  const record: ConversationEventRecord = {
    id: store.ids.next(KEY_PREFIX.ConversationEvent),
    tenant: req.tenant.key,
    conversationId: conversation.id,
    kind,
    service: req.body.service,
    persist: 'persist' in req.body && req.body.persist !== undefined ? req.body.persist : null,
    events: req.body.events.map((event) => ({ ...event })),
    receivedAt: req.now.toISOString(),
  };
  return {
    status: 202,
    body: ACCEPTED,
    mutations: [{ op: 'put', collection: 'events', record }],
    voiceCallId: firstCall.id,
  };
}

export function sendRealtimeConversationEvents(
  req: OperationRequest<RealtimeConversationEventsRequest>,
  env: OperationEnv,
): OperationOutcome {
  const missing = req.body.events.flatMap((event, i) =>
    event.type === 'IntelligenceSignal__Sentiment' && event.participant === undefined ? [`events[${i}]`] : [],
  );
  return storeEvents(req, env, 'sendRealtimeConversationEvents', 'realtime', { sentimentWithoutParticipant: missing.length > 0 }, {
    events: missing.join(', '),
  });
}

export function storePostConversationEvents(
  req: OperationRequest<PostConversationEventsRequest>,
  env: OperationEnv,
): OperationOutcome {
  return storeEvents(req, env, 'storePostConversationEvents', 'postCall', {}, {});
}
