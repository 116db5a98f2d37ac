/**
 * The in-process harness for TypeScript and JavaScript connector suites:
 *
 *   const mock = await startMockServer();
 *   // point the connector at mock.url with mock.token()
 *   const report = await mock.verify('voicemail', { vendorCallKey });
 *   await mock.close();
 *
 * It starts the real server (real HTTP, real JWT checks) on a free loopback port, in memory unless a
 * data file is given, and talks to the journal and the verifier directly.
 */
import {
  clockRequestSchema,
  type ClockRequest,
  type ClockState,
  type CallSelection,
  type JournalPage,
  type ResetResponse,
  type VerificationReport,
  type VerificationSummary,
} from '../contracts/admin-schemas.ts';
import { verifyScenario } from '../contracts/scenario-verifier.ts';
import { faultRuleRequestSchema, type FaultRule, type FaultRuleRequest } from '../contracts/fault-schemas.ts';
import { describeZodIssues } from './org/simulated-org.ts';
import { callSelectionOf, callVerifier } from './admin/call-verification.ts';
import { SCENARIO_NAMES, scenarioByName } from '../contracts/scenarios.ts';
import { checkRuleSettings } from '../contracts/rule-settings.ts';
import type { RuleLevel, RuleMode } from '../contracts/sequence-rules.ts';
import { tenantOf } from './tenancy/tenant.ts';
import { signToken, type TokenOptions } from './auth/token-signer.ts';
import type { AuthMode } from './auth/request-auth.ts';
import type { Logger } from './http/logger.ts';
import type { JournalFilter } from './journal/request-journal.ts';
import { createMockServer, type MockServer } from './server.ts';

export interface StartMockServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** An org fixture file; default the package's simulated org. */
  fixtures?: string;
  /** Default strict. */
  mode?: RuleMode;
  /**
   * Rule levels for this mock, e.g. `{ CLEAR_ROUTING_WITHOUT_PENDING: 'refuse' }`: refuse, warn or off.
   * An unknown rule id or level throws, naming the closest rule.
   */
  rules?: Readonly<Record<string, RuleLevel>>;
  /** Default jwt. */
  auth?: AuthMode;
  /** The store's snapshot file (its log is <file>.wal); default in memory. */
  dataFile?: string;
  /** Deterministic record ids. */
  seed?: string;
  journalSize?: number;
  /** The tenant token(), journal(), verify() and reset() use: default the fixture's org and first contact center. */
  orgId?: string;
  callCenterApiName?: string;
  /** Where request lines go; default silent. */
  logger?: Logger;
  /** Honour `Prefer: code=503` and `Prefer: delay=2000` on API requests (off by default). */
  allowPrefer?: boolean;
  /** Refuse an org's creates over this many per second with 429 (Salesforce's documented limit: 50). */
  callsPerSecond?: number;
}

export interface FaultHandle {
  /** The rule as it is now: how often it matched and acted. */
  readonly rule: FaultRule;
  remove(): boolean;
}

export interface RunningMockServer {
  /** Base URL of the API: http://127.0.0.1:<port>/telephony/v1 */
  url: string;
  /** Root URL (admin API under /__admin). */
  rootUrl: string;
  /** A fresh RS256 token for the harness tenant (or for the org and contact center given). */
  token(options?: Partial<Omit<TokenOptions, 'privateKeyPem'>> & { privateKeyPem?: string }): Promise<string>;
  /** The tenant's journal, optionally filtered. */
  journal(filter?: JournalFilter): JournalPage;
  /** Checks one call (by vendorCallKey) against a scenario; without one, every call of the tenant. */
  verify(scenario: string, options: { vendorCallKey: string }): VerificationReport;
  verify(scenario: string, options?: { vendorCallKey?: undefined }): VerificationSummary;
  /** Deletes the tenant's calls, journal and fault rules. */
  reset(): Promise<ResetResponse>;
  /** The mock's time, shared by every tenant: token checks, record timestamps and reservations follow it. */
  clock: {
    now(): Date;
    /** Moves forward: milliseconds, or 500ms, 90s, 15m, 5h, 2d. */
    advance(by: number | string): ClockState;
    /** Jumps to an instant (ISO-8601). */
    set(instant: string): ClockState;
    /** Stops the clock, where it stands or at an instant (ISO-8601). */
    freeze(at?: string): ClockState;
    /** Lets a frozen clock run on from where it stands. */
    unfreeze(): ClockState;
    /** Back to the machine's time, running. */
    reset(): ClockState;
  };
  /** Fault rules for the harness tenant's requests (see "Testing failure handling" in the README). */
  faults: {
    /** Adds a rule (checked like POST /__admin/faults; a bad one throws); the handle removes it. */
    add(rule: FaultRuleRequest): FaultHandle;
    list(): FaultRule[];
    clear(): number;
  };
  close(): Promise<void>;
  /** The server itself, for what the helpers above do not cover. */
  server: MockServer;
}

export async function startMockServer(options: StartMockServerOptions = {}): Promise<RunningMockServer> {
  const server = await createMockServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    dataFile: options.dataFile ?? null,
    ...(options.fixtures === undefined ? {} : { fixturesFile: options.fixtures }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.rules === undefined
      ? {}
      : { ruleSettings: [{ from: 'option' as const, settings: checkRuleSettings(options.rules) }] }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.journalSize === undefined ? {} : { journalSize: options.journalSize }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.allowPrefer === undefined ? {} : { allowPrefer: options.allowPrefer }),
    ...(options.callsPerSecond === undefined ? {} : { callsPerSecond: options.callsPerSecond }),
  });
  const rootUrl = await server.listen();
  // A suite's first request should not wait for the loading, and nothing should load during its tests.
  try {
    await server.loaded();
  } catch (error) {
    await server.close();
    throw error;
  }
  const orgId = options.orgId ?? server.org.orgId;
  const callCenterApiName = options.callCenterApiName ?? server.org.defaultContactCenter.apiName;
  const tenant = options.auth === 'off' ? server.defaultTenant : tenantOf(orgId, callCenterApiName);

  function verify(
    scenarioName: string,
    target: { vendorCallKey?: string | undefined } & CallSelection = {},
  ): VerificationReport | VerificationSummary {
    const scenario = scenarioByName(scenarioName);
    if (scenario === undefined)
      throw new Error(`unknown scenario "${scenarioName}" (known: ${SCENARIO_NAMES.join(', ')})`);
    const verifier = callVerifier(server.journal, server.store, tenant.key);
    if (target.vendorCallKey === undefined) return verifier.all(scenario, callSelectionOf(target));
    // A call the journal never saw: every required step is reported missing.
    return (
      verifier.call(scenario, target.vendorCallKey) ??
      verifyScenario(scenario, [], { vendorCallKey: target.vendorCallKey, conversationId: null })
    );
  }

  return {
    url: `${rootUrl}/telephony/v1`,
    rootUrl,
    // Issued at the mock's time, so that a clock set elsewhere still accepts the harness's tokens.
    token: (overrides = {}) =>
      signToken({
        orgId,
        callCenterApiName,
        issuedAt: Math.floor(server.clock.now().getTime() / 1000),
        ...overrides,
      }),
    journal: (filter = {}) => server.journal.list(tenant.key, filter),
    verify: verify as RunningMockServer['verify'],
    reset: async () => {
      server.faults.clear(tenant.key);
      return {
        tenant: tenant.key,
        removed: await server.store.resetTenant(tenant.key),
        journalCleared: await server.journalWriter.clear(tenant.key),
      };
    },
    clock: {
      now: () => server.clock.now(),
      advance: (by) => server.clock.apply(checkedClock({ advance: by })),
      set: (instant) => server.clock.apply(checkedClock({ set: instant })),
      freeze: (at) => server.clock.apply(checkedClock({ freeze: true, ...(at === undefined ? {} : { set: at }) })),
      unfreeze: () => server.clock.apply({ freeze: false }),
      reset: () => server.clock.apply({ reset: true }),
    },
    faults: {
      add: (rule) => {
        const parsed = faultRuleRequestSchema.safeParse(rule);
        if (!parsed.success) {
          throw new Error(`not a fault rule: ${describeZodIssues(parsed.error.issues).join('; ')}`);
        }
        const { id } = server.faults.add(tenant.key, parsed.data);
        return {
          get rule() {
            const found = server.faults.list(tenant.key).find((r) => r.id === id);
            if (found === undefined) throw new Error(`fault rule ${id} was removed`);
            return found;
          },
          remove: () => server.faults.remove(tenant.key, id),
        };
      },
      list: () => server.faults.list(tenant.key),
      clear: () => server.faults.clear(tenant.key),
    },
    close: () => server.close(),
    server,
  };
}

/** A clock change, checked as POST /__admin/clock checks it; a bad one throws, saying why. */
function checkedClock(request: ClockRequest): ClockRequest {
  const parsed = clockRequestSchema.safeParse(request);
  if (!parsed.success) throw new Error(`not a clock change: ${describeZodIssues(parsed.error.issues).join('; ')}`);
  return parsed.data;
}

export type { JournalFilter } from './journal/request-journal.ts';
export { createMockServer, type MockServer, type MockServerOptions } from './server.ts';
export { signToken, type TokenOptions } from './auth/token-signer.ts';
export { generateKeyMaterial, type KeyMaterial } from './auth/keygen.ts';
export { createLogger, silentLogger, type Logger } from './http/logger.ts';
