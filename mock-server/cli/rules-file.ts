/**
 * `--rules-file FILE`: rule levels for a run, as JSON {"rules": {"RULE_ID": "refuse" | "warn" | "off"}}
 * (the same object an org fixture takes under "rules"). A file that cannot be used is a usage error
 * naming the file and every problem.
 */
import { z } from 'zod';
import { ruleSettingsSchema, type RuleSettings } from '../../contracts/rule-settings.ts';
import { describeZodIssues } from '../org/simulated-org.ts';
import { readJsonFile } from './cli-files.ts';
import { UsageError } from './parse-flags.ts';

export const rulesFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe("this file's JSON Schema, for editors"),
    $comment: z.string().optional(),
    rules: ruleSettingsSchema.describe('rule levels: refuse, warn or off, by rule id'),
  })
  .meta({ title: 'scv-telephony-mock rules file (--rules-file)' });

export function loadRulesFile(file: string): RuleSettings {
  const json = readJsonFile('--rules-file', file);
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && !('rules' in json)) {
    throw new UsageError(
      `--rules-file ${file} has no "rules": put the levels under it, e.g. {"rules": {"CLEAR_ROUTING_WITHOUT_PENDING": "refuse"}}`,
    );
  }
  const parsed = rulesFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = describeZodIssues(parsed.error.issues).map((line) => `  - ${line}`);
    throw new UsageError(
      `--rules-file ${file} is not a rules file ({"rules": {"RULE_ID": "refuse|warn|off"}}):\n${problems.join('\n')}`,
    );
  }
  return parsed.data.rules;
}
