/**
 * Checks one call's journal against a scenario: which requests made which step, which steps are
 * missing, out of order or extra, which requests failed or broke a rule, and which step conditions did
 * not hold. Pure: journal entries in, report out, so the admin API, the CLI and TypeScript suites all
 * get the same answer.
 */
import type {
  CheckOutcome,
  JournalEntry,
  VerificationProblem,
  VerificationReport,
  VerificationStep,
} from './admin-schemas.ts';
import type { Scenario, ScenarioStep, StepCondition } from './scenarios.ts';
import { resilienceProblems, safeRepeats } from './resilience-checks.ts';

type Json = Record<string, unknown>;

function valueAt(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[part];
  }
  return node;
}

function holds(condition: StepCondition, entry: JournalEntry, call: Json): boolean {
  if (condition.operation !== undefined && condition.operation !== entry.operation) return true;
  const request = entry.request.body;
  const value = valueAt(condition.on === 'request' ? request : call, condition.field);
  if (condition.present !== undefined) return condition.present === (value !== undefined && value !== null);
  if (condition.equals !== undefined) return value === condition.equals;
  if (condition.notEquals !== undefined) return value !== condition.notEquals;
  return true;
}

function describeCondition(condition: StepCondition): string {
  const subject = `${condition.on === 'call' ? "the call's " : ''}${condition.field}`;
  if (condition.present !== undefined) return `${subject} ${condition.present ? 'is set' : 'is left out'}`;
  if (condition.equals !== undefined) return `${subject} is ${JSON.stringify(condition.equals)}`;
  return `${subject} is not ${JSON.stringify(condition.notEquals)}`;
}

/** The operation happened: answered 2xx, or run by a fault rule that then replaced or withheld the answer. */
const succeeded = (entry: JournalEntry): boolean =>
  entry.fault?.applied === true ||
  (entry.response.status !== null && entry.response.status >= 200 && entry.response.status < 300);

/**
 * A request a fault rule stopped before its operation ran never reached the service as far as the
 * call is concerned: the connector's retry is the request that counts. (A retry that the service
 * already had, after a lost answer, is left out too: see safeRepeats.)
 */
const stoppedByFault = (entry: JournalEntry): boolean => entry.fault !== undefined && !entry.fault.applied;
const isCallWrite = (entry: JournalEntry): boolean =>
  entry.operation === 'createVoiceCall' || entry.operation === 'updateVoiceCall';

function matchesStep(step: ScenarioStep, entry: JournalEntry, call: Json): boolean {
  if (entry.operation === null || !step.operations.includes(entry.operation)) return false;
  return (step.match ?? []).every((condition) => holds(condition, entry, call));
}

function label(entry: JournalEntry): string {
  return `${entry.method} ${entry.path} (#${entry.seq})`;
}

function coverageOf(entries: readonly JournalEntry[]): VerificationReport['coverage'] {
  const operations: Record<string, number> = {};
  const rules: Record<string, Record<CheckOutcome, number>> = {};
  const statuses: Record<string, number> = {};
  for (const entry of entries) {
    if (entry.operation !== null) operations[entry.operation] = (operations[entry.operation] ?? 0) + 1;
    const status = entry.response.status === null ? 'none' : String(entry.response.status);
    statuses[status] = (statuses[status] ?? 0) + 1;
    for (const check of entry.checks) {
      const counts = (rules[check.rule] ??= { ok: 0, warning: 0, violation: 0 });
      counts[check.outcome] += 1;
    }
  }
  return { operations, rules, statuses };
}

/** What the journal could not show of the call. */
export interface VerificationEvidence {
  /** The call's requests the journal dropped (it keeps a bounded number per tenant) before this check. */
  dropped: number;
  /** The journal's size per tenant, for the advice. */
  journalSize?: number;
  /**
   * The tenant's other calls' creates: after a create whose answer was lost, a create of the same call
   * under a new vendorCallKey is a duplicate call, which only they can show.
   */
  otherCreates?: readonly JournalEntry[];
}

export function verifyScenario(
  scenario: Scenario,
  journal: readonly JournalEntry[],
  target: { vendorCallKey: string | null; conversationId: string | null },
  evidence: VerificationEvidence = { dropped: 0 },
): VerificationReport {
  const repeats = safeRepeats(journal);
  const entries = journal
    .filter((entry) => !stoppedByFault(entry) && !repeats.has(entry.seq))
    .sort((a, b) => a.seq - b.seq);
  const problems: VerificationProblem[] = [];
  // With requests missing from the journal, a step may have happened unseen, and the call's fields
  // (folded from create and update bodies) are partial: say so once instead of reporting those.
  const incomplete = evidence.dropped > 0;
  if (incomplete) {
    const size = evidence.journalSize === undefined ? '' : ` (it keeps ${evidence.journalSize} per tenant)`;
    problems.push({
      kind: 'incomplete-evidence',
      message:
        `${evidence.dropped} request(s) of this call were dropped from the journal${size} before it was verified, so steps they made cannot be checked ` +
        'and missing or out-of-order steps are not reported. Start the mock with a larger --journal-size (startMockServer({ journalSize })), ' +
        'or verify each call sooner (reset the tenant between tests).',
    });
  }
  const warnings: VerificationReport['warnings'] = [];
  const matched = scenario.steps.map(() => [] as number[]);
  const failedSteps = new Set<number>();
  let next = 0;
  // The step the latest request made, for steps of one phase that may come in any order.
  let last: ScenarioStep | undefined;
  const samePhase = (a: ScenarioStep | undefined, b: ScenarioStep): boolean =>
    a?.phase !== undefined && a.phase === b.phase;
  // The call as the create and update bodies so far describe it.
  const call: Json = {};

  for (const entry of entries) {
    for (const check of entry.checks) {
      if (check.outcome === 'violation') {
        problems.push({
          kind: 'rule-violation',
          seq: entry.seq,
          rule: check.rule,
          message: `${label(entry)} broke ${check.rule}: ${check.message ?? ''}`.trim(),
        });
      } else if (check.outcome === 'warning') {
        warnings.push({ rule: check.rule, seq: entry.seq, message: check.message ?? check.rule });
      }
    }
    if (!succeeded(entry)) {
      const errors = (entry.response.body as { errors?: unknown } | null)?.errors;
      const why = Array.isArray(errors) ? errors.join(' ') : `status ${String(entry.response.status)}`;
      problems.push({
        kind: 'failed-request',
        seq: entry.seq,
        message: `${label(entry)} was answered ${String(entry.response.status)}: ${why}`,
      });
      continue;
    }
    if (isCallWrite(entry) && typeof entry.request.body === 'object' && entry.request.body !== null)
      Object.assign(call, entry.request.body);

    const candidates = scenario.steps.map((step, i) => (matchesStep(step, entry, call) ? i : -1)).filter((i) => i >= 0);
    const ahead = candidates.find((i) => i >= next);
    if (ahead !== undefined) {
      const target = scenario.steps[ahead]!;
      for (let skipped = next; skipped < ahead; skipped++) {
        const step = scenario.steps[skipped]!;
        // A step of the target's phase may still come later in the phase; the end of the run checks it.
        if (!incomplete && !step.optional && matched[skipped]!.length === 0 && !samePhase(step, target)) {
          problems.push({
            kind: 'missing-step',
            step: step.id,
            seq: entry.seq,
            message: `"${step.title}" did not happen before ${label(entry)}. ${step.advice}`,
          });
          failedSteps.add(skipped);
        }
      }
      const step = scenario.steps[ahead]!;
      matched[ahead]!.push(entry.seq);
      for (const condition of step.expect ?? []) {
        if (incomplete && condition.on === 'call') continue;
        if (!holds(condition, entry, call)) {
          problems.push({
            kind: 'condition',
            step: step.id,
            seq: entry.seq,
            message: `At "${step.title}" (${label(entry)}), expected ${describeCondition(condition)}: ${condition.why}.`,
          });
          failedSteps.add(ahead);
        }
      }
      next = step.repeatable === true ? ahead : ahead + 1;
      last = step;
      continue;
    }
    const behind = candidates[candidates.length - 1];
    if (behind !== undefined && (incomplete || samePhase(last, scenario.steps[behind]!))) {
      matched[behind]!.push(entry.seq);
      continue;
    }
    if (behind !== undefined) {
      const step = scenario.steps[behind]!;
      // Out of order relative to the step the latest requests made (or the next one expected).
      const current = last ?? scenario.steps[next]!;
      matched[behind]!.push(entry.seq);
      failedSteps.add(behind);
      problems.push({
        kind: 'out-of-order',
        step: step.id,
        seq: entry.seq,
        message:
          step === current
            ? `${label(entry)} makes "${step.title}" again; it happens once in the ${scenario.name} scenario. ${step.advice}`
            : `${label(entry)} makes "${step.title}", which belongs before "${current.title}". ${step.advice}`,
      });
      continue;
    }
    problems.push({
      kind: 'extra-request',
      seq: entry.seq,
      message: `${label(entry)} (${entry.operation ?? 'no operation'}) is not a step of the ${scenario.name} scenario at this point.`,
    });
  }

  scenario.steps.forEach((step, i) => {
    if (!incomplete && !step.optional && matched[i]!.length === 0 && !failedSteps.has(i)) {
      problems.push({ kind: 'missing-step', step: step.id, message: `"${step.title}" never happened. ${step.advice}` });
      failedSteps.add(i);
    }
  });

  const steps: VerificationStep[] = scenario.steps.map((step, i) => ({
    id: step.id,
    title: step.title,
    operations: [...step.operations],
    optional: step.optional === true,
    repeatable: step.repeatable === true,
    status: failedSteps.has(i)
      ? matched[i]!.length === 0
        ? 'missing'
        : 'failed'
      : matched[i]!.length > 0
        ? 'passed'
        : incomplete
          ? 'unknown'
          : 'skipped',
    requests: matched[i]!,
  }));

  // How the connector handled injected faults: judged on every entry, those a fault stopped too.
  problems.push(...resilienceProblems(journal, evidence.otherCreates));
  const bySeq = new Map(journal.map((entry) => [entry.seq, entry]));
  return {
    ok: problems.length === 0,
    scenario: scenario.name,
    title: scenario.title,
    vendorCallKey: target.vendorCallKey,
    conversationId: target.conversationId,
    steps,
    firstRequestAt: entries[0]?.time ?? null,
    lastRequestAt: entries.at(-1)?.time ?? null,
    problems: problems.map((problem) => {
      const entry = problem.seq === undefined ? undefined : bySeq.get(problem.seq);
      return entry === undefined ? problem : { ...problem, exchange: exchangeOf(entry) };
    }),
    warnings,
    coverage: coverageOf(entries),
  };
}

function exchangeOf(entry: JournalEntry): NonNullable<VerificationProblem['exchange']> {
  return {
    method: entry.method,
    path: entry.path,
    requestBody: entry.request.body,
    status: entry.response.status,
    responseBody: entry.response.body,
  };
}

/** The vendorCallKeys a bulk transcript request names. */
function bulkKeys(entry: JournalEntry): string[] {
  if (entry.operation !== 'createTranscriptsBulk') return [];
  const items = (entry.request.body as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item) => {
    const key = (item as { vendorCallKey?: unknown } | null)?.vendorCallKey;
    return typeof key === 'string' ? [key] : [];
  });
}

/**
 * The journal entries of one call: every entry of its conversation, the ones that name one of its
 * vendorCallKeys without reaching a conversation (refused before a call was found), and the bulk
 * transcript requests with an entry for it.
 */
export function entriesOfCall(
  journal: readonly JournalEntry[],
  vendorCallKey: string,
): { entries: JournalEntry[]; conversationId: string | null } {
  const conversationId =
    journal.find((e) => e.vendorCallKey === vendorCallKey && e.conversationId !== null)?.conversationId ?? null;
  const keys = new Set([vendorCallKey]);
  for (const e of journal)
    if (conversationId !== null && e.conversationId === conversationId && e.vendorCallKey !== null)
      keys.add(e.vendorCallKey);
  const entries = journal.filter(
    (e) =>
      (conversationId !== null && e.conversationId === conversationId) ||
      (e.conversationId === null && e.vendorCallKey !== null && keys.has(e.vendorCallKey)) ||
      bulkKeys(e).some((key) => keys.has(key)),
  );
  return { entries, conversationId };
}

/** The calls in a journal: one group per conversation, keyed by its first vendorCallKey. */
export function callsInJournal(journal: readonly JournalEntry[]): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const entry of journal) {
    const group = entry.conversationId ?? (entry.vendorCallKey === null ? null : `key:${entry.vendorCallKey}`);
    if (group === null || seen.has(group) || entry.vendorCallKey === null) continue;
    seen.add(group);
    keys.push(entry.vendorCallKey);
  }
  return keys;
}
