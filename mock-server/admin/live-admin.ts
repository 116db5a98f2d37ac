/**
 * What the dashboard reads besides the per-tenant admin API: a live stream of the tenant's requests
 * (server-sent events, read with fetch so that it carries the same headers as every admin request), the
 * tenant's contact center as the org fixture has it, the tenants this mock serves, and a token signed with
 * the fixture's public demo key (which anyone holding that key could sign; nothing more).
 */
import { Router, type RequestHandler } from 'express';
import {
  demoTokenRequestSchema,
  type DemoTokenResponse,
  type JournalEntry,
  type OrgView,
  type TenantList,
} from '../../contracts/admin-schemas.ts';
import type { RequestJournal, TenantEvent } from '../journal/request-journal.ts';
import type { JournalWriter } from '../journal/journal-writer.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import type { TenantCensus } from '../tenancy/tenant-census.ts';
import { ApiError } from '../errors/api-error.ts';
import { jsonBody, withTenant, withoutTenant } from './admin-http.ts';
import type { AdminLocals } from '../http/request-log.ts';
import { zodError } from './zod-errors.ts';

export interface LiveAdminOptions {
  authenticate: RequestHandler;
  journal: RequestJournal;
  journalWriter: JournalWriter;
  store: TelephonyStore;
  org: SimulatedOrg;
  census: TenantCensus;
  maxBodyBytes: number;
  /** Signs a demo-key token for the org and contact center (the same as `scv-mock token`). */
  demoToken: (callCenterApiName: string) => Promise<string>;
}

/** The stream's heartbeat: proxies close a connection that says nothing for a minute. */
const HEARTBEAT_MS = 20_000;

/** What the stream says of a request: enough to know what changed, the rest is one admin read away. */
function summaryOf(entry: JournalEntry) {
  return {
    seq: entry.seq,
    time: entry.time,
    operation: entry.operation,
    method: entry.method,
    path: entry.path,
    status: entry.response.status,
    vendorCallKey: entry.vendorCallKey,
    conversationId: entry.conversationId,
  };
}

export function liveAdmin(options: LiveAdminOptions): Router {
  const router = Router();
  const { journal, store, org } = options;

  router.get('/tenants', (_req, res, next) => {
    // Replicas: tenants that only other replicas served are in the shared store and journal.
    Promise.all([store.syncAll(), options.journalWriter.tenants()]).then(([, journaled]) => {
      const keys = new Set([...options.census.known(), ...store.tenants(), ...journaled]);
      const body: TenantList = {
        tenants: [...keys].map((key) => ({ tenant: key, calls: store.callCount(key) })),
        limit: options.census.max,
      };
      res.json(body);
    }, next);
  });

  router.post(
    '/ui/token',
    jsonBody(options.maxBodyBytes),
    withoutTenant(async (request) => {
      const parsed = demoTokenRequestSchema.safeParse(request ?? {});
      if (!parsed.success) throw zodError(parsed.error);
      const center = parsed.data.callCenterApiName ?? org.defaultContactCenter.apiName;
      if (org.contactCenter(center) === undefined)
        throw ApiError.details(400, 'UNKNOWN_CALL_CENTER', [
          { field: 'callCenterApiName', problem: `is not a contact center of the simulated org` },
        ]);
      const body: DemoTokenResponse = {
        token: await options.demoToken(center),
        orgId: org.orgId,
        callCenterApiName: center,
      };
      return body;
    }),
  );

  router.use(['/stream', '/org'], options.authenticate);

  router.get(
    '/org',
    withTenant((tenant) => {
      const center = org.contactCenter(tenant.callCenterApiName)!;
      const { keys: _keys, ...shown } = center;
      const body: OrgView = { orgId: org.orgId, name: org.fixture.name, contactCenter: shown };
      return { body };
    }),
  );

  router.get('/stream', (req, res) => {
    const tenant = (res.locals as AdminLocals).tenant!;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`event: hello\ndata: ${JSON.stringify({ tenant: tenant.key })}\n\n`);
    const send = (event: TenantEvent) => {
      const data = event.kind === 'entry' ? summaryOf(event.entry) : {};
      res.write(`event: ${event.kind}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = journal.subscribe(tenant.key, send);
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
