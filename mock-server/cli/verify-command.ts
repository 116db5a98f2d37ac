/**
 * `scv-mock verify`: asks a running mock whether a call (or every call) of your tenant followed a
 * scenario, prints the report, writes JUnit XML, JSON and Markdown for CI, and exits 1 when it failed.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { asSummary, toJUnit, toMarkdown, toText } from '../../contracts/report-formats.ts';
import { SCENARIO_NAMES } from '../../contracts/scenarios.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const VERIFY_HELP = `Usage: scv-mock verify --scenario <name> [options]

Checks the requests your connector sent to a running mock against a documented scenario.
Exits 0 when it passed, 1 when it failed, 3 when the mock could not be asked.

Options:
      --scenario <name>     ${SCENARIO_NAMES.join(', ')}
      --call <key>          The call's vendorCallKey (default: every call of the tenant)
      --url <url>           The mock (default http://127.0.0.1:6324)
      --junit <file>        Write JUnit XML (a test case per scenario step and per rule)
      --json <file>         Write the report as JSON
      --markdown <file>     Write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)
      --org <id>            Your tenant's org id (default: the default org)
      --call-center <name>  Your tenant's contact center (default: MyContactCenter)
      --key <file>          Private key to sign the admin request with (default: the demo key)
      --tenant <org/cc>     With a mock started --auth off: the Scv-Mock-Tenant to ask about
  -h, --help                Show this help
`;

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  const v = parseFlags(argv, {
    scenario: { type: 'string' },
    call: { type: 'string' },
    url: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    org: { type: 'string' },
    'call-center': { type: 'string' },
    key: { type: 'string' },
    tenant: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help === true) {
    process.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (v.scenario === undefined) throw new UsageError(`--scenario is required (one of ${SCENARIO_NAMES.join(', ')})`);
  const url = (v.url ?? 'http://127.0.0.1:6324').replace(/\/+$/, '');
  const defaults = orgDefaults();
  // Loaded only now, so that --help and usage errors answer at once.
  const { signToken } = await import('../auth/token-signer.ts');
  const { verificationReportSchema, verificationSummarySchema } = await import('../../contracts/admin-schemas.ts');
  const token = await signToken({
    orgId: v.org ?? defaults.orgId,
    callCenterApiName: v['call-center'] ?? defaults.callCenterApiName,
    ttlSeconds: 300,
    ...(v.key === undefined ? {} : { privateKeyPem: readFileSync(v.key, 'utf8') }),
  });

  let response: Response;
  try {
    response = await fetch(`${url}/__admin/verify`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(v.tenant === undefined ? {} : { 'Scv-Mock-Tenant': v.tenant }),
      },
      body: JSON.stringify({ scenario: v.scenario, ...(v.call === undefined ? {} : { vendorCallKey: v.call }) }),
    });
  } catch (error) {
    process.stderr.write(
      `scv-mock verify: cannot reach the mock at ${url} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}). Start it with "scv-mock start" or pass --url.\n`,
    );
    return 3;
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const errors = (body as { errors?: unknown } | null)?.errors;
    process.stderr.write(
      `scv-mock verify: the mock answered ${response.status}: ${Array.isArray(errors) ? errors.join(' ') : 'no details'}\n`,
    );
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
  if (v.junit !== undefined) writeFileSync(v.junit, toJUnit(summary));
  if (v.json !== undefined) writeFileSync(v.json, `${JSON.stringify(parsed.data, null, 2)}\n`);
  const markdown = toMarkdown(summary);
  if (v.markdown !== undefined) writeFileSync(v.markdown, markdown);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
  return summary.ok ? 0 : 1;
}
