/**
 * A large snapshot's records are held as their JSON lines until read, indexed by fields found in the
 * text, and every line is checked in a worker. Whatever the file holds, the state must be the one that
 * parsing every line gives: the same records in the same order, the same index answers, the same sizes,
 * the same errors for a damaged line, and the same file when it is written again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTIONS, SNAPSHOT_FORMAT, type CollectionName, type Mutation } from '../mock-server/store/records.ts';
import { createCallForUpdate } from '../mock-server/domain/call-transitions.ts';
import { SalesforceIdFactory } from '../mock-server/ids/salesforce-id.ts';
import { CALL_FACTS } from './support/call-records.ts';
import { fieldMarkers } from '../mock-server/store/line-fields.ts';
import { LineSlabs } from '../mock-server/store/line-slabs.ts';
import { checkSnapshot, type CheckInput } from '../mock-server/store/snapshot-check.ts';
import { MisreadLine, readSnapshot, writeSnapshot, type SnapshotSource } from '../mock-server/store/snapshot-file.ts';
import { StateIndex } from '../mock-server/store/state-index.ts';
import { StoredBytes } from '../mock-server/store/stored-bytes.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';

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
        fieldsOf: (collection: CollectionName) => state.lineFields(collection),
        putLine: (collection, bytes, start, end, fields) => state.putLine(collection, bytes, start, end, fields),
        discard: () => {
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

const lineSinkOf = (state: StateIndex) => ({
  fieldsOf: (collection: CollectionName) => state.lineFields(collection),
  putLine: (collection: CollectionName, bytes: Buffer, start: number, end: number, fields: readonly string[]) =>
    state.putLine(collection, bytes, start, end, fields),
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
    await expect(readSnapshot(file, { put: () => undefined, lines: lineSinkOf(new StateIndex()) })).rejects.toThrow(
      MisreadLine,
    );
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

describe('the buffers that hold lines', () => {
  it('gives each line back from the buffer it was read into, and lets a buffer go once its lines are read', () => {
    const slabs = new LineSlabs();
    const buffers = [0, 1, 2].map((b) => Buffer.from(`{"b":${b},"x":"${'y'.repeat(100)}"}\n`.repeat(10)));
    const lineBytes = buffers[0]!.indexOf(10);
    const numbers = buffers.flatMap((buffer) =>
      Array.from({ length: 10 }, (_, i) => slabs.hold(buffer, i * (lineBytes + 1), i * (lineBytes + 1) + lineBytes)!),
    );
    expect(slabs.slabCount).toBe(3);
    expect(JSON.parse(slabs.text(numbers[25]!))).toMatchObject({ b: 2 });
    expect(slabs.length(numbers[29]!)).toBe(lineBytes);
    for (const n of numbers.slice(0, 9)) slabs.release(n);
    expect(slabs.slabCount).toBe(3);
    expect(JSON.parse(slabs.text(numbers[9]!))).toMatchObject({ b: 0 });
    slabs.release(numbers[9]!);
    expect(slabs.slabCount).toBe(2);
    expect(() => slabs.text(numbers[0]!)).toThrow(RangeError);
    // A buffer larger than a line number can point into is not held, nor a line as long as the largest.
    expect(slabs.hold(Buffer.alloc(LineSlabs.MAX_BUFFER_BYTES + 1), 0, 10)).toBeNull();
    expect(slabs.hold(Buffer.alloc(LineSlabs.MAX_BUFFER_BYTES), 0, LineSlabs.MAX_BUFFER_BYTES)).toBeNull();
    expect(slabs.hold(Buffer.alloc(LineSlabs.MAX_BUFFER_BYTES), 1, LineSlabs.MAX_BUFFER_BYTES)).not.toBeNull();
  });
});
