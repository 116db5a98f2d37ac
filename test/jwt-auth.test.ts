/**
 * Real JWT auth: every kind of bad token is refused for its own reason (status, errorCode, message,
 * log), and good tokens from every source a connector uses are accepted: `scv-mock token`, a key made
 * by `scv-mock keygen` and registered at runtime, and tokens signed by jsonwebtoken and jose.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPairSync, sign } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { keyListSchema, registeredKeySchema } from '../contracts/admin-schemas.ts';
import { errorResponseSchema, type ErrorCode } from '../contracts/wire-schemas.ts';
import { generateKeyMaterial } from '../mock-server/auth/keygen.ts';
import { demoPrivateKeyPem, signToken, SCRT_AUDIENCE, type TokenOptions } from '../mock-server/auth/token-signer.ts';
import { createLogger } from '../mock-server/http/logger.ts';
import { DEFAULT_ORG_FILE } from '../mock-server/org/simulated-org.ts';
import type { MockServerOptions } from '../mock-server/server.ts';
import { runCli } from './support/cli-process.ts';
import { API, DEFAULT_ORG, inboundCall, startMock, type Harness } from './support/mock-harness.ts';

const now = () => Math.floor(Date.now() / 1000);
const demoPublicKeyPem = readFileSync(resolve(dirname(DEFAULT_ORG_FILE), 'keys/demo-public-key.pem'), 'utf8');
const base: TokenOptions = { orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter' };

let mock: Harness;
let log: string[];
afterEach(async () => mock?.server.close());

async function start(options: MockServerOptions = {}): Promise<Harness> {
  log = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      log.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  mock = await startMock({ logger: createLogger({ format: 'text', stream }), ...options });
  return mock;
}

/** Creates a call with this Authorization header value. */
const create = (authorization: string | undefined, key = 'auth-call', body: Record<string, unknown> = {}) => {
  const req = request(mock.server.app).post(`${API}/voiceCalls`);
  if (authorization !== undefined) req.set('Authorization', authorization);
  return req.send(inboundCall(key, body));
};

const unsigned = (header: object, payload: object) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;

/** The claims of a valid token, with some replaced. */
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: DEFAULT_ORG,
  sub: 'MyContactCenter',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

/** A token with exactly this header and these claims, signed RS256 with the demo key. */
async function signedWith(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const { createSign } = await import('node:crypto');
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = createSign('sha256').update(input).sign(demoPrivateKeyPem()).toString('base64url');
  return `${input}.${signature}`;
}

const BAD_TOKENS: Array<[string, () => Promise<string | undefined>, number, ErrorCode]> = [
  ['no Authorization header', async () => undefined, 401, 'AUTH_MISSING'],
  ['a Basic header', async () => 'Basic dXNlcjpwYXNz', 401, 'AUTH_NOT_BEARER'],
  ['a token that is not a JWT', async () => 'Bearer not-a-jwt', 401, 'AUTH_MALFORMED'],
  ['a JWT with garbage parts', async () => 'Bearer abc.def.ghi', 401, 'AUTH_MALFORMED'],
  [
    'alg none',
    async () =>
      `Bearer ${unsigned({ alg: 'none', typ: 'JWT' }, { iss: DEFAULT_ORG, sub: 'MyContactCenter', iat: now(), exp: now() + 600 })}`,
    401,
    'AUTH_ALG_NOT_ALLOWED',
  ],
  [
    'HS256 signed with the public key as the secret',
    async () =>
      `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(DEFAULT_ORG).setSubject('MyContactCenter').setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(demoPublicKeyPem))}`,
    401,
    'AUTH_ALG_NOT_ALLOWED',
  ],
  [
    'RS512 with the right key',
    async () =>
      `Bearer ${jsonwebtoken.sign({}, demoPrivateKeyPem(), { algorithm: 'RS512', issuer: DEFAULT_ORG, subject: 'MyContactCenter', expiresIn: '10m' })}`,
    401,
    'AUTH_ALG_NOT_ALLOWED',
  ],
  [
    'a token signed by another key',
    async () => `Bearer ${await signToken({ ...base, privateKeyPem: generateKeyMaterial().privateKeyPem })}`,
    401,
    'AUTH_BAD_SIGNATURE',
  ],
  [
    'an expired token',
    async () => `Bearer ${await signToken({ ...base, issuedAt: now() - 7200, expiresAt: now() - 3600 })}`,
    401,
    'AUTH_EXPIRED',
  ],
  [
    'exp more than 24 h after iat',
    async () => `Bearer ${await signToken({ ...base, issuedAt: now(), expiresAt: now() + 24 * 3600 + 1 })}`,
    401,
    'AUTH_LIFETIME_TOO_LONG',
  ],
  [
    'iat in the future',
    async () => `Bearer ${await signToken({ ...base, issuedAt: now() + 600, expiresAt: now() + 1200 })}`,
    401,
    'AUTH_ISSUED_IN_FUTURE',
  ],
  [
    'a wrong aud',
    async () => `Bearer ${await signToken({ ...base, audience: 'https://login.salesforce.com' })}`,
    401,
    'AUTH_BAD_AUDIENCE',
  ],
  [
    'an iss that is not an org id',
    async () => `Bearer ${await signToken({ ...base, orgId: 'my-company' })}`,
    401,
    'AUTH_UNKNOWN_ORG',
  ],
  [
    'an unknown sub',
    async () => `Bearer ${await signToken({ ...base, callCenterApiName: 'SomeoneElsesCenter' })}`,
    401,
    'AUTH_UNKNOWN_CONTACT_CENTER',
  ],
  [
    'no exp',
    async () =>
      `Bearer ${await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(DEFAULT_ORG)
        .setSubject('MyContactCenter')
        .setIssuedAt()
        .sign((await import('node:crypto')).createPrivateKey(demoPrivateKeyPem()))}`,
    401,
    'AUTH_CLAIM_MISSING',
  ],
  [
    'a crit header (extensions the mock does not understand)',
    async () => `Bearer ${await signedWith({ alg: 'RS256', crit: ['b64'], b64: true }, claims())}`,
    401,
    'AUTH_MALFORMED',
  ],
  [
    'an iat that is text',
    async () => `Bearer ${await signedWith({ alg: 'RS256' }, claims({ iat: '1700000000' }))}`,
    401,
    'AUTH_MALFORMED',
  ],
  [
    'an iat that is null',
    async () => `Bearer ${await signedWith({ alg: 'RS256' }, claims({ iat: null }))}`,
    401,
    'AUTH_MALFORMED',
  ],
  [
    'an nbf that is text',
    async () => `Bearer ${await signedWith({ alg: 'RS256' }, claims({ nbf: 'soon' }))}`,
    401,
    'AUTH_MALFORMED',
  ],
  [
    "sub other than the call's callCenterApiName",
    async () => `Bearer ${await signToken({ ...base, callCenterApiName: 'UnifiedContactCenter' })}`,
    403,
    'AUTH_CONTACT_CENTER_MISMATCH',
  ],
];

describe('bad tokens are refused, each for its own reason', () => {
  it.each(BAD_TOKENS)('%s', async (_label, makeAuthorization, status, errorCode) => {
    await start();
    const authorization = await makeAuthorization();
    const res = await create(authorization);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    const body = errorResponseSchema.parse(res.body);
    expect(body.errorCode).toBe(errorCode);
    expect(body.errors[0]!.length).toBeGreaterThan(30);
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(mock.server.store.counts().calls).toBe(0);
    // The log says the same, and never holds the token.
    expect(log.join('\n')).toContain(`error=${errorCode}`);
    expect(log.join('\n')).toContain(`↳ ${errorCode}: ${body.errors[0]!}`);
    const token = authorization?.split(' ')[1];
    if (token !== undefined && token.length > 20) expect(log.join('\n')).not.toContain(token);
  });

  it('a jti of any JSON type: a number passes its first use and is refused the second time', async () => {
    await start();
    const token = await signedWith({ alg: 'RS256' }, claims({ jti: 421337 }));
    await create(`Bearer ${token}`, 'numeric-jti-1').expect(201);
    const replay = await create(`Bearer ${token}`, 'numeric-jti-2');
    expect(errorResponseSchema.parse(replay.body).errorCode).toBe('AUTH_REPLAYED_JTI');
    // A string "421337" is another jti than the number.
    await create(`Bearer ${await signedWith({ alg: 'RS256' }, claims({ jti: '421337' }))}`, 'numeric-jti-3').expect(
      201,
    );
  });

  it('a jti is remembered through the clock skew after exp: no replay in that minute', async () => {
    let clock = now() * 1000;
    await start({ clock: () => new Date(clock) });
    const exp = Math.floor(clock / 1000) + 30;
    const token = await signedWith({ alg: 'RS256' }, claims({ jti: 'skew-jti', iat: exp - 60, exp }));
    await create(`Bearer ${token}`, 'skew-1').expect(201);
    // 20 s after exp: still accepted by the 60 s skew, so its jti must still count as used.
    clock = (exp + 20) * 1000;
    const replay = await create(`Bearer ${token}`, 'skew-2');
    expect(errorResponseSchema.parse(replay.body).errorCode).toBe('AUTH_REPLAYED_JTI');
  });

  it('a replayed jti: the first use passes, the second is refused', async () => {
    await start();
    const token = await signToken({ ...base, jti: 'b0f5a9a4-8787-11f0-a7ad-736f74082154' });
    await create(`Bearer ${token}`, 'first').expect(201);
    const res = await create(`Bearer ${token}`, 'second');
    expect(res.status).toBe(401);
    expect(errorResponseSchema.parse(res.body).errorCode).toBe('AUTH_REPLAYED_JTI');
    // A fresh jti passes.
    await create(`Bearer ${await signToken({ ...base, jti: true })}`, 'third').expect(201);
  });

  it('an org other than the simulated org, when the fixture does not accept any org id', async () => {
    const org = JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as Record<string, unknown> & {
      contactCenters: Array<{ keys: Array<Record<string, string>> }>;
    };
    org.acceptAnyOrgId = false;
    for (const center of org.contactCenters)
      for (const key of center.keys)
        for (const f of ['certificateFile', 'publicKeyFile'])
          if (key[f]) key[f] = resolve(dirname(DEFAULT_ORG_FILE), key[f]);
    const file = join(mkdtempSync(join(tmpdir(), 'scv-org-')), 'org.json');
    writeFileSync(file, JSON.stringify(org));
    await start({ fixturesFile: file });
    const res = await create(`Bearer ${await signToken({ ...base, orgId: '00D5e000000AbCdEAA' })}`);
    expect(res.status).toBe(401);
    expect(errorResponseSchema.parse(res.body)).toMatchObject({ errorCode: 'AUTH_UNKNOWN_ORG' });
    await create(`Bearer ${await signToken({ ...base, orgId: '00DSM0000000MCK' })}`).expect(201);
  });

  it('allows a small clock skew, configurable', async () => {
    const slightlyAhead = { ...base, issuedAt: now() + 20, expiresAt: now() + 600 };
    await start();
    await create(`Bearer ${await signToken(slightlyAhead)}`, 'skewed').expect(201);
    await mock.server.close();
    await start({ clockSkewSeconds: 0 });
    expect((await create(`Bearer ${await signToken(slightlyAhead)}`)).body.errorCode).toBe('AUTH_ISSUED_IN_FUTURE');
  });
});

describe('good tokens are accepted', () => {
  it('from scv-mock token (the CLI), with --jti and --aud', async () => {
    await start();
    const plain = await runCli(['token']);
    await create(`Bearer ${plain.stdout.trim()}`, 'cli-1').expect(201);
    const withClaims = await runCli(['token', '--jti', '--aud', SCRT_AUDIENCE, '--ttl', '15m']);
    await create(`Bearer ${withClaims.stdout.trim()}`, 'cli-2').expect(201);
    const unified = await runCli(['token', '--call-center', 'UnifiedContactCenter']);
    await create(`Bearer ${unified.stdout.trim()}`, 'cli-3', {
      callCenterApiName: 'UnifiedContactCenter',
      to: '+14155550100',
    }).expect(201);
  });

  it('from scv-mock token with --exp in the past: refused as expired (so expiry can be tested)', async () => {
    await start();
    const expired = await runCli(['token', '--iat', String(now() - 7200), '--exp', String(now() - 3600)]);
    expect((await create(`Bearer ${expired.stdout.trim()}`)).body.errorCode).toBe('AUTH_EXPIRED');
  });

  it('signed by jsonwebtoken the way the demo connector signs (iss, sub, exp; no aud, no kid)', async () => {
    await start();
    const token = jsonwebtoken.sign({}, demoPrivateKeyPem(), {
      issuer: DEFAULT_ORG,
      subject: 'MyContactCenter',
      expiresIn: '4h',
      algorithm: 'RS256',
    });
    await create(`Bearer ${token}`).expect(201);
  });

  it('signed by jose the way the Amazon Connect Lambdas sign (aud, 15-minute lifetime, 18-character org id)', async () => {
    await start();
    const { createPrivateKey } = await import('node:crypto');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer('00DSM0000000MCK2A2')
      .setSubject('MyContactCenter')
      .setAudience(SCRT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(createPrivateKey(demoPrivateKeyPem()));
    await create(`Bearer ${token}`).expect(201);
  });

  it('signed with a key from scv-mock keygen, once it is registered at runtime as a PEM file', async () => {
    await start();
    const dir = mkdtempSync(join(tmpdir(), 'scv-keys-'));
    const made = await runCli(['keygen', '--out', dir]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('"certificateFile"');
    const signed = await runCli(['token', '--key', join(dir, 'private-key.pem')]);
    const authorization = `Bearer ${signed.stdout.trim()}`;
    expect((await create(authorization, 'before')).body.errorCode).toBe('AUTH_BAD_SIGNATURE');

    const registered = await request(mock.server.app)
      .post('/__admin/keys?callCenterApiName=MyContactCenter&name=my-connector')
      .set('Content-Type', 'application/x-pem-file')
      .send(readFileSync(join(dir, 'certificate.pem'), 'utf8'))
      .expect(201);
    expect(registeredKeySchema.parse(registered.body)).toMatchObject({
      name: 'my-connector',
      kind: 'certificate',
      source: 'admin',
      callCenterApiName: 'MyContactCenter',
      modulusLength: 2048,
    });
    await create(authorization, 'after').expect(201);
    // Still only for that contact center.
    const other = await runCli([
      'token',
      '--key',
      join(dir, 'private-key.pem'),
      '--call-center',
      'UnifiedContactCenter',
    ]);
    expect(
      (await create(`Bearer ${other.stdout.trim()}`, 'x', { callCenterApiName: 'UnifiedContactCenter' })).body
        .errorCode,
    ).toBe('AUTH_BAD_SIGNATURE');
  });
});

describe('the instructions scv-mock keygen prints', () => {
  it('work as printed for another org: register at the printed URL, sign with the printed token command', async () => {
    await start();
    const dir = mkdtempSync(join(tmpdir(), 'scv-keys-'));
    const made = await runCli(['keygen', '--out', dir, '--org', '00D000000000001']);
    expect(made.code, made.stderr).toBe(0);
    const registerPath = /curl -X POST 'http:\/\/127\.0\.0\.1:6324(\/__admin\/keys\?[^']+)'/.exec(made.stdout)?.[1];
    expect(registerPath).toBe('/__admin/keys?callCenterApiName=MyContactCenter&orgId=00D000000000001');
    await request(mock.server.app)
      .post(registerPath!)
      .set('Content-Type', 'application/x-pem-file')
      .send(readFileSync(join(dir, 'certificate.pem'), 'utf8'))
      .expect(201);
    const tokenCommand = /scv-mock (token .+)$/m.exec(made.stdout)?.[1];
    expect(tokenCommand).toContain('--org 00D000000000001');
    const signed = await runCli(tokenCommand!.split(' '));
    expect(signed.code, signed.stderr).toBe(0);
    await create(`Bearer ${signed.stdout.trim()}`, 'keygen-org').expect(201);
    expect((await runCli(['keygen', '--out', dir, '--force', '--org', '123'])).code).toBe(2);
  });
});

/** An RSA public key (SPKI PEM) of this size and exponent. */
const rsaPublicKey = (modulusLength: number, publicExponent: number) =>
  generateKeyPairSync('rsa', { modulusLength, publicExponent })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

describe('/__admin/keys', () => {
  it('registers a public key sent as JSON, for one org only when orgId is given', async () => {
    await start();
    const material = generateKeyMaterial();
    const res = await request(mock.server.app)
      .post('/__admin/keys')
      .send({ callCenterApiName: 'MyContactCenter', publicKey: material.publicKeyPem, orgId: '00D000000000001' })
      .expect(201);
    expect(res.body).toMatchObject({ kind: 'publicKey', orgId: '00D000000000001' });
    const token = (orgId: string) =>
      signToken({ orgId, callCenterApiName: 'MyContactCenter', privateKeyPem: material.privateKeyPem });
    await create(`Bearer ${await token('00D000000000001')}`).expect(201);
    expect((await create(`Bearer ${await token('00D000000000002')}`)).body.errorCode).toBe('AUTH_BAD_SIGNATURE');
  });

  it("takes a 1024-bit key (the API 67.0 page allows it) with a warning that the Winter '27 page asks for 2048 or 4096; a 2048-bit key has none", async () => {
    await start();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = (key: typeof small.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();
    const res = await request(mock.server.app)
      .post('/__admin/keys')
      .send({ callCenterApiName: 'MyContactCenter', publicKey: pem(small.publicKey) })
      .expect(201);
    const key = registeredKeySchema.parse(res.body);
    expect(key.modulusLength).toBe(1024);
    expect(key.warnings.join(' ')).toContain('2048 or 4096');
    // jose will not sign with a 1024-bit key, so this token is put together by hand.
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: base.orgId, sub: base.callCenterApiName, iat: now, exp: now + 600 })}`;
    const signature = sign('sha256', Buffer.from(unsigned), small.privateKey).toString('base64url');
    await create(`Bearer ${unsigned}.${signature}`).expect(201);
    const normal = await request(mock.server.app)
      .post('/__admin/keys')
      .send({ callCenterApiName: 'MyContactCenter', publicKey: generateKeyMaterial().publicKeyPem })
      .expect(201);
    expect(registeredKeySchema.parse(normal.body).warnings).toEqual([]);
  });

  it("lists the fixture's keys and the registered ones", async () => {
    await start();
    const list = keyListSchema.parse((await request(mock.server.app).get('/__admin/keys').expect(200)).body);
    expect(list.keys.map((k) => [k.callCenterApiName, k.kind, k.source])).toEqual([
      ['MyContactCenter', 'certificate', 'fixture'],
      ['UnifiedContactCenter', 'publicKey', 'fixture'],
    ]);
    // The demo certificate and public key are the same key: the same id.
    expect(list.keys[0]!.id).toBe(list.keys[1]!.id);
  });

  it.each([
    [
      'a private key',
      () => ({ callCenterApiName: 'MyContactCenter', publicKey: generateKeyMaterial().privateKeyPem }),
      'INVALID_KEY',
      'private key',
    ],
    ['garbage', () => ({ callCenterApiName: 'MyContactCenter', certificate: 'hello' }), 'INVALID_KEY', 'Not a PEM'],
    [
      'an EC key',
      () => ({
        callCenterApiName: 'MyContactCenter',
        publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString(),
      }),
      'INVALID_KEY',
      'RSA key',
    ],
    [
      'an unknown contact center',
      () => ({ callCenterApiName: 'Nope', publicKey: demoPublicKeyPem }),
      'UNKNOWN_CALL_CENTER',
      'Nope',
    ],
    ['no key at all', () => ({ callCenterApiName: 'MyContactCenter' }), 'INVALID_REQUEST', 'publicKey or certificate'],
    [
      // A large exponent makes every signature check slow: a client could block the mock with it.
      'an RSA key whose exponent is not 65537',
      () => ({ callCenterApiName: 'MyContactCenter', publicKey: rsaPublicKey(2048, 3) }),
      'INVALID_KEY',
      'exponent 3',
    ],
    [
      'an RSA key over 4096 bits',
      // Generating one takes seconds: a fixed public key, made once.
      () => ({
        callCenterApiName: 'MyContactCenter',
        publicKey: readFileSync(new URL('./support/keys/rsa-4160-public.pem', import.meta.url), 'utf8'),
      }),
      'INVALID_KEY',
      '4160 bits',
    ],
  ])('refuses %s with a 400 that says why', async (_label, body, errorCode, says) => {
    await start();
    const res = await request(mock.server.app).post('/__admin/keys').send(body()).expect(400);
    const error = errorResponseSchema.parse(res.body);
    expect(error.errorCode).toBe(errorCode);
    expect(error.errors.join(' ')).toContain(says);
  });
});

describe('keys in the org fixture', () => {
  const fixtureWith = (keys: unknown[]) => {
    const org = JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as { contactCenters: Array<{ keys: unknown[] }> };
    org.contactCenters[0]!.keys = keys;
    org.contactCenters[1]!.keys = [];
    const file = join(mkdtempSync(join(tmpdir(), 'scv-org-')), 'org.json');
    writeFileSync(file, JSON.stringify(org));
    return file;
  };

  it('accepts an inline PEM public key', async () => {
    await start({ fixturesFile: fixtureWith([{ publicKey: demoPublicKeyPem }]) });
    await create(`Bearer ${await signToken(base)}`).expect(201);
  });

  it.each([
    [
      'a missing key file',
      [{ certificateFile: 'nowhere.pem' }],
      /contactCenters\[0\]\.keys\[0\]\.certificateFile: cannot read .*nowhere\.pem \(ENOENT\)/,
    ],
    [
      'a private key',
      [{ publicKey: generateKeyMaterial().privateKeyPem }],
      /contactCenters\[0\]\.keys\[0\]: This is a private key/,
    ],
    [
      'two forms in one entry',
      [{ publicKey: demoPublicKeyPem, certificateFile: 'x.pem' }],
      /keys\[0\]: give exactly one of publicKey, certificate, publicKeyFile, certificateFile/,
    ],
  ])('stops the start on %s, naming the entry', async (_label, keys, message) => {
    await expect(startMock({ fixturesFile: fixtureWith(keys) })).rejects.toThrow(message);
  });

  it('says where paths are relative to, and where the demo certificate is, for a copy of the default org', async () => {
    const copied = JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as unknown;
    const file = join(mkdtempSync(join(tmpdir(), 'scv-org-')), 'org.json');
    writeFileSync(file, JSON.stringify(copied));
    const failure = startMock({ fixturesFile: file });
    await expect(failure).rejects.toThrow(`relative to the fixture's folder (${dirname(file)})`);
    await expect(failure).rejects.toThrow(
      `the package's demo material, at ${join(dirname(DEFAULT_ORG_FILE), 'keys', 'demo-certificate.pem')}`,
    );
    await expect(startMock({ fixturesFile: fixtureWith([{ certificateFile: 'nowhere.pem' }]) })).rejects.not.toThrow(
      'demo material',
    );
  });
});

describe('auth off', () => {
  it('needs no token, and the Scv-Mock-Tenant header picks the tenant', async () => {
    await start({ auth: 'off' });
    await request(mock.server.app).post(`${API}/voiceCalls`).send(inboundCall('k')).expect(201);
    const unified = await request(mock.server.app)
      .post(`${API}/voiceCalls`)
      .set('Scv-Mock-Tenant', '00DSM0000000MCK/UnifiedContactCenter')
      .send(inboundCall('k', { callCenterApiName: 'UnifiedContactCenter', to: '+14155550100' }));
    expect(unified.status).toBe(201);
    // Two tenants, so the same vendorCallKey made two calls.
    expect(mock.server.store.counts().calls).toBe(2);
    const bad = await request(mock.server.app)
      .post(`${API}/voiceCalls`)
      .set('Scv-Mock-Tenant', 'acme/MyContactCenter')
      .send(inboundCall('z'));
    expect(bad.status).toBe(400);
    expect(errorResponseSchema.parse(bad.body).errorCode).toBe('INVALID_TENANT');
  });
});
