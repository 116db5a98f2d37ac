/** Send a Real-Time Conversation Event and Store a Post-Call Conversation Event. */
import type { Operation } from '../../../contracts/operations.ts';
import type { SequenceFacts } from '../../../contracts/sequence-rules.ts';
import type {
  EventsAcceptedResponse,
  PostCallEvent,
  PostConversationEventsRequest,
  RealtimeConversationEventsRequest,
  RealtimeEvent,
} from '../../../contracts/wire-schemas.ts';
import { KEY_PREFIX } from '../../ids/salesforce-id.ts';
import type { ConversationEventRecord, Mutation } from '../../store/records.ts';
import { callStateOf, requireConversationByKey } from '../call-resolution.ts';
import { looksLikeEpochSeconds } from '../epoch-units.ts';
import { requestFacts, underRules } from '../rule-enforcement.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';

const ACCEPTED: EventsAcceptedResponse = { status: '202 Accepted' };

function pickEvent(event: RealtimeEvent | PostCallEvent): RealtimeEvent | PostCallEvent {
  const picked: Record<string, unknown> = { type: event.type, value: event.value, startTime: event.startTime };
  if ('endTime' in event) picked.endTime = event.endTime;
  if ('score' in event && event.score !== undefined) picked.score = event.score;
  if (event.participant !== undefined) picked.participant = event.participant;
  return picked as unknown as RealtimeEvent | PostCallEvent;
}

/**
 * The first event time that looks like epoch seconds, as "events[i].startTime 1573503300", with its date read as
 * seconds.
 */
function firstTimeInSeconds(
  events: readonly (RealtimeEvent | PostCallEvent)[],
): { at: string; asSeconds: string } | undefined {
  for (const [i, event] of events.entries()) {
    for (const field of ['startTime', 'endTime'] as const) {
      const value = (event as { startTime: number; endTime?: number })[field];
      if (value !== undefined && looksLikeEpochSeconds(value)) {
        return {
          at: `events[${i}].${field} ${value}`,
          asSeconds: `${new Date(value * 1000).toISOString()} if it is seconds`,
        };
      }
    }
  }
  return undefined;
}

/** The first sentiment value outside -1000..1000 (or not a number), or score outside 0..1000, in words. */
function firstOutOfRange(events: readonly (RealtimeEvent | PostCallEvent)[]): string | undefined {
  for (const [i, event] of events.entries()) {
    if (event.type === 'IntelligenceSignal__Sentiment') {
      const value = Number(event.value);
      if (event.value.trim() === '' || !Number.isFinite(value) || value < -1000 || value > 1000) {
        return `events[${i}].value "${event.value}" is not a sentiment from -1000 to 1000`;
      }
    }
    const score = 'score' in event ? event.score : undefined;
    if (score !== undefined) {
      const number = Number(score);
      if (
        (typeof score === 'string' && score.trim() === '') ||
        !Number.isFinite(number) ||
        number < 0 ||
        number > 1000
      ) {
        return `events[${i}].score ${JSON.stringify(score)} is not a score from 0 to 1000`;
      }
    }
  }
  return undefined;
}

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
  const inSeconds = firstTimeInSeconds(req.body.events);
  const outOfRange = firstOutOfRange(req.body.events);
  const shared = requestFacts(req.undocumentedFields);
  const mutations = underRules(
    {
      operation,
      facts: Object.assign({}, shared.facts, facts, {
        pathKey,
        conversation: conversation.status,
        eventsSorted: unsortedAt < 0,
        eventTimesInSeconds: inSeconds !== undefined,
        sentimentOutOfRange: outOfRange !== undefined,
      }),
      vars: Object.assign({}, shared.vars, vars, {
        key,
        firstLegKey: conversation.firstVendorCallKey,
        unsortedAt: unsortedAt < 0 ? '' : `events[${unsortedAt}] starts before events[${unsortedAt - 1}]`,
        secondsAt: inSeconds?.at,
        asSeconds: inSeconds?.asSeconds,
        rangeProblem: outOfRange,
      }),
      callState: callStateOf(store, firstCall),
    },
    env.rules,
    req.rules,
    (): Mutation[] => {
      const record: ConversationEventRecord = {
        id: store.ids.next(KEY_PREFIX.ConversationEvent),
        tenant: req.tenant.key,
        conversationId: conversation.id,
        kind,
        service: req.body.service,
        persist: 'persist' in req.body && req.body.persist !== undefined ? req.body.persist : null,
        // Only the documented fields are stored: a request's extra fields (any shape, any depth) are not.
        events: req.body.events.map((event) => pickEvent(event)),
        receivedAt: req.now.toISOString(),
      };
      return [{ op: 'put', collection: 'events', record }];
    },
  );
  return { status: 202, body: ACCEPTED, mutations: mutations ?? [], voiceCallId: firstCall.id };
}

export function sendRealtimeConversationEvents(
  req: OperationRequest<RealtimeConversationEventsRequest>,
  env: OperationEnv,
): OperationOutcome {
  const missing = req.body.events.flatMap((event, i) =>
    event.type === 'IntelligenceSignal__Sentiment' && event.participant === undefined ? [`events[${i}]`] : [],
  );
  return storeEvents(
    req,
    env,
    'sendRealtimeConversationEvents',
    'realtime',
    { sentimentWithoutParticipant: missing.length > 0 },
    {
      events: missing.join(', '),
    },
  );
}

export function storePostConversationEvents(
  req: OperationRequest<PostConversationEventsRequest>,
  env: OperationEnv,
): OperationOutcome {
  return storeEvents(req, env, 'storePostConversationEvents', 'postCall', {}, {});
}
