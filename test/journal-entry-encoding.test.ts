// The journal keeps entries encoded (entry-encoding.ts): what is listed must be the entry that was recorded.
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../contracts/admin-schemas.ts';
import { RULE_IDS } from '../contracts/sequence-rules.ts';
import { decodeEntry, encodeEntry } from '../mock-server/journal/entry-encoding.ts';
import { keptBodyTextOf } from '../mock-server/journal/journal-entry.ts';
import type { RequestOutcome } from '../mock-server/core/request-outcome.ts';
import { RequestJournal } from '../mock-server/journal/request-journal.ts';

const passed = (rule: (typeof RULE_IDS)[number]) => ({ rule, scope: 'request', outcome: 'ok' }) as const;

const create: JournalEntry = {
  seq: 7,
  time: '2026-12-02T10:00:00.000Z',
  tenant: '00DSM0000000MCK2A2:MyContactCenter',
  method: 'POST',
  path: '/telephony/v1/voiceCalls',
  operationId: 'createVoiceCall',
  operation: 'createVoiceCall',
  params: {},
  voiceCallId: '0LQSM0EkcWLzVB14SN',
  vendorCallKey: 'k1',
  conversationId: '0dwSM0EkcWLzVB14SN',
  providerName: null,
  request: {
    headers: { 'content-type': 'application/json', authorization: 'Bearer [redacted]' },
    body: {
      callCenterApiName: 'MyContactCenter',
      vendorCallKey: 'k1',
      to: '999999999',
      from: '+15551234567',
      initiationMethod: 'Inbound',
      startTime: '2024-05-01T10:00:00Z',
      participants: [{ participantKey: '+15551234567', type: 'END_USER' }],
    },
  },
  response: { status: 201, body: { voiceCallId: '0LQSM0EkcWLzVB14SN', errors: [] } },
  checks: RULE_IDS.slice(0, 5).map(passed),
  durationMs: 0.412,
};

describe('journal entry encoding', () => {
  it('gives back a create entry exactly, in about half the bytes of its JSON', () => {
    expect(decodeEntry(encodeEntry(create))).toStrictEqual(create);
    expect(encodeEntry(create).length).toBeLessThan(0.6 * JSON.stringify(create).length);
  });

  it('keeps what a passed check does not say: warnings, violations, messages, subjects; and a fault', () => {
    const entry: JournalEntry = {
      ...create,
      params: { CALL_ID: 'k1' },
      providerName: 'Acme Telephony',
      request: { headers: {}, body: { text: 'Grüße, 通話 📞', nested: [[1, null, true]] } },
      response: { status: null, body: null },
      checks: [
        passed(RULE_IDS[0]),
        { rule: RULE_IDS[1], scope: 'request', outcome: 'warning', message: 'inferred' },
        { rule: RULE_IDS[2], scope: 'request', outcome: 'violation', message: 'documented' },
        { rule: RULE_IDS[3], scope: 'message', outcome: 'ok', subject: 'm-1' },
      ],
      fault: { id: 'f1', name: 'drop one', kind: 'drop', applied: false },
    };
    expect(decodeEntry(encodeEntry(entry))).toStrictEqual(entry);
    const bare = { ...create, request: { headers: {}, body: null }, checks: [] };
    expect(decodeEntry(encodeEntry(bare))).toStrictEqual(bare);
  });

  it('is what the journal lists, with every rule number decoded to its rule', () => {
    const journal = new RequestJournal(10);
    const { seq: _seq, ...recorded } = { ...create, checks: RULE_IDS.map(passed) };
    journal.record(recorded);
    const [listed] = journal.list(create.tenant).entries;
    expect(listed).toStrictEqual({ seq: 1, ...recorded });
  });

  it('keeps the request body as the text it came as, which decodes to the body that was parsed', () => {
    const sent = `\n  ${JSON.stringify(create.request.body, null, 4)}\n`;
    const encoded = encodeEntry(create, sent);
    expect(encoded).toContain(sent);
    expect(decodeEntry(encoded)).toStrictEqual(create);
    const journal = new RequestJournal(10);
    const { seq: _seq, ...recorded } = create;
    journal.record(recorded, undefined, sent);
    expect(journal.list(create.tenant).entries).toStrictEqual([{ ...create, seq: 1 }]);
  });
});

describe('the body text the journal keeps (keptBodyTextOf)', () => {
  const { seq: _seq, ...entry } = create;
  const body = entry.request.body;
  const outcome = (status: number, bodyText: string | undefined): RequestOutcome => ({
    status,
    headers: {},
    answer: null,
    body,
    ...(bodyText === undefined ? {} : { bodyText }),
  });

  it('is the text the body was parsed from, when the entry keeps that body', () => {
    const text = JSON.stringify(body);
    expect(keptBodyTextOf(outcome(201, text), entry)).toBe(text);
    expect(keptBodyTextOf(outcome(201, undefined), entry)).toBeUndefined();
  });

  it('is not used when the entry keeps a note instead of the body (too deep, or rejected and too large)', () => {
    const noted = { ...entry, request: { ...entry.request, body: { scvMockNotKept: 'too deep' } } };
    expect(keptBodyTextOf(outcome(201, JSON.stringify(body)), noted)).toBeUndefined();
  });

  it('is not used for a rejected body whose text, padded with whitespace, is over the 8 KB kept of rejected ones', () => {
    const padded = `${JSON.stringify(body)}${' '.repeat(9 * 1024)}`;
    expect(keptBodyTextOf(outcome(400, padded), entry)).toBeUndefined();
    expect(keptBodyTextOf(outcome(201, padded), entry)).toBe(padded);
    expect(keptBodyTextOf(outcome(400, JSON.stringify(body)), entry)).toBe(JSON.stringify(body));
  });
});

describe('the journal ring (entries kept in arrays and one text buffer)', () => {
  const { seq: _seq, ...base } = create;
  /** An entry whose body, and so its text, is `size` characters long, some of them not ASCII. */
  const sized = (n: number, size: number): Omit<JournalEntry, 'seq'> => ({
    ...base,
    vendorCallKey: `k${n}`,
    request: { ...base.request, body: { n, note: `Grüße ${'x'.repeat(size)}` } },
  });

  it('lists the latest `capacity` entries exactly, through wrap-arounds and growth of its slots and texts', () => {
    // Its slots start at 64 and double to the capacity, so 150 takes two growths before the drops begin.
    const journal = new RequestJournal(150);
    const recorded: Array<Omit<JournalEntry, 'seq'>> = [];
    // Sizes from a few bytes to 3 KB, some 9 KB, and one of 600 KB among the last 150 (its text buffer
    // then grows with entries in it that are listed); 2.4 MB written in all, many times round the buffer.
    for (let n = 0; n < 1600; n++) {
      const size = n === 1500 ? 600_000 : n % 89 === 0 ? 9000 : (n * 37) % 3000;
      const entry = sized(n, size);
      recorded.push(entry);
      journal.record(entry);
    }
    const page = journal.list(create.tenant);
    expect(page.total).toBe(150);
    expect(page.dropped).toBe(1450);
    expect(page.entries).toStrictEqual(recorded.slice(-150).map((entry, i) => ({ seq: 1451 + i, ...entry })));
    expect(journal.totalBytes).toBe(
      recorded
        .slice(-150)
        .reduce((sum, entry, i) => sum + Buffer.byteLength(encodeEntry({ seq: 1451 + i, ...entry })), 0),
    );
    // Filters read the kept fields; the dropped calls are counted.
    expect(journal.list(create.tenant, { vendorCallKey: 'k1599' }).entries.map((entry) => entry.seq)).toEqual([1600]);
    // Every entry is of one conversation: all 1,450 dropped count against it.
    expect(journal.droppedOfCall(create.tenant, create.conversationId, [])).toBe(1450);
  });

  it('keeps entries numbered from a point on when it is cleared before it (a replica), and goes on recording', () => {
    const journal = new RequestJournal(10);
    for (let n = 0; n < 15; n++) journal.record(sized(n, 100 * n));
    expect(journal.clear(create.tenant, 12)).toBe(6);
    journal.record(sized(99, 10));
    expect(journal.list(create.tenant).entries.map((entry) => [entry.seq, entry.vendorCallKey])).toEqual([
      [12, 'k11'],
      [13, 'k12'],
      [14, 'k13'],
      [15, 'k14'],
      [16, 'k99'],
    ]);
  });
});
