/**
 * The per-tenant admin API: the request journal (list with filters, clear), reset (calls, journal or
 * both), state inspection, and verification of calls against the scenarios. A request names its tenant the way API
 * requests do: the same bearer
 * token, or with --auth off the Scv-Mock-Tenant header or the default tenant.
 */
import type { StorageLimits } from '../tenancy/storage-limits.ts';
import type { RetentionKeeper } from '../tenancy/retention-keeper.ts';
import { Router, type Request, type RequestHandler } from 'express';
import {
  CHECK_OUTCOMES,
  resetRequestSchema,
  salesforceCallRequestSchema,
  verifyRequestSchema,
  type SalesforceCallResponse,
  type CallList,
  type JournalCleared,
  type ResetResponse,
  type VerificationReport,
  type VerificationSummary,
} from '../../contracts/admin-schemas.ts';
import { SCENARIO_NAMES, scenarioByName } from '../../contracts/scenarios.ts';
import { OPERATIONS, type Operation } from '../../contracts/operations.ts';
import { findCall } from '../domain/call-resolution.ts';
import { ApiError } from '../errors/api-error.ts';
import { jsonBody, withTenant } from './admin-http.ts';
import type { JournalFilter, RequestJournal } from '../journal/request-journal.ts';
import type { JournalWriter } from '../journal/journal-writer.ts';
import { zodError } from './zod-errors.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { conversationState } from './state-views.ts';
import { callSelectionOf, callVerifier } from './call-verification.ts';
import { createSalesforceCallOf } from './salesforce-calls.ts';

export interface TenantAdminOptions {
  authenticate: RequestHandler;
  journal: RequestJournal;
  journalWriter: JournalWriter;
  store: TelephonyStore;
  maxBodyBytes: number;
  /** Calls one tenant may store (a call made here counts too). */
  maxCallsPerTenant: number;
  limits: StorageLimits;
  retention: RetentionKeeper;
  /** The mock's time (records made here are stamped with it). */
  now: () => Date;
}

/** The entries GET /__admin/journal answers without ?limit (the latest ones; `total` says how many there are). */
export const JOURNAL_PAGE = 1000;
/** The conversations GET /__admin/calls answers without ?limit (the latest ones). */
export const CALLS_PAGE = 100;

const invalid = (field: string, problem: string) => ApiError.details(400, 'INVALID_REQUEST', [{ field, problem }]);

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be given once, as text');
  return value;
}

function queryCount(req: Request, name: string): number | undefined {
  const value = queryString(req, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw invalid(name, `must be a whole number (got "${value}")`);
  return Number(value);
}

function oneOf<T extends string>(req: Request, name: string, allowed: readonly T[]): T | undefined {
  const value = queryString(req, name);
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw invalid(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
}

function journalFilter(req: Request): JournalFilter {
  const filter: JournalFilter = {};
  const voiceCallId = queryString(req, 'voiceCallId');
  const vendorCallKey = queryString(req, 'vendorCallKey');
  const operation = oneOf<Operation>(req, 'operation', OPERATIONS);
  const outcome = oneOf(req, 'outcome', CHECK_OUTCOMES);
  const after = queryCount(req, 'after');
  const limit = queryCount(req, 'limit');
  if (voiceCallId !== undefined) filter.voiceCallId = voiceCallId;
  if (vendorCallKey !== undefined) filter.vendorCallKey = vendorCallKey;
  if (operation !== undefined) filter.operation = operation;
  if (outcome !== undefined) filter.outcome = outcome;
  if (after !== undefined) filter.after = after;
  // A default page: a long-running tenant's whole journal (up to --journal-size) is one read too many.
  filter.limit = limit ?? JOURNAL_PAGE;
  return filter;
}

export function tenantAdmin(options: TenantAdminOptions): Router {
  const { journal, store } = options;
  const router = Router();
  router.use(['/journal', '/reset', '/calls', '/verify'], options.authenticate);

  router.get(
    '/journal',
    withTenant((tenant, req) => ({ body: journal.list(tenant.key, journalFilter(req)) })),
  );
  router.delete(
    '/journal',
    withTenant(async (tenant) => {
      const body: JournalCleared = { tenant: tenant.key, cleared: await options.journalWriter.clear(tenant.key) };
      return { body };
    }),
  );

  router.post(
    '/reset',
    jsonBody(options.maxBodyBytes),
    withTenant(async (tenant, req) => {
      const parsed = resetRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw zodError(parsed.error);
      const { calls = true, journal: clearJournal = true } = parsed.data;
      const empty = {
        calls: 0,
        conversations: 0,
        transcripts: 0,
        recordings: 0,
        routings: 0,
        contactRequests: 0,
        events: 0,
        numberReservations: 0,
      };
      const body: ResetResponse = {
        tenant: tenant.key,
        removed: calls ? await store.resetTenant(tenant.key) : empty,
        journalCleared: clearJournal ? await options.journalWriter.clear(tenant.key) : 0,
      };
      journal.announce(tenant.key, { kind: 'reset' });
      return { body };
    }),
  );

  router.post(
    '/verify',
    jsonBody(options.maxBodyBytes),
    withTenant((tenant, req) => {
      const parsed = verifyRequestSchema.safeParse(req.body);
      if (!parsed.success) throw zodError(parsed.error);
      const scenario = scenarioByName(parsed.data.scenario);
      if (scenario === undefined)
        throw invalid('scenario', `is "${parsed.data.scenario}", not one of ${SCENARIO_NAMES.join(', ')}`);
      if (!journal.enabled) {
        throw new ApiError(409, 'JOURNAL_OFF', [
          'The journal is off (--journal-size 0), so there is nothing to verify. Start the mock with a journal.',
        ]);
      }
      const verifier = callVerifier(journal, store, tenant.key);
      const { vendorCallKey } = parsed.data;
      if (vendorCallKey !== undefined) {
        const body: VerificationReport | null = verifier.call(scenario, vendorCallKey);
        if (body === null) {
          const { dropped } = journal.list(tenant.key, { limit: 0 });
          const older =
            dropped === 0
              ? ''
              : ` It dropped ${dropped} older request(s) (--journal-size ${journal.capacity}); the call may be among them.`;
          throw new ApiError(404, 'CALL_NOT_FOUND', [
            `The journal of tenant ${tenant.key} has no request for vendorCallKey "${vendorCallKey}". Run the call first (or check the key and the token's org).${older}`,
          ]);
        }
        return { body };
      }
      const body: VerificationSummary = verifier.all(scenario, callSelectionOf(parsed.data));
      return { body };
    }),
  );

  router.get(
    '/calls',
    withTenant((tenant, req) => {
      const vendorCallKey = queryString(req, 'vendorCallKey');
      const limit = queryCount(req, 'limit');
      let conversations = store.conversationsOf(tenant.key);
      if (vendorCallKey !== undefined) {
        const ids = new Set(store.legsByVendorKey(tenant.key, vendorCallKey).map((leg) => leg.conversationId));
        conversations = conversations.filter((c) => ids.has(c.id));
      }
      conversations = conversations.slice(Math.max(0, conversations.length - (limit ?? CALLS_PAGE)));
      const body: CallList = {
        tenant: tenant.key,
        evicted: options.retention.evicted(tenant.key),
        conversations: conversations.map((c) => conversationState(store, c)),
      };
      return { body };
    }),
  );

  router.post(
    '/calls',
    jsonBody(options.maxBodyBytes),
    withTenant(async (tenant, req) => {
      const parsed = salesforceCallRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw zodError(parsed.error);
      const body: SalesforceCallResponse = await createSalesforceCallOf(
        store,
        tenant,
        parsed.data,
        options.maxCallsPerTenant,
        options.limits,
        options.now(),
      );
      return { status: 201, body };
    }),
  );

  router.get(
    '/calls/:callId',
    withTenant((tenant, req) => {
      const key = String(req.params.callId);
      const call = findCall(store, tenant.key, key);
      const conversation = call === undefined ? undefined : store.getConversation(tenant.key, call.conversationId);
      if (conversation === undefined) {
        throw new ApiError(404, 'CALL_NOT_FOUND', [
          `No voice call has id or vendorCallKey "${key}" in tenant ${tenant.key}.`,
        ]);
      }
      return { body: conversationState(store, conversation) };
    }),
  );
  return router;
}
