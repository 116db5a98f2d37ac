/** Bounded input and state: too many calls in a tenant is a 429 that says what to do; other tenants are unaffected. */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { IN_CALL, inboundCall, message, startMock, type Harness } from './support/mock-harness.ts';

let mock: Harness;
afterEach(async () => mock.server.close());

describe('--max-calls-per-tenant', () => {
  it('refuses a create (or an update that would create) beyond the limit with 429 TENANT_FULL', async () => {
    mock = await startMock({ maxCallsPerTenant: 2 });
    await mock.post('/voiceCalls', inboundCall('one')).expect(201);
    await mock.post('/voiceCalls', inboundCall('two')).expect(201);
    const full = await mock.post('/voiceCalls', inboundCall('three')).expect(429);
    const body = errorResponseSchema.parse(full.body);
    expect(body.errorCode).toBe('TENANT_FULL');
    expect(body.errors[0]).toContain('already holds 2 calls, the limit (--max-calls-per-tenant 2)');
    expect(body.errors[0]).toContain('POST /__admin/reset');
    expect((await mock.patch('/voiceCalls/missed', {})).status).toBe(429);
    // Existing calls still take updates; other tenants have their own room.
    await mock.patch('/voiceCalls/one', { isActiveCall: true }).expect(200);
    const other = await mock.as('MyContactCenter', '00D000000000031');
    await other.post('/voiceCalls', inboundCall('three')).expect(201);
    // A reset makes room again.
    await request(mock.server.app).post('/__admin/reset').set('Authorization', `Bearer ${mock.token}`).expect(200);
    await mock.post('/voiceCalls', inboundCall('three')).expect(201);
  });
});

const codeOf = (body: unknown) => errorResponseSchema.parse(body).errorCode;

describe('--max-transcripts-per-call and --max-events-per-call', () => {
  it('refuse the message (or event) past the limit with 429 CALL_FULL, and nothing of it is stored', async () => {
    mock = await startMock({ maxTranscriptsPerCall: 3, maxEventsPerCall: 2 });
    await mock.post('/voiceCalls', inboundCall('chatty')).expect(201);
    await mock.patch('/voiceCalls/chatty', { isActiveCall: true }).expect(200);
    for (const id of ['m1', 'm2', 'm3']) await mock.post('/voiceCalls/chatty/messages', message(id)).expect(202);
    const full = await mock.post('/voiceCalls/chatty/messages', message('m4'));
    expect(full.status).toBe(429);
    expect(codeOf(full.body)).toBe('CALL_FULL');
    expect(full.body.errors[0]).toMatch(/already holds 3 transcript messages.*--max-transcripts-per-call 3/);
    const call = mock.server.store.legsByVendorKey(mock.tenant.key, 'chatty')[0]!;
    expect(mock.server.store.transcriptsOf(mock.tenant.key, call.conversationId)).toHaveLength(3);
    const event = {
      service: 'AmazonConnectContactLens',
      events: [{ type: 'IntelligenceSignal__Category', value: 'CustomerAngry', startTime: IN_CALL }],
    };
    await mock.post('/voiceCalls/chatty/realtimeConversationEvents', event).expect(202);
    await mock.post('/voiceCalls/chatty/realtimeConversationEvents', event).expect(202);
    const eventsFull = await mock.post('/voiceCalls/chatty/realtimeConversationEvents', event);
    expect(eventsFull.status).toBe(429);
    expect(eventsFull.body.errors[0]).toMatch(/--max-events-per-call 2/);
    // Another call has room of its own.
    await mock.post('/voiceCalls', inboundCall('quiet')).expect(201);
    await mock.patch('/voiceCalls/quiet', { isActiveCall: true }).expect(200);
    await mock.post('/voiceCalls/quiet/messages', message('q1')).expect(202);
  });
});

describe('--max-tenant-bytes and --max-store-bytes', () => {
  const big = (key: string) => inboundCall(key, { callAttributes: JSON.stringify({ blob: 'x'.repeat(20_000) }) });

  it('refuse a write that would pass the tenant size with 429 TENANT_FULL; a write that shrinks passes; reset frees', async () => {
    mock = await startMock({ maxTenantBytes: 64 * 1024 });
    await mock.post('/voiceCalls', big('b1')).expect(201);
    await mock.post('/voiceCalls', big('b2')).expect(201);
    await mock.post('/voiceCalls', big('b3')).expect(201);
    const full = await mock.post('/voiceCalls', big('b4'));
    expect(full.status).toBe(429);
    expect(codeOf(full.body)).toBe('TENANT_FULL');
    expect(full.body.errors[0]).toMatch(/--max-tenant-bytes 64 KB/);
    expect(mock.server.store.legsByVendorKey(mock.tenant.key, 'b4')).toEqual([]);
    expect(mock.server.store.bytesOf(mock.tenant.key)).toBeLessThanOrEqual(64 * 1024);
    // Other tenants have their own room.
    await (await mock.as('MyContactCenter', '00D000000000032')).post('/voiceCalls', big('b4')).expect(201);
    await request(mock.server.app).post('/__admin/reset').set('Authorization', `Bearer ${mock.token}`).expect(200);
    expect(mock.server.store.bytesOf(mock.tenant.key)).toBe(0);
    await mock.post('/voiceCalls', big('b4')).expect(201);
  });

  it('refuse any tenant once every tenant together holds --max-store-bytes, with 429 STORE_FULL', async () => {
    mock = await startMock({ maxStoreBytes: 64 * 1024 });
    const tenants = await Promise.all(
      ['00D000000000041', '00D000000000042'].map((org) => mock.as('MyContactCenter', org)),
    );
    await tenants[0]!.post('/voiceCalls', big('s1')).expect(201);
    await tenants[0]!.post('/voiceCalls', big('s2')).expect(201);
    await tenants[1]!.post('/voiceCalls', big('s3')).expect(201);
    const full = await tenants[1]!.post('/voiceCalls', big('s4'));
    expect(full.status).toBe(429);
    expect(codeOf(full.body)).toBe('STORE_FULL');
    expect(mock.server.store.totalBytes()).toBeLessThanOrEqual(64 * 1024);
  });

  it('counts sizes the same whether kept up to date or counted afresh', async () => {
    mock = await startMock();
    // The first write counts the store; every later one only adjusts it.
    await mock.post('/voiceCalls', inboundCall('first')).expect(201);
    const other = await mock.as('MyContactCenter', '00D000000000043');
    await other.post('/voiceCalls', big('gone')).expect(201);
    for (const key of ['a', 'b', 'c']) {
      await mock.post('/voiceCalls', big(key)).expect(201);
      await mock.patch(`/voiceCalls/${key}`, { isActiveCall: true }).expect(200);
      await mock.post(`/voiceCalls/${key}/messages`, message(`${key}-1`)).expect(202);
      await mock.patch(`/voiceCalls/${key}`, {}).expect(200);
    }
    await request(mock.server.app).post('/__admin/reset').set('Authorization', `Bearer ${other.token}`).expect(200);
    const kept = mock.server.store.bytesOf(mock.tenant.key);
    // The same state, counted afresh.
    const { StoredBytes } = await import('../mock-server/store/stored-bytes.ts');
    const state = (mock.server.store as unknown as { state: ConstructorParameters<typeof StoredBytes>[0] }).state;
    const fresh = new StoredBytes(state);
    expect(fresh.of(mock.tenant.key)).toBe(kept);
    expect(fresh.total()).toBe(mock.server.store.totalBytes());
    expect(kept).toBeGreaterThan(3 * 20_000);
  });
});

describe('--max-tenants', () => {
  it('admits tenants up to the limit; a new one then gets 429 TOO_MANY_TENANTS, known ones keep working', async () => {
    mock = await startMock({ maxTenants: 2 });
    await mock.post('/voiceCalls', inboundCall('t1')).expect(201);
    const second = await mock.as('MyContactCenter', '00D000000000051');
    await second.post('/voiceCalls', inboundCall('t2')).expect(201);
    const third = await mock.as('MyContactCenter', '00D000000000052');
    const refused = await third.post('/voiceCalls', inboundCall('t3'));
    expect(refused.status).toBe(429);
    expect(codeOf(refused.body)).toBe('TOO_MANY_TENANTS');
    expect(refused.body.errors[0]).toMatch(/--max-tenants 2/);
    // The admin API names tenants the same way, and is refused the same way.
    const admin = await request(mock.server.app).get('/__admin/calls').set('Authorization', `Bearer ${third.token}`);
    expect(admin.status).toBe(429);
    await mock.post('/voiceCalls', inboundCall('t4')).expect(201);
  });
});
