/**
 * A large snapshot's records are held as their JSON lines until read, indexed by fields found in the
 * text, and every line is checked in a worker. Whatever the file holds, the state must be the one that
 * parsing every line gives: the same records in the same order, the same index answers, the same sizes,
 * the same errors for a damaged line, and the same file when it is written again.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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
import type { CheckInput } from '../mock-server/store/snapshot-check.ts';
import { SCAN_FROM_BYTES, startSnapshotScan, type SnapshotScan } from '../mock-server/store/snapshot-scan-worker.ts';
import { ROW } from '../mock-server/store/line-scan.ts';
import { prefetchSnapshot } from '../mock-server/store/snapshot-prefetch.ts';
import { spawnSync } from 'node:child_process';
import { MisreadLine, readSnapshot, writeSnapshot, type SnapshotSource } from '../mock-server/store/snapshot-file.ts';
import { StateIndex } from '../mock-server/store/state-index.ts';
import { StoredBytes } from '../mock-server/store/stored-bytes.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { createLogger } from '../mock-server/http/logger.ts';
import { Writable } from 'node:stream';
import { inboundCall, message, startMock } from './support/mock-harness.ts';
import { runCli, startCli } from './support/cli-process.ts';

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

/** The fields a state indexes lines by, per collection, as readSnapshot gives them to the scan. */
const fieldsOf = () => {
  const state = new StateIndex();
  return Object.fromEntries(
    COLLECTIONS.map((name) => [name, { names: state.lineFields(name), markers: fieldMarkers(state.lineFields(name)) }]),
  ) as unknown as CheckInput['fields'];
};

/** Every line a scan hands over, as text with where it is in the file, and each record line's values. */
async function linesOf(scan: SnapshotScan) {
  const lines: Array<{ text: string; position: number; collection: number; values: string[] }> = [];
  for (let chunk = await scan.next(); chunk !== null; chunk = await scan.next()) {
    const { bytes, table, stride, at } = chunk;
    for (let row = 0; row < chunk.lines * stride; row += stride) {
      const start = table[row + ROW.start]!;
      const collection = table[row + ROW.collection]!;
      const count = collection < 0 ? 0 : fieldsOf()[COLLECTIONS[collection]!].names.length;
      const values = Array.from({ length: count }, (_, i) =>
        bytes.toString('latin1', table[row + ROW.spans + 2 * i], table[row + ROW.spans + 2 * i + 1]),
      );
      lines.push({
        text: bytes.toString('utf8', start, table[row + ROW.end]),
        position: at + start,
        collection,
        values,
      });
    }
    scan.giveBack(chunk);
  }
  return lines;
}

describe('the scan of a snapshot', () => {
  it('hands over every line once, whole and in order, also one longer than a chunk, reusing its memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-scan-'));
    const file = join(dir, 'store.json');
    const header = `${JSON.stringify({ format: SNAPSHOT_FORMAT, seq: 1, meta: null }).slice(0, -1)},`;
    const call = (i: number, content: string) =>
      JSON.stringify(callAndConversation(i, T1, `k-${i}`, { x: content }).call);
    // About 25 MB: more chunks than the worker has memory for (three of 4 MB), one line of 9 MB, and
    // lines ending in \r\n.
    const calls = Array.from({ length: 6000 }, (_, i) => call(i, i === 3000 ? 'L'.repeat(9 << 20) : 'x'.repeat(2500)));
    const text = [header, '"calls":[', `${calls.join(',\r\n')}\r`, '],', '"events":[', ']}', ''].join('\n');
    writeFileSync(file, text);
    const fd = openSync(file, 'r');
    const scan = startSnapshotScan({ fd, fields: fieldsOf() });
    try {
      const scanned = await linesOf(scan);
      const expected = text.split('\n').map((line) => line.replace(/\r$/, ''));
      // The last newline ends the last line: there is no empty line after it.
      expect(scanned.map((line) => line.text)).toEqual(expected.slice(0, -1));
      let position = 0;
      for (const [i, line] of scanned.entries()) {
        expect(line.position).toBe(position);
        position += text.split('\n')[i]!.length + 1;
      }
      const calls = COLLECTIONS.indexOf('calls');
      const records = scanned.slice(2, 6002);
      expect(records.every((line) => line.collection === calls)).toBe(true);
      expect(records[3000]!.values).toEqual([id('0LQ', 3000), T1, 'k-3000', id('0dw', 3000)]);
      expect(scanned.filter((line) => line.collection >= 0)).toHaveLength(6000);
      // Written by hand, without a digest: every line is checked too.
      expect(await scan.verdict).toEqual({ kind: 'ok', by: 'lines' });
    } finally {
      await scan.stop();
      closeSync(fd);
    }
  });
});

/** A snapshot past the size a store reads in a worker: records(), and transcripts of 1 MB. */
async function largeSnapshotFile(dir: string, name: string, key = 'plain-5'): Promise<string> {
  const file = join(dir, name);
  const base = records();
  const first = [...base.transcripts][0] as TranscriptEntryRecord;
  const padding = Array.from({ length: 14 }, (_, i) => ({
    ...first,
    id: id('0eE', 200 + i),
    messageId: `pad-${i}`,
    content: 'p'.repeat(2 ** 20),
  }));
  const calls = [...base.calls].map((call) =>
    typeof call !== 'string' && call.vendorCallKey === 'plain-5' ? { ...call, vendorCallKey: key } : call,
  );
  await writeSnapshot(file, {
    header: { format: SNAPSHOT_FORMAT, seq: 3, meta: null },
    records: { ...base, calls, transcripts: [...base.transcripts, ...padding] },
  });
  expect(statSync(file).size).toBeGreaterThan(SCAN_FROM_BYTES);
  return file;
}

describe('a snapshot read begun before the store opens', () => {
  it('is taken by the load of its file, which holds what a load without it holds', async () => {
    const file = await largeSnapshotFile(mkdtempSync(join(tmpdir(), 'scv-prefetch-')), 'store.json');
    const prefetched = prefetchSnapshot(file)!;
    expect(prefetched.state).toBe('reading');
    const store = await openStore({ file });
    expect(prefetched.state).toBe('taken');
    const readAfter = async () => {
      const opened = await openStore({ file });
      try {
        return {
          key: opened.getCall(T1, id('0LQ', 5))?.vendorCallKey,
          calls: [opened.callCount(T1), opened.callCount(T2)],
          messages: opened.transcriptsOf(T2, id('0dw', 2)).map((t) => t.messageId),
          padding: opened.transcriptsOf(T1, id('0dw', 1)).filter((t) => t.messageId.startsWith('pad-')).length,
        };
      } finally {
        await opened.close();
      }
    };
    const taken = {
      key: store.getCall(T1, id('0LQ', 5))?.vendorCallKey,
      calls: [store.callCount(T1), store.callCount(T2)],
      messages: store.transcriptsOf(T2, id('0dw', 2)).map((t) => t.messageId),
      padding: store.transcriptsOf(T1, id('0dw', 1)).filter((t) => t.messageId.startsWith('pad-')).length,
    };
    await store.close();
    expect(taken).toEqual({ key: 'plain-5', calls: [4, 1], messages: ['m-1', 'm-11', 'm-21', 'm-31'], padding: 14 });
    expect(taken).toEqual(await readAfter());
  });

  it('is dropped when another file has replaced its own by the time the store opens, and that file is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-prefetch-'));
    const file = await largeSnapshotFile(dir, 'store.json');
    const other = await largeSnapshotFile(dir, 'other.json', 'replaced-5');
    const prefetched = prefetchSnapshot(file)!;
    renameSync(other, file);
    const store = await openStore({ file });
    expect(prefetched.state).toBe('dropped');
    expect(store.getCall(T1, id('0LQ', 5))?.vendorCallKey).toBe('replaced-5');
    await store.close();
  });

  it('is begun by scv-mock start, which then serves the records of its file', async () => {
    const file = await largeSnapshotFile(mkdtempSync(join(tmpdir(), 'scv-prefetch-')), 'store.json');
    const mock = await startCli(['--data', file]);
    try {
      expect(mock.output()).toMatch(/store: +file .*store\.json \(5 calls, 54 transcript messages\)/);
      const token = (await runCli(['token'])).stdout.trim();
      const post = (key: string, messageId: string) =>
        fetch(`${mock.baseUrl}/telephony/v1/voiceCalls/${key}/messages`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(message(messageId)),
        });
      // Found by its vendor key, an index field read from its line.
      expect((await post('plain-5', 'new-1')).status).toBe(202);
      expect((await post('no-such-call', 'new-2')).status).toBe(404);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it('begins nothing for a small file or a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-prefetch-'));
    expect(prefetchSnapshot(await snapshotFile(dir))).toBeNull();
    expect(prefetchSnapshot(join(dir, 'missing.json'))).toBeNull();
  });

  it('does not keep a process alive that never opens the store', async () => {
    const file = await largeSnapshotFile(mkdtempSync(join(tmpdir(), 'scv-prefetch-')), 'store.json');
    const module = new URL('../mock-server/store/snapshot-prefetch.ts', import.meta.url).href;
    const script = [
      `import { prefetchSnapshot } from ${JSON.stringify(module)};`,
      `console.log(prefetchSnapshot(${JSON.stringify(file)})?.state);`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      // Kept alive by the read, it would never end: 30 s is long past the second it takes.
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('reading');
  }, 40_000);
});

describe('the check of a snapshot', () => {
  it('takes a file as the store wrote it by its digest, and checks the lines of any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-lines-'));
    const file = await snapshotFile(dir);
    const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
    const digest = createHash('sha256').update(rest.join('\n')).digest('hex');
    expect(JSON.parse(`${header!.slice(0, -1)}}`)).toMatchObject({ seq: 3, sha256: digest });
    const checked = async () => {
      const fd = openSync(file, 'r');
      const scan = startSnapshotScan({ fd, fields: fieldsOf() });
      try {
        await linesOf(scan);
        return await scan.verdict;
      } finally {
        await scan.stop();
        closeSync(fd);
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
