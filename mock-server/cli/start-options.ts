/**
 * `scv-mock start` options: flags, then environment variables, then defaults. argv and env in, server
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
import { DEFAULTS, type MockServerOptions } from '../server.ts';
import { parseFlags, UsageError } from './parse-flags.ts';
import { loadRulesFile } from './rules-file.ts';

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
  quiet: boolean;
}

export const START_HELP = `Usage: scv-mock start [options]

Starts the Service Cloud Voice Telephony Integration REST API mock.

Options:
  -p, --port <port>         Port to listen on (env PORT; default ${DEFAULTS.port})
      --host <address>      Address to listen on (env HOST; default ${DEFAULTS.host}, loopback only)
      --data <file>         store snapshot file, its log next to it (env SCV_MOCK_DATA; default ${DEFAULTS.dataFile})
      --in-memory           Keep everything in memory; nothing is written to disk
      --fixtures <file>     Simulated org to load (default: fixtures/default-org.json)
      --mode <mode>         strict: rules at level refuse answer 409 or 400 (default)
                            lenient: let them through, recorded as violations (verify still fails)
      --rule <ID=level>     Set a rule's level: refuse, warn or off (repeatable; GET /__admin/rules
                            lists the rules, their evidence and default levels)
      --rules-file <file>   Rule levels from JSON: {"rules": {"RULE_ID": "refuse|warn|off"}}
                            (--rule wins over the file, the file over the org fixture's "rules")
      --auth <jwt|off>      jwt: verify the RS256 bearer token of every request (default)
                            off: no token needed; the Scv-Mock-Tenant header names the tenant
      --clock-skew <secs>   Leeway for a token's iat and exp (default ${DEFAULTS.clockSkewSeconds})
      --seed <text>         Make record ids deterministic (same seed and requests, same ids)
      --max-body <size>     Largest accepted body, e.g. 512kb or 2mb (default 1mb)
      --journal-size <n>    Requests the journal keeps per tenant (default ${DEFAULTS.journalSize}; 0 = off)
      --max-calls-per-tenant <n>
                            Calls a tenant may store before creates answer 429 (default ${DEFAULTS.maxCallsPerTenant})
      --compact-after <size>
                            Fold the store's log into its snapshot at this size (default 64mb)
      --move-corrupt-store  If the store files cannot be read, move them aside and start empty
      --log-format <fmt>    text (default) or json
  -q, --quiet               Do not log each request
  -h, --help                Show this help
`;

const SIZE = /^(\d+)(b|kb|mb)?$/i;

function parseSize(value: string, flag: string): number {
  const match = SIZE.exec(value.trim());
  if (match === null) throw new UsageError(`${flag} "${value}" is not a size; use bytes or a unit, e.g. 512kb or 2mb`);
  const unit = (match[2] ?? 'b').toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
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

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
}

function ruleLayers(file: string | undefined, assignments: readonly string[]): RuleSettingLayer[] {
  const layers: RuleSettingLayer[] = [];
  if (file !== undefined) layers.push({ from: 'file', settings: loadRulesFile(resolve(file)) });
  const flags: RuleSettings = {};
  for (const assignment of assignments) {
    try {
      const [id, level] = parseRuleAssignment(assignment);
      flags[id] = level;
    } catch (error) {
      if (error instanceof RuleSettingError) throw new UsageError(`--rule ${assignment}: ${error.message}`);
      throw error;
    }
  }
  if (assignments.length > 0) layers.push({ from: 'flag', settings: flags });
  return layers;
}

export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions & { help: boolean } {
  const v = parseFlags(argv, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    data: { type: 'string' },
    'in-memory': { type: 'boolean' },
    fixtures: { type: 'string' },
    mode: { type: 'string' },
    rule: { type: 'string', multiple: true },
    'rules-file': { type: 'string' },
    auth: { type: 'string' },
    'clock-skew': { type: 'string' },
    seed: { type: 'string' },
    'max-body': { type: 'string' },
    'journal-size': { type: 'string' },
    'max-calls-per-tenant': { type: 'string' },
    'compact-after': { type: 'string' },
    'move-corrupt-store': { type: 'boolean' },
    'log-format': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v['in-memory'] === true && v.data !== undefined)
    throw new UsageError('--in-memory and --data exclude each other; give one');
  const portText = v.port ?? env.PORT;
  const dataFile = v['in-memory'] === true ? null : resolve(v.data ?? env.SCV_MOCK_DATA ?? DEFAULTS.dataFile);
  return {
    help: v.help === true,
    host: v.host ?? env.HOST ?? DEFAULTS.host,
    port: portText === undefined ? DEFAULTS.port : parsePort(portText, v.port !== undefined ? '--port' : 'PORT'),
    dataFile,
    ...(v.fixtures === undefined ? {} : { fixturesFile: resolve(v.fixtures) }),
    mode: oneOf(v.mode ?? DEFAULTS.mode, ['strict', 'lenient'] as const, '--mode'),
    ruleSettings: ruleLayers(v['rules-file'], v.rule ?? []),
    auth: oneOf(v.auth ?? DEFAULTS.auth, ['jwt', 'off'] as const, '--auth'),
    clockSkewSeconds:
      v['clock-skew'] === undefined ? DEFAULTS.clockSkewSeconds : parseSeconds(v['clock-skew'], '--clock-skew'),
    ...(v.seed === undefined ? {} : { seed: v.seed }),
    maxBodyBytes: v['max-body'] === undefined ? DEFAULTS.maxBodyBytes : parseSize(v['max-body'], '--max-body'),
    journalSize:
      v['journal-size'] === undefined ? DEFAULTS.journalSize : parseCount(v['journal-size'], '--journal-size'),
    maxCallsPerTenant:
      v['max-calls-per-tenant'] === undefined
        ? DEFAULTS.maxCallsPerTenant
        : parseCount(v['max-calls-per-tenant'], '--max-calls-per-tenant'),
    compactAfterBytes:
      v['compact-after'] === undefined ? 64 * 1024 * 1024 : parseSize(v['compact-after'], '--compact-after'),
    moveCorruptStore: v['move-corrupt-store'] === true,
    logFormat: oneOf(v['log-format'] ?? 'text', ['text', 'json'] as const, '--log-format'),
    quiet: v.quiet === true,
  };
}
