/**
 * The mock's own admin surface under /__admin (documented in openapi.yaml under the Admin tag). For
 * now: health, which answers once the store is loaded (the server only listens after that).
 */
import { Router } from 'express';
import type { RuleMode } from '../../contracts/sequence-rules.ts';
import type { HealthResponse } from '../../contracts/wire-schemas.ts';
import type { AuthMode } from '../http/bearer-auth.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

export interface AdminApiOptions {
  version: string;
  mode: RuleMode;
  auth: AuthMode;
  store: TelephonyStore;
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
  return router;
}
