/**
 * Per-run rule settings, the way linters take them: every rule has a default level that follows its
 * evidence (sequence-rules.ts, `defaultLevel`), and a run may set any rule to refuse, warn or off, from
 * the org fixture, a rules file, `--rule ID=level` flags or the harness options. Later sources win:
 * fixture, then file, then flags (or harness options).
 */
import { z } from 'zod';
import { closestName } from './closest-name.ts';
import {
  defaultLevel,
  RULE_IDS,
  RULE_LEVELS,
  RULES_BY_ID,
  SEQUENCE_RULES,
  type RuleId,
  type RuleLevel,
  type RuleMode,
  type RulePolicyView,
} from './sequence-rules.ts';

export type RuleSettings = Partial<Record<RuleId, RuleLevel>>;

/** Where a rule's level came from. */
export const RULE_SETTING_SOURCES = ['default', 'fixture', 'file', 'flag', 'option'] as const;
export type RuleSettingSource = (typeof RULE_SETTING_SOURCES)[number];

export interface RuleSettingLayer {
  from: Exclude<RuleSettingSource, 'default'>;
  settings: RuleSettings;
}

export class RuleSettingError extends Error {}

function unknownRule(id: string): RuleSettingError {
  const near = closestName(id, RULE_IDS);
  return new RuleSettingError(
    near === undefined
      ? `no rule has the id "${id}". The ids (GET /__admin/rules and the README list them with their evidence): ${RULE_IDS.join(', ')}`
      : `no rule has the id "${id}" (did you mean ${near}?). GET /__admin/rules and the README list the rules.`,
  );
}

function level(value: unknown, id: string): RuleLevel {
  if (typeof value === 'string' && (RULE_LEVELS as readonly string[]).includes(value)) return value as RuleLevel;
  throw new RuleSettingError(
    `rule ${id}: ${JSON.stringify(value)} is not a level; use one of ${RULE_LEVELS.join(', ')}`,
  );
}

function ruleId(id: string): RuleId {
  if (RULES_BY_ID.has(id as RuleId)) return id as RuleId;
  throw unknownRule(id);
}

/** `ID=level`, as `--rule` takes it. */
export function parseRuleAssignment(text: string): [RuleId, RuleLevel] {
  const at = text.indexOf('=');
  if (at < 0)
    throw new RuleSettingError(
      `"${text}" is not ID=level; write e.g. CLEAR_ROUTING_WITHOUT_PENDING=refuse (levels: ${RULE_LEVELS.join(', ')})`,
    );
  const id = text.slice(0, at).trim();
  return [ruleId(id), level(text.slice(at + 1).trim(), id)];
}

/** Checks settings given in code (harness options), with the same messages as the command line. */
export function checkRuleSettings(settings: Readonly<Record<string, unknown>>): RuleSettings {
  const checked: RuleSettings = {};
  for (const [id, value] of Object.entries(settings)) checked[ruleId(id)] = level(value, id);
  return checked;
}

/** A settings object as JSON takes it (fixture, rules file): rule ids to levels, each checked with a hint. */
export const ruleSettingsSchema = z
  .record(z.string(), z.unknown())
  // For the JSON Schemas of the files that take rule levels (editors complete the ids and levels);
  // checkRuleSettings is the check, with "did you mean".
  .meta({ propertyNames: { enum: [...RULE_IDS] }, additionalProperties: { enum: [...RULE_LEVELS] } })
  .transform((value, ctx): RuleSettings => {
    try {
      return checkRuleSettings(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const SOURCE_WORDS: Record<RuleSettingSource, string> = {
  default: 'its evidence',
  fixture: 'the org fixture\'s "rules"',
  file: '--rules-file',
  flag: '--rule',
  option: 'the startMockServer rules option',
};

/** The levels of one run, and where each came from. */
export class RulePolicy implements RulePolicyView {
  private readonly levels = new Map<RuleId, { level: RuleLevel; from: RuleSettingSource }>();

  constructor(
    readonly mode: RuleMode,
    layers: readonly RuleSettingLayer[] = [],
  ) {
    for (const rule of SEQUENCE_RULES) this.levels.set(rule.id, { level: defaultLevel(rule), from: 'default' });
    for (const layer of layers) {
      for (const [id, value] of Object.entries(layer.settings) as Array<[RuleId, RuleLevel]>)
        this.levels.set(id, { level: value, from: layer.from });
    }
  }

  levelOf(id: RuleId): RuleLevel {
    return this.levels.get(id)!.level;
  }

  sourceOf(id: RuleId): RuleSettingSource {
    return this.levels.get(id)!.from;
  }

  setBy(id: RuleId): string {
    return SOURCE_WORDS[this.sourceOf(id)];
  }

  /** The rules whose level is not their default, as `ID=level` (for the start banner). */
  changed(): string[] {
    return SEQUENCE_RULES.filter((rule) => this.sourceOf(rule.id) !== 'default').map(
      (rule) => `${rule.id}=${this.levelOf(rule.id)}`,
    );
  }
}
