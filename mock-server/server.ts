/**
 * Puts the layers together: simulated org, keys, store, then one request listener that sends /telephony/v1
 * to the request pipeline, health to its own answer and the rest to the admin API's express app (both
 * loaded just after the server listens). `createMockServer` builds it without listening (supertest uses
 * `app`); `listen` and `close` run it for real.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { RequestValidator } from './openapi/request-validator.ts';
import type { TelephonyListener } from './http/telephony-listener.ts';
import type { AddressInfo } from 'node:net';
import type { HealthResponse } from '../contracts/admin-schemas.ts';
import { RulePolicy, type RuleSettingLayer } from '../contracts/rule-settings.ts';
import type { RuleMode } from '../contracts/sequence-rules.ts';
import { JtiCache } from './auth/jti-cache.ts';
import { SharedJtis } from './auth/shared-jtis.ts';
import { SharedKeys } from './auth/shared-keys.ts';
import { VerifiedTokens } from './auth/jwt-verifier.ts';
import { KeyRegistry, keyWarnings } from './auth/key-registry.ts';
import { createAuthenticator, type Authenticator, type AuthMode } from './auth/request-auth.ts';
import { TenantCensus } from './tenancy/tenant-census.ts';
import { RetentionKeeper } from './tenancy/retention-keeper.ts';
import type { RetentionPolicy } from './tenancy/retention.ts';
import { answerHealth, isHealthRequest } from './http/health.ts';
import { silentLogger, type Logger } from './http/logger.ts';
import { writeJson } from './http/write-json.ts';
import { answerClientError } from './http/client-errors.ts';
import { databaseUnreachableError, describeFault, internalError } from './errors/api-error.ts';
import { addFaultRules, FaultBook } from './faults/fault-book.ts';
import { localFaultRules, type FaultRules } from './faults/fault-rules.ts';
import { SharedFaults } from './faults/shared-faults.ts';
import { MockClock, type ClockChanger } from './time/mock-clock.ts';
import { SharedClock } from './time/shared-clock.ts';
import { ReplicaBus } from './store/replica-bus.ts';
import { CallRateLimit } from './tenancy/call-rate-limit.ts';
import type { FaultFileRule } from '../contracts/fault-schemas.ts';
import { RequestJournal } from './journal/request-journal.ts';
import { localJournalWriter, type JournalWriter } from './journal/journal-writer.ts';
import { SharedJournal } from './journal/shared-journal.ts';
import { ReplicatedTelephonyStore } from './store/replicated-store.ts';
import { API_BASE_PATH, loadSpecDocument, telephonySurface } from './openapi/spec-document.ts';
import { DEFAULT_ORG_FILE, loadOrgFixture, type SimulatedOrg } from './org/simulated-org.ts';
import { openStore, type TelephonyStore } from './store/telephony-store.ts';
import { tenantOf, type Tenant } from './tenancy/tenant.ts';
import { VERSION } from './package-files.ts';
import { DEFAULTS } from './defaults.ts';
import type { StorageLimits } from './tenancy/storage-limits.ts';
import { AdminExposureError, adminExposureProblem, isLoopbackHost, type AdminAccess } from './admin/admin-exposure.ts';
import { merged } from './object-merge.ts';
import { afterTurn } from './time/after-turn.ts';

function storageLimitsOf(options: MockServerOptions): StorageLimits {
  return {
    maxTenantBytes: options.maxTenantBytes ?? DEFAULTS.maxTenantBytes,
    maxStoreBytes: options.maxStoreBytes ?? DEFAULTS.maxStoreBytes,
    maxTranscriptsPerCall: options.maxTranscriptsPerCall ?? DEFAULTS.maxTranscriptsPerCall,
    maxEventsPerCall: options.maxEventsPerCall ?? DEFAULTS.maxEventsPerCall,
  };
}

function retentionPolicyOf(options: MockServerOptions): RetentionPolicy {
  return merged(
    options.retainCalls === undefined ? {} : { retainCalls: options.retainCalls },
    options.retainForMs === undefined ? {} : { retainForMs: options.retainForMs },
  );
}

/** How often --retain-for is checked: a tenth of it, between one second and a minute. */
const retentionSweepMs = (retainForMs: number | undefined): number =>
  Math.min(60_000, Math.max(1000, Math.floor((retainForMs ?? 60_000) / 10)));

/** Runs `load` on the first call and hands every caller the same promise. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export interface MockServerOptions {
  host?: string;
  port?: number;
  /** The store's snapshot file (its log is <file>.wal); null keeps everything in memory. */
  dataFile?: string | null;
  /** A PostgreSQL URL for the store instead of a file; every process given the same URL shares it (replicas). */
  storeUrl?: string;
  fixturesFile?: string;
  mode?: RuleMode;
  /** Rule levels for this run, on top of the org fixture's `rules` (later layers win). */
  ruleSettings?: readonly RuleSettingLayer[];
  auth?: AuthMode;
  /** Seed for deterministic record ids. */
  seed?: string;
  maxBodyBytes?: number;
  /** How far a token's iat may be in the future, and its exp in the past, in seconds. */
  clockSkewSeconds?: number;
  /** Journal entries kept per tenant; 0 switches the journal off. */
  journalSize?: number;
  /** Calls one tenant may store. */
  maxCallsPerTenant?: number;
  /** JSON bytes of records one tenant may store. */
  maxTenantBytes?: number;
  /** JSON bytes of records all tenants together may store. */
  maxStoreBytes?: number;
  /** Transcript messages one conversation may hold. */
  maxTranscriptsPerCall?: number;
  /** Conversation events one conversation may hold. */
  maxEventsPerCall?: number;
  /** Fold the store's write-ahead log into the snapshot once it reaches this size. */
  compactAfterBytes?: number;
  /**
   * In memory, answer the writes of one turn of the event loop together, after it (faster under load).
   * Off by default, for a mock inside a test process whose fake timers may replace setImmediate;
   * `scv-mock start` turns it on.
   */
  settleCommitsAfterTurn?: boolean;
  logger?: Logger;
  clock?: () => Date;
  /** Honour `Prefer: code=…, delay=…` on /telephony/v1 requests (off by default, as the service ignores it). */
  allowPrefer?: boolean;
  /** Fault rules from the start (--faults), each for the tenant it names or the default one. */
  faultRules?: readonly FaultFileRule[];
  /** The org limit on calls initiated per second (Salesforce's is 50); off when not given. */
  callsPerSecond?: number;
  /** The token every /__admin request but health must carry (Scv-Mock-Admin-Token); needed off loopback. */
  adminToken?: string;
  /** Serve the admin API off loopback without a token (key registration from other hosts stays refused). */
  unsafeOpenAdmin?: boolean;
  /**
   * Accept tokens of any org id with the fixture's keys. Defaults to the fixture's acceptAnyOrgId on
   * loopback, and to false on a shared host (where each org then needs a key registered for it).
   */
  acceptAnyOrgId?: boolean;
  /** Token ids remembered against replay; past this the oldest is forgotten. */
  maxJtis?: number;
  /** Bytes the journal keeps across tenants; past this the largest tenant's oldest entries are dropped. */
  journalBytes?: number;
  /** Tenants the mock serves; a new one past this is refused with 429. */
  maxTenants?: number;
  /** Keys that may be registered at runtime (POST /__admin/keys). */
  maxKeys?: number;
  /** Conversations a tenant keeps: the oldest closed ones past this are evicted with what they own. */
  retainCalls?: number;
  /** Milliseconds a closed conversation is kept; older ones are evicted (checked at least once a minute). */
  retainForMs?: number;
  /** Open connections at once; further ones are closed as they arrive, so file descriptors are never exhausted. */
  maxConnections?: number;
  /** Milliseconds a client has to send a whole request (headers and body); a slower one is answered 408. */
  requestTimeoutMs?: number;
}

export interface MockServer {
  /** The request listener: /telephony/v1 on node:http, everything else on the admin API's express app. */
  readonly app: RequestListener;
  readonly store: TelephonyStore;
  readonly org: SimulatedOrg;
  readonly keys: KeyRegistry;
  readonly journal: RequestJournal;
  /** How entries reach the journal and how it is cleared (on replicas: for every replica). */
  readonly journalWriter: JournalWriter;
  readonly fixturesFile: string;
  readonly mode: RuleMode;
  /** Every rule's level in this run, and where it came from. */
  readonly rules: RulePolicy;
  readonly auth: AuthMode;
  readonly defaultTenant: Tenant;
  /** The tenants' fault rules (POST /__admin/faults, the harness's faults). */
  readonly faults: FaultBook;
  /** The mock's time (POST /__admin/clock, the harness's clock). */
  readonly clock: MockClock;
  /** How the admin API is exposed: its token, and whether the mock listens beyond loopback. */
  readonly access: AdminAccess;
  /** The retention policy at work (--retain-calls, --retain-for); sweep() applies it now. */
  readonly retention: RetentionKeeper;
  /** Starts listening; resolves to the base URL (http://host:port). */
  listen(): Promise<string>;
  /**
   * Resolves once the telephony and admin APIs are loaded (listen() starts loading them); rejects with
   * the reason a part could not load.
   */
  loaded(): Promise<void>;
  /** Stops accepting requests, closes connections, makes the store durable. */
  close(): Promise<void>;
}

export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const logger = options.logger ?? silentLogger;
  const mode = options.mode ?? DEFAULTS.mode;
  const auth = options.auth ?? DEFAULTS.auth;
  const fixturesFile = options.fixturesFile ?? DEFAULT_ORG_FILE;
  const org = loadOrgFixture(fixturesFile);
  const rules = new RulePolicy(mode, [
    { from: 'fixture', settings: org.fixture.rules },
    ...(options.ruleSettings ?? []),
  ]);
  const host = options.host ?? DEFAULTS.host;
  const problem = adminExposureProblem({
    host,
    adminToken: options.adminToken,
    unsafeOpenAdmin: options.unsafeOpenAdmin,
  });
  if (problem !== null) throw new AdminExposureError(problem);
  const access: AdminAccess = { token: options.adminToken ?? null, shared: !isLoopbackHost(host) };
  const keys = await KeyRegistry.fromOrg(org, fixturesFile, {
    acceptAnyOrgId: options.acceptAnyOrgId ?? (access.shared ? false : org.fixture.acceptAnyOrgId),
    maxKeys: options.maxKeys ?? DEFAULTS.maxKeys,
  });
  for (const key of keys.list())
    for (const warning of keyWarnings(key.modulusLength))
      logger.warn(`${fixturesFile}: key "${key.name}" of ${key.callCenterApiName}: ${warning}`);
  const dataFile = options.dataFile === undefined ? DEFAULTS.dataFile : options.dataFile;
  const where =
    options.storeUrl !== undefined ? { databaseUrl: options.storeUrl } : dataFile === null ? {} : { file: dataFile };
  const store = await openStore(
    merged(where, {
      persistence: merged(
        options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes },
        { onProblem: (message: string) => logger.warn(message) },
      ),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      settleCommitsAfterTurn: options.settleCommitsAfterTurn === true,
    }),
  );
  if (store.droppedAtLoad > 0) {
    logger.warn(
      `the store's log ended with ${store.droppedAtLoad} incomplete line (a write cut short by a crash, never acknowledged); it was skipped`,
    );
  }
  const defaultTenant: Tenant = tenantOf(org.orgId, org.defaultContactCenter.apiName);
  // The one time source: tests may hand one in, /__admin/clock moves it.
  const mockClock = new MockClock(options.clock === undefined ? Date.now : () => options.clock!().getTime());
  const clock = mockClock.now;
  const retention = new RetentionKeeper(store, retentionPolicyOf(options), clock, logger);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const maxCallsPerTenant = options.maxCallsPerTenant ?? DEFAULTS.maxCallsPerTenant;
  const limits = storageLimitsOf(options);
  const journal = new RequestJournal(
    options.journalSize ?? DEFAULTS.journalSize,
    options.journalBytes ?? DEFAULTS.journalBytes,
  );
  const replica = store instanceof ReplicatedTelephonyStore ? store : null;
  const database = replica?.database ?? null;
  const sharedJournal = database === null ? null : new SharedJournal(database, journal, logger);
  if (database !== null) await keys.share(new SharedKeys(database));
  const bus = database === null ? null : new ReplicaBus(database, logger);
  await bus?.start();
  const sharedClock = database === null || bus === null ? null : new SharedClock(database, bus, mockClock);
  await sharedClock?.load();
  const changeClock: ClockChanger = sharedClock?.apply ?? ((request) => Promise.resolve(mockClock.apply(request)));
  const jtis = new JtiCache(options.maxJtis ?? DEFAULTS.maxJtis);
  await sharedJournal?.listen();
  const journalWriter: JournalWriter = sharedJournal ?? localJournalWriter(journal);
  const faults = new FaultBook();
  addFaultRules(faults, org, options.faultRules ?? []);
  const sharedFaults = database === null || bus === null ? null : new SharedFaults(database, bus, faults);
  await sharedFaults?.load();
  const faultRules: FaultRules = sharedFaults ?? localFaultRules(faults);
  const census = new TenantCensus(options.maxTenants ?? DEFAULTS.maxTenants, store.tenants());
  const verifyTenant = createAuthenticator({
    mode: auth,
    defaultTenant,
    tokenChecks: {
      org,
      keys,
      jtis: database === null ? jtis : new SharedJtis(database, jtis),
      verified: new VerifiedTokens(),
      clockSkewSeconds: options.clockSkewSeconds ?? DEFAULTS.clockSkewSeconds,
      now: clock,
    },
  });
  // Every request that names a tenant (the API's and the admin API's) passes the census.
  const authenticate: Authenticator = (headers) => {
    const tenant = verifyTenant(headers);
    return tenant instanceof Promise ? tenant.then((known) => census.admit(known)) : census.admit(tenant);
  };
  const health: HealthResponse = { status: 'ok', version: VERSION, mode, auth, store: store.kind };

  // express and openapi-backend take a few hundred milliseconds to load; the server listens (and answers
  // health) without them, loads them just after, and a request that comes first waits for them.
  // One import at a time: jest's ES module loader (a connector suite's runner) fails concurrent imports
  // that share modules ("request for 'node:buffer' is not in cache"), and the cost here is a few ms.
  // Once loaded, a request goes to the listener directly, without a promise and a turn per request.
  let telephonyLoaded: { validator: RequestValidator; listener: TelephonyListener } | undefined;
  const telephony = once(async () => {
    const { RequestValidator } = await import('./openapi/request-validator.ts');
    const { TelephonyPipeline } = await import('./core/telephony-pipeline.ts');
    const { telephonyListener } = await import('./http/telephony-listener.ts');
    const validator = await RequestValidator.create(telephonySurface(loadSpecDocument()));
    const pipeline = new TelephonyPipeline({
      validator,
      env: { store, org, rules, maxCallsPerTenant, limits },
      authenticate,
      logger,
      clock,
      faults: faultRules,
      honourPrefer: options.allowPrefer === true,
      ...(retention.active ? { afterWrite: (tenant: string) => retention.afterWrite(tenant) } : {}),
      ...(options.callsPerSecond === undefined
        ? {}
        : { callRateLimit: new CallRateLimit(options.callsPerSecond, clock) }),
    });
    telephonyLoaded = {
      validator,
      listener: telephonyListener({ pipeline, basePath: API_BASE_PATH, maxBodyBytes, logger, journal, journalWriter }),
    };
    return telephonyLoaded;
  });
  const admin = once(async () => {
    const { adminApp } = await import('./admin/admin-app.ts');
    return adminApp({
      version: VERSION,
      mode,
      rules,
      auth,
      store,
      keys,
      maxBodyBytes,
      maxCallsPerTenant,
      limits,
      authenticate,
      journal,
      journalWriter,
      faults: faultRules,
      clock: mockClock,
      changeClock,
      access,
      retention,
      org,
      census,
      demoToken: async (callCenterApiName: string) => {
        const { signToken } = await import('./auth/token-signer.ts');
        return signToken({
          orgId: org.orgId,
          callCenterApiName,
          ttlSeconds: 3600,
          issuedAt: Math.floor(clock().getTime() / 1000),
        });
      },
      logger,
    });
  });
  const failed = (res: ServerResponse, error: unknown) => {
    logger.error(`the mock could not load a part of itself: ${describeFault(error)}`);
    if (!res.headersSent) writeJson(res, 500, internalError().body);
  };

  const app: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    const rest = url.startsWith(API_BASE_PATH) ? url.charAt(API_BASE_PATH.length) : undefined;
    if (rest === '' || rest === '/' || rest === '?') {
      if (telephonyLoaded !== undefined) telephonyLoaded.listener(req, res);
      else
        telephony().then(
          (t) => {
            t.listener(req, res);
          },
          (error: unknown) => failed(res, error),
        );
    } else if (isHealthRequest(req)) {
      if (replica === null) answerHealth(req, res, health, logger);
      // A replica is ready only while it reaches the database the others share.
      else
        void replica.reachable().then((ok) => {
          if (ok) answerHealth(req, res, health, logger);
          else writeJson(res, 503, databaseUnreachableError().body);
        });
    } else {
      admin().then(
        (express) => {
          express(req, res);
        },
        (error: unknown) => failed(res, error),
      );
    }
  };

  let server: Server | null = null;
  // The loading that listen() starts in the background, one part after the other (see telephony above).
  // close() waits for it, so that no module loads after close: a test runner such as jest tears its
  // module system down then, and reports each late import.
  let loading: Promise<void> = Promise.resolve();
  let background: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    app,
    store,
    org,
    keys,
    journal,
    journalWriter,
    fixturesFile,
    mode,
    rules,
    auth,
    defaultTenant,
    faults,
    clock: mockClock,
    access,
    retention,
    listen: () =>
      new Promise((resolve, reject) => {
        // Timeouts are checked this often (Node's default, 30 s, would let a slow request run long past its limit).
        const started = createServer({ connectionsCheckingInterval: 1000 }, app);
        started.keepAliveTimeout = 65_000;
        // Node's defaults (no connection limit, 300 s to send a request) let slow clients hold every file
        // descriptor; the store then cannot open its files.
        started.maxConnections = options.maxConnections ?? DEFAULTS.maxConnections;
        started.requestTimeout = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
        started.headersTimeout = Math.min(started.requestTimeout, DEFAULTS.headersTimeoutMs);
        started.on('clientError', answerClientError);
        started.once('error', reject);
        started.listen(options.port ?? DEFAULTS.port, host, () => {
          server = started;
          retention.start(retentionSweepMs(options.retainForMs));
          loading = new Promise((next) => afterTurn(next))
            .then(telephony)
            .then(admin)
            .then(() => undefined);
          background = loading.then(
            () =>
              telephony().then((t) => {
                // The stored sizes the limits check are counted once (160 ms for 100,000 calls): now, while
                // idle, rather than in the first write's answer.
                if (!closed) store.totalBytes();
                return t.validator.warmUp(() => closed);
              }),
            () => undefined,
          );
          const { port } = started.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
        });
      }),
    loaded: () => loading,
    close: async () => {
      closed = true;
      await retention.stop();
      await background;
      if (server !== null) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeAllConnections();
        await closing;
        server = null;
      }
      await journalWriter.close();
      await bus?.close();
      await store.close();
    },
  };
}
