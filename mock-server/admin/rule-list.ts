/** GET /__admin/rules: every rule of the table with its evidence, its default and its level in this run. */
import type { RuleList } from '../../contracts/admin-schemas.ts';
import type { RulePolicy } from '../../contracts/rule-settings.ts';
import { defaultLevel, SEQUENCE_RULES } from '../../contracts/sequence-rules.ts';

const HOW_TO_SET =
  'Set a rule to refuse, warn or off with --rule ID=level (repeatable), --rules-file FILE ({"rules": {"ID": "level"}}), ' +
  'the org fixture\'s "rules", or startMockServer({ rules }); later ones win. In lenient mode rules at refuse are let through and recorded as violations.';

export function ruleList(policy: RulePolicy): RuleList {
  return {
    mode: policy.mode,
    howToSet: HOW_TO_SET,
    rules: SEQUENCE_RULES.map((rule) => ({
      id: rule.id,
      title: rule.title,
      kind: rule.kind,
      evidence: rule.evidence,
      operations: [...rule.operations],
      scope: rule.scope,
      refusalStatus: rule.status,
      effect: rule.effect,
      default: defaultLevel(rule),
      level: policy.levelOf(rule.id),
      levelFrom: policy.sourceOf(rule.id),
    })),
  };
}
