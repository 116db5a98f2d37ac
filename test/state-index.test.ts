/**
 * The in-memory state's indexes and the memory savings it makes when records arrive (from requests,
 * the snapshot or the log): lookups stay right while an index scope moves between one key and many,
 * and sharing strings between records never changes what a record holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCallForUpdate, type NewCallInput } from '../mock-server/domain/call-transitions.ts';
import { KEY_PREFIX, SalesforceIdFactory } from '../mock-server/ids/salesforce-id.ts';
import type {
  ConversationRecord,
  Mutation,
  TranscriptEntryRecord,
  VoiceCallRecord,
} from '../mock-server/store/records.ts';
import { StateIndex } from '../mock-server/store/state-index.ts';
import { CALL_FACTS } from './support/call-records.ts';

const ids = new SalesforceIdFactory('state-index-test');
const tenant = '00DSM0000000MCK2A2/MyContactCenter';

/** A call and its conversation as a create leaves them, copied as JSON.parse would (no shared strings). */
function callWithConversation(
  vendorCallKey: string,
  now = '2024-05-01T10:00:00.000Z',
): { call: VoiceCallRecord; conversation: ConversationRecord } {
  const base: NewCallInput = { ...CALL_FACTS, tenant, vendorCallKey, now };
  return structuredClone(createCallForUpdate(base, ids));
}

function message(conversationId: string, messageId: string): TranscriptEntryRecord {
  return {
    id: ids.next(KEY_PREFIX.ConversationEntry),
    tenant,
    conversationId,
    messageId,
    participantId: 'caller',
    senderType: 'END_USER',
    content: 'hello',
    startTime: 1,
    endTime: 2,
    receivedAt: '2024-05-01T10:00:01.000Z',
  };
}

const put = (
  record: VoiceCallRecord | ConversationRecord | TranscriptEntryRecord,
  collection: 'calls' | 'conversations' | 'transcripts',
): Mutation => ({ op: 'put', collection, record }) as Mutation;

describe('message id index', () => {
  it('tells conversations apart when they reuse a message id, as each gains and loses messages', () => {
    const state = new StateIndex();
    const a = callWithConversation('a');
    const b = callWithConversation('b');
    state.apply([
      put(a.call, 'calls'),
      put(a.conversation, 'conversations'),
      put(b.call, 'calls'),
      put(b.conversation, 'conversations'),
    ]);
    const a1 = message(a.conversation.id, 'm1');
    const b1 = message(b.conversation.id, 'm1');
    state.apply([put(a1, 'transcripts'), put(b1, 'transcripts')]);
    expect(state.hasMessageId(a.conversation.id, 'm1')).toBe(true);
    expect(state.hasMessageId(b.conversation.id, 'm1')).toBe(true);
    expect(state.hasMessageId(a.conversation.id, 'm2')).toBe(false);

    // One key, then three, then back to one, then none: the scope changes its shape each time.
    const a2 = message(a.conversation.id, 'm2');
    const a3 = message(a.conversation.id, 'm3');
    state.apply([put(a2, 'transcripts'), put(a3, 'transcripts')]);
    expect(['m1', 'm2', 'm3', 'm4'].map((m) => state.hasMessageId(a.conversation.id, m))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    state.apply([
      { op: 'delete', collection: 'transcripts', id: a1.id },
      { op: 'delete', collection: 'transcripts', id: a3.id },
    ]);
    expect(['m1', 'm2', 'm3'].map((m) => state.hasMessageId(a.conversation.id, m))).toEqual([false, true, false]);
    state.apply([{ op: 'delete', collection: 'transcripts', id: a2.id }]);
    expect(state.hasMessageId(a.conversation.id, 'm2')).toBe(false);
    expect(state.hasMessageId(b.conversation.id, 'm1')).toBe(true);
    expect(state.transcripts.find('conversation', a.conversation.id)).toEqual([]);
    expect(state.transcripts.find('conversation', b.conversation.id)).toEqual([b1]);
  });

  it('counts a message id twice in one conversation, and stays right whether asked before or after messages arrive', () => {
    const state = new StateIndex();
    const { call, conversation } = callWithConversation('asked');
    state.apply([put(call, 'calls'), put(conversation, 'conversations')]);
    // Asked before any message, then messages arrive: they are counted.
    expect(state.hasMessageId(conversation.id, 'm1')).toBe(false);
    const first = message(conversation.id, 'm1');
    const again = message(conversation.id, 'm1');
    state.apply([put(first, 'transcripts')]);
    expect(state.hasMessageId(conversation.id, 'm1')).toBe(true);
    state.apply([put(again, 'transcripts')]);
    state.apply([{ op: 'delete', collection: 'transcripts', id: first.id }]);
    expect(state.hasMessageId(conversation.id, 'm1')).toBe(true);
    // An entry put again under another message id moves its count.
    state.apply([put({ ...again, messageId: 'm2' }, 'transcripts')]);
    expect(['m1', 'm2'].map((m) => state.hasMessageId(conversation.id, m))).toEqual([false, true]);
    state.apply([{ op: 'delete', collection: 'transcripts', id: again.id }]);
    expect(['m1', 'm2'].map((m) => state.hasMessageId(conversation.id, m))).toEqual([false, false]);
  });

  it('keeps every member of a key, whether one or many, and drops a tenant completely', () => {
    const state = new StateIndex();
    const calls = ['k1', 'k2', 'k3'].map((key) => callWithConversation(key));
    state.apply(calls.flatMap(({ call, conversation }) => [put(call, 'calls'), put(conversation, 'conversations')]));
    // The same message id twice in one conversation (a duplicate the rules would refuse) is two members.
    const first = calls[0]!.conversation.id;
    state.apply([put(message(first, 'dup'), 'transcripts'), put(message(first, 'dup'), 'transcripts')]);
    expect(state.hasMessageId(first, 'dup')).toBe(true);
    expect(state.legsByVendorKey(tenant, 'k2').map((c) => c.id)).toEqual([calls[1]!.call.id]);
    expect(state.countsOf(tenant)).toMatchObject({ calls: 3, conversations: 3, transcripts: 2 });
    state.apply([{ op: 'dropTenant', tenant }]);
    expect(state.countsOf(tenant)).toMatchObject({ calls: 0, conversations: 0, transcripts: 0 });
    expect(state.hasMessageId(first, 'dup')).toBe(false);
    expect(state.legsByVendorKey(tenant, 'k2')).toEqual([]);
  });
});

describe('strings shared between records', () => {
  it('leaves every value as it was, equal to the other record or not', () => {
    const state = new StateIndex();
    const { call, conversation } = callWithConversation('times');
    const later = {
      ...conversation,
      createdAt: '2024-05-01T10:00:05.000Z',
      startTime: '2024-05-01T09:59:00.000Z',
      closedAt: '2024-05-01T10:09:00.000Z',
      endTime: null,
    };
    const updated = {
      ...call,
      startTime: '2024-05-01T09:59:00.000Z',
      endTime: '2024-05-01T10:09:00.000Z',
      updatedAt: '2024-05-01T10:09:00.000Z',
    };
    state.apply([
      put(structuredClone(call), 'calls'),
      put(structuredClone(updated), 'calls'),
      put(structuredClone(later), 'conversations'),
    ]);
    expect(state.calls.get(call.id)).toEqual(updated);
    expect(state.conversations.get(conversation.id)).toEqual(later);
  });
});

describe('participant lists shared between calls', () => {
  const withParticipants = (key: string, participants: VoiceCallRecord['participants']) => ({
    ...callWithConversation(key).call,
    participants: structuredClone(participants),
  });

  it('gives calls with equal lists one frozen list, and keeps every other list as it came', () => {
    const state = new StateIndex();
    const caller = [{ participantKey: '+15551234567', type: 'END_USER' as const }];
    const other = [{ participantKey: '+15557654321', type: 'END_USER' as const }];
    const two = [...caller, ...other];
    // A field the contract does not name: the list must not be taken for the plain one.
    const extra = [{ ...caller[0]!, note: 'x' }] as unknown as VoiceCallRecord['participants'];
    const calls = [
      withParticipants('a', caller),
      withParticipants('b', caller),
      withParticipants('c', other),
      withParticipants('d', two),
      withParticipants('e', two),
      withParticipants('f', extra),
    ];
    state.apply(calls.map((call) => put(call, 'calls')));
    const listOf = (i: number) => state.calls.get(calls[i]!.id)!.participants;
    expect(listOf(0)).toBe(listOf(1));
    expect(Object.isFrozen(listOf(0))).toBe(true);
    expect(listOf(2)).not.toBe(listOf(0));
    expect(listOf(3)).toBe(listOf(4));
    expect(listOf(5)).not.toBe(listOf(0));
    expect([0, 1, 2, 3, 4, 5].map(listOf)).toEqual([caller, caller, other, two, two, extra]);
  });
});

describe('the indexes against a plain model', () => {
  // Records put, moved, deleted and dropped by tenant in any order: every index answer is what a list of
  // the records in the order they came (an update keeps its place) gives. Most runs start with one
  // tenant, where an index holds its only place without storing members, until a record comes elsewhere.
  const tenants = ['00DSM0000000MCK2A2/MyContactCenter', '00DSM0000000OTHER2/Other'];
  const keys = ['k1', 'k2', 'k3'];
  const op = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('put' as const),
        id: fc.integer({ min: 0, max: 5 }),
        tenant: fc.constantFrom(...tenants),
        key: fc.constantFrom(...keys),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 5 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('dropTenant' as const), tenant: fc.constantFrom(...tenants) }),
    },
  );
  const template = callWithConversation('template').call;
  const callId = (i: number) => `0LQSM0${String(i).padStart(12, '0')}`;

  it('answers every look-up as the list of records does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.boolean(), (ops, oneTenant) => {
        const state = new StateIndex();
        let model: VoiceCallRecord[] = [];
        for (const step of ops) {
          if (step.op === 'put') {
            const record: VoiceCallRecord = {
              ...template,
              id: callId(step.id),
              tenant: oneTenant ? tenants[0]! : step.tenant,
              vendorCallKey: step.key,
              // A call keeps its conversation (the state keeps the one it had when the record has none).
              conversationId: `0dwSM0${String(step.id % 3).padStart(12, '0')}`,
            };
            const at = model.findIndex((call) => call.id === record.id);
            if (at < 0) model.push(record);
            else if (model[at]!.tenant !== record.tenant) {
              // Another tenant: the update moves it to the end of its new tenant's records.
              model = [...model.slice(0, at), ...model.slice(at + 1), record];
            } else model[at] = record;
            state.apply([{ op: 'put', collection: 'calls', record: structuredClone(record) }]);
          } else if (step.op === 'delete') {
            model = model.filter((call) => call.id !== callId(step.id));
            state.apply([{ op: 'delete', collection: 'calls', id: callId(step.id) }]);
          } else {
            model = model.filter((call) => call.tenant !== step.tenant);
            state.apply([{ op: 'dropTenant', tenant: step.tenant }]);
          }
          const idsOf = (calls: VoiceCallRecord[]) => calls.map((call) => call.id);
          expect(state.tenants()).toEqual(new Set(model.map((call) => call.tenant)));
          for (const tenant of tenants) {
            const inTenant = model.filter((call) => call.tenant === tenant);
            expect(idsOf(state.ofTenant('calls', tenant))).toEqual(idsOf(inTenant));
            expect(state.countsOf(tenant).calls).toBe(inTenant.length);
            for (const key of keys) {
              expect(new Set(idsOf(state.legsByVendorKey(tenant, key)))).toEqual(
                new Set(idsOf(inTenant.filter((call) => call.vendorCallKey === key))),
              );
            }
            expect([...state.sizesByTenant('calls')].filter(([owner]) => owner === tenant)).toHaveLength(
              inTenant.length,
            );
          }
          for (let c = 0; c <= 2; c++) {
            const conversation = `0dwSM0${String(c).padStart(12, '0')}`;
            expect(state.countIn('calls', 'conversation', conversation)).toBe(
              model.filter((call) => call.conversationId === conversation).length,
            );
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
