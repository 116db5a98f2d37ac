/**
 * A large snapshot's records are held as their JSON lines until read, indexed by fields found in the
 * text, and every line is checked in a worker. Whatever the file holds, the state must be the one that
 * parsing every line gives: the same records in the same order, the same index answers, the same sizes,
 * the same errors for a damaged line, and the same file when it is written again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COLLECTIONS,
  SNAPSHOT_FORMAT,
  type CollectionName,
  type Mutation,
  type TranscriptEntryRecord,
} from '../mock-server/store/records.ts';
import { createCallForUpdate } from '../mock-server/domain/call-transitions.ts';
import { SalesforceIdFactory } from '../mock-server/ids/salesforce-id.ts';
import { CALL_FACTS } from './support/call-records.ts';
import { fieldMarkers, fieldSpans } from '../mock-server/store/line-fields.ts';
import fc from 'fast-check';
import { HeldLines } from '../mock-server/store/held-lines.ts';
import { StoreUnavailable } from '../mock-server/store/store-unavailable.ts';
import { checkSnapshot, type CheckInput } from '../mock-server/store/snapshot-check.ts';
import { MisreadLine, readSnapshot, writeSnapshot, type SnapshotSource } from '../mock-server/store/snapshot-file.ts';
import { StateIndex } from '../mock-server/store/state-index.ts';
import { StoredBytes } from '../mock-server/store/stored-bytes.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { createLogger } from '../mock-server/http/logger.ts';
import { Writable } from 'node:stream';
import { inboundCall, message, startMock } from './support/mock-harness.ts';

const T1 = '00DSM0000000MCK2A2/MyContactCenter';
const T2 = '00DSM0000000OTHER2/OtherCenter';
const id = (prefix: string, i: number) => `${prefix}SM0${String(i).padStart(13, '0')}`;

const ids = new SalesforceIdFactory('snapshot-lines-test');

/** A call as a create leaves it (its conversation too), with the given ids and key. */
function callAndConversation(i: number, tenant: string, vendorCallKey: string, extra: object = {}) {
  const { call, conversation } = structuredClone(createCallForUpdate({ ...CALL_FACTS, tenant, vendorCallKey }, ids));
  return {
    call: { ...call, id: id('0LQ', i), conversationId: id('0dw', i), ...extra },
    conversation: { ...conversation, id: id('0dw', i), firstCallId: id('0LQ', i) },
  };
}

/** Records of every collection: plain ones, and the kinds a reader of lines could get wrong. */
function records(): SnapshotSource['records'] {
  const made = [
    callAndConversation(1, T1, 'plain-1', {
      lastRouting: { flowDevName: 'Inbound_Flow', queueId: null, repId: null, agent: null, queue: 'Support' },
    }),
    callAndConversation(2, T2, 'plain-2'),
    // An escaped quote and backslash in an indexed field: the line must be parsed.
    callAndConversation(3, T1, 'quote"and\\slash'),
    // The same key as an indexed field inside a nested object: ambiguous, parsed.
    callAndConversation(4, T1, 'nested', { extra: { tenant: T2 } }),
    callAndConversation(5, T1, 'plain-5'),
  ];
  const transcripts = Array.from({ length: 40 }, (_, i) => ({
    id: id('0eE', i),
    tenant: i % 2 === 0 ? T1 : T2,
    conversationId: id('0dw', 1 + (i % 5)),
    messageId: `m-${i}`,
    participantId: 'caller',
    senderType: 'END_USER',
    // Past 4 MB the chunks are not ASCII: those lines are parsed where they are read.
    content: i < 30 ? `hello ${'a'.repeat(150_000)}` : `Grüße 📞 ${'語'.repeat(50_000)}`,
    startTime: 1,
    endTime: 2,
    receivedAt: '2024-05-01T10:00:01.000Z',
  }));
  return {
    calls: made.map((m) => m.call),
    conversations: made.map((m) => m.conversation),
    transcripts,
    recordings: [{ id: id('0Re', 1), tenant: T1, voiceCallId: id('0LQ', 1), recordingLocation: 'https://x' }],
    routings: [{ id: id('0JS', 1), tenant: T1, voiceCallId: id('0LQ', 5), source: 'flow', flowDevName: 'F' }],
    contactRequests: [{ id: id('0XC', 1), tenant: T2, voiceCallId: id('0LQ', 2), status: 'New' }],
    events: [{ id: id('0eV', 1), tenant: T1, conversationId: id('0dw', 1), kind: 'realtime' }],
    numberReservations: [{ id: id('0Nr', 1), tenant: T1, routableNumber: '+15550000000' }],
  } as unknown as SnapshotSource['records'];
}

async function snapshotFile(dir: string, name = 'store.json'): Promise<string> {
  const file = join(dir, name);
  await writeSnapshot(file, { header: { format: SNAPSHOT_FORMAT, seq: 3, meta: null }, records: records() });
  return file;
}

/**
 * Loads the file into a state: every line parsed, or lines kept where they can be; a line misread
 * unparsed means reading it all again, parsing (as the store does, file-persistence.ts).
 */
async function load(file: string, keepLines: boolean): Promise<StateIndex> {
  let state = new StateIndex();
  const put = (mutation: Mutation) => state.apply([mutation]);
  if (!keepLines) {
    await readSnapshot(file, { put });
    return state;
  }
  try {
    await readSnapshot(file, {
      put,
      lines: {
        ...lineSinkOf(() => state),
        discard: () => {
          state.closeLines();
          state = new StateIndex();
        },
      },
    });
  } catch (error) {
    if (!(error instanceof MisreadLine)) throw error;
    state = new StateIndex();
    await readSnapshot(file, { put });
  }
  return state;
}

const lineSinkOf = (state: () => StateIndex) => ({
  fieldsOf: (collection: CollectionName) => state().lineFields(collection),
  readFrom: (fd: number, file: string) => state().readLinesFrom(fd, file),
  putLine: (collection: CollectionName, position: number, length: number, fields: readonly string[]) =>
    state().putLine(collection, position, length, fields),
  finishReading: () => state().finishReadingLines(),
  discard: () => undefined,
});

const everything = (state: StateIndex) => Object.fromEntries(COLLECTIONS.map((name) => [name, [...state.all(name)]]));

describe('a snapshot read as lines', () => {
  it('holds the records that parsing every line gives, in order, with the same index answers', async () => {
    const file = await snapshotFile(mkdtempSync(join(tmpdir(), 'scv-lines-')));
    const parsed = await load(file, false);
    const kept = await load(file, true);
    // Index answers before any line is read.
    expect(kept.tenants()).toEqual(parsed.tenants());
    for (const tenant of [T1, T2]) expect(kept.countsOf(tenant)).toEqual(parsed.countsOf(tenant));
    expect(kept.legsByVendorKey(T1, 'plain-5').map((c) => c.id)).toEqual([id('0LQ', 5)]);
    expect(kept.legsByVendorKey(T1, 'quote"and\\slash').map((c) => c.id)).toEqual([id('0LQ', 3)]);
    expect(kept.legsByVendorKey(T2, 'nested')).toEqual([]);
    expect(kept.countIn('transcripts', 'conversation', id('0dw', 2))).toBe(8);
    expect(kept.hasMessageId(id('0dw', 1), 'm-35')).toBe(true);
    expect(everything(kept)).toEqual(everything(parsed));
  });

  it('counts sizes without reading a line, and as parsing every line does once they are read', async () => {
    const file = await snapshotFile(mkdtempSync(join(tmpdir(), 'scv-lines-')));
    const parsed = new StoredBytes(await load(file, false));
    const keptState = await load(file, true);
    const kept = new StoredBytes(keptState);
    // A line counts as its length while it is held: close to the estimate, not the same.
    expect(kept.total()).toBeGreaterThan(0.9 * parsed.total());
    expect(kept.total()).toBeLessThan(1.1 * parsed.total());
    everything(keptState);
    expect(kept.total()).toBe(parsed.total());
    for (const tenant of [T1, T2]) expect(kept.of(tenant)).toBe(parsed.of(tenant));
  });

  it('drops a tenant without reading its lines, and its size goes to nothing', async () => {
    const file = await snapshotFile(mkdtempSync(join(tmpdir(), 'scv-lines-')));
    const state = await load(file, true);
    const sizes = new StoredBytes(state);
    const [before, other] = [sizes.total(), sizes.of(T2)];
    const drop: Mutation = { op: 'dropTenant', tenant: T1 };
    const change = sizes.change([drop]);
    state.apply([drop]);
    sizes.applied(change);
    expect(sizes.of(T1)).toBe(0);
    expect(sizes.total()).toBe(other);
    expect(before).toBeGreaterThan(other);
    expect(state.countsOf(T1)).toEqual(Object.fromEntries(COLLECTIONS.map((name) => [name, 0])));
    expect(state.legsByVendorKey(T1, 'plain-5')).toEqual([]);
    // The other tenant's records, read now, are intact.
    expect(state.legsByVendorKey(T2, 'plain-2').map((c) => c.id)).toEqual([id('0LQ', 2)]);
    expect(state.ofTenant('transcripts', T2)).toHaveLength(20);
  });

  it('loads a record that lacks a field the store always writes, and reads the others after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"callType":"Inbound",', ''));
    const state = await load(file, true);
    for (let round = 0; round < 3; round++) expect(state.record('calls', id('0LQ', 1))?.callType).toBeUndefined();
    expect(state.record('calls', id('0LQ', 2))?.callType).toBe('Inbound');
    expect(everything(state)).toEqual(everything(await load(file, false)));
  });

  it('writes held lines back as they were, and the file written again holds the same records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    const kept = await load(file, true);
    kept.record('calls', id('0LQ', 1));
    const again = join(dir, 'again.json');
    await writeSnapshot(again, kept.snapshotSource(3));
    const lineOf = (text: string, recordId: string) =>
      text.split('\n').find((l) => l.startsWith(`{"id":"${recordId}"`));
    const [before, after] = [readFileSync(file, 'utf8'), readFileSync(again, 'utf8')];
    expect(lineOf(after, id('0LQ', 5))).toBe(lineOf(before, id('0LQ', 5)));
    expect(everything(await load(again, false))).toEqual(everything(await load(file, false)));
  });

  it('re-reads the file parsing every line when a hand-edited line reads otherwise unparsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    // The top-level tenant written with spaces, and a nested one as the store writes it: the nested one
    // is the only match for the unparsed reading.
    const text = readFileSync(file, 'utf8').replace(
      `{"id":"${id('0LQ', 5)}","tenant":"${T1}",`,
      `{"id":"${id('0LQ', 5)}", "tenant" : "${T1}","other":{"a":1,"tenant":"${T2}"},`,
    );
    writeFileSync(file, text);
    const fresh = new StateIndex();
    await expect(readSnapshot(file, { put: () => undefined, lines: lineSinkOf(() => fresh) })).rejects.toThrow(
      MisreadLine,
    );
    fresh.closeLines();
    const kept = await load(file, true);
    expect(kept.record('calls', id('0LQ', 5))?.tenant).toBe(T1);
    expect(kept.countsOf(T2).calls).toBe(1);
    expect(everything(kept)).toEqual(everything(await load(file, false)));
    // And through the store; also when the layout, too, turns out other than the store writes after
    // lines were held (lowdb then reads the whole document).
    for (const edited of [text, text.replace('"conversations":[', '"conversations": [')]) {
      writeFileSync(file, edited);
      const store = await openStore({ file, persistence: { keepLinesFromBytes: 0 } });
      expect(store.getCall(T1, id('0LQ', 5))?.vendorCallKey).toBe('plain-5');
      expect(store.getCall(T2, id('0LQ', 5))).toBeUndefined();
      expect(store.callCount(T2)).toBe(1);
      await store.close();
    }
  });

  it('reads records still held after its next snapshot has replaced the file they were read from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    const before = readFileSync(file, 'utf8');
    // A compaction cut short by a crash: the store folds its log into a new snapshot before it serves.
    writeFileSync(`${file}.wal.compacting`, '');
    const store = await openStore({ file, persistence: { keepLinesFromBytes: 0 } });
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    expect(store.getCall(T1, id('0LQ', 5))?.vendorCallKey).toBe('plain-5');
    expect(store.transcriptsOf(T2, id('0dw', 2)).map((t) => t.messageId)).toEqual(['m-1', 'm-11', 'm-21', 'm-31']);
    await store.close();
    const reopened = await openStore({ file });
    expect(reopened.getCall(T2, id('0LQ', 2))?.vendorCallKey).toBe('plain-2');
    await reopened.close();
  });

  it('answers 503 STORE_UNAVAILABLE, and logs why, when the file of a held record was changed in place', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-lines-')), 'store.json');
    const first = await startMock({ dataFile: file });
    await first.post('/voiceCalls', inboundCall('held')).expect(201);
    const tenant = first.tenant.key;
    await first.server.close();
    // Past the size from which a store holds its records as lines: 20 transcripts of a megabyte.
    const padded = await openStore({ file });
    const transcript = [...records().transcripts][0] as TranscriptEntryRecord;
    await padded.transact(tenant, () => ({
      mutations: Array.from({ length: 20 }, (_, i) => ({
        op: 'put' as const,
        collection: 'transcripts' as const,
        record: { ...transcript, id: id('0eE', 100 + i), tenant, content: 'p'.repeat(2 ** 20) },
      })),
      result: null,
    }));
    await padded.close();
    expect(statSync(file).size).toBeGreaterThan(16 * 2 ** 20);
    const logged: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const second = await startMock({ dataFile: file, logger: createLogger({ format: 'text', stream }) });
    try {
      // Edited in place while the mock runs: every line moves by a byte.
      writeFileSync(file, ` ${readFileSync(file, 'latin1')}`, 'latin1');
      const answer = await second.post('/voiceCalls/held/messages', message('m-1')).expect(503);
      expect(answer.body).toMatchObject({ errorCode: 'STORE_UNAVAILABLE' });
      expect(logged.join('')).toContain(`${file} was changed while the mock was running`);
    } finally {
      await second.server.close().catch(() => undefined);
    }
  });

  it('stops the start at a damaged line with its number, as when every line is parsed', async () => {
    for (const [damage, expected] of [
      [
        (line: string) => line.replace(`"tenant":"${T1}",`, ''),
        /line 7 holds a record of the wrong shape: a calls record without tenant/,
      ],
      [
        (line: string) => line.replace('"callType":"Inbound",', '"callType":Inbound,'),
        /is not valid JSON \(.*line 7\)/,
      ],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
      const file = await snapshotFile(dir);
      const lines = readFileSync(file, 'utf8').split('\n');
      // The header, the opening of calls, then calls 1 to 5: call 5 is line 7.
      const at = lines.findIndex((line) => line.startsWith(`{"id":"${id('0LQ', 5)}"`));
      expect(at + 1).toBe(7);
      lines[at] = damage(lines[at]!);
      writeFileSync(file, lines.join('\n'));
      await expect(
        openStore({ file, persistence: { keepLinesFromBytes: 0 } }).then((store) => store.close()),
      ).rejects.toThrow(expected);
    }
  });
});

describe('the check of a snapshot', () => {
  const fieldsOf = () => {
    const state = new StateIndex();
    return Object.fromEntries(
      COLLECTIONS.map((name) => [
        name,
        { names: state.lineFields(name), markers: fieldMarkers(state.lineFields(name)) },
      ]),
    ) as unknown as CheckInput['fields'];
  };

  it('takes a file as the store wrote it by its digest, and checks the lines of any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
    const digest = createHash('sha256').update(rest.join('\n')).digest('hex');
    expect(JSON.parse(`${header!.slice(0, -1)}}`)).toMatchObject({ seq: 3, sha256: digest });
    const checked = async () => {
      const check = checkSnapshot({ file, fields: fieldsOf() });
      try {
        return await check.verdict;
      } finally {
        check.stop();
      }
    };
    expect(await checked()).toEqual({ kind: 'ok', by: 'digest' });
    // Edited by hand, still valid: every line is checked, and passes.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"plain-5"', '"plain-6"'));
    expect(await checked()).toEqual({ kind: 'ok', by: 'lines' });
    // The digest itself edited away: the same.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/,"sha256":"\w+"/, ''));
    expect(await checked()).toEqual({ kind: 'ok', by: 'lines' });
  });
});

/** What fieldSpans answers for one line, written plainly: the rule it must keep. */
function spansOfLine(line: string, markers: readonly string[]): number[] | null {
  if (!line.startsWith(markers[0]!)) return null;
  const spans: number[] = [];
  for (const [i, marker] of markers.entries()) {
    const at = i === 0 ? 0 : line.indexOf(marker);
    if (at < 0 || (i > 0 && line.indexOf(marker, at + marker.length) >= 0)) return null;
    const end = line.indexOf('"', at + marker.length);
    if (end < 0 || line.slice(at + marker.length, end).includes('\\')) return null;
    spans.push(at + marker.length, end);
  }
  return spans;
}

describe('the fields of lines read from one text', () => {
  it('finds in each line of a text, in order, what it finds in that line on its own', () => {
    const markers = fieldMarkers(['id', 'tenant', 'key']);
    // Lines made of pieces that hit every branch: markers present, missing, twice; escapes; quotes.
    const piece = fc.constantFrom(
      '{"id":"a1"',
      ',"tenant":"t1"',
      ',"tenant":"t\\"2"',
      ',"key":"k"',
      ',"key":"k\\\\x"',
      ',"other":{"key":"nested"}',
      ',"x":"\\n"',
      ',"y":1',
      '}',
      '"',
    );
    const line = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        const text = lines.join('\n');
        const next: number[] = [];
        let from = 0;
        for (const one of lines) {
          const alone = spansOfLine(one, markers);
          expect(fieldSpans(one, markers)).toEqual(alone);
          const inText = fieldSpans(text, markers, from, from + one.length, next);
          expect(inText).toEqual(alone === null ? null : alone.map((at) => at + from));
          from += one.length + 1;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the file that holds lines', () => {
  const lineFile = (dir: string, name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  // Short lines, then one longer than a read of the file around a line.
  const texts = [
    ...Array.from({ length: 30 }, (_, i) => JSON.stringify({ b: i, x: 'y'.repeat(100) })),
    JSON.stringify({ b: 30, x: 'z'.repeat(200_000) }),
  ];
  const positions = texts.map((_, i) => texts.slice(0, i).reduce((at, text) => at + text.length + 1, 0));

  it('reads each held line back from its place, in any order, and closes the file once none is held', () => {
    const file = lineFile(mkdtempSync(join(tmpdir(), 'scv-held-')), 'lines.json', texts);
    const held = new HeldLines();
    held.readFrom(openSync(file, 'r'), file);
    const numbers = texts.map((text, i) => held.hold(positions[i]!, text.length)!);
    held.finishReading();
    for (const i of [25, 30, 0, 1, 29, 30, 2]) expect(held.text(numbers[i]!)).toBe(texts[i]);
    expect(held.length(numbers[30]!)).toBe(texts[30]!.length);
    for (const n of numbers.slice(1)) held.release(n);
    expect(held.open).toBe(true);
    held.release(numbers[0]!);
    expect(held.open).toBe(false);
    expect(() => held.text(numbers[0]!)).toThrow(RangeError);
    // A file read without a line held is closed when the reading ends.
    held.readFrom(openSync(file, 'r'), file);
    held.finishReading();
    expect(held.open).toBe(false);
  });

  it('reads the file it opened after a new one is renamed over it, and refuses a file changed in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-held-'));
    const file = lineFile(dir, 'lines.json', texts);
    const held = new HeldLines();
    held.readFrom(openSync(file, 'r'), file);
    const numbers = texts.map((text, i) => held.hold(positions[i]!, text.length)!);
    held.finishReading();
    // What the store's next snapshot does: a new file in the old one's place.
    renameSync(lineFile(dir, 'next.json', ['{"other":1}']), file);
    expect(held.text(numbers[3]!)).toBe(texts[3]);
    expect(held.text(numbers[30]!)).toBe(texts[30]);
    // Edited in place (truncated and written again): the line is no longer there, and the read says so.
    const inPlace = lineFile(dir, 'in-place.json', texts);
    const edited = new HeldLines();
    edited.readFrom(openSync(inPlace, 'r'), inPlace);
    const number = edited.hold(positions[5]!, texts[5]!.length)!;
    edited.finishReading();
    writeFileSync(inPlace, 'x'.repeat(positions[5]! + 3));
    expect(() => edited.text(number)).toThrow(StoreUnavailable);
    expect(() => edited.text(number)).toThrow(/was changed while the mock was running/);
    held.close();
    edited.close();
  });

  it('does not number a line too long, or too far into the file, for a line number', () => {
    const file = lineFile(mkdtempSync(join(tmpdir(), 'scv-held-')), 'lines.json', texts);
    const held = new HeldLines();
    held.readFrom(openSync(file, 'r'), file);
    expect(held.hold(0, HeldLines.MAX_LINE_BYTES + 1)).toBeNull();
    expect(held.hold(2 ** 31 - 10, 20)).toBeNull();
    const last = held.hold(2 ** 31 - 1 - HeldLines.MAX_LINE_BYTES, HeldLines.MAX_LINE_BYTES)!;
    expect(held.length(last)).toBe(HeldLines.MAX_LINE_BYTES);
    held.close();
  });
});
