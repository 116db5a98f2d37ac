/**
 * Fault rules: each action (status, delay, hang, drop, lost answer, broken body), how a rule picks its
 * requests (operation and call facts, after, times, seeded probability), the three ways of setting
 * them (POST /__admin/faults, the harness and --faults FILE), the Prefer header, the journal's record
 * of each fault, and that the verifier judges the connector's retry rather than the request a fault
 * stopped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { faultListSchema, faultRuleSchema } from '../contracts/fault-schemas.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { loadFaultsFile } from '../mock-server/cli/faults-file.ts';
import { runCli, startCli } from './support/cli-process.ts';
import { readmeBlock } from './support/readme-blocks.ts';
import { inboundCall, loadScript } from './support/mock-harness.ts';

let mock: RunningMockServer;
let token: string;
beforeAll(async () => {
  mock = await startMockServer();
  token = await mock.token();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const headers = () => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
const send = (method: string, path: string, body?: unknown, signal?: AbortSignal) =>
  fetch(`${mock.url}${path}`, {
    method,
    headers: headers(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
const create = (key: string, extra: Record<string, unknown> = {}) =>
  send('POST', '/voiceCalls', inboundCall(key, extra));
const stored = (key: string) => mock.server.store.legsByVendorKey(mock.server.defaultTenant.key, key).length;
const lastEntry = () => mock.journal().entries.at(-1)!;
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${mock.rootUrl}/__admin${path}`, {
    method,
    headers: headers(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('a status fault', () => {
  it('answers 503 with Retry-After and the error body, without running the operation; the retry goes through', async () => {
    mock.faults.add({ match: { operation: 'createVoiceCall' }, action: { status: 503, retryAfter: 2 }, times: 1 });
    const first = await create('retry-1');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    const body = errorResponseSchema.parse(await first.json());
    expect(body.errorCode).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors[0]).toMatch(
      /Send the request again after 2 s \(Retry-After\).*Injected by fault rule fault-\d+/,
    );
    expect(stored('retry-1')).toBe(0);
    expect(lastEntry()).toMatchObject({
      response: { status: 503 },
      fault: { kind: 'status', status: 503, applied: false },
    });
    expect((await create('retry-1')).status).toBe(201);
    expect(stored('retry-1')).toBe(1);
  });

  it.each([
    [429, 'RATE_LIMITED', 'retry-after'],
    [500, 'INTERNAL_ERROR', undefined],
    [401, 'AUTH_EXPIRED', 'www-authenticate'],
  ] as const)('answers %i with %s', async (status, errorCode, header) => {
    mock.faults.add({ action: status === 429 ? { status, retryAfter: 1 } : { status }, times: 1 });
    const answer = await create(`status-${status}`);
    expect(answer.status).toBe(status);
    expect(errorResponseSchema.parse(await answer.json()).errorCode).toBe(errorCode);
    if (header !== undefined) expect(answer.headers.get(header)).not.toBeNull();
    expect(stored(`status-${status}`)).toBe(0);
  });

  it('with applyOperation runs the operation and still answers the error: the call exists', async () => {
    mock.faults.add({ action: { status: 500, applyOperation: true }, times: 1 });
    expect((await create('applied-500')).status).toBe(500);
    expect(stored('applied-500')).toBe(1);
    expect(lastEntry().fault).toMatchObject({ kind: 'status', applied: true });
  });
});

describe('a delay', () => {
  it('holds the request, then runs it as usual', async () => {
    mock.faults.add({ action: { delayMs: 300 }, times: 1 });
    const started = performance.now();
    expect((await create('slow-1')).status).toBe(201);
    // Timers never fire early by more than a millisecond's rounding.
    expect(performance.now() - started).toBeGreaterThanOrEqual(299);
    expect(stored('slow-1')).toBe(1);
    expect(lastEntry().fault).toEqual({ id: expect.any(String), kind: 'delay', delayMs: 300, applied: true });
  });

  it('adds jitter drawn from the seed: the same seed, the same delays', async () => {
    const delays = async () => {
      mock.faults.clear();
      mock.faults.add({ action: { delayMs: 1, jitterMs: 40 }, seed: 'jitter', times: 3 });
      for (const n of [1, 2, 3]) await create(`jitter-${n}-${Math.random()}`);
      return mock
        .journal()
        .entries.slice(-3)
        .map((entry) => entry.fault!.delayMs);
    };
    const first = await delays();
    expect(first.every((d) => d! >= 1 && d! <= 41)).toBe(true);
    expect(await delays()).toEqual(first);
  });
});

describe('no answer', () => {
  it('hang: the request waits until the client gives up; nothing runs', async () => {
    mock.faults.add({ action: { hang: true }, times: 1 });
    await expect(send('POST', '/voiceCalls', inboundCall('hung-2'), AbortSignal.timeout(400))).rejects.toThrow(
      /timeout|aborted/i,
    );
    expect(stored('hung-2')).toBe(0);
    expect(lastEntry()).toMatchObject({
      response: { status: null, body: null },
      fault: { kind: 'hang', applied: false },
    });
  });

  it('drop: the connection closes without an answer; nothing runs', async () => {
    mock.faults.add({ action: { drop: true }, times: 1 });
    await expect(create('dropped-1')).rejects.toThrow(/fetch failed/);
    expect(stored('dropped-1')).toBe(0);
    expect(lastEntry()).toMatchObject({ response: { status: null }, fault: { kind: 'drop', applied: false } });
    expect((await create('dropped-1')).status).toBe(201);
  });

  it('lost answer (drop with applyOperation): the write is kept, the client never hears of it', async () => {
    mock.faults.add({
      match: { operation: 'createVoiceCall' },
      action: { drop: true, applyOperation: true },
      times: 1,
    });
    await expect(create('lost-1')).rejects.toThrow(/fetch failed/);
    expect(stored('lost-1')).toBe(1);
    expect(lastEntry().fault).toMatchObject({ kind: 'drop', applied: true });
    // The naive retry now meets the call it does not know it made.
    const retry = await create('lost-1');
    expect(retry.status).toBeLessThan(300);
    expect(retry.headers.get('scv-mock-warnings')).toMatch(/DUPLICATE_VENDOR_CALL_KEY/);
    expect(stored('lost-1')).toBe(1);
  });
});

describe('a broken body', () => {
  it.each(['malformed-json', 'empty'] as const)(
    '%s: the usual status, a body the client cannot parse',
    async (kind) => {
      mock.faults.add({ action: { body: kind }, times: 1 });
      const answer = await create(`broken-${kind}`);
      expect(answer.status).toBe(201);
      await expect(answer.json()).rejects.toThrow(SyntaxError);
      expect(stored(`broken-${kind}`)).toBe(1);
      expect(lastEntry().fault).toMatchObject({ kind: 'body', applied: true });
    },
  );
});

describe('which requests a rule acts on', () => {
  it('by the call: omniFlow of voicemail calls only, from the second such request, once', async () => {
    mock.faults.add({
      match: { operation: 'executeOmniFlow', callOrigin: 'Voicemail' },
      action: { status: 503 },
      after: 1,
      times: 1,
    });
    const omniFlow = (key: string) => send('PATCH', `/voiceCalls/${key}/omniFlow`, { dialedNumber: '999999999' });
    for (const key of ['live-1', 'vm-1', 'vm-2', 'vm-3']) {
      expect((await create(key, key.startsWith('vm') ? { callOrigin: 'Voicemail' } : {})).status).toBe(201);
    }
    expect((await omniFlow('live-1')).status).toBe(200);
    expect((await omniFlow('vm-1')).status).toBe(200);
    expect((await omniFlow('vm-2')).status).toBe(503);
    expect((await omniFlow('vm-3')).status).toBe(200);
    // A spent rule stops counting: vm-3 was not its business any more.
    expect(mock.faults.list()[0]).toMatchObject({ matched: 2, injected: 1, spent: true });
  });

  it("by the call's leg: the transfer leg's requests, not the first leg's", async () => {
    mock.faults.add({ match: { leg: 2 }, action: { status: 503 } });
    const hit: string[] = [];
    for (const step of loadScript('transfer').steps) {
      const answer = await send(step.method, step.path, step.body);
      if (answer.status === 503) hit.push(`${step.method} ${step.path}`);
    }
    // The transfer create, then whatever addresses the second leg by its own key.
    expect(hit[0]).toBe('POST /voiceCalls');
    expect(mock.journal().entries.filter((entry) => entry.fault !== undefined).length).toBe(hit.length);
    expect(
      mock.journal().entries.filter((entry) => entry.fault === undefined && entry.operation === 'createVoiceCall'),
    ).toHaveLength(1);
  });

  it('with a probability drawn from its seed: the same seed picks the same requests', async () => {
    const picks = async () => {
      mock.faults.clear();
      mock.faults.add({
        match: { operation: 'createVoiceCall' },
        action: { status: 503 },
        probability: 0.5,
        seed: 's1',
      });
      const statuses: number[] = [];
      for (let n = 0; n < 12; n++) statuses.push((await create(`p-${n}-${Math.random()}`)).status);
      return statuses;
    };
    const first = await picks();
    expect(first).toContain(503);
    expect(first).toContain(201);
    expect(await picks()).toEqual(first);
  });

  it("acts only on its tenant's requests", async () => {
    mock.faults.add({ action: { status: 503 } });
    const other = await mock.token({ orgId: '00D000000000777' });
    const answer = await fetch(`${mock.url}/voiceCalls`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${other}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(inboundCall('other-tenant-1')),
    });
    expect(answer.status).toBe(201);
  });
});

describe('the verifier and faults', () => {
  const SEED_KEY = '5324881f-1e84-4367-8930-f69a74b30fff';
  const seed = loadScript('voicemail-seed');
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** A connector playing the seed; `onTurnedAway` decides what it does with a 429 or 503 (the retry's body). */
  async function playSeed(onTurnedAway: (body: unknown, retryAfter: number) => Promise<unknown>): Promise<void> {
    for (const step of seed.steps) {
      let answer = await send(step.method, step.path, step.body);
      if (answer.status === 429 || answer.status === 503) {
        const body = await onTurnedAway(step.body, Number(answer.headers.get('retry-after')));
        if (body !== undefined) answer = await send(step.method, step.path, body);
      }
      if (answer.status >= 300 && answer.status !== 429 && answer.status !== 503)
        throw new Error(`${step.path}: ${answer.status}`);
    }
  }
  const problemsOf = () => mock.verify('voicemail', { vendorCallKey: SEED_KEY }).problems;

  it("judges the connector's retry, not the request the fault stopped: a retry after Retry-After passes", async () => {
    mock.faults.add({ match: { operation: 'createTranscript' }, action: { status: 429, retryAfter: 1 }, times: 1 });
    // The connector under test waits what the service asked; the test waits with it.
    await playSeed(async (body, retryAfter) => {
      await wait(retryAfter * 1000);
      return body;
    });
    expect(problemsOf()).toEqual([]);
    expect(mock.journal().entries.filter((e) => e.fault !== undefined)).toHaveLength(1);
  });

  it('fails a retry before Retry-After, a request never sent again, and a retry under a new messageId', async () => {
    mock.faults.add({ match: { operation: 'createTranscript' }, action: { status: 503, retryAfter: 2 }, times: 1 });
    await playSeed(async (body) => body);
    expect(problemsOf()).toEqual([
      expect.objectContaining({
        kind: 'resilience',
        message: expect.stringMatching(/retried POST .*messages \(#\d+\) after \d+ ms, before its Retry-After of 2 s/),
      }),
    ]);

    await mock.reset();
    mock.faults.add({ match: { operation: 'createTranscript' }, action: { status: 503, retryAfter: 1 }, times: 1 });
    await playSeed(async () => undefined);
    const gaveUp = problemsOf();
    expect(gaveUp.map((p) => p.kind)).toContain('resilience');
    expect(gaveUp.find((p) => p.kind === 'resilience')!.message).toMatch(
      /was answered 503 \(fault fault-\d+\) and never sent again\. Send it again after its Retry-After \(1 s\)/,
    );
    // The stopped request's exchange is in the problem, for the CI report.
    expect(gaveUp.find((p) => p.kind === 'resilience')!.exchange).toMatchObject({ status: 503 });

    await mock.reset();
    mock.faults.add({ match: { operation: 'createTranscript' }, action: { status: 429, retryAfter: 0 }, times: 1 });
    await playSeed(async (body) => ({ ...(body as object), messageId: 'renamed' }));
    expect(problemsOf()).toEqual([
      expect.objectContaining({ kind: 'resilience', message: expect.stringContaining('without messageId') }),
    ]);
  });

  it('after a lost answer, fails the same message sent under a new messageId and passes it under its own', async () => {
    const transcriptStep = seed.steps.find((step) => step.path.endsWith('/messages'))!;
    const lose = () =>
      mock.faults.add({
        match: { operation: 'createTranscript' },
        action: { drop: true, applyOperation: true },
        times: 1,
      });
    // The connector does not know the message got through, and sends it again.
    const playLosing = async (retryBody: unknown) => {
      for (const step of seed.steps) {
        try {
          await send(step.method, step.path, step.body);
        } catch {
          if (step === transcriptStep) await send(step.method, step.path, retryBody);
        }
      }
    };
    lose();
    await playLosing({ ...(transcriptStep.body as object), messageId: 'second-id' });
    expect(problemsOf()).toEqual([
      expect.objectContaining({
        kind: 'resilience',
        message: expect.stringMatching(/sent message .* again as second-id, after the answer to .* was lost/),
      }),
    ]);
    await mock.reset();
    lose();
    await playLosing(transcriptStep.body);
    expect(problemsOf()).toEqual([]);
  });
});

describe('a create whose answer was lost', () => {
  const resilience = (key: string) =>
    mock.verify('voicemail', { vendorCallKey: key }).problems.filter((p) => p.kind === 'resilience');
  const loseCreate = () =>
    mock.faults.add({
      match: { operation: 'createVoiceCall' },
      action: { drop: true, applyOperation: true },
      times: 1,
    });

  it('sent again under a new vendorCallKey is a second call: a resilience problem', async () => {
    loseCreate();
    await expect(create('dup-1')).rejects.toThrow(/fetch failed/);
    expect((await create('dup-2')).status).toBe(201);
    expect(resilience('dup-1')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/created the call of POST .* again, as vendorCallKey "dup-2".*two calls now/),
      }),
    ]);
  });

  it('sent again with its own vendorCallKey is the safe retry: no problem', async () => {
    loseCreate();
    await expect(create('dup-3')).rejects.toThrow(/fetch failed/);
    expect((await create('dup-3')).status).toBeLessThan(300);
    expect(resilience('dup-3')).toEqual([]);
  });
});

describe('POST /__admin/faults and the harness', () => {
  it('adds, lists, removes and clears rules over HTTP', async () => {
    const added = await admin('POST', '/faults', {
      name: 'create fails once',
      match: { operation: 'createVoiceCall' },
      action: { status: 503, retryAfter: 2 },
      times: 1,
    });
    expect(added.status).toBe(201);
    const rule = faultRuleSchema.parse(await added.json());
    expect(rule).toMatchObject({ name: 'create fails once', matched: 0, injected: 0, spent: false });
    expect((await create('http-1')).status).toBe(503);
    const listed = faultListSchema.parse(await (await admin('GET', '/faults')).json());
    expect(listed.faults).toEqual([{ ...rule, matched: 1, injected: 1, spent: true }]);
    expect((await admin('DELETE', `/faults/${rule.id}`)).status).toBe(204);
    const missing = await admin('DELETE', `/faults/${rule.id}`);
    expect(missing.status).toBe(404);
    expect(errorResponseSchema.parse(await missing.json()).errors[0]).toMatch(/has no fault rule .*it has none/);
    await admin('POST', '/faults', { action: { delayMs: 5 } });
    await admin('POST', '/faults', { action: { drop: true }, match: { operation: 'clearRouting' } });
    expect(await (await admin('DELETE', '/faults')).json()).toEqual({ tenant: rule.tenant, removed: 2 });
  });

  it('refuses a rule that says two answers, or none, or a Retry-After without 429/503, saying so', async () => {
    for (const [action, says] of [
      [{ status: 503, drop: true }, 'give one of status, hang, drop and body, not status and drop'],
      [{ applyOperation: true }, 'give what the fault does'],
      [{ status: 500, retryAfter: 3 }, 'goes with status 429 or 503'],
      [{ status: 404 }, 'status'],
    ] as const) {
      const answer = await admin('POST', '/faults', { action });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(await answer.json())).toContain(says);
    }
    expect(() => mock.faults.add({ action: {} })).toThrow(/not a fault rule: .*give what the fault does/);
  });

  it('a handle removes its rule; reset() clears them all', async () => {
    const handle = mock.faults.add({ action: { status: 503 } });
    expect((await create('h-1')).status).toBe(503);
    expect(handle.rule).toMatchObject({ matched: 1, injected: 1 });
    expect(handle.remove()).toBe(true);
    expect((await create('h-1')).status).toBe(201);
    mock.faults.add({ action: { status: 503 } });
    await mock.reset();
    expect(mock.faults.list()).toEqual([]);
  });
});

describe('the Prefer header', () => {
  it('is honoured with allowPrefer: a forced status or delay, said in Preference-Applied', async () => {
    const preferring = await startMockServer({ allowPrefer: true });
    try {
      const auth = { Authorization: `Bearer ${await preferring.token()}`, 'Content-Type': 'application/json' };
      const post = (prefer: string, key: string) =>
        fetch(`${preferring.url}/voiceCalls`, {
          method: 'POST',
          headers: { ...auth, Prefer: prefer },
          body: JSON.stringify(inboundCall(key)),
        });
      const forced = await post('code=503', 'prefer-1');
      expect(forced.status).toBe(503);
      expect(forced.headers.get('preference-applied')).toBe('code=503');
      expect(forced.headers.get('retry-after')).toBe('1');
      expect(errorResponseSchema.parse(await forced.json()).errors[0]).toContain(
        "Forced by the request's Prefer header",
      );
      expect(preferring.journal().entries.at(-1)!.fault).toEqual({
        id: 'prefer',
        kind: 'status',
        status: 503,
        retryAfter: 1,
        applied: false,
      });
      const started = performance.now();
      const slow = await post('respond-async, delay=200', 'prefer-2');
      expect(slow.status).toBe(201);
      expect(performance.now() - started).toBeGreaterThanOrEqual(199);
      expect(slow.headers.get('preference-applied')).toBe('delay=200');
      const bad = await post('code=404', 'prefer-3');
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('Prefer code=404: the mock forces 401, 429, 500, 503');
    } finally {
      await preferring.close();
    }
  });

  it('is ignored by default, as the service ignores it', async () => {
    const answer = await fetch(`${mock.url}/voiceCalls`, {
      method: 'POST',
      headers: { ...headers(), Prefer: 'code=503' },
      body: JSON.stringify(inboundCall('not-preferred')),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('preference-applied')).toBeNull();
  });
});

describe('a fault a rule applies to a request that then fails', () => {
  it('records applied: false: the operation ran but kept nothing', async () => {
    mock.faults.add({ match: { operation: 'executeOmniFlow' }, action: { drop: true, applyOperation: true } });
    await expect(send('PATCH', '/voiceCalls/no-such-call/omniFlow', { dialedNumber: '999999999' })).rejects.toThrow(
      /fetch failed/,
    );
    expect(lastEntry().fault).toMatchObject({ kind: 'drop', applied: false });
  });
});

describe('scv-mock start --faults FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scv-faults-'));
  const file = (name: string, faults: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify({ faults }));
    return join(dir, name);
  };

  it('starts with the rules, for the default tenant or the one a rule names', async () => {
    const faults = file('ok.json', [
      {
        name: 'first create fails',
        match: { operation: 'createVoiceCall' },
        action: { status: 503, retryAfter: 1 },
        times: 1,
      },
      { orgId: '00D000000000777', action: { status: 500 } },
    ]);
    const cli = await startCli(['--in-memory', '--faults', faults]);
    try {
      expect(cli.output()).toContain('faults:   2 rule(s) from --faults');
      const token = (await runCli(['token'])).stdout.trim();
      const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const post = () =>
        fetch(`${cli.baseUrl}/telephony/v1/voiceCalls`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify(inboundCall('file-1')),
        });
      expect((await post()).status).toBe(503);
      expect((await post()).status).toBe(201);
      const listed = faultListSchema.parse(
        await (await fetch(`${cli.baseUrl}/__admin/faults`, { headers: auth })).json(),
      );
      expect(listed.faults).toMatchObject([{ name: 'first create fails', spent: true }]);
    } finally {
      await cli.stop();
    }
  });

  it('refuses a bad file with every problem and its path (exit 2), and an unknown contact center (exit 1)', async () => {
    const bad = await runCli([
      'start',
      '--in-memory',
      '--faults',
      file('bad.json', [
        { action: { status: 503, drop: true } },
        { action: { delayMs: 5 }, match: { operation: 'nope' } },
      ]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--faults .*bad\.json is not a faults file/);
    expect(bad.stderr).toContain('faults[0].action: give one of status, hang, drop and body, not status and drop');
    expect(bad.stderr).toMatch(/faults\[1\]\.match\.operation: /);
    const unknown = await runCli([
      'start',
      '--in-memory',
      '--port',
      '0',
      '--faults',
      file('center.json', [{ callCenterApiName: 'NoSuchCenter', action: { status: 500 } }]),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout + unknown.stderr).toContain(
      'faults[0].callCenterApiName: "NoSuchCenter" is not a contact center of the simulated org (known: MyContactCenter, UnifiedContactCenter)',
    );
  });
});

describe("the README's faults file", () => {
  it('is a faults file --faults takes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scv-readme-faults-')), 'faults.json');
    writeFileSync(file, readmeBlock('`--faults FILE` loads rules'));
    expect(loadFaultsFile(file).map((rule) => rule.name ?? rule.orgId)).toEqual([
      'one create in ten',
      '00D000000000777',
    ]);
  });
});

describe('the calls-per-second limit', () => {
  it("refuses an org's creates over the limit in one second with 429 and Retry-After, like a fault", async () => {
    const limited = await startMockServer({ callsPerSecond: 2 });
    try {
      limited.clock.freeze();
      const create = async (key: string, orgId?: string) =>
        fetch(`${limited.url}/voiceCalls`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${await limited.token(orgId === undefined ? {} : { orgId })}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify(inboundCall(key)),
        });
      expect((await create('rate-1')).status).toBe(201);
      expect((await create('rate-2')).status).toBe(201);
      const third = await create('rate-3');
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('1');
      const body = errorResponseSchema.parse(await third.json());
      expect(body.errorCode).toBe('RATE_LIMITED');
      expect(body.errors[0]).toContain('--calls-per-second');
      expect(limited.journal().entries.at(-1)!.fault).toMatchObject({ id: 'rate-limit', status: 429, applied: false });
      // Another org has a limit of its own; the next second lets the first org in again.
      expect((await create('rate-4', '00D000000000778')).status).toBe(201);
      limited.clock.advance('1s');
      expect((await create('rate-3')).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});
