/**
 * `scv-mock verify`: asks a running mock whether a call (or every call) of your tenant followed a
 * scenario, prints the report, writes JUnit XML, JSON and Markdown for CI, and exits 1 when it failed.
 */
import type { VerificationSummary } from '../../contracts/admin-schemas.ts';
import { asSummary, toJUnit, toMarkdown, toText } from '../../contracts/report-formats.ts';
import { SCENARIO_NAMES } from '../../contracts/scenarios.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { readKeyFile, writeReportFiles } from './cli-files.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const VERIFY_HELP = `Usage: scv-mock verify --scenario <name> [options]

Checks the requests your connector sent to a running mock against a documented scenario.
Exit codes: 0 passed; 1 failed (also when the journal has no request of the call); 2 usage (a flag,
a key file, or a report file that cannot be written); 3 the mock could not be asked.
Report files are written into their folders, which are created when missing.

Options:
      --scenario <name>     ${SCENARIO_NAMES.join(', ')}
      --call <key>          The call's vendorCallKey (default: every call of the tenant)
      --call-prefix <text>  Without --call: only the calls whose vendorCallKey starts with this
      --since <time>        Without --call: only the calls first seen at or after this ISO-8601 time
      --url <url>           The mock (default http://127.0.0.1:6324)
      --junit <file>        Write JUnit XML (a test case per scenario step and per rule; one failing
                            case when there was no call to judge)
      --json <file>         Write the report as JSON
      --markdown <file>     Write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)
      --org <id>            Your tenant's org id (default: the default org)
      --call-center <name>  Your tenant's contact center (default: MyContactCenter)
      --key <file>          Private key to sign the admin request with (default: the demo key)
      --tenant <org/cc>     With a mock started --auth off: the Scv-Mock-Tenant to ask about
      --admin-token <token> A shared mock's admin token (default: $SCV_MOCK_ADMIN_TOKEN)
  -h, --help                Show this help
`;

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  const v = parseFlags(argv, {
    scenario: { type: 'string' },
    call: { type: 'string' },
    'call-prefix': { type: 'string' },
    since: { type: 'string' },
    url: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    org: { type: 'string' },
    'call-center': { type: 'string' },
    key: { type: 'string' },
    tenant: { type: 'string' },
    'admin-token': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const adminToken = v['admin-token'] ?? process.env.SCV_MOCK_ADMIN_TOKEN;
  if (v.help === true) {
    process.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (v.scenario === undefined) throw new UsageError(`--scenario is required (one of ${SCENARIO_NAMES.join(', ')})`);
  if (!(SCENARIO_NAMES as readonly string[]).includes(v.scenario))
    throw new UsageError(`unknown scenario "${v.scenario}": use one of ${SCENARIO_NAMES.join(', ')}`);
  const url = (v.url ?? 'http://127.0.0.1:6324').replace(/\/+$/, '');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--url ${url} is not an http(s) URL, e.g. http://127.0.0.1:6324`);
  if (v.call !== undefined && (v['call-prefix'] !== undefined || v.since !== undefined))
    throw new UsageError(
      '--call names one call; --call-prefix and --since pick among all calls: give one or the other',
    );
  if (v.since !== undefined && Number.isNaN(Date.parse(v.since)))
    throw new UsageError(`--since "${v.since}" is not a time; use ISO-8601, e.g. 2026-11-30T17:00:00Z`);
  const privateKeyPem = v.key === undefined ? undefined : readKeyFile('--key', v.key);
  const defaults = orgDefaults();
  // Loaded only now, so that --help and usage errors answer at once.
  const { signToken } = await import('../auth/token-signer.ts');
  const { verificationReportSchema, verificationSummarySchema } = await import('../../contracts/admin-schemas.ts');
  const token = await signToken({
    orgId: v.org ?? defaults.orgId,
    callCenterApiName: v['call-center'] ?? defaults.callCenterApiName,
    ttlSeconds: 300,
    ...(privateKeyPem === undefined ? {} : { privateKeyPem }),
  });

  let response: Response;
  try {
    response = await fetch(`${url}/__admin/verify`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(v.tenant === undefined ? {} : { 'Scv-Mock-Tenant': v.tenant }),
        ...(adminToken === undefined || adminToken === '' ? {} : { 'Scv-Mock-Admin-Token': adminToken }),
      },
      body: JSON.stringify({
        scenario: v.scenario,
        ...(v.call === undefined ? {} : { vendorCallKey: v.call }),
        ...(v['call-prefix'] === undefined ? {} : { vendorCallKeyPrefix: v['call-prefix'] }),
        ...(v.since === undefined ? {} : { since: new Date(v.since).toISOString() }),
      }),
    });
  } catch (error) {
    process.stderr.write(
      `scv-mock verify: cannot reach the mock at ${url} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}). Start it with "scv-mock start" or pass --url.\n`,
    );
    return 3;
  }
  const body: unknown = await response.json().catch(() => null);
  const { errors, errorCode } = (body ?? {}) as { errors?: unknown; errorCode?: unknown };
  const details = Array.isArray(errors) ? errors.join(' ') : 'no details';
  if (errorCode === 'ADMIN_TOKEN_MISSING' || errorCode === 'ADMIN_TOKEN_INVALID') {
    process.stderr.write(
      `scv-mock verify: the mock at ${url} needs its admin token (${String(errorCode)}). Pass --admin-token or set SCV_MOCK_ADMIN_TOKEN.\n`,
    );
    return 3;
  }
  if (errorCode === 'CALL_NOT_FOUND' && v.call !== undefined) {
    // The connector never sent this call (or sent it as another tenant): the scenario was not followed.
    process.stderr.write(`scv-mock verify: ${details}\n`);
    const summary: VerificationSummary = {
      ok: false,
      scenario: v.scenario,
      reports: [],
    };
    process.stdout.write(`${v.scenario} ${v.call}: FAIL (not in the journal)\nscenario failed\n`);
    return writeReports(v, summary, { vendorCallKey: v.call, errors: [details] }, details) ? 1 : 2;
  }
  if (!response.ok) {
    process.stderr.write(`scv-mock verify: the mock answered ${response.status}: ${details}\n`);
    return 3;
  }
  const parsed =
    v.call === undefined ? verificationSummarySchema.safeParse(body) : verificationReportSchema.safeParse(body);
  if (!parsed.success) {
    process.stderr.write(
      `scv-mock verify: ${url} did not answer with a verification report; is it scv-telephony-mock?\n`,
    );
    return 3;
  }
  const summary = asSummary(parsed.data);
  process.stdout.write(toText(summary));
  if (!writeReports(v, summary, parsed.data)) return 2;
  return summary.ok ? 0 : 1;
}

/**
 * Writes the report files asked for, creating their folders. A file that still cannot be written is
 * reported on stderr after the verdict, which stands; returns false then.
 */
function writeReports(
  v: { junit?: string; json?: string; markdown?: string },
  summary: VerificationSummary,
  json: unknown,
  nothingJudged?: string,
): boolean {
  const markdown = toMarkdown(summary);
  return writeReportFiles('verify', [
    [v.junit, toJUnit(summary, nothingJudged)],
    [v.json, `${JSON.stringify(json, null, 2)}\n`],
    [v.markdown, markdown],
    [process.env.GITHUB_STEP_SUMMARY || undefined, markdown, 'append'],
  ]);
}
