/** Create a Transcript and Create Transcripts in Bulk: both take messages for a conversation by its first key. */
import type { Operation } from '../../../contracts/operations.ts';
import type { RuleVars, SequenceFacts } from '../../../contracts/sequence-rules.ts';
import {
  BULK_MAX_ENTRIES,
  BULK_MAX_MESSAGES_PER_ENTRY,
  type AcceptedResult,
  type BulkTranscriptsPartialFailure,
  type BulkTranscriptsRequest,
  type TranscriptMessage,
} from '../../../contracts/wire-schemas.ts';
import { KEY_PREFIX } from '../../ids/salesforce-id.ts';
import type { ConversationRecord, Mutation, TranscriptEntryRecord } from '../../store/records.ts';
import { callStateOf, requireConversationByKey } from '../call-resolution.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requestFacts, underRules } from '../rule-enforcement.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';
import { looksLikeEpochSeconds } from '../epoch-units.ts';

const iso = (ms: number | null): string => (ms === null ? 'open' : new Date(ms).toISOString());

function window(conversation: ConversationRecord): { start: number | null; end: number | null } {
  const parse = (value: string | null) => (value === null ? null : Date.parse(value));
  return { start: parse(conversation.startTime), end: parse(conversation.endTime) };
}

interface EntryIntake {
  mutations: Mutation[];
  voiceCallId: string;
}

/**
 * Checks and stores one conversation's messages. All or nothing: a refused message refuses the whole
 * entry before anything is committed. `seen` holds the messageIds taken earlier in the same request.
 */
function intakeMessages(
  req: OperationRequest,
  env: OperationEnv,
  operation: Operation,
  key: string,
  messages: readonly TranscriptMessage[],
  seen: Map<string, Set<string>>,
  limits: { facts: SequenceFacts; vars: RuleVars } = { facts: {}, vars: {} },
): EntryIntake {
  const { store } = env;
  const tenant = req.tenant.key;
  const { conversation, firstCall, pathKey } = requireConversationByKey(store, tenant, key);
  const callState = callStateOf(store, firstCall);
  const shared = requestFacts(req.undocumentedFields);
  // A closed conversation stores nothing (TRANSCRIPT_CONVERSATION_CLOSED); each message may be dropped on its own.
  const mutations = underRules(
    {
      operation,
      facts: Object.assign({}, shared.facts, limits.facts, { pathKey, conversation: conversation.status }),
      vars: Object.assign({}, shared.vars, limits.vars, { key, firstLegKey: conversation.firstVendorCallKey }),
      callState,
    },
    env.rules,
    req.rules,
    () => {
      // A copy: the ids of an entry that is refused halfway must not count as taken.
      const taken = new Set(seen.get(conversation.id));
      const { start, end } = window(conversation);
      const receivedAt = req.now.toISOString();
      const kept: Mutation[] = [];
      for (const message of messages) {
        const outsideWindow =
          (start !== null && message.startTime < start) || (end !== null && message.startTime > end);
        const entry = underRules(
          {
            operation,
            messageId: message.messageId,
            facts: {
              duplicateMessageId:
                taken.has(message.messageId) || store.hasMessageId(tenant, conversation.id, message.messageId),
              outsideWindow,
            },
            vars: {
              messageId: message.messageId,
              messageStart: message.startTime,
              windowStart: iso(start),
              windowEnd: iso(end),
              unitHint: looksLikeEpochSeconds(message.startTime)
                ? ` ${message.startTime} looks like epoch seconds; the API expects milliseconds.`
                : '',
            },
            callState,
          },
          env.rules,
          req.rules,
          (): TranscriptEntryRecord => ({
            id: store.ids.next(KEY_PREFIX.ConversationEntry),
            tenant,
            conversationId: conversation.id,
            messageId: message.messageId,
            participantId: message.participantId,
            senderType: message.senderType,
            content: message.content,
            startTime: message.startTime,
            endTime: message.endTime,
            receivedAt,
          }),
        );
        if (entry === undefined) continue;
        taken.add(message.messageId);
        kept.push({ op: 'put', collection: 'transcripts', record: entry });
      }
      seen.set(conversation.id, taken);
      return kept;
    },
  );
  return { mutations: mutations ?? [], voiceCallId: firstCall.id };
}

const ACCEPTED: AcceptedResult = { result: 'Accepted' };

/**
 * The page's limits (BULK_TRANSCRIPT_LIMITS): too many entries is reported on the first entry, too many messages on
 * their entry.
 */
function bulkLimits(entryCount: number, index: number, messageCount: number): { facts: SequenceFacts; vars: RuleVars } {
  const problems = [
    ...(index === 0 && entryCount > BULK_MAX_ENTRIES ? [`the request has ${entryCount} entries`] : []),
    ...(messageCount > BULK_MAX_MESSAGES_PER_ENTRY ? [`entries[${index}] has ${messageCount} messages`] : []),
  ];
  return { facts: { bulkOverLimit: problems.length > 0 }, vars: { limitProblem: problems.join(' and ') } };
}

export function createTranscript(req: OperationRequest<TranscriptMessage>, env: OperationEnv): OperationOutcome {
  const intake = intakeMessages(req, env, 'createTranscript', req.params.vendorCallKey!, [req.body], new Map());
  return { status: 202, body: ACCEPTED, mutations: intake.mutations, voiceCallId: intake.voiceCallId };
}

/** Every entry is judged on its own; failed entries are reported in a 207 and the others are stored. */
export function createTranscriptsBulk(
  req: OperationRequest<BulkTranscriptsRequest>,
  env: OperationEnv,
): OperationOutcome {
  const mutations: Mutation[] = [];
  const failures: BulkTranscriptsPartialFailure['errorResponse']['errorResponseEntries'] = [];
  const seen = new Map<string, Set<string>>();
  const { entries } = req.body;
  entries.forEach((entry, i) => {
    try {
      const intake = intakeMessages(
        req,
        env,
        'createTranscriptsBulk',
        entry.vendorCallKey,
        entry.messages,
        seen,
        bulkLimits(entries.length, i, entry.messages.length),
      );
      mutations.push(...intake.mutations);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      failures.push({
        vendorCallKey: entry.vendorCallKey,
        message: error.messages.join(' '),
        status: error.status,
        errorCode: error.errorCode,
        ...(error.extra.rule === undefined ? {} : { rule: error.extra.rule }),
      });
    }
  });
  if (failures.length === 0) return { status: 202, body: ACCEPTED, mutations };
  const body: BulkTranscriptsPartialFailure = { errorResponse: { errorResponseEntries: failures } };
  return { status: 207, body, mutations };
}
