/**
 * The in-memory structures a client grows, each bounded (issue 14): the jti cache (its size and the
 * memory a long jti takes) and the journal's bytes across tenants. Before, the jti cache kept any number
 * of 8 KB jtis for a day, and the journal was capped in entries only.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../contracts/admin-schemas.ts';
import { JtiCache } from '../mock-server/auth/jti-cache.ts';
// An entry's size as the journal counts it: the UTF-8 bytes of its encoding.
import { encodeEntry, keptBytesOf } from '../mock-server/journal/entry-encoding.ts';
import { RequestJournal } from '../mock-server/journal/request-journal.ts';

describe('the jti cache', () => {
  it('keeps at most max entries: past it the oldest is forgotten, and counted', () => {
    const cache = new JtiCache(3);
    for (const jti of ['a', 'b', 'c', 'd']) expect(cache.remember('org', jti, 2000, 1000)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.forgotten).toBe(1);
    // 'a' was forgotten; the others are still replays.
    expect(cache.remember('org', 'd', 2000, 1000)).toBe(false);
    expect(cache.remember('org', 'b', 2000, 1000)).toBe(false);
    expect(cache.remember('org', 'a', 2000, 1000)).toBe(true);
  });

  it('keeps a long jti as a digest, and still knows it again', () => {
    const cache = new JtiCache();
    const long = 'x'.repeat(8192);
    expect(cache.remember('org', long, 2000, 1000)).toBe(true);
    expect(cache.remember('org', long, 2000, 1000)).toBe(false);
    expect(cache.remember('org', `${long}y`, 2000, 1000)).toBe(true);
    const keys = [...(cache as unknown as { seen: Map<string, number> }).seen.keys()];
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThan(64);
  });
});

function entry(tenant: string, bodyBytes: number): Omit<JournalEntry, 'seq'> {
  return {
    time: '2026-11-30T00:00:00.000Z',
    tenant,
    method: 'POST',
    path: '/telephony/v1/voiceCalls',
    operationId: 'createVoiceCall',
    operation: 'createVoiceCall',
    params: {},
    voiceCallId: null,
    vendorCallKey: null,
    conversationId: null,
    providerName: null,
    request: { headers: {}, body: { blob: 'x'.repeat(bodyBytes) } },
    response: { status: 201, body: null },
    checks: [],
    durationMs: 1,
  };
}

describe('the journal in bytes', () => {
  it('stays under its byte limit across tenants, taking the oldest entries of the largest tenant first', () => {
    const size = keptBytesOf({ seq: 1, ...entry('t', 10_000) });
    const journal = new RequestJournal(1000, 10 * size);
    for (let i = 0; i < 3; i++) journal.record(entry('quiet', 10_000));
    for (let i = 0; i < 20; i++) journal.record(entry('loud', 10_000));
    expect(journal.totalBytes).toBeLessThanOrEqual(10 * size);
    expect(journal.list('quiet').total).toBe(3);
    const loud = journal.list('loud');
    // Seven fit beside the quiet tenant's three, give or take the entries' few bytes of difference.
    expect(loud.total + loud.dropped).toBe(20);
    expect(loud.total).toBeGreaterThanOrEqual(6);
    expect(journal.list('loud').entries.at(-1)!.seq).toBe(23);
    journal.clear('loud');
    expect(journal.totalBytes).toBe(
      [1, 2, 3].reduce((sum, seq) => sum + keptBytesOf({ seq, ...entry('quiet', 10_000) }), 0),
    );
  });

  it('still drops by entries per tenant, and its byte count follows', () => {
    const journal = new RequestJournal(2);
    for (let i = 0; i < 5; i++) journal.record(entry('t', 100));
    expect(journal.list('t')).toMatchObject({ total: 2, dropped: 3 });
    expect(journal.totalBytes).toBe(2 * keptBytesOf({ seq: 1, ...entry('t', 100) }));
  });

  it('counts UTF-8 bytes, and gives non-ASCII bodies back exactly', () => {
    const journal = new RequestJournal(10);
    const text = 'Grüße, 通話 📞';
    const recorded = { ...entry('t', 0), request: { headers: {}, body: { text } } };
    journal.record(recorded);
    expect(journal.totalBytes).toBe(keptBytesOf({ seq: 1, ...recorded }));
    // UTF-8 bytes, not UTF-16 code units.
    expect(journal.totalBytes).toBeGreaterThan(encodeEntry({ seq: 1, ...recorded }).length);
    expect(journal.list('t').entries[0]!.request.body).toEqual({ text });
  });

  it('keeps working as the ring wraps around', () => {
    const journal = new RequestJournal(10);
    for (let i = 0; i < 5000; i++) journal.record(entry('t', 1));
    const page = journal.list('t');
    expect(page.entries.map((e) => e.seq)).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
    expect(page.dropped).toBe(4990);
  });

  it('agrees with a plain list model when drops by bytes and by count interleave', () => {
    // Drops by bytes take a tenant's oldest before its ring is full, so the ring later grows with its
    // oldest entry anywhere in the buffer.
    const sizes = [50, 400, 10, 900, 120, 5, 700, 60, 300, 1];
    const capacity = 8;
    const journal = new RequestJournal(capacity, 3 * keptBytesOf({ seq: 1, ...entry('a', 900) }));
    const model = new Map<string, { seqs: number[]; bytes: number[]; dropped: number }>();
    const total = () => [...model.values()].reduce((sum, m) => sum + m.bytes.reduce((x, y) => x + y, 0), 0);
    const dropOldest = (m: { seqs: number[]; bytes: number[]; dropped: number }) => {
      m.seqs.shift();
      m.bytes.shift();
      m.dropped += 1;
    };
    for (let i = 0; i < 400; i++) {
      const tenant = i % 3 === 0 ? 'b' : 'a';
      const e = entry(tenant, sizes[(i * 7) % sizes.length]!);
      journal.record(e);
      const m = model.get(tenant) ?? { seqs: [], bytes: [], dropped: 0 };
      model.set(tenant, m);
      m.seqs.push(i + 1);
      m.bytes.push(keptBytesOf({ seq: i + 1, ...e }));
      if (m.seqs.length > capacity) dropOldest(m);
      while (total() > journal.maxBytes) {
        const largest = [...model.values()]
          .filter((x) => x.seqs.length > 0)
          .reduce((x, y) => (y.bytes.reduce((p, q) => p + q, 0) > x.bytes.reduce((p, q) => p + q, 0) ? y : x));
        dropOldest(largest);
      }
      for (const [name, expected] of model) {
        const page = journal.list(name);
        expect(
          page.entries.map((x) => x.seq),
          `after ${i + 1} entries, tenant ${name}`,
        ).toEqual(expected.seqs);
        expect(page.dropped).toBe(expected.dropped);
      }
      expect(journal.totalBytes).toBe(total());
    }
  });

  it("counts each call's dropped entries, remembering at least the calls dropped from last", () => {
    const journal = new RequestJournal(3);
    const ofCall = (conversationId: string) => ({ ...entry('t', 1), conversationId });
    // Three entries fill the ring; each entry after drops the oldest.
    for (const call of ['a', 'a', 'b', 'b', 'b', 'c', 'd', 'e', 'f', 'g']) journal.record(ofCall(call));
    expect(journal.droppedOfCall('t', 'a', [])).toBe(2);
    expect(journal.droppedOfCall('t', 'b', [])).toBe(3);
    expect([...'cdefg'].map((call) => journal.droppedOfCall('t', call, []))).toEqual([1, 1, 0, 0, 0]);
    // Many more calls later, the early ones are forgotten: the tallies stay bounded.
    for (let i = 0; i < 20; i++) journal.record(ofCall(`later-${i}`));
    expect(journal.droppedOfCall('t', 'a', [])).toBe(0);
    expect(journal.droppedOfCall('t', 'later-16', [])).toBe(1);
    expect(journal.droppedOfCall('t', 'later-17', [])).toBe(0);
  });
});
