/**
 * The flags of `scv-mock start` and their SCV_MOCK_* variables, read without the rest of the options'
 * parsing: the data file is needed before the server's modules load (snapshot-prefetch.ts), and
 * start-options.ts loads the rule and fault schemas (zod, a tenth of a second).
 */
import { resolve } from 'node:path';
import { DEFAULTS } from '../defaults.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

/** The flags of `scv-mock start`; each can also come from SCV_MOCK_<NAME> (see withEnvironment). */
const START_FLAGS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  data: { type: 'string' },
  'in-memory': { type: 'boolean' },
  store: { type: 'string' },
  fixtures: { type: 'string' },
  mode: { type: 'string' },
  rule: { type: 'string', multiple: true },
  'rules-file': { type: 'string' },
  faults: { type: 'string' },
  'allow-prefer': { type: 'boolean' },
  'admin-token': { type: 'string' },
  'unsafe-open-admin': { type: 'boolean' },
  'accept-any-org-id': { type: 'boolean' },
  'max-keys': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-tenants': { type: 'string' },
  'max-tenant-bytes': { type: 'string' },
  'max-store-bytes': { type: 'string' },
  'max-transcripts-per-call': { type: 'string' },
  'max-events-per-call': { type: 'string' },
  'max-jtis': { type: 'string' },
  'journal-bytes': { type: 'string' },
  'retain-calls': { type: 'string' },
  'retain-for': { type: 'string' },
  'request-timeout': { type: 'string' },
  auth: { type: 'string' },
  'clock-skew': { type: 'string' },
  seed: { type: 'string' },
  'max-body': { type: 'string' },
  'journal-size': { type: 'string' },
  'max-calls-per-tenant': { type: 'string' },
  'calls-per-second': { type: 'string' },
  'compact-after': { type: 'string' },
  'move-corrupt-store': { type: 'boolean' },
  'log-format': { type: 'string' },
  'ready-file': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type StartFlag = Exclude<keyof typeof START_FLAGS, 'help'>;
export type StartValues = ReturnType<typeof parseFlags<typeof START_FLAGS>>;

/** The environment variable of a flag: --max-body is SCV_MOCK_MAX_BODY. */
export const envNameOf = (flag: string): string => `SCV_MOCK_${flag.toUpperCase().replace(/-/g, '_')}`;

function envBoolean(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new UsageError(`${name}="${value}" is not a yes or no; use 1 or 0 (true or false)`);
}

/**
 * Fills each flag not given on the command line from its SCV_MOCK_ variable (flags win), and says where
 * each value came from, so that an error names what the user wrote. A repeatable flag (--rule) takes
 * a comma-separated list. Only SCV_MOCK_ names are read: a generic PORT or HOST belongs to whatever
 * else runs in that environment.
 */
export function withEnvironment(
  given: StartValues,
  env: NodeJS.ProcessEnv,
): { values: StartValues; source: (flag: StartFlag) => string } {
  const values: Record<string, unknown> = { ...given };
  const fromEnv = new Set<string>();
  for (const [flag, spec] of Object.entries(START_FLAGS)) {
    if (flag === 'help' || values[flag] !== undefined) continue;
    const name = envNameOf(flag);
    const text = env[name];
    if (text === undefined) continue;
    fromEnv.add(flag);
    if (spec.type === 'boolean') values[flag] = envBoolean(name, text.trim());
    else if ('multiple' in spec)
      values[flag] = text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
    else values[flag] = text;
  }
  return {
    values,
    source: (flag) => (fromEnv.has(flag) ? envNameOf(flag) : `--${flag}`),
  };
}

/** The flags given, each filled from its variable where the command line left it out. */
export function startFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { values: StartValues; source: (flag: StartFlag) => string } {
  return withEnvironment(parseFlags(argv, START_FLAGS), env);
}

/** The store's file, absolute: --data, or the default; null for --in-memory and --store. */
export function dataFileOf(values: StartValues): string | null {
  return values['in-memory'] === true || values.store !== undefined ? null : resolve(values.data ?? DEFAULTS.dataFile);
}

/**
 * The file `scv-mock start` with these arguments will store in, or null: none, or arguments it will
 * refuse (it says why itself).
 */
export function storeFileOfStart(argv: readonly string[], env: NodeJS.ProcessEnv): string | null {
  try {
    return dataFileOf(startFlags(argv, env).values);
  } catch (error) {
    if (error instanceof UsageError) return null;
    throw error;
  }
}
