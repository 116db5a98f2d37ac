/**
 * A hostile client against a real `scv-mock start` on loopback, pushing each thing it can grow (issue 14):
 * connections, slow bodies, tenants, token ids, transcripts and events per call, stored bytes and the
 * journal. Each test waits for a condition with a bound, never for a fixed time, and checks that the
 * process answers health afterwards.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { startCli, type RunningMock } from './support/cli-process.ts';
import { DEFAULT_ORG, inboundCall, message } from './support/mock-harness.ts';

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

/** The process's resident memory in MB, from /proc. */
function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line![1]) / 1024;
}

describe('what a client can store', () => {
  it('stays under its limits while a hostile client pushes tenants, bytes, transcripts, token ids and the journal', async () => {
    cli = await startCli([
      '--in-memory',
      '--quiet',
      '--max-tenants',
      '10',
      '--max-tenant-bytes',
      '2mb',
      '--max-store-bytes',
      '8mb',
      '--max-transcripts-per-call',
      '100',
      '--max-jtis',
      '500',
      '--journal-bytes',
      '4mb',
    ]);
    const api = `${cli.baseUrl}/telephony/v1`;
    const send = async (method: string, path: string, body: unknown, orgId = DEFAULT_ORG, jti?: string) => {
      const token = await signToken({
        orgId,
        callCenterApiName: 'MyContactCenter',
        ...(jti === undefined ? {} : { jti }),
      });
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { errorCode?: string } };
    };
    await send('POST', '/voiceCalls', inboundCall('warm-up')).then((r) => expect(r.status).toBe(201));
    const before = rssMb(cli.pid);
    const statuses = new Map<string, number>();
    const tally = (r: { status: number; body: { errorCode?: string } }) => {
      const key = `${r.status} ${r.body.errorCode ?? ''}`.trim();
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    };

    // Tenants: thirty org ids.
    for (let i = 0; i < 30; i++)
      tally(await send('POST', '/voiceCalls', inboundCall(`t-${i}`), `00D0000000001${String(i).padStart(2, '0')}`));
    expect(statuses.get('429 TOO_MANY_TENANTS')).toBeGreaterThanOrEqual(20);

    // Bytes: 200 creates of 500 KB each (100 MB sent), in the default tenant.
    const attributes = JSON.stringify({ blob: 'x'.repeat(500_000) });
    for (let i = 0; i < 200; i++)
      tally(await send('POST', '/voiceCalls', inboundCall(`big-${i}`, { callAttributes: attributes })));
    expect(statuses.get('429 TENANT_FULL')).toBeGreaterThanOrEqual(190);

    // Transcripts: 150 messages of 20 KB to one call of another tenant.
    const org = '00D000000000100';
    await send('POST', '/voiceCalls', inboundCall('chatty'), org);
    await send('PATCH', '/voiceCalls/chatty', { isActiveCall: true }, org);
    for (let i = 0; i < 150; i++)
      tally(await send('POST', '/voiceCalls/chatty/messages', message(`m${i}`, { content: 'y'.repeat(20_000) }), org));
    expect(statuses.get('429 CALL_FULL')).toBe(50);

    // Token ids: 1,000 tokens with 8 KB jtis.
    for (let i = 0; i < 1000; i++)
      await send('PATCH', '/voiceCalls/warm-up', {}, DEFAULT_ORG, `${i}-${'j'.repeat(8192)}`);

    const after = rssMb(cli.pid);
    // The limits allow 8 MB of records, 4 MB of journal and 500 token ids: far from the 100 MB sent. The
    // margin is the garbage collector's (it frees when it likes), not growth.
    expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`).toBeLessThan(120);
    expect(await healthy(cli.baseUrl)).toBe(true);
  }, 120_000);
});
