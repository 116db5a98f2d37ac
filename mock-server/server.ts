/**
 * Puts the layers together: simulated org, store, openapi-backend router, HTTP app. `createMockServer`
 * builds everything without listening (supertest uses `app`); `listen` and `close` run it for real.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { RulePolicy, type RuleSettingLayer } from '../contracts/rule-settings.ts';
import type { RuleMode } from '../contracts/sequence-rules.ts';
import { adminApi } from './admin/admin-api.ts';
import type { Tenant } from './domain/operation-context.ts';
import { JtiCache } from './auth/jti-cache.ts';
import { tenantOf, VerifiedTokens } from './auth/jwt-verifier.ts';
import { KeyRegistry } from './auth/key-registry.ts';
import { authenticate, type AuthMode } from './http/auth-middleware.ts';
import { RequestJournal } from './journal/request-journal.ts';
import { errorHandler, notFoundHandler } from './http/error-responses.ts';
import { silentLogger, type Logger } from './http/logger.ts';
import { requestLog } from './http/request-log.ts';
import { telephonyApi } from './http/telephony-api.ts';
import { compileValidators, createOpenApiRouter } from './openapi/openapi-router.ts';
import { ADMIN_BASE_PATH, API_BASE_PATH, loadSpecDocument, telephonySurface } from './openapi/spec-document.ts';
import { DEFAULT_ORG_FILE, loadOrgFixture, type SimulatedOrg } from './org/simulated-org.ts';
import { openStore, type TelephonyStore } from './store/telephony-store.ts';
import { VERSION } from './package-files.ts';

export interface MockServerOptions {
  host?: string;
  port?: number;
  /** The lowdb store file; null keeps everything in memory. */
  dataFile?: string | null;
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
  /** Fold the store's write-ahead log into the snapshot once it reaches this size. */
  compactAfterBytes?: number;
  logger?: Logger;
  clock?: () => Date;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 6324,
  dataFile: '.scv-mock/store.json',
  mode: 'strict',
  auth: 'jwt',
  maxBodyBytes: 1024 * 1024,
  clockSkewSeconds: 60,
  journalSize: 10_000,
  maxCallsPerTenant: 250_000,
} as const;

export interface MockServer {
  readonly app: Express;
  readonly store: TelephonyStore;
  readonly org: SimulatedOrg;
  readonly keys: KeyRegistry;
  readonly journal: RequestJournal;
  readonly fixturesFile: string;
  readonly mode: RuleMode;
  /** Every rule's level in this run, and where it came from. */
  readonly rules: RulePolicy;
  readonly auth: AuthMode;
  readonly defaultTenant: Tenant;
  /** Starts listening; resolves to the base URL (http://host:port). */
  listen(): Promise<string>;
  /** Stops accepting requests, closes connections, makes the store durable. */
  close(): Promise<void>;
}

export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const logger = options.logger ?? silentLogger;
  const mode = options.mode ?? DEFAULTS.mode;
  const auth = options.auth ?? DEFAULTS.auth;
  const fixturesFile = options.fixturesFile ?? DEFAULT_ORG_FILE;
  const org = loadOrgFixture(fixturesFile);
  const rules = new RulePolicy(mode, [{ from: 'fixture', settings: org.fixture.rules }, ...(options.ruleSettings ?? [])]);
  const keys = await KeyRegistry.fromOrg(org, fixturesFile);
  const dataFile = options.dataFile === undefined ? DEFAULTS.dataFile : options.dataFile;
  const store = await openStore({
    ...(dataFile === null ? {} : { file: dataFile }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.compactAfterBytes === undefined ? {} : { persistence: { compactAfterBytes: options.compactAfterBytes } }),
  });
  if (store.droppedAtLoad > 0) {
    logger.warn(`the store's log ended with ${store.droppedAtLoad} incomplete line (a write cut short by a crash, never acknowledged); it was skipped`);
  }
  const api = await createOpenApiRouter(telephonySurface(loadSpecDocument()));
  const defaultTenant: Tenant = tenantOf(org.orgId, org.defaultContactCenter.apiName);
  const clock = options.clock ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const maxCallsPerTenant = options.maxCallsPerTenant ?? DEFAULTS.maxCallsPerTenant;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(logger));
  const journal = new RequestJournal(options.journalSize ?? DEFAULTS.journalSize);
  const verifier = {
    org,
    keys,
    jtis: new JtiCache(),
    verified: new VerifiedTokens(),
    clockSkewSeconds: options.clockSkewSeconds ?? DEFAULTS.clockSkewSeconds,
    now: clock,
  };
  const tenantOfRequest = authenticate({ mode: auth, defaultTenant, verifier });
  app.use(ADMIN_BASE_PATH, adminApi({ version: VERSION, mode, rules, auth, store, keys, maxBodyBytes, maxCallsPerTenant, authenticate: tenantOfRequest, journal }));
  app.use(
    API_BASE_PATH,
    telephonyApi({
      api,
      env: { store, org, rules, maxCallsPerTenant },
      authenticate: tenantOfRequest,
      journal,
      maxBodyBytes,
      logger,
      clock,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  let server: Server | null = null;
  return {
    app,
    store,
    org,
    keys,
    journal,
    fixturesFile,
    mode,
    rules,
    auth,
    defaultTenant,
    listen: () =>
      new Promise((resolve, reject) => {
        const host = options.host ?? DEFAULTS.host;
        const started = createServer(app);
        started.keepAliveTimeout = 65_000;
        started.once('error', reject);
        started.listen(options.port ?? DEFAULTS.port, host, () => {
          server = started;
          compileValidators(api);
          const { port } = started.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
        });
      }),
    close: async () => {
      if (server !== null) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeAllConnections();
        await closing;
        server = null;
      }
      await store.close();
    },
  };
}
