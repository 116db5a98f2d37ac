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
import { DEFAULTS } from '../defaults.ts';
import type { MockServerOptions } from '../server.ts';
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
  /** Written with the base URL once the mock listens (atomically), removed at shutdown. */
  readyFile?: string;
  quiet: boolean;
}

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
    'ready-file': { type: 'string' },
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
    ...(v['ready-file'] === undefined ? {} : { readyFile: resolve(v['ready-file']) }),
    quiet: v.quiet === true,
  };
}
