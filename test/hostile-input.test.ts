/**
 * Hostile and malformed input, generated: requests from the spec's schemas and mutations of them
 * (wrong types, missing and extra fields, huge strings, deep nesting, __proto__ and constructor keys,
 * bad UTF-8), with odd methods, paths and headers. Whatever arrives: never a 5xx, always the
 * documented error shape, the server stays up, nothing pollutes Object.prototype, and the stored state
 * still loads. Requests per run: SCV_FUZZ_HTTP_RUNS (default 1500).
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';
import { nearMiss, valid } from './support/schema-arbitrary.ts';
import { requestSchemaOf, specOperations } from './support/spec-schemas.ts';

const RUNS = Number(process.env.SCV_FUZZ_HTTP_RUNS ?? 1500);
const operations = specOperations().filter((op) => !op.path.startsWith('/__admin'));

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(
  url: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const hostileObject = fc.oneof(
  fc.constant('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  fc.constant('{"vendorCallKey":"k","__proto__":{"isActiveCall":true}}'),
  fc.constant(`{"events":${deep(5000)}}`),
  fc.constant(deep(200_000)),
  fc.constant(`{"content":"${'x'.repeat(300_000)}"}`),
  fc.constant('{"a":'.repeat(3000) + '1' + '}'.repeat(3000)),
);

const segment = fc.oneof(
  fc.constantFrom(
    'k1',
    '0LQSM0A5Ewtf6ZR4KY',
    '%ZZ',
    '..',
    '%2e%2e',
    '%00',
    'a%2Fb',
    encodeURIComponent('ü'),
    encodeURIComponent('😀'),
    '%F0%9F',
    'x'.repeat(3000),
    '',
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

const path = fc.oneof(
  fc
    .tuple(fc.constantFrom(...operations.map((op) => op.path)), segment)
    .map(([template, id]) => `/telephony/v1${template.replace(/\{[^}]+\}/g, id)}`),
  fc
    .tuple(
      fc.constantFrom('/telephony/v1/', '/telephony/v1/voiceCalls/', '/__admin/', '/', '/telephony/v2/'),
      segment,
      segment,
    )
    .map(([a, b, c]) => `${a}${b}/${c}`),
);

function bodyFor(template: string): fc.Arbitrary<Buffer | undefined> {
  const op = operations.find((o) => `/telephony/v1${o.path}` === template) ?? operations[0]!;
  const schema = requestSchemaOf(op) ?? { type: 'object' };
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.oneof(valid(schema), nearMiss(schema)).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v))) },
    { weight: 1, arbitrary: hostileObject.map((text) => Buffer.from(text)) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((bytes) =>
          Buffer.concat([Buffer.from('{"content":"'), Buffer.from([0xff, 0xfe, ...bytes]), Buffer.from('"}')]),
        ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

let mock: RunningMockServer;
let token: string;
const file = join(mkdtempSync(join(tmpdir(), 'scv-hostile-')), 'store.json');
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  mock = await startMockServer({ dataFile: file, mode: 'strict' });
  token = await mock.token();
  // A call the generated paths can reach (their ids include k1).
  const created = await fetch(`${mock.url}/voiceCalls`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      callCenterApiName: 'MyContactCenter',
      vendorCallKey: 'k1',
      to: '999999999',
      from: '1',
      initiationMethod: 'Inbound',
      startTime: '2022-08-02T17:32:28Z',
      participants: [{ participantKey: '1', type: 'END_USER' }],
    }),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => mock?.close());

/**
 * Sends `runs` generated requests and judges each answer (or, with faults on, a connection the mock
 * dropped on purpose); resolves to how often each status came back.
 */
async function generatedRequests(
  runs: number,
  judge: (answer: Answer | undefined, label: string) => void,
): Promise<Map<number, number>> {
  const url = new URL(mock.rootUrl);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('POST', 'PATCH', 'GET', 'PUT', 'DELETE', 'OPTIONS'),
      path.chain((p) => fc.tuple(fc.constant(p), bodyFor(p.replace(/\/[^/]*$/, '')))),
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/xml',
        'application/json; charset=latin1',
        undefined,
      ),
      fc.oneof(
        fc.constant(`Bearer ${token}`),
        fc.constant(`Bearer ${token}`),
        fc.constant(undefined),
        fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
      ),
      fc.option(
        fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        { nil: undefined },
      ),
      async (method, [target, body], contentType, authorization, provider) => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['Content-Type'] = contentType;
        if (authorization !== undefined) headers.Authorization = authorization;
        if (provider !== undefined) headers['Telephony-Provider-Name'] = provider;
        const answer = await send(url, method, target, headers, body).catch(() => undefined);
        if (answer !== undefined) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        judge(answer, `${method} ${target}: ${answer?.body.slice(0, 300) ?? '(no answer)'}`);
      },
    ),
    {
      numRuns: runs,
      // Requests that certainly reach an operation, besides whatever the generator finds.
      examples: [
        [
          'PATCH',
          ['/telephony/v1/voiceCalls/k1', Buffer.from('{"isActiveCall":true,"numberOfHolds":1}')],
          'application/json',
          `Bearer ${token}`,
          undefined,
        ],
        [
          'POST',
          [
            '/telephony/v1/voiceCalls/k1/messages',
            Buffer.from(
              '{"participantId":"p","messageId":"x1","startTime":1659461552000,"endTime":1659461553000,"content":"hi","senderType":"END_USER"}',
            ),
          ],
          'application/json',
          `Bearer ${token}`,
          'fuzz',
        ],
      ],
    },
  );
  return statuses;
}

/** The documented error shape, for every error answer. */
function documentedShape(answer: Answer, label: string): void {
  if (answer.status < 400) return;
  expect(answer.contentType, label).toMatch(/^application\/json/);
  errorResponseSchema.parse(JSON.parse(answer.body));
}

describe('hostile input', () => {
  it(`${RUNS} generated requests: never a 5xx, always the documented error shape`, async () => {
    const statuses = await generatedRequests(RUNS, (answer, label) => {
      expect(answer, label).toBeDefined();
      expect(answer!.status, label).toBeLessThan(500);
      documentedShape(answer!, label);
    });
    // The generator reached both the operations and the errors.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(4);
  }, 120_000);

  it('valid bodies with deeply nested extra fields are taken, and the extras are not kept', async () => {
    const post = (method: string, target: string, body: unknown) =>
      fetch(`${mock.url}${target}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    // JSON.stringify cannot write 4000 levels either, so the bodies are built as text.
    const raw = (method: string, target: string, text: string) =>
      fetch(`${mock.url}${target}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: text,
      }).then((r) => r.status);
    const nested = '{"a":'.repeat(4000) + '1' + '}'.repeat(4000);
    expect(
      await post('POST', '/voiceCalls', {
        callCenterApiName: 'MyContactCenter',
        vendorCallKey: 'deep',
        to: '999999999',
        from: '1',
        initiationMethod: 'Inbound',
        startTime: '2022-08-02T17:32:28Z',
        participants: [{ participantKey: '1', type: 'END_USER' }],
      }),
    ).toBe(201);
    expect(
      await raw(
        'POST',
        '/voiceCalls/deep/realtimeConversationEvents',
        `{"service":"s","events":[{"type":"IntelligenceSignal__Category","value":"v","startTime":1,"extra":${nested}}]}`,
      ),
    ).toBe(202);
    expect(
      await raw(
        'PATCH',
        '/voiceCalls/deep',
        `{"isActiveCall":true,"disconnectReason":{"value":"X","isError":false,"extra":${nested}},"extra":${nested}}`,
      ),
    ).toBe(200);
    const journal = await fetch(`${mock.rootUrl}/__admin/journal?vendorCallKey=deep`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(journal.status).toBe(200);
    const state = (await (
      await fetch(`${mock.rootUrl}/__admin/calls/deep`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { events: Array<{ events: unknown[] }>; legs: Array<{ disconnectReason: unknown }> };
    expect(state.events[0]!.events).toEqual([{ type: 'IntelligenceSignal__Category', value: 'v', startTime: 1 }]);
    expect(state.legs[0]!.disconnectReason).toEqual({ value: 'X', isError: false });
  });

  it(`${Math.ceil(RUNS / 3)} more with random faults on: a 5xx only when injected, every other error documented`, async () => {
    const rules = [
      mock.faults.add({ action: { status: 503, retryAfter: 0 }, probability: 0.1, seed: 'h-503' }),
      mock.faults.add({ action: { status: 500, applyOperation: true }, probability: 0.1, seed: 'h-500' }),
      mock.faults.add({ action: { drop: true, applyOperation: true }, probability: 0.1, seed: 'h-lost' }),
      mock.faults.add({ action: { delayMs: 1, jitterMs: 5 }, probability: 0.1, seed: 'h-slow' }),
    ];
    let dropped = 0;
    let injected: number[];
    try {
      await generatedRequests(Math.ceil(RUNS / 3), (answer, label) => {
        if (answer === undefined) {
          dropped += 1;
          return;
        }
        if (answer.status >= 500) expect(answer.body, label).toMatch(/Injected by fault rule/);
        documentedShape(answer, label);
      });
      injected = rules.map((rule) => rule.rule.injected);
    } finally {
      for (const rule of rules) rule.remove();
    }
    // Faults fell on valid requests (only those reach them); every dropped connection was a lost answer.
    expect(injected.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    expect(dropped).toBe(injected[2]);
  }, 120_000);

  it('left Object.prototype untouched', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isActiveCall).toBeUndefined();
  });

  it('is still up, its journal still lists, and its store still loads', async () => {
    const health = await fetch(`${mock.rootUrl}/__admin/health`);
    expect(health.status).toBe(200);
    const journal = await fetch(`${mock.rootUrl}/__admin/journal?limit=2000`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(journal.status).toBe(200);
    await mock.close();
    const store = await openStore({ file });
    expect(store.counts().calls).toBeGreaterThanOrEqual(0);
    await store.close();
    mock = await startMockServer({ dataFile: file });
  });
});
