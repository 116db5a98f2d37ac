/**
 * The file store (log and snapshot): state written by one server instance is read by the next, whether it was closed
 * (log folded into the snapshot) or not (log replayed); the log is folded in when it grows; a crash
 * cut in the last log line is tolerated; unreadable files stop the start with a message naming them.
 */
import { CALL_FACTS, commitCall } from './support/call-records.ts';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findCall } from '../mock-server/domain/call-resolution.ts';
import { createCallForUpdate } from '../mock-server/domain/call-transitions.ts';
import { StoreFileError } from '../mock-server/store/file-persistence.ts';
import { SNAPSHOT_FORMAT } from '../mock-server/store/records.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { inboundCall, loadScript, message, startMock, type Harness } from './support/mock-harness.ts';

const dataFile = () => join(mkdtempSync(join(tmpdir(), 'scv-store-')), 'store.json');
const running: Harness[] = [];
const start = async (file: string, extra: Parameters<typeof startMock>[0] = {}) => {
  const mock = await startMock({ dataFile: file, ...extra });
  running.push(mock);
  return mock;
};
afterEach(async () => {
  for (const mock of running.splice(0)) await mock.server.close().catch(() => undefined);
});

async function runSeed(mock: Harness): Promise<void> {
  for (const step of loadScript('voicemail-seed').steps)
    await mock.call(step.method, step.path, step.body).expect(step.expect.status);
}

describe('the file store across restarts', () => {
  it('a restarted server sees the calls, transcripts, recording and routing the previous one stored', async () => {
    const file = dataFile();
    const first = await start(file);
    await runSeed(first);
    await first.post('/voiceCalls', inboundCall('still-open')).expect(201);
    await first.patch('/voiceCalls/still-open/omniFlow', { dialedNumber: '999999999' }).expect(200);
    const before = first.server.store.counts();
    await first.server.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: SNAPSHOT_FORMAT });

    const second = await start(file);
    expect(second.server.store.counts()).toEqual(before);
    const tenant = second.tenant.key;
    const seedCall = findCall(second.server.store, tenant, '5324881f-1e84-4367-8930-f69a74b30fff')!;
    expect(seedCall).toMatchObject({ disposition: 'completed', callOrigin: 'Voicemail' });
    expect(second.server.store.recordingOf(tenant, seedCall.id)?.durationInSeconds).toBe(61);
    // Rules see the restored state: the open call's live routing is still pending, the seed's call closed.
    await second.patch('/voiceCalls/still-open', { isActiveCall: true, callOrigin: 'Voicemail' }).expect(409);
    const late = await second
      .post('/voiceCalls/5324881f-1e84-4367-8930-f69a74b30fff/messages', message('late'))
      .expect(202);
    expect(late.headers['scv-mock-warnings']).toBe('TRANSCRIPT_CONVERSATION_CLOSED');
    expect(second.server.store.counts().transcripts).toBe(before.transcripts);
    await second.patch('/voiceCalls/still-open/clearRouting').expect(200);
  });

  it('replays the write-ahead log when the previous process never closed the store', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('crash-1')).expect(201);
    await first.post('/voiceCalls/crash-1/messages', message('m1')).expect(202);
    // No close(): as after a kill, only the log holds the writes.
    expect(existsSync(file)).toBe(false);
    expect(statSync(`${file}.wal`).size).toBeGreaterThan(0);
    running.splice(0);

    const second = await start(file);
    const call = findCall(second.server.store, second.tenant.key, 'crash-1')!;
    expect(call).toBeDefined();
    expect(second.server.store.transcriptsOf(second.tenant.key, call.conversationId)).toHaveLength(1);
  });

  it('replays log lines written in one turn, text that is not ASCII included, exactly as they were sent', async () => {
    const file = dataFile();
    const first = await start(file);
    const keys = ['zoë-1', '電話-2', 'call-📞-3'];
    // Sent together, so their lines go out in one write.
    await Promise.all(keys.map((key) => first.post('/voiceCalls', inboundCall(key)).expect(201)));
    // About 90 KB in UTF-8, three bytes a character.
    const content = `Grüße, 電話 📞 ${'電'.repeat(30_000)}`;
    await first.post(`/voiceCalls/${encodeURIComponent(keys[1]!)}/messages`, message('m1', { content })).expect(202);
    running.splice(0);

    const second = await start(file);
    for (const key of keys) expect(findCall(second.server.store, second.tenant.key, key)?.vendorCallKey).toBe(key);
    const call = findCall(second.server.store, second.tenant.key, keys[1]!)!;
    expect(second.server.store.transcriptsOf(second.tenant.key, call.conversationId).map((t) => t.content)).toEqual([
      content,
    ]);
    // Every line ends in a newline, and the log holds the text as UTF-8.
    const log = readFileSync(`${file}.wal`, 'utf8');
    expect(log.endsWith('\n')).toBe(true);
    expect(log).toContain('電話-2');
  });

  it('writes a turn of megabytes in one batch, and every write after it, whole', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('big')).expect(201);
    // Three messages of 400–600 KB in UTF-8 (two, three and four bytes a character) in one turn: their
    // lines go out in one write of about 1.4 MB.
    const contents = ['電', 'é', '📞'].map((char, i) => `${i}:${char.repeat(char.length === 2 ? 100_000 : 200_000)}`);
    await Promise.all(
      contents.map((content, i) => first.post('/voiceCalls/big/messages', message(`m${i}`, { content })).expect(202)),
    );
    // Then small writes, each on a line of its own.
    await first.post('/voiceCalls', inboundCall('after-1')).expect(201);
    await first.post('/voiceCalls', inboundCall('after-2')).expect(201);
    running.splice(0);

    const second = await start(file);
    const call = findCall(second.server.store, second.tenant.key, 'big')!;
    const stored = second.server.store.transcriptsOf(second.tenant.key, call.conversationId).map((t) => t.content);
    expect([...stored].sort()).toEqual([...contents].sort());
    for (const key of ['after-1', 'after-2']) {
      expect(findCall(second.server.store, second.tenant.key, key)?.vendorCallKey).toBe(key);
    }
  });

  it('logs each batch as the JSON of its mutations, and a fold writes each record as its JSON', async () => {
    const file = dataFile();
    const store = await openStore({ file });
    const first = createCallForUpdate({ ...CALL_FACTS, vendorCallKey: 'logged "as text" é' }, store.ids);
    const created = [
      { op: 'put', collection: 'calls', record: first.call },
      { op: 'put', collection: 'conversations', record: first.conversation },
    ] as const;
    await store.transact(CALL_FACTS.tenant, () => ({ mutations: created, result: null }));
    const ended = { ...first.call, disposition: 'completed' as const, endTime: '2024-05-01T10:05:00.000Z' };
    await store.transact(CALL_FACTS.tenant, () => ({
      mutations: [{ op: 'put', collection: 'calls', record: ended }],
      result: null,
    }));
    const lines = readFileSync(`${file}.wal`, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as { m: unknown[] }).map((batch) => batch.m.slice(0, 2))).toEqual([
      created,
      [{ op: 'put', collection: 'calls', record: ended }],
    ]);
    await store.close();
    // The conversation, never changed, is written to the snapshot as the log had it.
    expect(readFileSync(file, 'utf8')).toContain(JSON.stringify(first.conversation));
    const reopened = await openStore({ file });
    expect(reopened.getCall(CALL_FACTS.tenant, first.call.id)).toEqual(ended);
    expect(reopened.conversationsOf(CALL_FACTS.tenant)).toEqual([first.conversation]);
    await reopened.close();
  });

  it('ids continue after a restart instead of repeating (same seed)', async () => {
    const file = dataFile();
    const first = await start(file, { seed: 'fixed' });
    const a = (await first.post('/voiceCalls', inboundCall('a')).expect(201)).body.voiceCallId as string;
    await first.server.close();
    const second = await start(file, { seed: 'fixed' });
    const b = (await second.post('/voiceCalls', inboundCall('b')).expect(201)).body.voiceCallId as string;
    expect(b).not.toBe(a);

    // The same seed and requests on a fresh store give the same ids.
    const fresh = await start(dataFile(), { seed: 'fixed' });
    expect((await fresh.post('/voiceCalls', inboundCall('a')).expect(201)).body.voiceCallId).toBe(a);
  });

  it('writes its snapshot on close only when something was logged since, or the file is not its own writing', async () => {
    const file = dataFile();
    const store = await openStore({ file });
    const call = createCallForUpdate({ ...CALL_FACTS, vendorCallKey: 'kept' }, store.ids);
    await store.transact(CALL_FACTS.tenant, () => ({
      mutations: [
        { op: 'put', collection: 'calls', record: call.call },
        { op: 'put', collection: 'conversations', record: call.conversation },
      ],
      result: null,
    }));
    await store.close();
    const written = statSync(file);
    // Opened and closed with nothing logged: the same file, not a new one renamed over it.
    await (await openStore({ file })).close();
    expect(statSync(file).ino).toBe(written.ino);
    // Pretty-printed by hand: no digest, so the store writes its own layout back on close.
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    const edited = statSync(file).ino;
    const reopened = await openStore({ file });
    expect(reopened.getCall(CALL_FACTS.tenant, call.call.id)?.vendorCallKey).toBe('kept');
    await reopened.close();
    expect(statSync(file).ino).not.toBe(edited);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/"sha256":"[0-9a-f]{64}"/);
  });

  it("folds the log into the snapshot once it grows past the limit (or the snapshot's size), and still restarts", async () => {
    const file = dataFile();
    const first = await start(file, { compactAfterBytes: 4096 });
    for (let i = 0; i < 30; i++) await first.post('/voiceCalls', inboundCall(`bulk-${i}`)).expect(201);
    // Compaction runs in the background after the write that crossed the limit.
    await vi.waitFor(() => expect(existsSync(file)).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(existsSync(`${file}.wal.compacting`)).toBe(false), { timeout: 5000 });
    // The log is folded in once it reaches the limit or the snapshot's size, whichever is larger.
    expect(statSync(`${file}.wal`).size).toBeLessThan(Math.max(4096, statSync(file).size) + 2048);
    running.splice(0); // not closed: snapshot + log tail must add up

    const second = await start(file);
    expect(second.server.store.counts().calls).toBe(30);
  });

  it('folds the log as soon as most of it describes records that are gone (a reset), not before', async () => {
    const file = dataFile();
    // 256 KB: the limit is far off, and a log of 16 KB or more may be folded early.
    const first = await start(file, { compactAfterBytes: 256 * 1024 });
    for (let i = 0; i < 40; i++) await first.post('/voiceCalls', inboundCall(`gone-${i}`)).expect(201);
    const logged = statSync(`${file}.wal`).size;
    expect(logged).toBeGreaterThan(16 * 1024);
    // The log is about the size of the live records: no fold yet.
    expect(existsSync(file)).toBe(false);

    await first.server.store.resetTenant(first.tenant.key);
    await vi.waitFor(() => expect(existsSync(file)).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(existsSync(`${file}.wal.compacting`)).toBe(false), { timeout: 5000 });
    expect(statSync(`${file}.wal`).size).toBeLessThan(logged / 8);
    await first.post('/voiceCalls', inboundCall('after-reset')).expect(201);
    running.splice(0); // not closed: snapshot + log tail must add up

    const second = await start(file);
    expect(second.server.store.counts().calls).toBe(1);
    expect(findCall(second.server.store, second.tenant.key, 'after-reset')).toBeDefined();
  });
});

describe('group commit', () => {
  it('writes commits made in the same turn as a close or a compaction instead of refusing them', async () => {
    const file = dataFile();
    const store = await openStore({ file, seed: 'same-turn' });
    // Each is queued for the next turn of the event loop; the close comes first.
    const writes = [commitCall(store, 'one'), commitCall(store, 'two')];
    const closed = store.close();
    await Promise.all([...writes, closed]);
    const reopened = await openStore({ file });
    expect(reopened.counts().calls).toBe(2);
    expect(reopened.legsByVendorKey('t', 'two')).toHaveLength(1);
    await reopened.close();
  });

  it('in memory, applies a commit at once and settles the commits of one turn together, after it', async () => {
    const store = await openStore({ seed: 'memory-turn', settleCommitsAfterTurn: true });
    const settled: string[] = [];
    const writes = ['one', 'two'].map((key) => commitCall(store, key).then(() => settled.push(key)));
    // Applied before either settles: a read right after the commit sees it.
    expect(store.legsByVendorKey('t', 'two')).toHaveLength(1);
    // Not settled within the turn, however many microtasks it runs.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(settled).toEqual([]);
    await Promise.all(writes);
    expect(settled).toEqual(['one', 'two']);
    await store.close();
  });
});

describe('compaction under load', () => {
  it('loses nothing when requests keep committing while the log is folded in, again and again', async () => {
    const file = dataFile();
    const first = await start(file, { compactAfterBytes: 2048 });
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => first.post('/voiceCalls', inboundCall(`busy-${i}`))),
    );
    expect(responses.filter((r) => r.status !== 201)).toEqual([]);
    await first.server.close();
    const second = await start(file);
    expect(second.server.store.counts().calls).toBe(200);
  });

  it('finishes a compaction that a crash interrupted, without losing the renamed log', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('before-crash')).expect(201);
    running.splice(0);
    // As if a crash hit after the log was renamed aside and before the snapshot was written.
    renameSync(`${file}.wal`, `${file}.wal.compacting`);

    const second = await start(file);
    expect(existsSync(`${file}.wal.compacting`)).toBe(false);
    expect(existsSync(file)).toBe(true);
    await second.post('/voiceCalls', inboundCall('after-restart')).expect(201);
    running.splice(0);

    const third = await start(file);
    const tenant = third.tenant.key;
    expect(findCall(third.server.store, tenant, 'before-crash')).toBeDefined();
    expect(findCall(third.server.store, tenant, 'after-restart')).toBeDefined();
  });
});

/**
 * Writes after a restart must not land on the end of a repaired line: a write, a kill and one more
 * start, and the earlier call and the new one are both read back.
 */
async function expectLaterWriteReadBack(file: string, restarted: Harness, earlierKey: string): Promise<void> {
  await restarted.post('/voiceCalls', inboundCall('after-restart')).expect(201);
  running.splice(0); // killed again, not closed
  const next = await start(file);
  expect(next.server.store.droppedAtLoad).toBe(0);
  expect(findCall(next.server.store, next.tenant.key, earlierKey)).toBeDefined();
  expect(findCall(next.server.store, next.tenant.key, 'after-restart')).toBeDefined();
}

describe('damaged store files', () => {
  it('skips a last log line cut short by a crash (never acknowledged) and keeps the rest', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('kept')).expect(201);
    running.splice(0);
    appendFileSync(`${file}.wal`, '{"seq":99,"m":[{"op":"put","coll');

    const second = await start(file);
    expect(second.server.store.droppedAtLoad).toBe(1);
    expect(findCall(second.server.store, second.tenant.key, 'kept')).toBeDefined();

    await expectLaterWriteReadBack(file, second, 'kept');
  });

  it('keeps a last log line whose newline was never written, and starts the next write on a line of its own', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('whole')).expect(201);
    running.splice(0);
    truncateSync(`${file}.wal`, statSync(`${file}.wal`).size - 1);

    const second = await start(file);
    expect(findCall(second.server.store, second.tenant.key, 'whole')).toBeDefined();
    await expectLaterWriteReadBack(file, second, 'whole');
  });

  it('refuses to start on a snapshot that is not JSON, naming the file and what to do', async () => {
    const file = dataFile();
    writeFileSync(file, '{"format": "scv-telephony-mock/store@1", "calls": [');
    const error = await openStore({ file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/--move-corrupt-store/);
  });

  it('refuses a log or snapshot line that is JSON but not what the store writes, naming the file and the line', async () => {
    // A good store to spoil: one call, its log folded into the snapshot.
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('shaped')).expect(201);
    await first.server.close();
    running.splice(0);

    // A log line of the right frame whose change is not a record (it crashed the start with a TypeError).
    writeFileSync(
      `${file}.wal`,
      `${JSON.stringify({ seq: 99, m: [{ op: 'put', collection: 'calls', record: null }] })}\n`,
    );
    let error = await openStore({ file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toMatch(
      /store\.json\.wal: line 1 holds a change of the wrong shape: a calls record must be an object, not null\..*--move-corrupt-store/,
    );
    writeFileSync(
      `${file}.wal`,
      `${JSON.stringify({ seq: 99, m: [{ op: 'put', collection: 'calls', record: { id: 'x' } }] })}\n`,
    );
    error = await openStore({ file }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'a calls record without tenant, vendorCallKey, conversationId, callCenterApiName as text',
    );
    rmSync(`${file}.wal`);

    // A snapshot record of the wrong shape (it was reported as "not valid JSON").
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('"vendorCallKey":"shaped"'));
    lines[at] = `{"id":"0LQSM0000000001AAA","tenant":7}${lines[at]!.endsWith(',') ? ',' : ''}`;
    writeFileSync(file, lines.join('\n'));
    error = await openStore({ file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain(
      `line ${at + 1} holds a record of the wrong shape: a calls record without tenant`,
    );
    expect((error as Error).message).not.toContain('not valid JSON');
  });

  it('reads a snapshot of another JSON layout (pretty-printed, edited by hand) through lowdb', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('pretty')).expect(201);
    await first.server.close();
    running.splice(0);
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    const second = await start(file);
    expect(findCall(second.server.store, second.tenant.key, 'pretty')).toBeDefined();
  });

  it('reads calls an older version wrote (ended and ownerQueueId) as endedBy and ownerId', async () => {
    const file = dataFile();
    const first = await start(file);
    await first.post('/voiceCalls', inboundCall('old-open')).expect(201);
    await first.post('/voiceCalls', inboundCall('old-closed')).expect(201);
    await first.patch('/voiceCalls/old-closed', {}).expect(200);
    await first.server.close();
    running.splice(0);
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { calls: Array<Record<string, unknown>> };
    for (const call of snapshot.calls) {
      call.ended = call.endedBy !== null;
      call.ownerQueueId = call.vendorCallKey === 'old-open' ? '00GSM00000000012AA' : null;
      delete call.endedBy;
      delete call.ownerId;
    }
    writeFileSync(file, JSON.stringify(snapshot, null, 2));
    const second = await start(file);
    const open = findCall(second.server.store, second.tenant.key, 'old-open')!;
    const closed = findCall(second.server.store, second.tenant.key, 'old-closed')!;
    expect(open).toMatchObject({ endedBy: null, ownerId: '00GSM00000000012AA' });
    expect(closed).toMatchObject({ endedBy: 'update', ownerId: null });
    expect('ended' in open || 'ownerQueueId' in open).toBe(false);
  });

  it('refuses a snapshot cut short, naming the file', async () => {
    const file = dataFile();
    const first = await start(file);
    for (let i = 0; i < 3; i++) await first.post('/voiceCalls', inboundCall(`t${i}`)).expect(201);
    await first.server.close();
    running.splice(0);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.indexOf('"conversations"')));
    await expect(openStore({ file })).rejects.toThrow(/store\.json: is not valid JSON \(the file ends early/);
  });

  it('refuses a JSON file that is not a store', async () => {
    const file = dataFile();
    writeFileSync(file, JSON.stringify({ posts: [] }));
    await expect(openStore({ file })).rejects.toThrow(/not a scv-telephony-mock store/);
  });

  it('refuses a log with a damaged line in the middle', async () => {
    const file = dataFile();
    writeFileSync(`${file}.wal`, '{"seq":1,"m":[]}\nnot json\n{"seq":2,"m":[]}\n');
    await expect(openStore({ file })).rejects.toThrow(/line 2 is not valid JSON/);
  });
});
