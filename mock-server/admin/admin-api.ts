/**
 * The mock's own admin surface under /__admin (documented in openapi.yaml under the Admin tag; health is
 * answered by the server itself, see health.ts): the rules and their
 * levels in this run, the keys tokens are checked against, the per-tenant journal, reset and state
 * inspection, the per-tenant fault rules, and the mock's clock.
 */
import { Router } from 'express';
import type { RulePolicy } from '../../contracts/rule-settings.ts';
import type { RuleMode } from '../../contracts/sequence-rules.ts';
import type { RequestHandler } from 'express';
import type { KeyRegistry } from '../auth/key-registry.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import type { JournalWriter } from '../journal/journal-writer.ts';
import type { AuthMode } from '../auth/request-auth.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import type { FaultRules } from '../faults/fault-rules.ts';
import { faultAdmin } from './fault-admin.ts';
import { clockAdmin } from './clock-admin.ts';
import type { ClockChanger, MockClock } from '../time/mock-clock.ts';
import { keyAdmin } from './key-admin.ts';
import { ruleList } from './rule-list.ts';
import { tenantAdmin } from './tenant-admin.ts';
import { requireAdminToken } from './admin-access.ts';
import type { AdminAccess } from './admin-exposure.ts';
import type { StorageLimits } from '../tenancy/storage-limits.ts';
import type { RetentionKeeper } from '../tenancy/retention-keeper.ts';
import type { TenantCensus } from '../tenancy/tenant-census.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import { liveAdmin } from './live-admin.ts';
import { merged } from '../object-merge.ts';

export interface AdminApiOptions {
  version: string;
  mode: RuleMode;
  rules: RulePolicy;
  auth: AuthMode;
  store: TelephonyStore;
  keys: KeyRegistry;
  maxBodyBytes: number;
  maxCallsPerTenant: number;
  limits: StorageLimits;
  authenticate: RequestHandler;
  journal: RequestJournal;
  journalWriter: JournalWriter;
  faults: FaultRules;
  clock: MockClock;
  /** How a clock change is made (on replicas: on every one). */
  changeClock: ClockChanger;
  access: AdminAccess;
  retention: RetentionKeeper;
  org: SimulatedOrg;
  census: TenantCensus;
  demoToken: (callCenterApiName: string) => Promise<string>;
}

export function adminApi(options: AdminApiOptions): Router {
  const router = Router();
  router.use(requireAdminToken(options.access));
  router.get('/rules', (_req, res) => {
    res.json(ruleList(options.rules));
  });
  router.use(keyAdmin(options.keys, options.maxBodyBytes, options.access));
  router.use(clockAdmin(options.clock, options.changeClock, options.maxBodyBytes));
  router.use(tenantAdmin(merged(options, { now: options.clock.now })));
  router.use(faultAdmin(options));
  router.use(liveAdmin(options));
  return router;
}
