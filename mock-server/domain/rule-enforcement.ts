/**
 * Runs the sequence-rule table for an operation and keeps the record of one request's checks: every
 * rule that ran (for the journal) and the hits that let it through (for the answer's header and the
 * log). A rule whose effect is to leave state untouched decides that here: the change an operation
 * makes is a function given to `underRules`, which runs it only when no matched rule says otherwise.
 */
import type { RuleCheck } from '../../contracts/admin-schemas.ts';
import type { Operation } from '../../contracts/operations.ts';
import {
  judge,
  type RuleHit,
  type RulePolicyView,
  type RuleVars,
  type SequenceFacts,
} from '../../contracts/sequence-rules.ts';
import type { CallState } from '../../contracts/wire-schemas.ts';
import { RuleViolationError } from '../errors/api-error.ts';
import { describeUndocumentedField, type UndocumentedField } from './undocumented-field.ts';

/** The rule checks of one request, as they run. */
export class RuleLedger {
  /** Hits that let the request through: warnings, and violations in lenient mode. */
  readonly warnings: RuleHit[] = [];
  readonly checks: RuleCheck[] = [];
}

/** What one check of the table is about: the operation, the facts the rules read, the message placeholders. */
export interface RuleCase {
  operation: Operation;
  facts: SequenceFacts;
  vars: RuleVars;
  /** The call's state, for the 409 body when a rule refuses. */
  callState?: CallState;
  /** Set for a check of one transcript message (the rules of scope "message"): its messageId. */
  messageId?: string;
}

/**
 * A rule that passed, checked for a whole request, says the same every time: one frozen check per rule
 * serves every request (a message's check names its message, so it is made each time). The journal keeps
 * each request's checks, and a copy per rule per request was a third of the memory the journal held.
 */
const passedRequestChecks = new Map<RuleCheck['rule'], RuleCheck>();

function passedRequestCheck(rule: RuleCheck['rule']): RuleCheck {
  const known = passedRequestChecks.get(rule);
  if (known !== undefined) return known;
  const check: RuleCheck = Object.freeze({ rule, scope: 'request', outcome: 'ok' });
  passedRequestChecks.set(rule, check);
  return check;
}

/**
 * Judges a request (or one message of it) and makes its change: throws the refusal; otherwise records
 * the hits, then runs `change` and returns its result, unless a matched rule leaves state untouched, in
 * which case `change` never runs and the result is undefined.
 */
export function underRules<T>(
  rulesCase: RuleCase,
  policy: RulePolicyView,
  ledger: RuleLedger,
  change: () => T,
): T | undefined {
  const scope = rulesCase.messageId === undefined ? 'request' : 'message';
  const judgement = judge(rulesCase.operation, scope, rulesCase.facts, rulesCase.vars, policy);
  for (const { rule, outcome, message } of judgement.checks) {
    ledger.checks.push(
      outcome === 'ok' && rulesCase.messageId === undefined
        ? passedRequestCheck(rule.id)
        : {
            rule: rule.id,
            scope,
            outcome,
            ...(message === undefined ? {} : { message }),
            ...(rulesCase.messageId === undefined ? {} : { subject: rulesCase.messageId }),
          },
    );
  }
  if (judgement.refused !== undefined) {
    throw new RuleViolationError(judgement.refused.status, judgement.refused.violations, rulesCase.callState);
  }
  ledger.warnings.push(...judgement.warnings);
  return judgement.skip ? undefined : change();
}

/** Facts and placeholders every operation shares: undocumented fields. */
export function requestFacts(undocumentedFields: readonly UndocumentedField[]): {
  facts: SequenceFacts;
  vars: RuleVars;
} {
  return {
    facts: { undocumentedFields: undocumentedFields.length > 0 },
    vars: { fields: undocumentedFields.map(describeUndocumentedField).join(', ') },
  };
}
