/** Bounded input and state: too many calls in a tenant is a 429 that says what to do; other tenants are unaffected. */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { errorResponseSchema } from '../contracts/wire-schemas.ts';
import { inboundCall, startMock, type Harness } from './support/mock-harness.ts';

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
