/**
 * Verification reports for CI: JUnit XML (one test case per scenario step, per rule the call broke or
 * was warned about, and one for stray requests), a short Markdown summary for a job summary, and plain
 * text for a terminal.
 */
import type { VerificationReport, VerificationSummary } from './admin-schemas.ts';
import { junitXml, type JUnitCase } from './junit-xml.ts';

const callName = (report: VerificationReport): string => report.vendorCallKey ?? report.conversationId ?? 'call';

type Case = Omit<JUnitCase, 'classname'>;

type Problem = VerificationReport['problems'][number];

const json = (value: unknown): string =>
  value === undefined || value === null ? '(none)' : JSON.stringify(value, null, 2);

/** A problem as a failure's text: what is wrong and what to change, then the request and its answer. */
function failureText(problem: Problem): string {
  const exchange = problem.exchange;
  if (exchange === undefined) return problem.message;
  return [
    problem.message,
    `  request #${String(problem.seq)}: ${exchange.method} ${exchange.path}`,
    ...json(exchange.requestBody)
      .split('\n')
      .map((line) => `    ${line}`),
    exchange.status === null ? '  not answered (a fault rule withheld the answer):' : `  answered ${exchange.status}:`,
    ...json(exchange.responseBody)
      .split('\n')
      .map((line) => `    ${line}`),
  ].join('\n');
}

const failureOf = (problems: readonly Problem[]): string => problems.map(failureText).join('\n\n');

function casesOf(report: VerificationReport): Case[] {
  const cases: Case[] = report.steps.map((step) => {
    const problems = report.problems.filter((p) => p.step === step.id && p.kind !== 'rule-violation');
    const name = `step ${step.id}: ${step.title}`;
    if (problems.length > 0) return { name, failure: failureOf(problems) };
    if (step.status === 'skipped') return { name, skipped: 'optional step did not happen' };
    if (step.status === 'unknown')
      return { name, skipped: "not seen: the journal dropped some of the call's requests" };
    return { name };
  });
  // A rule that found nothing is not a case of its own (a clean call would carry a dozen cases that
  // cannot fail); the suite's rulesChecked property lists them.
  for (const [rule, counts] of Object.entries(report.coverage.rules)) {
    if (counts.violation > 0) {
      cases.push({ name: `rule ${rule}`, failure: failureOf(report.problems.filter((p) => p.rule === rule)) });
    } else if (counts.warning > 0) {
      const warnings = report.warnings.filter((w) => w.rule === rule).map((w) => `#${w.seq}: ${w.message}`);
      cases.push({ name: `rule ${rule}`, output: `warning:\n${warnings.join('\n')}` });
    }
  }
  const loose = report.problems.filter((p) => p.step === undefined && p.rule === undefined);
  cases.push(loose.length > 0 ? { name: 'requests', failure: failureOf(loose) } : { name: 'requests' });
  return cases;
}

/** The reason a summary judged no call, when the caller knows better than "no call of this tenant". */
const NO_CALL =
  'no call of this tenant is in the journal: did the connector send to this mock, with this org and contact center?';

/**
 * JUnit XML with a suite per call. With no call to judge it still holds one failing case, saying why,
 * so that a dashboard shows a failure rather than "0 tests".
 */
export function toJUnit(summary: VerificationSummary, nothingJudged: string = NO_CALL): string {
  if (summary.reports.length === 0) {
    return junitXml(`scv-telephony-mock ${summary.scenario}`, [
      {
        name: `${summary.scenario} (no call)`,
        cases: [{ classname: summary.scenario, name: 'calls to judge', failure: nothingJudged }],
      },
    ]);
  }
  return junitXml(
    `scv-telephony-mock ${summary.scenario}`,
    summary.reports.map((report) => ({
      name: `${summary.scenario} ${callName(report)}`,
      cases: casesOf(report).map((c) => ({ classname: `${summary.scenario}.${callName(report)}`, ...c })),
      properties: { rulesChecked: Object.keys(report.coverage.rules).sort().join(' ') },
      // The call's own span: from its first request to its last.
      ...(report.firstRequestAt === null ? {} : { timestamp: report.firstRequestAt }),
      ...(report.firstRequestAt === null || report.lastRequestAt === null
        ? {}
        : { time: (Date.parse(report.lastRequestAt) - Date.parse(report.firstRequestAt)) / 1000 }),
    })),
  );
}

const STATUS_MARK: Record<VerificationReport['steps'][number]['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  missing: '❌ missing',
  skipped: '➖ skipped (optional)',
  unknown: '❔ unknown (evidence dropped)',
};

export function toMarkdown(summary: VerificationSummary): string {
  const lines = [
    `## scv-telephony-mock: scenario \`${summary.scenario}\` ${summary.ok ? '✅ passed' : '❌ failed'}`,
    '',
  ];
  if (summary.reports.length === 0) lines.push('No call of this tenant is in the journal.', '');
  for (const report of summary.reports) {
    lines.push(
      `### Call \`${callName(report)}\`: ${report.ok ? 'passed' : `${report.problems.length} problem(s)`}`,
      '',
    );
    lines.push('| Step | Status | Requests |', '|---|---|---|');
    for (const step of report.steps)
      lines.push(`| ${step.title} | ${STATUS_MARK[step.status]} | ${step.requests.map((s) => `#${s}`).join(' ')} |`);
    lines.push('');
    if (report.problems.length > 0) {
      lines.push('**Problems**', '');
      for (const problem of report.problems)
        lines.push(`- \`${problem.kind}\`${problem.rule ? ` \`${problem.rule}\`` : ''}: ${problem.message}`);
      lines.push('');
    }
    if (report.warnings.length > 0) {
      lines.push('**Warnings**', '');
      for (const warning of report.warnings) lines.push(`- \`${warning.rule}\` (#${warning.seq}): ${warning.message}`);
      lines.push('');
    }
    const rules = Object.entries(report.coverage.rules);
    const ops = Object.entries(report.coverage.operations)
      .map(([op, n]) => `${op} ×${n}`)
      .join(', ');
    const statuses = Object.entries(report.coverage.statuses)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ');
    lines.push(
      `Coverage: ${ops || 'no operations'}; answers ${statuses || 'none'}; ${rules.length} rules checked, ${rules.filter(([, c]) => c.violation > 0).length} violated.`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function toText(summary: VerificationSummary): string {
  const lines: string[] = [];
  for (const report of summary.reports) {
    lines.push(
      `${summary.scenario} ${callName(report)}: ${report.ok ? 'PASS' : `FAIL (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`}`,
    );
    for (const step of report.steps) {
      const mark =
        step.status === 'passed' ? '✓' : step.status === 'skipped' ? '-' : step.status === 'unknown' ? '?' : '✗';
      lines.push(
        `  ${mark} ${step.id.padEnd(22)} ${step.status === 'passed' ? step.requests.map((s) => `#${s}`).join(' ') : step.status}`,
      );
    }
    for (const problem of report.problems)
      lines.push(`  ! [${problem.kind}${problem.rule ? ` ${problem.rule}` : ''}] ${problem.message}`);
    for (const warning of report.warnings) lines.push(`  ~ [${warning.rule}] ${warning.message}`);
  }
  const { selection } = summary;
  const picked =
    selection === undefined
      ? ''
      : [
          selection.vendorCallKeyPrefix === undefined
            ? undefined
            : `vendorCallKey starting "${selection.vendorCallKeyPrefix}"`,
          selection.since === undefined ? undefined : `first seen since ${selection.since}`,
        ]
          .filter((part) => part !== undefined)
          .join(', ');
  if (summary.reports.length === 0)
    lines.push(
      picked === ''
        ? `${summary.scenario}: no call of this tenant is in the journal`
        : `${summary.scenario}: no call of this tenant is in the journal with ${picked}`,
    );
  else if (picked !== '')
    lines.push(`judged ${summary.reports.length} call(s) with ${picked}: ${summary.reports.map(callName).join(', ')}`);
  lines.push(summary.ok ? 'scenario passed' : 'scenario failed');
  return `${lines.join('\n')}\n`;
}

/** One report or a summary, as a summary. */
export function asSummary(result: VerificationReport | VerificationSummary): VerificationSummary {
  return 'reports' in result ? result : { ok: result.ok, scenario: result.scenario, reports: [result] };
}
