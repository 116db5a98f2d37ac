/**
 * `scv-mock token`: prints a signed bearer token, so curl walkthroughs and connectors in other languages
 * get one in one line. Defaults: the demo key, the default org and MyContactCenter.
 */
import { MAX_LIFETIME_SECONDS } from '../auth/jwt-claims.ts';
import { DEMO_PRIVATE_KEY_FILE, signToken, type TokenOptions } from '../auth/token-signer.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { readKeyFile } from './cli-files.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const TOKEN_HELP = `Usage: scv-mock token [options]

Prints an RS256 bearer token for the mock (or for a real org, signed with your key).

Options:
      --org <id>            iss: the org id (default: the default org of fixtures/default-org.json)
      --call-center <name>  sub: the contact center API name (default: MyContactCenter)
      --key <file>          PEM private key to sign with (default: the demo key, public test material)
      --ttl <duration>      Lifetime: 90s, 15m, 4h, 1d (default 4h; the API allows at most 24h)
      --jti                 Add a random jti (the API rejects a jti it has seen)
      --aud <audience>      Add aud, e.g. https://scrt.salesforce.com
      --iat <epoch s>       Override iat (to test clocks)
      --exp <epoch s>       Override exp (to test expiry)
  -h, --help                Show this help

Example:
  curl -H "Authorization: Bearer $(scv-mock token)" ...
`;

const DURATION = /^(\d+)(s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (match === null)
    throw new UsageError(`--ttl "${value}" is not a duration; use seconds or a unit, e.g. 90s, 15m, 4h`);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
  // The mock refuses such a token (AUTH_LIFETIME_TOO_LONG), as the API does; --iat/--exp make one on purpose.
  if (seconds > MAX_LIFETIME_SECONDS)
    throw new UsageError(
      `--ttl ${value} is longer than the API accepts (24 hours). To make a token the mock refuses on purpose, set --iat and --exp.`,
    );
  return seconds;
}

function epochSeconds(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} "${value}" is not epoch seconds`);
  return Number(value);
}

export function parseTokenOptions(argv: readonly string[]): (TokenOptions & { help: false }) | { help: true } {
  const v = parseFlags(argv, {
    org: { type: 'string' },
    'call-center': { type: 'string' },
    key: { type: 'string' },
    ttl: { type: 'string' },
    jti: { type: 'boolean' },
    aud: { type: 'string' },
    iat: { type: 'string' },
    exp: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help === true) return { help: true };
  const privateKeyPem = v.key === undefined ? undefined : readKeyFile('--key', v.key);
  if (v.org !== undefined && !isSalesforceId(v.org, '00D'))
    throw new UsageError(
      `--org "${v.org}" is not an org id (15 or 18 characters starting with 00D): the mock would refuse it`,
    );
  const defaults = orgDefaults();
  return {
    help: false,
    orgId: v.org ?? defaults.orgId,
    callCenterApiName: v['call-center'] ?? defaults.callCenterApiName,
    ...(privateKeyPem === undefined ? {} : { privateKeyPem }),
    ...(v.ttl === undefined ? {} : { ttlSeconds: parseDuration(v.ttl) }),
    ...(v.jti === true ? { jti: true as const } : {}),
    ...(v.aud === undefined ? {} : { audience: v.aud }),
    ...(v.iat === undefined ? {} : { issuedAt: epochSeconds(v.iat, '--iat') }),
    ...(v.exp === undefined ? {} : { expiresAt: epochSeconds(v.exp, '--exp') }),
  };
}

export async function tokenCommand(argv: readonly string[]): Promise<number> {
  const options = parseTokenOptions(argv);
  if (options.help) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  try {
    process.stdout.write(`${await signToken(options)}\n`);
  } catch (error) {
    throw new UsageError(
      `cannot sign with ${options.privateKeyPem === undefined ? DEMO_PRIVATE_KEY_FILE : 'that key'}: ${(error as Error).message}`,
    );
  }
  return 0;
}
