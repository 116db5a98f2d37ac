/**
 * `scv-mock start` options: flags, then SCV_MOCK_* environment variables, then defaults. argv and env in, server
 * options (or a usage error that says what to fix) out; the only file it reads is --rules-file.
 */
import { resolve } from 'node:path';
import {
  parseRuleAssignment,
  RuleSettingError,
  type RuleSettingLayer,
  type RuleSettings,
} from '../../contracts/rule-settings.ts';
import type { RuleMode } from '../../contracts/sequence-rules.ts';
import type { AuthMode } from '../auth/request-auth.ts';
import type { LogFormat } from '../http/logger.ts';
import { DEFAULTS } from '../defaults.ts';
import type { MockServerOptions } from '../server.ts';
import { UsageError } from './parse-flags.ts';
import { dataFileOf, envNameOf, startFlags, type StartFlag } from './start-flags.ts';
import { loadRulesFile } from './rules-file.ts';
import { loadFaultsFile } from './faults-file.ts';
import { durationMs } from '../time/mock-clock.ts';

export interface StartOptions extends MockServerOptions {
  host: string;
  port: number;
  dataFile: string | null;
  mode: RuleMode;
  ruleSettings: RuleSettingLayer[];
  auth: AuthMode;
  maxBodyBytes: number;
  clockSkewSeconds: number;
  journalSize: number;
  maxCallsPerTenant: number;
  compactAfterBytes: number;
  moveCorruptStore: boolean;
  logFormat: LogFormat;
  /** --retain-for as the user wrote it, for the banner. */
  retainFor?: string;
  /** Written with the base URL once the mock listens (atomically), removed at shutdown. */
  readyFile?: string;
  quiet: boolean;
}

const SIZE = /^(\d+)(b|kb|mb|gb)?$/i;

function parseSize(value: string, flag: string): number {
  const match = SIZE.exec(value.trim());
  if (match === null)
    throw new UsageError(`${flag} "${value}" is not a size; use bytes or a unit, e.g. 512kb, 2mb or 1gb`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const scale = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b' | 'kb' | 'mb' | 'gb'];
  return Number(match[1]) * scale;
}

function parseDuration(value: string, flag: string): number {
  let ms = 0;
  try {
    ms = durationMs(value.trim());
  } catch {
    // Reported below, with the flag's name.
  }
  if (ms === 0)
    throw new UsageError(`${flag} "${value}" is not a duration; use a number and a unit, e.g. 90s, 30m, 12h or 7d`);
  return ms;
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${source} "${value}" is not a port; use a number from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

function parseCount(value: string, flag: string, unit = 'a whole number'): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} "${value}" is not ${unit}`);
  return Number(value);
}

const parseSeconds = (value: string, flag: string): number => parseCount(value, flag, 'a number of seconds');

function parsePositive(value: string, flag: string, zero = 'would refuse every call'): number {
  const count = parseCount(value, flag);
  if (count === 0) throw new UsageError(`${flag} 0 ${zero}; give 1 or more, or leave it out`);
  return count;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
}

function ruleLayers(file: string | undefined, assignments: readonly string[], flag: string): RuleSettingLayer[] {
  const layers: RuleSettingLayer[] = [];
  if (file !== undefined) layers.push({ from: 'file', settings: loadRulesFile(resolve(file)) });
  const flags: RuleSettings = {};
  for (const assignment of assignments) {
    try {
      const [id, level] = parseRuleAssignment(assignment);
      flags[id] = level;
    } catch (error) {
      if (error instanceof RuleSettingError) throw new UsageError(`${flag} ${assignment}: ${error.message}`);
      throw error;
    }
  }
  if (assignments.length > 0) layers.push({ from: 'flag', settings: flags });
  return layers;
}

/** Generic variables that earlier versions read and this one does not: a note for the start log. */
export function ignoredEnvironment(env: NodeJS.ProcessEnv): string[] {
  return (['PORT', 'HOST'] as const)
    .filter((name) => env[name] !== undefined && env[envNameOf(name.toLowerCase())] === undefined)
    .map(
      (name) => `${name} is set but not read (it may belong to another program); use ${envNameOf(name.toLowerCase())}`,
    );
}

/** The options that were given: a server option left out takes its default. */
function onlyGiven<T extends Record<string, unknown>>(options: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions & { help: boolean } {
  const { values: v, source } = startFlags(argv, env);
  if (v['in-memory'] === true && v.data !== undefined)
    throw new UsageError(`${source('in-memory')} and ${source('data')} exclude each other; give one`);
  if (v.store !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(v.store))
      throw new UsageError(
        `${source('store')} "${v.store.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}" is not a PostgreSQL URL; use postgres://user:password@host:5432/database`,
      );
    for (const other of ['data', 'in-memory'] as const)
      if (v[other] !== undefined)
        throw new UsageError(`${source('store')} and ${source(other)} exclude each other; give one`);
  }
  const dataFile = dataFileOf(v);
  /** A flag's value, parsed with the name the user gave it (flag or variable); undefined when not given. */
  const option = <T>(flag: StartFlag, parse: (value: string, from: string) => T): T | undefined => {
    const value = v[flag];
    return typeof value === 'string' ? parse(value, source(flag)) : undefined;
  };
  return {
    help: v.help === true,
    host: v.host ?? DEFAULTS.host,
    port: v.port === undefined ? DEFAULTS.port : parsePort(v.port, source('port')),
    dataFile,
    ...(v.store === undefined ? {} : { storeUrl: v.store }),
    ...(v.fixtures === undefined ? {} : { fixturesFile: resolve(v.fixtures) }),
    mode: oneOf(v.mode ?? DEFAULTS.mode, ['strict', 'lenient'] as const, source('mode')),
    ruleSettings: ruleLayers(v['rules-file'], v.rule ?? [], source('rule')),
    ...(v.faults === undefined ? {} : { faultRules: loadFaultsFile(resolve(v.faults)) }),
    allowPrefer: v['allow-prefer'] === true,
    auth: oneOf(v.auth ?? DEFAULTS.auth, ['jwt', 'off'] as const, source('auth')),
    clockSkewSeconds:
      v['clock-skew'] === undefined ? DEFAULTS.clockSkewSeconds : parseSeconds(v['clock-skew'], source('clock-skew')),
    ...(v.seed === undefined ? {} : { seed: v.seed }),
    maxBodyBytes: v['max-body'] === undefined ? DEFAULTS.maxBodyBytes : parseSize(v['max-body'], source('max-body')),
    journalSize:
      v['journal-size'] === undefined ? DEFAULTS.journalSize : parseCount(v['journal-size'], source('journal-size')),
    maxCallsPerTenant:
      v['max-calls-per-tenant'] === undefined
        ? DEFAULTS.maxCallsPerTenant
        : parseCount(v['max-calls-per-tenant'], source('max-calls-per-tenant')),
    ...(v['calls-per-second'] === undefined
      ? {}
      : { callsPerSecond: parsePositive(v['calls-per-second'], source('calls-per-second')) }),
    compactAfterBytes:
      v['compact-after'] === undefined ? 64 * 1024 * 1024 : parseSize(v['compact-after'], source('compact-after')),
    moveCorruptStore: v['move-corrupt-store'] === true,
    logFormat: oneOf(v['log-format'] ?? 'text', ['text', 'json'] as const, source('log-format')),
    ...(v['ready-file'] === undefined ? {} : { readyFile: resolve(v['ready-file']) }),
    ...(v['admin-token'] === undefined ? {} : { adminToken: v['admin-token'] }),
    unsafeOpenAdmin: v['unsafe-open-admin'] === true,
    ...(v['accept-any-org-id'] === true ? { acceptAnyOrgId: true } : {}),
    ...onlyGiven({
      maxKeys: option('max-keys', parseCount),
      maxTenants: option('max-tenants', (value, from) => parsePositive(value, from, 'would refuse every tenant')),
      maxTenantBytes: option('max-tenant-bytes', parseSize),
      maxStoreBytes: option('max-store-bytes', parseSize),
      maxTranscriptsPerCall: option('max-transcripts-per-call', parseCount),
      maxEventsPerCall: option('max-events-per-call', parseCount),
      maxJtis: option('max-jtis', (value, from) => parsePositive(value, from, 'would remember no token id')),
      journalBytes: option('journal-bytes', parseSize),
      retainCalls: option('retain-calls', parseCount),
      retainForMs: option('retain-for', parseDuration),
      retainFor: option('retain-for', (value) => value.trim()),
      maxConnections: option('max-connections', (value, from) =>
        parsePositive(value, from, 'would refuse every connection'),
      ),
      requestTimeoutMs: option(
        'request-timeout',
        (value, from) => 1000 * parsePositive(value, from, 'would time out every request'),
      ),
    }),
    quiet: v.quiet === true,
  };
}
