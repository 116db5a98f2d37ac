/**
 * A mock others can reach: the admin token, the refusal to bind beyond loopback without one, key
 * registration from other hosts, and org ids on a shared host (issue 14). Before this, POST /__admin/keys
 * took anyone's key (201) and that key's tokens then read the default tenant's calls, GET /__admin/keys
 * listed org ids to anyone, and --host 0.0.0.0 started without a word.
 */
import { generateKeyPairSync } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import {
  AdminExposureError,
  adminExposureProblem,
  isLoopbackAddress,
  isLoopbackHost,
} from '../mock-server/admin/admin-exposure.ts';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { runCli, startCli, type RunningMock } from './support/cli-process.ts';
import { API, AUTH, DEFAULT_ORG, inboundCall, startMock, type Harness } from './support/mock-harness.ts';

const ADMIN_TOKEN = 'a-long-enough-admin-token-for-tests';
const HEADER = 'Scv-Mock-Admin-Token';
const OTHER_ORG = '00D000000000001';

function freshKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

const codeOf = (body: unknown) => errorResponseSchema.parse(body).errorCode;

let mock: Harness | undefined;
let cli: RunningMock | undefined;
afterEach(async () => {
  await mock?.server.close();
  mock = undefined;
  await cli?.stop();
  cli = undefined;
});

describe('which hosts and addresses are loopback', () => {
  it('names this host only for 127/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.test', '128.0.0.1', '127.0.0.1.example.test'])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:10.0.0.4')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('refuses a shared bind without a token or the explicit opt-out, and a short token', () => {
    expect(adminExposureProblem({ host: '127.0.0.1' })).toBeNull();
    expect(adminExposureProblem({ host: '0.0.0.0' })).toMatch(/--admin-token.*--unsafe-open-admin/s);
    expect(adminExposureProblem({ host: '0.0.0.0', adminToken: ADMIN_TOKEN })).toBeNull();
    expect(adminExposureProblem({ host: '0.0.0.0', unsafeOpenAdmin: true })).toBeNull();
    expect(adminExposureProblem({ host: '127.0.0.1', adminToken: 'short' })).toMatch(/at least 16/);
  });
});

describe('the admin token', () => {
  const ADMIN_ROUTES: Array<[method: 'get' | 'post' | 'delete', path: string]> = [
    ['get', '/__admin/rules'],
    ['get', '/__admin/keys'],
    ['post', '/__admin/keys'],
    ['get', '/__admin/journal'],
    ['get', '/__admin/calls'],
    ['post', '/__admin/calls'],
    ['get', '/__admin/calls/some-key'],
    ['post', '/__admin/reset'],
    ['post', '/__admin/verify'],
    ['get', '/__admin/faults'],
    ['post', '/__admin/faults'],
    ['delete', '/__admin/faults'],
    ['get', '/__admin/clock'],
    ['post', '/__admin/clock'],
    ['get', '/__admin/no-such-route'],
  ];

  it('is needed on every admin route but health: 401 without it, 403 when wrong, even with a valid bearer token', async () => {
    mock = await startMock({ adminToken: ADMIN_TOKEN });
    for (const [method, path] of ADMIN_ROUTES) {
      const missing = await request(mock.server.app)[method](path).set(AUTH);
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(codeOf(missing.body)).toBe('ADMIN_TOKEN_MISSING');
      expect(missing.body.errors[0]).toContain(HEADER);
      const wrong = await request(mock.server.app)[method](path).set(AUTH).set(HEADER, `${ADMIN_TOKEN}x`);
      expect(wrong.status, `${method} ${path}`).toBe(403);
      expect(codeOf(wrong.body)).toBe('ADMIN_TOKEN_INVALID');
    }
    await request(mock.server.app).get('/__admin/health').expect(200);
  });

  it('with it, the admin API answers as before, and the tenant still comes from the bearer token', async () => {
    mock = await startMock({ adminToken: ADMIN_TOKEN });
    await mock.post('/voiceCalls', inboundCall('admin-token-call')).expect(201);
    const calls = await request(mock.server.app).get('/__admin/calls').set(AUTH).set(HEADER, ADMIN_TOKEN).expect(200);
    expect(JSON.stringify(calls.body.conversations)).toContain('admin-token-call');
    // The admin token names no tenant: without a bearer token, a tenant route still answers 401.
    const noTenant = await request(mock.server.app).get('/__admin/calls').set(HEADER, ADMIN_TOKEN);
    expect(noTenant.status).toBe(401);
    expect(codeOf(noTenant.body)).toBe('AUTH_MISSING');
    await request(mock.server.app).get('/__admin/rules').set(HEADER, ADMIN_TOKEN).expect(200);
    // The telephony API never asks for it.
    await mock.post('/voiceCalls', inboundCall('admin-token-call-2')).expect(201);
  });

  it('the start refuses a shared bind without it (createMockServer, for in-process users too)', async () => {
    await expect(startMock({ host: '0.0.0.0' })).rejects.toThrow(AdminExposureError);
  });
});

describe('key registration from another host', () => {
  it('is refused without the admin token, even with --unsafe-open-admin; from this host it works', async () => {
    mock = await startMock({ host: '0.0.0.0', unsafeOpenAdmin: true });
    const { guardKeyRequestFrom } = keyGuardProbe(mock);
    const remote = await guardKeyRequestFrom('10.1.2.3');
    expect(remote.status).toBe(403);
    expect(codeOf(remote.body)).toBe('ADMIN_LOCAL_ONLY');
    expect(remote.body.errors[0]).toMatch(/--admin-token/);
    // supertest connects over loopback.
    const local = await request(mock.server.app)
      .post('/__admin/keys')
      .send({ callCenterApiName: 'MyContactCenter', publicKey: freshKeyPair().publicKey });
    expect(local.status).toBe(201);
  });
});

/**
 * Sends POST /__admin/keys through the mock's listener with a socket whose peer address is `address`, as a
 * connection from another host would have: loopback is all a test machine can be sure to have.
 */
function keyGuardProbe(harness: Harness) {
  return {
    guardKeyRequestFrom: (address: string) =>
      new Promise<{ status: number; body: { errors: string[]; errorCode: string } }>((resolve) => {
        const socket = new Socket();
        Object.defineProperty(socket, 'remoteAddress', { value: address });
        const req = new IncomingMessage(socket);
        req.method = 'POST';
        req.url = '/__admin/keys';
        req.headers = { 'content-type': 'application/json' };
        const res = new ServerResponse(req);
        const sink = new PassThrough();
        const chunks: Buffer[] = [];
        sink.on('data', (c: Buffer) => chunks.push(c));
        res.assignSocket(sink as unknown as Socket);
        res.on('finish', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const body = text.slice(text.indexOf('\r\n\r\n') + 4);
          resolve({ status: res.statusCode, body: JSON.parse(body) as { errors: string[]; errorCode: string } });
        });
        harness.server.app(req, res);
        req.push(JSON.stringify({ callCenterApiName: 'MyContactCenter', publicKey: freshKeyPair().publicKey }));
        req.push(null);
      }),
  };
}

describe('org ids on a shared host', () => {
  it('locally, the demo key signs for any org id, each its own tenant (the fixture says so)', async () => {
    mock = await startMock();
    const other = await mock.as('MyContactCenter', OTHER_ORG);
    await other.post('/voiceCalls', inboundCall('any-org')).expect(201);
  });

  it('shared, the demo key signs only for the simulated org; another org needs a key registered for its org id', async () => {
    mock = await startMock({ host: '0.0.0.0', adminToken: ADMIN_TOKEN });
    const demoForOther = await mock.as('MyContactCenter', OTHER_ORG);
    const refused = await demoForOther.post('/voiceCalls', inboundCall('other-org'));
    expect(refused.status).toBe(401);
    expect(codeOf(refused.body)).toBe('AUTH_UNKNOWN_ORG');
    await mock.post('/voiceCalls', inboundCall('default-org')).expect(201);

    const team = freshKeyPair();
    await request(mock.server.app)
      .post('/__admin/keys')
      .set(HEADER, ADMIN_TOKEN)
      .send({ callCenterApiName: 'MyContactCenter', publicKey: team.publicKey, orgId: OTHER_ORG })
      .expect(201);
    const teamToken = await signToken({
      orgId: OTHER_ORG,
      callCenterApiName: 'MyContactCenter',
      privateKeyPem: team.privateKey,
    });
    await request(mock.server.app)
      .post(`${API}/voiceCalls`)
      .set('Authorization', `Bearer ${teamToken}`)
      .send(inboundCall('team-call'))
      .expect(201);
    // The demo key still cannot sign for that org: its tenant is the team's alone.
    const stillRefused = await (
      await mock.as('MyContactCenter', OTHER_ORG)
    ).post('/voiceCalls', inboundCall('other-org-2'));
    expect(codeOf(stillRefused.body)).toBe('AUTH_BAD_SIGNATURE');
    // The team's key cannot sign for the simulated org.
    const teamAsDefault = await signToken({
      orgId: DEFAULT_ORG,
      callCenterApiName: 'MyContactCenter',
      privateKeyPem: team.privateKey,
    });
    const crossed = await request(mock.server.app)
      .post(`${API}/voiceCalls`)
      .set('Authorization', `Bearer ${teamAsDefault}`)
      .send(inboundCall('crossed'));
    expect(codeOf(crossed.body)).toBe('AUTH_BAD_SIGNATURE');
  });

  it('shared with acceptAnyOrgId, the operator opts back in', async () => {
    mock = await startMock({ host: '0.0.0.0', adminToken: ADMIN_TOKEN, acceptAnyOrgId: true });
    await (await mock.as('MyContactCenter', OTHER_ORG)).post('/voiceCalls', inboundCall('opted-in')).expect(201);
  });
});

describe('keys are validated and counted', () => {
  it('refuses an EC key (it cannot check RS256), saying why', async () => {
    mock = await startMock();
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const res = await request(mock.server.app)
      .post('/__admin/keys')
      .send({ callCenterApiName: 'MyContactCenter', publicKey: ec.publicKey });
    expect(res.status).toBe(400);
    expect(codeOf(res.body)).toBe('INVALID_KEY');
    expect(res.body.errors[0]).toMatch(/ec \(prime256v1\).*RS256/);
  });

  it('refuses a key past --max-keys with 429 TOO_MANY_KEYS; the same key again is not a new one', async () => {
    mock = await startMock({ maxKeys: 2 });
    const register = (publicKey: string) =>
      request(mock!.server.app).post('/__admin/keys').send({ callCenterApiName: 'MyContactCenter', publicKey });
    const first = freshKeyPair().publicKey;
    await register(first).expect(201);
    await register(freshKeyPair().publicKey).expect(201);
    await register(first).expect(201);
    const third = await register(freshKeyPair().publicKey);
    expect(third.status).toBe(429);
    expect(codeOf(third.body)).toBe('TOO_MANY_KEYS');
    expect(third.body.errors[0]).toMatch(/--max-keys 2/);
  });
});

describe('scv-mock start on a shared host (a real process)', () => {
  it('refuses --host 0.0.0.0 without --admin-token or --unsafe-open-admin, and says which to give', async () => {
    const result = await runCli(['start', '--in-memory', '--port', '0', '--host', '0.0.0.0']);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/--admin-token TOKEN .*--unsafe-open-admin/s);
  });

  it('an address this machine does not have is a clear message, not a stack trace', async () => {
    const result = await runCli([
      'start',
      '--in-memory',
      '--port',
      '0',
      '--host',
      '198.51.100.7',
      '--admin-token',
      ADMIN_TOKEN,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/198\.51\.100\.7 is not an address of this machine/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('with --admin-token: the banner says what is shared, and admin requests need the token', async () => {
    cli = await startCli(['--in-memory', '--host', '0.0.0.0', '--admin-token', ADMIN_TOKEN]);
    expect(cli.output()).toMatch(/SHARED: +listening on 0\.0\.0\.0/);
    expect(cli.output()).toMatch(/admin: .*needs the Scv-Mock-Admin-Token header/);
    const port = new URL(cli.baseUrl).port;
    const url = `http://127.0.0.1:${port}`;
    const keys = await fetch(`${url}/__admin/keys`);
    expect(keys.status).toBe(401);
    const registered = await fetch(`${url}/__admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callCenterApiName: 'MyContactCenter', publicKey: freshKeyPair().publicKey }),
    });
    expect(registered.status).toBe(401);
    const allowed = await fetch(`${url}/__admin/keys`, { headers: { [HEADER]: ADMIN_TOKEN } });
    expect(allowed.status).toBe(200);
    expect((await fetch(`${url}/__admin/health`)).status).toBe(200);
    // scv-mock verify says how to give the token, and sends it from SCV_MOCK_ADMIN_TOKEN.
    const without = await runCli(['verify', '--scenario', 'voicemail', '--url', url]);
    expect(without.code).toBe(3);
    expect(without.stderr).toMatch(/needs its admin token.*--admin-token or set SCV_MOCK_ADMIN_TOKEN/);
    const withToken = await runCli(['verify', '--scenario', 'voicemail', '--url', url], undefined, {
      SCV_MOCK_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    expect(withToken.stderr).not.toMatch(/admin token/);
    expect(withToken.stdout).toMatch(/voicemail/);
  });

  it('with --unsafe-open-admin: a loud warning, and a key from another address is refused', async () => {
    cli = await startCli(['--in-memory', '--host', '0.0.0.0', '--unsafe-open-admin']);
    await expect.poll(() => cli!.output()).toMatch(/open to anyone who can reach this port/);
    expect(cli.output()).toMatch(/admin: +OPEN TO ANYONE/);
    const port = new URL(cli.baseUrl).port;
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    // A machine with no address but loopback cannot send from another one; the in-process test covers the rule.
    if (external === undefined) return;
    const res = await fetch(`http://${external.address}:${port}/__admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callCenterApiName: 'MyContactCenter', publicKey: freshKeyPair().publicKey }),
    });
    expect(res.status).toBe(403);
    expect(codeOf(await res.json())).toBe('ADMIN_LOCAL_ONLY');
  });
});
