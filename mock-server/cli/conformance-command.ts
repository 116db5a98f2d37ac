/**
 * `scv-mock conformance`: plays the request scripts against a target (this mock or a real org) and
 * reports each response that differs from what the mock assumes. Exit 0 when all conform, 1 otherwise,
 * 2 on a usage error (including a report file that cannot be written, after the verdict).
 */
import { junitXml } from '../../contracts/junit-xml.ts';
import type { ConformanceReport, StepResult } from '../conformance/conformance-runner.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { readKeyFile, writeReportFiles } from './cli-files.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const CONFORMANCE_HELP = `Usage: scv-mock conformance --base-url <url> [options]

Drives every scenario (fixtures/scripts) against a target, as a connector would, and reports each
response whose status or body shape differs from what the mock assumes. Against a real org's
telephony endpoint this shows where the mock has drifted from the service.
Exit codes: 0 every response as assumed; 1 some differ; 2 usage (a flag, an unknown scenario, a key
file, or a report file that cannot be written). Report folders are created when missing.

Options:
      --base-url <url>      The target: http://127.0.0.1:6324 or https://<MyDomain>.my.salesforce-scrt.com
      --org <id>            iss of the tokens (default: the default org)
      --call-center <name>  sub, and callCenterApiName in the bodies (default: each fixture's own)
      --key <file>          Private key to sign with (default: the demo key)
      --scenario <name>     Only this scenario (repeatable; default all)
      --json <file>         Write the results as JSON
      --junit <file>        Write JUnit XML (one test case per request)
  -h, --help                Show this help
`;

function toJUnit(report: ConformanceReport): string {
  return junitXml('scv-telephony-mock conformance', [
    {
      name: report.baseUrl,
      cases: report.steps.map((s) => ({
        classname: `conformance.${s.fixture}`,
        name: `${s.method} ${s.path}: ${s.step}`,
        ...(s.differences.length === 0 ? {} : { failure: s.differences.join('\n') }),
      })),
    },
  ]);
}

function line(result: StepResult): string {
  const mark = result.differences.length === 0 ? '✓' : '✗';
  const head = `${mark} ${result.fixture} › ${result.step}: ${result.method} ${result.path} → ${result.status ?? 'no answer'}`;
  return [head, ...result.differences.map((d) => `    ${d}`)].join('\n');
}

export async function conformanceCommand(argv: readonly string[]): Promise<number> {
  const v = parseFlags(argv, {
    'base-url': { type: 'string' },
    org: { type: 'string' },
    'call-center': { type: 'string' },
    key: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    json: { type: 'string' },
    junit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help === true) {
    process.stdout.write(CONFORMANCE_HELP);
    return 0;
  }
  if (v['base-url'] === undefined)
    throw new UsageError('--base-url is required, e.g. --base-url http://127.0.0.1:6324');
  const defaults = orgDefaults();
  const scenarios = v.scenario;
  const privateKeyPem = v.key === undefined ? undefined : readKeyFile('--key', v.key);
  // Loaded only now, so that --help and usage errors answer at once.
  const { loadRequestScripts, runConformance } = await import('../conformance/conformance-runner.ts');
  const known = [...new Set(loadRequestScripts().flatMap((script) => [script.name, script.scenario]))].sort();
  const unknown = (scenarios ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown --scenario ${unknown.map((name) => `"${name}"`).join(', ')}: use one of ${known.join(', ')}`,
    );
  const report = await runConformance({
    baseUrl: v['base-url'],
    orgId: v.org ?? defaults.orgId,
    defaultCallCenterApiName: defaults.callCenterApiName,
    ...(v['call-center'] === undefined ? {} : { callCenterApiName: v['call-center'] }),
    ...(privateKeyPem === undefined ? {} : { privateKeyPem }),
    ...(scenarios === undefined ? {} : { scenarios }),
    onStep: (result) => process.stdout.write(`${line(result)}\n`),
  });
  const differing = report.steps.filter((s) => s.differences.length > 0).length;
  process.stdout.write(
    `${report.steps.length} requests, ${differing} differ from the mock's assumptions (run ${report.runId})\n`,
  );
  const written = writeReportFiles('conformance', [
    [v.json, `${JSON.stringify(report, null, 2)}\n`],
    [v.junit, toJUnit(report)],
  ]);
  if (!written) return 2;
  return report.ok ? 0 : 1;
}
