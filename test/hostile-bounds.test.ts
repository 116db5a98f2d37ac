/**
 * A hostile client against a real `scv-mock start` on loopback, pushing each thing it can grow (issue 14):
 * connections, slow bodies, tenants, token ids, transcripts and events per call, stored bytes and the
 * journal. Each test waits for a condition with a bound, never for a fixed time, and checks that the
 * process answers health afterwards.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type RunningMock } from './support/cli-process.ts';

let cli: RunningMock | undefined;
afterEach(async () => {
  await cli?.stop();
  cli = undefined;
});

/** Resolves when the socket closes, with what the server wrote before closing. */
function closed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return new Promise((resolve) => socket.on('close', () => resolve(text)));
}

function openSlowRequest(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      // A body that says 1,000 bytes and sends 10: the client that never finishes.
      socket.write(
        'POST /telephony/v1/voiceCalls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"vendorCa',
      );
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/__admin/health`)).status === 200;
  } catch {
    return false;
  }
}

describe('connections', () => {
  it('past --max-connections new ones are closed on arrival, and a slow body gets 408 after --request-timeout', async () => {
    // --auth off: the body is read at once (with auth on, a request without a token is answered before it).
    cli = await startCli([
      '--in-memory',
      '--quiet',
      '--auth',
      'off',
      '--max-connections',
      '20',
      '--request-timeout',
      '2',
    ]);
    const port = Number(new URL(cli.baseUrl).port);
    const sockets = await Promise.all(Array.from({ length: 60 }, () => openSlowRequest(port)));
    const endings = sockets.map(closed);
    // Every connection ends within the bound: the 40 extra ones at once, the 20 accepted ones with a 408.
    const answers = await Promise.race([
      Promise.all(endings),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('connections still open after 20 s')), 20_000),
      ),
    ]);
    const timedOut = answers.filter((text) => text.startsWith('HTTP/1.1 408'));
    const refused = answers.filter((text) => text === '');
    expect(timedOut.length).toBeGreaterThan(0);
    // The documented error shape, as every other error.
    expect(timedOut[0]).toContain('"errorCode":"REQUEST_TIMEOUT"');
    expect(timedOut.length).toBeLessThanOrEqual(20);
    expect(refused.length).toBeGreaterThanOrEqual(40);
    await expect.poll(() => healthy(cli!.baseUrl), { timeout: 10_000 }).toBe(true);
  });

  it('what is not HTTP gets the documented error body, not a bare status line', async () => {
    cli = await startCli(['--in-memory', '--quiet']);
    const socket = connect(Number(new URL(cli.baseUrl).port), '127.0.0.1');
    const answer = closed(socket);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ errorCode: 'INVALID_REQUEST' });
  });
});
