/**
 * The mock's clock: freeze, set, advance and reset it (the pure clock, POST /__admin/clock and the
 * harness), and what follows it: token expiry, record timestamps, the transcript window of a call that
 * starts at the mock's now; with a seed and a frozen clock two runs answer byte for byte the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockStateSchema } from '../contracts/admin-schemas.ts';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { durationMs, MockClock } from '../mock-server/time/mock-clock.ts';
import { loadScript } from './support/mock-harness.ts';
import { readmeBlock } from './support/readme-blocks.ts';

describe('MockClock', () => {
  it('runs at an offset from the machine, freezes, jumps, advances and resets', () => {
    let machine = Date.parse('2026-11-30T12:00:00Z');
    const clock = new MockClock(() => machine);
    expect(clock.state()).toEqual({ now: '2026-11-30T12:00:00.000Z', frozen: false, offsetMs: 0 });
    clock.apply({ advance: '5h' });
    machine += 1000;
    expect(clock.now().toISOString()).toBe('2026-11-30T17:00:01.000Z');
    clock.apply({ set: '2030-01-01T00:00:00Z', freeze: true });
    machine += 60_000;
    expect(clock.state()).toMatchObject({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    clock.apply({ advance: 1500 });
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:01.500Z');
    clock.apply({ freeze: false });
    machine += 2000;
    expect(clock.state()).toMatchObject({ now: '2030-01-01T00:00:03.500Z', frozen: false });
    clock.apply({ reset: true });
    expect(clock.state()).toEqual({ now: new Date(machine).toISOString(), frozen: false, offsetMs: 0 });
  });

  it('freezes exactly at the instant it is set to, however the machine clock moves meanwhile', () => {
    let machine = 0;
    const clock = new MockClock(() => (machine += 1));
    expect(clock.apply({ set: '2030-01-01T00:00:00Z', freeze: true }).now).toBe('2030-01-01T00:00:00.000Z');
  });

  it('reads durations in ms, s, m, h and d', () => {
    expect(['500ms', '90s', '15m', '5h', '2d', 42].map(durationMs)).toEqual([
      500, 90_000, 900_000, 18_000_000, 172_800_000, 42,
    ]);
  });
});

describe('the clock of a running mock', () => {
  let mock: RunningMockServer;
  beforeAll(async () => {
    mock = await startMockServer();
  });
  afterAll(() => mock.close());
  const clockApi = (body?: unknown) =>
    fetch(`${mock.rootUrl}/__admin/clock`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('is read and moved over HTTP without a token, and refuses what it cannot do', async () => {
    const set = await clockApi({ set: '2030-01-01T00:00:00Z', freeze: true });
    expect(clockStateSchema.parse(await set.json())).toMatchObject({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    expect(await (await clockApi({ advance: '90s' })).json()).toMatchObject({ now: '2030-01-01T00:01:30.000Z' });
    expect(await (await clockApi()).json()).toMatchObject({ now: '2030-01-01T00:01:30.000Z', frozen: true });
    for (const [body, says] of [
      [{ set: '2030-01-01T00:00:00Z', advance: '1h' }, 'give set or advance, not both'],
      [{ reset: true, freeze: true }, 'reset goes alone'],
      [{ advance: '5 hours' }, 'advance'],
    ] as const) {
      const refused = await clockApi(body);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(errorResponseSchema.parse(await refused.json()))).toContain(says);
    }
    expect(await (await clockApi({ reset: true })).json()).toMatchObject({ frozen: false });
  });

  it('expires a 4-hour token once advanced 5 hours', async () => {
    mock.clock.reset();
    const token = await mock.token({ ttlSeconds: 4 * 3600 });
    const list = () => fetch(`${mock.rootUrl}/__admin/journal`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await list()).status).toBe(200);
    mock.clock.advance('5h');
    const expired = await list();
    expect(expired.status).toBe(401);
    expect(errorResponseSchema.parse(await expired.json()).errorCode).toBe('AUTH_EXPIRED');
    mock.clock.reset();
    expect((await list()).status).toBe(200);
  });

  it('stamps records with its time, and a call that starts at its now moves the transcript window', async () => {
    mock.clock.freeze('2030-01-01T00:00:00Z');
    const token = await mock.token();
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const made = await fetch(`${mock.rootUrl}/__admin/calls`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        callType: 'Outbound',
        vendorCallKey: 'clock-1',
        from: '+14155550100',
        to: '+14155550199',
      }),
    });
    expect(made.status).toBe(201);
    const [call] = mock.server.store.legsByVendorKey(mock.server.defaultTenant.key, 'clock-1');
    expect(call).toMatchObject({ createdAt: '2030-01-01T00:00:00.000Z', startTime: '2030-01-01T00:00:00.000Z' });
    const message = (messageId: string, at: string) =>
      fetch(`${mock.url}/voiceCalls/clock-1/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          participantId: 'clock-1END_USER',
          messageId,
          startTime: Date.parse(at),
          endTime: Date.parse(at) + 1000,
          content: 'hello',
          senderType: 'END_USER',
        }),
      });
    // Before the call's start (the mock's now when it was made): outside the window, not stored.
    expect((await message('early', '2029-12-31T23:59:00Z')).headers.get('scv-mock-warnings')).toMatch(
      /TRANSCRIPT_OUTSIDE_WINDOW/,
    );
    expect((await message('on-time', '2030-01-01T00:00:05Z')).headers.get('scv-mock-warnings')).toBeNull();
    mock.clock.reset();
  });
});

describe('number reservations and the clock', () => {
  it("hold their 180 s on the mock's clock: the pool is free again once advanced past them", async () => {
    const mock = await startMockServer();
    try {
      mock.clock.freeze();
      const auth = { Authorization: `Bearer ${await mock.token()}`, 'Content-Type': 'application/json' };
      const reserve = () =>
        fetch(`${mock.url}/voiceCalls/reserveRoutableNumber`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            countryCode: 'US',
            fromNumber: '+14155551234',
            context: { toNumber: '+15551234567' },
          }),
        });
      expect((await reserve()).status).toBe(200);
      expect((await reserve()).status).toBe(200);
      const full = await reserve();
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('180');
      mock.clock.advance('181s');
      expect((await reserve()).status).toBe(200);
    } finally {
      await mock.close();
    }
  });
});

describe("the README's clock example", () => {
  it('runs as written: the token is signed at the frozen instant, and the clock ends at the machine time', async () => {
    const mock = await startMockServer();
    try {
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
        ...args: string[]
      ) => (mock: RunningMockServer) => Promise<string>;
      const example = new AsyncFunction('mock', `${readmeBlock('### Controlling time')}\nreturn token;`);
      const token = await example(mock);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number };
      expect(claims.iat).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
      expect(mock.clock.reset()).toMatchObject({ frozen: false, offsetMs: 0 });
    } finally {
      await mock.close();
    }
  });
});

describe('a seed and a frozen clock', () => {
  it('make two runs answer byte for byte the same', async () => {
    const run = async (): Promise<string[]> => {
      const mock = await startMockServer({ seed: 'snapshot' });
      try {
        mock.clock.freeze('2030-06-01T12:00:00Z');
        const token = await mock.token();
        const bodies: string[] = [];
        for (const step of loadScript('voicemail-seed').steps) {
          const answer = await fetch(`${mock.url}${step.path}`, {
            method: step.method,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(step.body),
          });
          bodies.push(`${answer.status} ${await answer.text()}`);
        }
        const state = await fetch(`${mock.rootUrl}/__admin/calls`, { headers: { Authorization: `Bearer ${token}` } });
        bodies.push(await state.text());
        return bodies;
      } finally {
        await mock.close();
      }
    };
    const first = await run();
    expect(first, first.join('\n')).toHaveLength(6);
    expect(first.at(-1)).toContain('2030-06-01T12:00:00.000Z');
    expect(await run()).toEqual(first);
  });
});
