/**
 * /__admin/faults: a tenant's fault rules (add, list, remove one, clear). The tenant is named as for the
 * rest of the per-tenant admin API; a rule only ever acts on that tenant's requests.
 */
import { Router, type RequestHandler } from 'express';
import { faultRuleRequestSchema, type FaultList, type FaultsCleared } from '../../contracts/fault-schemas.ts';
import { ApiError } from '../errors/api-error.ts';
import type { FaultRules } from '../faults/fault-rules.ts';
import { jsonBody, withTenant } from './admin-http.ts';
import { zodError } from './zod-errors.ts';

export interface FaultAdminOptions {
  authenticate: RequestHandler;
  faults: FaultRules;
  maxBodyBytes: number;
}

export function faultAdmin({ authenticate, faults, maxBodyBytes }: FaultAdminOptions): Router {
  const router = Router();
  router.use('/faults', authenticate);
  router.get(
    '/faults',
    withTenant(async (tenant) => {
      const body: FaultList = { tenant: tenant.key, faults: await faults.list(tenant.key) };
      return { body };
    }),
  );
  router.post(
    '/faults',
    jsonBody(maxBodyBytes),
    withTenant(async (tenant, req) => {
      const parsed = faultRuleRequestSchema.safeParse(req.body);
      if (!parsed.success) throw zodError(parsed.error);
      return { status: 201, body: await faults.add(tenant.key, parsed.data) };
    }),
  );
  router.delete(
    '/faults',
    withTenant(async (tenant) => {
      const body: FaultsCleared = { tenant: tenant.key, removed: await faults.clear(tenant.key) };
      return { body };
    }),
  );
  router.delete(
    '/faults/:faultId',
    withTenant(async (tenant, req) => {
      const id = String(req.params.faultId);
      if (!(await faults.remove(tenant.key, id))) {
        const known = (await faults.list(tenant.key)).map((rule) => rule.id);
        throw new ApiError(404, 'RESOURCE_NOT_FOUND', [
          `Tenant ${tenant.key} has no fault rule "${id}" (${known.length === 0 ? 'it has none' : `it has ${known.join(', ')}`}). GET /__admin/faults lists them.`,
        ]);
      }
      return { status: 204 };
    }),
  );
  return router;
}
