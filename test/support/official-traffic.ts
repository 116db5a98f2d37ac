/**
 * The official-traffic corpus (fixtures/official-traffic/): request sequences that Salesforce's own
 * published material sends (the reference pages' examples and sample flows, the Amazon Connect Lambdas,
 * the demo connector), each with its sources. Every step says the status the real service is expected to
 * give and the warnings the mock's own reading raises on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { RULE_IDS } from '../../contracts/sequence-rules.ts';
import { SCENARIO_NAMES } from '../../contracts/scenarios.ts';
import { packageFile } from '../../mock-server/package-files.ts';

const OFFICIAL_TRAFFIC_DIR = packageFile('fixtures/official-traffic');

const stepSchema = z.strictObject({
  title: z.string().min(1),
  operationId: z.string().min(1),
  method: z.enum(['POST', 'PATCH']),
  path: z.string().startsWith('/voiceCalls'),
  /** Where this request shape comes from. */
  source: z.url(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  expect: z.strictObject({ status: z.int().min(200).max(299), warnings: z.array(z.enum(RULE_IDS)) }),
});

const sequenceSchema = z.strictObject({
  $comment: z.string().min(40),
  name: z.string().min(1),
  sources: z.array(z.url()).min(1),
  /** The documented scenario this sequence is an instance of, when there is one. */
  scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).optional(),
  contactCenter: z.string().optional(),
  steps: z.array(stepSchema).min(1),
});

export type OfficialSequence = z.infer<typeof sequenceSchema>;

export function loadOfficialTraffic(): OfficialSequence[] {
  return readdirSync(OFFICIAL_TRAFFIC_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = sequenceSchema.safeParse(JSON.parse(readFileSync(`${OFFICIAL_TRAFFIC_DIR}/${file}`, 'utf8')));
      if (!parsed.success) throw new Error(`fixtures/official-traffic/${file}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}
