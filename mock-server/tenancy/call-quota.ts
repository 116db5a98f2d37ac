/** How many calls one tenant may store: creating more is refused with 429 (operations and the admin API alike). */
import { ApiError } from '../errors/api-error.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

export function ensureRoomForCall(env: { store: TelephonyStore; maxCallsPerTenant: number }, tenant: string): void {
  const count = env.store.callCount(tenant);
  if (count >= env.maxCallsPerTenant) {
    throw new ApiError(429, 'TENANT_FULL', [
      `Tenant ${tenant} already holds ${count} calls, the limit (--max-calls-per-tenant ${env.maxCallsPerTenant}). ` +
        'Reset the tenant (POST /__admin/reset) or start the mock with a higher limit.',
    ]);
  }
}
