import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMockServer } from '../mock-server/index.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { TurnEnd } from '../mock-server/store/turn-end.ts';
import { commitCall } from './support/call-records.ts';
import { inboundCall } from './support/mock-harness.ts';

describe('TurnEnd', () => {
  it('gives everyone who asks in one turn the same promise, settled after the turn', async () => {
    const end = new TurnEnd();
    const order: string[] = [];
    const first = end.wait();
    expect(end.wait()).toBe(first);
    void first.then(() => order.push('turn ended'));
    await Promise.resolve().then(() => order.push('microtask of the turn'));
    expect(order).toEqual(['microtask of the turn']);
    await first;
    expect(order).toEqual(['microtask of the turn', 'turn ended']);
  });

  it('starts a new turn once the last one has ended', async () => {
    const end = new TurnEnd();
    const first = end.wait();
    await first;
    const second = end.wait();
    expect(second).not.toBe(first);
    await expect(second).resolves.toBeUndefined();
  });
});

/** A create over node:http (its client keeps no timers of its own); resolves to the status. */
function createCall(url: string, token: string, vendorCallKey: string): Promise<number> {
  const body = JSON.stringify(inboundCall(vendorCallKey));
  const target = new URL(`${url}/voiceCalls`);
  return new Promise((resolve, reject) => {
    const sent = request(
      target,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('commits and the turns of the event loop when a test fakes timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settle at once by default (the in-process harness), with setImmediate faked', async () => {
    const store = await openStore({ seed: 'fake-timers' });
    vi.useFakeTimers();
    await expect(commitCall(store, 'at-once')).resolves.toBe('at-once');
  });

  it('settle after the turn on the setImmediate there was when the mock loaded, not on a fake one', async () => {
    const store = await openStore({ seed: 'fake-timers', settleCommitsAfterTurn: true });
    vi.useFakeTimers();
    await expect(commitCall(store, 'after-turn')).resolves.toBe('after-turn');
  });

  it('leave a mock started in process answering writes, and closing, while the suite fakes timers', async () => {
    for (const dataFile of [null, join(mkdtempSync(join(tmpdir(), 'scv-fake-timers-')), 'store.json')]) {
      const mock = await startMockServer(dataFile === null ? {} : { dataFile });
      const token = await mock.token();
      // All of vitest's fakes, setImmediate among them: the mock's own turns go on (time/after-turn.ts).
      vi.useFakeTimers();
      try {
        expect(await createCall(mock.url, token, `fake-timers-${dataFile === null ? 'memory' : 'file'}`)).toBe(201);
      } finally {
        vi.useRealTimers();
        // Its background warm-up was queued on the real setImmediate too: close() does not wait forever.
        await mock.close();
      }
    }
  });
});
