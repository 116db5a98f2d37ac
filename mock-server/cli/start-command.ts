/**
 * `scv-mock start`: runs the mock until SIGINT/SIGTERM, with a banner that says where everything is.
 * Start-up problems (bad fixtures, unreadable store, port in use) end with one clear message, exit 1.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { createLogger, type Logger } from '../http/logger.ts';
import { startedByLauncher, stopsWithNpm, whenParentEnds } from './parent-watch.ts';
import { FaultRuleError } from '../faults/fault-book.ts';
import { OrgFixtureError, type SimulatedOrg } from '../org/simulated-org.ts';
import { createMockServer, type MockServer } from '../server.ts';
import { DataFileInUseError, moveStoreAside, StoreFileError } from '../store/file-persistence.ts';
import { VERSION } from '../package-files.ts';
import { START_HELP } from './start-help.ts';
import { ignoredEnvironment, parseStartOptions, type StartOptions } from './start-options.ts';
import { adaptHeapGrowth, CAPPED_GROWTH_PERCENT, storeBytesOnDisk } from './heap-growth.ts';
import { ADMIN_TOKEN_HEADER, AdminExposureError } from '../admin/admin-exposure.ts';
import { StoreDatabaseError } from '../store/postgres-database.ts';

function describeCenters(org: SimulatedOrg): string[] {
  return org.contactCenters.map(
    (center) =>
      `    ${center.apiName}: ${center.phoneChannels.map((c) => c.phoneNumber).join(', ')}` +
      `${center.unifiedRouting ? ' (Unified Routing)' : ''}`,
  );
}

function banner(server: MockServer, options: StartOptions, baseUrl: string): string[] {
  const counts = server.store.counts();
  const where = (file: string) =>
    relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file) || file;
  return [
    `scv-telephony-mock ${VERSION} listening on ${baseUrl}/telephony/v1`,
    `  store:    ${server.store.location === null ? 'in memory (nothing is saved)' : server.store.kind === 'postgres' ? `PostgreSQL ${server.store.location}` : `file ${where(server.store.location)}`} (${counts.calls} calls, ${counts.transcripts} transcript messages)`,
    ...(server.retention.active
      ? [
          `  retain:   ${[
            ...(options.retainCalls === undefined
              ? []
              : [`the newest ${options.retainCalls} conversations per tenant`]),
            ...(options.retainFor === undefined ? [] : [`closed conversations for ${options.retainFor}`]),
          ].join(', and ')}; older closed ones are evicted`,
        ]
      : []),
    `  auth:     ${
      options.auth === 'off'
        ? 'OFF (--auth off): no token needed; the Scv-Mock-Tenant header names the tenant'
        : `RS256 JWT verified against ${server.keys.list().length} registered key(s)${server.keys.acceptAnyOrgId ? ', any org id (each its own tenant)' : `, org ${server.org.orgId} and orgs with a key registered for them`}; scv-mock token prints one`
    }`,
    `  mode:     ${options.mode === 'strict' ? 'strict: rules at level refuse answer 409 or 400' : 'lenient: rule violations are let through and recorded'}`,
    `  rules:    ${server.rules.changed().join(', ') || 'default levels'} (${baseUrl}/__admin/rules lists them)`,
    ...(options.faultRules === undefined && options.allowPrefer !== true
      ? []
      : [
          `  faults:   ${options.faultRules?.length ?? 0} rule(s) from --faults; the Prefer header is ${options.allowPrefer === true ? 'honoured' : 'ignored'} (${baseUrl}/__admin/faults lists a tenant's rules)`,
        ]),
    ...exposure(server, options, baseUrl),
    `  org:      ${server.org.orgId} "${server.org.fixture.name}" from ${where(server.fixturesFile)}`,
    // The server's own pid: `scv-mock start` runs it in a second process (heap-relaunch.ts); either stops it.
    `  process:  pid ${process.pid}, node ${process.version}`,
    '  contact centers:',
    ...describeCenters(server.org),
    `  ui:       ${baseUrl}/__admin/ui, the dashboard (API reference: ${baseUrl}/__admin/docs)`,
    `  health:   ${baseUrl}/__admin/health`,
  ];
}

/** What other hosts can reach and who may use the admin API: one line on loopback, a block when shared. */
function exposure(server: MockServer, options: StartOptions, baseUrl: string): string[] {
  const { access } = server;
  if (!access.shared)
    return [
      `  admin:    ${baseUrl}/__admin, open to this host only (loopback)${access.token === null ? '' : '; needs the admin token'}`,
    ];
  const open = access.token === null;
  return [
    `  SHARED:   listening on ${options.host}: other hosts can reach the telephony API (each tenant needs its own signed token${options.auth === 'off' ? '; --auth off: ANYONE CAN ACT AS ANY TENANT' : ''})`,
    open
      ? `  admin:    OPEN TO ANYONE (--unsafe-open-admin): keys, tenants, the clock, the demo tenant; other tenants need their own token; keys register from this host only`
      : `  admin:    ${baseUrl}/__admin needs the ${ADMIN_TOKEN_HEADER} header (--admin-token); health stays open`,
  ];
}

/** The base URL, written whole: a watcher sees no file or the complete one, never a part. */
function writeReadyFile(file: string, baseUrl: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, `${baseUrl}\n`);
  renameSync(temporary, file);
}

export async function startCommand(argv: readonly string[]): Promise<number> {
  const options = parseStartOptions(argv, process.env);
  if (options.help) {
    process.stdout.write(START_HELP);
    return 0;
  }
  const logger: Logger = createLogger({ format: options.logFormat, quiet: options.quiet });
  for (const note of ignoredEnvironment(process.env)) logger.warn(note);
  adaptHeapGrowth(storeBytesOnDisk(options.dataFile), (survived) =>
    logger.info(
      `heap: ${Math.round(survived / 2 ** 20)} MB survived a full collection; ` +
        `its growth is capped at ${CAPPED_GROWTH_PERCENT} % from now on, to keep the RSS of a large store down`,
    ),
  );
  let server: MockServer;
  let baseUrl: string;
  try {
    try {
      server = await createMockServer({ ...options, logger, settleCommitsAfterTurn: true });
    } catch (error) {
      if (!(error instanceof StoreFileError) || !options.moveCorruptStore || options.dataFile === null) throw error;
      logger.warn(error.message);
      for (const moved of moveStoreAside(options.dataFile)) logger.warn(`moved aside: ${moved}`);
      server = await createMockServer({ ...options, logger, settleCommitsAfterTurn: true });
    }
    baseUrl = await server.listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL')
      logger.error(
        `${options.host} is not an address of this machine. Give one it has (--host 0.0.0.0 listens on all of them).`,
      );
    else if (code === 'EADDRINUSE')
      logger.error(
        `port ${options.port} on ${options.host} is in use. Stop the other process or pick another port with --port.`,
      );
    else if (code === 'EACCES')
      logger.error(`not allowed to listen on ${options.host}:${options.port}. Pick a port above 1023 with --port.`);
    else if (
      error instanceof OrgFixtureError ||
      error instanceof StoreFileError ||
      error instanceof FaultRuleError ||
      error instanceof DataFileInUseError ||
      error instanceof AdminExposureError ||
      error instanceof StoreDatabaseError
    )
      logger.error(error.message);
    else throw error;
    return 1;
  }
  // Before the mock says it is listening: whoever waits for that line (or the ready file) and then stops
  // the mock must reach these handlers. Installed after it, a signal sent at once could land first, and
  // node's default ends the process by the signal, without saving (a CI run on 2026-12-03 saw the process
  // started end by a signal after a group SIGINT sent as soon as the line was read).
  const stopped = stopOnSignals(server, options.readyFile, logger);
  logger.started(
    {
      url: baseUrl,
      api: `${baseUrl}/telephony/v1`,
      health: `${baseUrl}/__admin/health`,
      port: Number(new URL(baseUrl).port),
      pid: process.pid,
      version: VERSION,
    },
    banner(server, options, baseUrl),
  );
  if (server.access.shared && server.access.token === null) {
    logger.warn(
      `--unsafe-open-admin: the admin API on ${baseUrl} is open to anyone who can reach this port. They can list the keys and tenants, move the clock that every token is checked by, and read and reset the simulated org's tenant with a demo token; other tenants still need their own token. Give --admin-token instead unless this network is yours alone.`,
    );
  }
  if (options.readyFile !== undefined) {
    try {
      writeReadyFile(options.readyFile, baseUrl);
    } catch (error) {
      logger.error(
        `cannot write --ready-file ${options.readyFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); stopping`,
      );
      stopped.cancel();
      await server.close();
      return 1;
    }
  }
  return stopped.exitCode;
}

/**
 * Stops the server on SIGINT or SIGTERM (a second one exits without waiting) and when the process that
 * started it ends; `exitCode` resolves with the code to exit with. `cancel` takes the handlers off again.
 */
function stopOnSignals(
  server: MockServer,
  readyFile: string | undefined,
  logger: Logger,
): { exitCode: Promise<number>; cancel: () => void } {
  let cancel = () => {};
  const exitCode = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting`);
        resolve(1);
        return;
      }
      stopping = true;
      logger.info(`${signal}: saving the store and shutting down`);
      server.close().then(
        () => {
          if (readyFile !== undefined) rmSync(readyFile, { force: true });
          resolve(0);
        },
        (error: unknown) => {
          logger.error(`shutdown failed: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    const onInterrupt = () => stop('SIGINT');
    const onTerminate = () => stop('SIGTERM');
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    // The process that started this server passes signals on; if it is killed outright, stop as on SIGTERM.
    let stopWatching = () => {};
    if (startedByLauncher(process.env, process.ppid))
      stopWatching = whenParentEnds(() => stop('the scv-mock process that started this one ended'));
    else if (stopsWithNpm(process.env))
      stopWatching = whenParentEnds(() => stop('the npm process that started the mock ended'));
    cancel = () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      stopWatching();
    };
  });
  return { exitCode, cancel };
}
