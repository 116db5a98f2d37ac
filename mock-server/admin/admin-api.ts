/**
 * The mock's own admin surface under /__admin (documented in openapi.yaml under the Admin tag): health,
 * which answers once the store is loaded (the server only listens after that), the keys tokens are
 * checked against, and the per-tenant journal, reset and state inspection.
 */
import { Router } from 'express';
import type { RuleMode } from '../../contracts/sequence-rules.ts';
import type { HealthResponse } from '../../contracts/admin-schemas.ts';
import type { RequestHandler } from 'express';
import type { KeyRegistry } from '../auth/key-registry.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import type { AuthMode } from '../http/auth-middleware.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { keyAdmin } from './key-admin.ts';
import { tenantAdmin } from './tenant-admin.ts';

export interface AdminApiOptions {
  version: string;
  mode: RuleMode;
  auth: AuthMode;
  store: TelephonyStore;
  keys: KeyRegistry;
  maxBodyBytes: number;
  authenticate: RequestHandler;
  journal: RequestJournal;
}

export function adminApi(options: AdminApiOptions): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const body: HealthResponse = {
      status: 'ok',
      version: options.version,
      mode: options.mode,
      auth: options.auth,
      store: options.store.kind,
    };
    res.json(body);
  });
  router.use(keyAdmin(options.keys, options.maxBodyBytes));
  router.use(tenantAdmin(options));
  return router;
}
