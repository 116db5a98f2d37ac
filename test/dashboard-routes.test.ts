/**
 * What the dashboard stands on, over real HTTP: the home page, the spec as it is, the API reference made
 * from it, the dashboard's files, the tenant's live stream, the org view, the tenants and the demo token.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokenResponseSchema, orgViewSchema, tenantListSchema } from '../contracts/admin-schemas.ts';
import { startMockServer, type RunningMockServer } from '../mock-server/index.ts';
import { SPEC_FILE, loadSpecDocument } from '../mock-server/openapi/spec-document.ts';
import { inboundCall } from './support/mock-harness.ts';

let mock: RunningMockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(async () => mock.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${mock.rootUrl}${path}`, { headers });

describe('the pages', () => {
  it('/ links the dashboard, the API reference and the spec', async () => {
    const res = await get('/');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const link of ['/__admin/ui', '/__admin/docs', '/openapi.yaml']) expect(html).toContain(`href="${link}"`);
  });

  it('/openapi.yaml is the spec file as it is', async () => {
    const res = await get('/openapi.yaml');
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await res.text()).toBe(readFileSync(SPEC_FILE, 'utf8'));
  });

  it('/__admin/docs has every operation of the spec, and fetches nothing from the network', async () => {
    const html = await (await get('/__admin/docs')).text();
    for (const item of Object.values(loadSpecDocument().paths ?? {}))
      for (const operation of Object.values(item ?? {}))
        if (typeof operation === 'object' && operation !== null && 'operationId' in operation)
          expect(html).toContain(`id="${String(operation.operationId)}"`);
    expect(html).not.toMatch(/src="https?:|<link[^>]+href="https?:/);
    // The spec's prose: code spans and links made so.
    expect(html).toContain('<code>--auth off</code>');
    expect(html).toMatch(/<a href="https:\/\/developer\.salesforce\.com\/docs\//);
  });

  it('/__admin/ui serves the page and its two files, and nothing else under it', async () => {
    const page = await (await get('/__admin/ui')).text();
    expect(page).toContain('/__admin/ui/app.js');
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect((await get('/__admin/ui/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('/__admin/ui/app.css')).status).toBe(200);
    expect((await get('/__admin/ui/..%2fpackage.json')).status).toBe(404);
  });
});

describe('the data', () => {
  it('a demo token, the org view and the tenants', async () => {
    const token = demoTokenResponseSchema.parse(
      await (await fetch(`${mock.rootUrl}/__admin/ui/token`, { method: 'POST' })).json(),
    );
    expect(token.callCenterApiName).toBe('MyContactCenter');
    const auth = { authorization: `Bearer ${token.token}` };
    const org = orgViewSchema.parse(await (await get('/__admin/org', auth)).json());
    expect(org.contactCenter.queues.map((q) => q.developerName)).toContain('Voicemail_Queue');
    expect(JSON.stringify(org)).not.toContain('BEGIN');
    const tenants = tenantListSchema.parse(await (await get('/__admin/tenants')).json());
    expect(tenants.tenants.map((t) => t.tenant)).toContain('00DSM0000000MCK2A2/MyContactCenter');
  });

  it("the stream tells the tenant's requests as they happen, and a reset", async () => {
    const auth = { authorization: `Bearer ${await mock.token()}` };
    const controller = new AbortController();
    const res = await fetch(`${mock.rootUrl}/__admin/stream`, { headers: auth, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${String(pattern)}:\n${text}`);
        text += value;
      }
    };
    await until(/event: hello/);
    const created = await fetch(`${mock.url}/voiceCalls`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(inboundCall('streamed')),
    });
    expect(created.status).toBe(201);
    await until(/event: entry\ndata: .*"vendorCallKey":"streamed"/);
    await fetch(`${mock.rootUrl}/__admin/reset`, { method: 'POST', headers: auth });
    await until(/event: reset/);
    controller.abort();
  });
});
