/**
 * `scv-mock conformance`: plays the request scripts against a target (this mock or a real org) and
 * reports each response that differs from what the mock assumes. Exit 0 when all conform, 1 otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { junitXml } from '../../contracts/junit-xml.ts';
import type { ConformanceReport, StepResult } from '../conformance/conformance-runner.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const CONFORMANCE_HELP = `Usage: scv-mock conformance --base-url <url> [options]

Drives every scenario (fixtures/scripts) against a target, as a connector would, and reports each
response whose status or body shape differs from what the mock assumes. Against a real org's
telephony endpoint this shows where the mock has drifted from the service.

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
  // Loaded only now, so that --help and usage errors answer at once.
  const { runConformance } = await import('../conformance/conformance-runner.ts');
  const report = await runConformance({
    baseUrl: v['base-url'],
    orgId: v.org ?? defaults.orgId,
    defaultCallCenterApiName: defaults.callCenterApiName,
    ...(v['call-center'] === undefined ? {} : { callCenterApiName: v['call-center'] }),
    ...(v.key === undefined ? {} : { privateKeyPem: readFileSync(v.key, 'utf8') }),
    ...(scenarios === undefined ? {} : { scenarios }),
    onStep: (result) => process.stdout.write(`${line(result)}\n`),
  });
  const differing = report.steps.filter((s) => s.differences.length > 0).length;
  if (report.steps.length === 0) process.stdout.write('no scenario matched --scenario\n');
  process.stdout.write(
    `${report.steps.length} requests, ${differing} differ from the mock's assumptions (run ${report.runId})\n`,
  );
  if (v.json !== undefined) writeFileSync(v.json, `${JSON.stringify(report, null, 2)}\n`);
  if (v.junit !== undefined) writeFileSync(v.junit, toJUnit(report));
  return report.ok ? 0 : 1;
}
