/**
 * GET /__admin/rules: every rule with its evidence, its default and its level in this run, from every place a level is
 * set.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ruleListSchema, type RuleList } from '../contracts/admin-schemas.ts';
import { defaultLevel, RULE_IDS, SEQUENCE_RULES } from '../contracts/sequence-rules.ts';
import { parseStartOptions } from '../mock-server/cli/start-options.ts';
import { UsageError } from '../mock-server/cli/parse-flags.ts';
import { DEFAULT_ORG_FILE, OrgFixtureError, loadOrgFixture } from '../mock-server/org/simulated-org.ts';
import { startMock, type Harness } from './support/mock-harness.ts';

let mock: Harness | undefined;
afterEach(async () => {
  await mock?.server.close();
  mock = undefined;
});

const rulesOf = async (harness: Harness): Promise<RuleList> =>
  ruleListSchema.parse((await request(harness.server.app).get('/__admin/rules').expect(200)).body);

/** A copy of the default org with a "rules" section (key files made absolute, since the copy lives elsewhere). */
function orgWithRules(rules: Record<string, string>): string {
  const org = JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as {
    rules?: unknown;
    contactCenters: Array<{ keys: Array<Record<string, string>> }>;
  };
  org.rules = rules;
  for (const center of org.contactCenters) {
    for (const key of center.keys)
      for (const field of ['certificateFile', 'publicKeyFile'])
        if (key[field] !== undefined) key[field] = resolve(dirname(DEFAULT_ORG_FILE), key[field]);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'scv-org-rules-')), 'org.json');
  writeFileSync(file, JSON.stringify(org));
  return file;
}

describe('GET /__admin/rules', () => {
  it('lists every rule in table order, with its evidence and default, without a token', async () => {
    mock = await startMock();
    const list = await rulesOf(mock);
    expect(list.mode).toBe('strict');
    expect(list.rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const rule of SEQUENCE_RULES) {
      const listed = list.rules.find((r) => r.id === rule.id)!;
      expect(listed).toMatchObject({
        kind: rule.kind,
        evidence: rule.evidence,
        default: defaultLevel(rule),
        level: defaultLevel(rule),
        levelFrom: 'default',
      });
    }
    expect(list.rules.find((r) => r.id === 'VOICEMAIL_ORIGIN_AFTER_FLOW')).toMatchObject({
      default: 'refuse',
      evidence: { grade: 'documented' },
    });
    expect(list.rules.find((r) => r.id === 'CLEAR_ROUTING_WITHOUT_PENDING')).toMatchObject({
      default: 'warn',
      evidence: { contradictedBy: { url: expect.stringContaining('handleContactEvents') } },
    });
  });

  it('shows the levels a run set, and where: fixture, file, flag (later wins)', async () => {
    const fixturesFile = orgWithRules({ UPDATE_AFTER_CLOSE: 'refuse', HOLD_FIELDS_NEED_RECORDING: 'refuse' });
    const dir = mkdtempSync(join(tmpdir(), 'scv-rules-file-'));
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify({ rules: { HOLD_FIELDS_NEED_RECORDING: 'warn', TRANSCRIPT_OUTSIDE_WINDOW: 'refuse' } }),
    );
    const options = parseStartOptions(
      [
        '--rules-file',
        join(dir, 'rules.json'),
        '--rule',
        'TRANSCRIPT_OUTSIDE_WINDOW=off',
        '--rule',
        'UNDOCUMENTED_FIELD=off',
      ],
      {},
    );
    mock = await startMock({ fixturesFile, ruleSettings: options.ruleSettings, mode: 'lenient' });
    const list = await rulesOf(mock);
    expect(list.mode).toBe('lenient');
    const level = (id: string) => list.rules.find((r) => r.id === id)!;
    expect(level('UPDATE_AFTER_CLOSE')).toMatchObject({ level: 'refuse', levelFrom: 'fixture' });
    expect(level('HOLD_FIELDS_NEED_RECORDING')).toMatchObject({ level: 'warn', levelFrom: 'file' });
    expect(level('TRANSCRIPT_OUTSIDE_WINDOW')).toMatchObject({ level: 'off', levelFrom: 'flag' });
    expect(level('UNDOCUMENTED_FIELD')).toMatchObject({ level: 'off', levelFrom: 'flag' });
    expect(level('DUPLICATE_MESSAGE_ID')).toMatchObject({ level: 'refuse', levelFrom: 'default' });
  });

  it('a bad level in the fixture stops the start with the path and the closest rule', () => {
    const file = orgWithRules({ UPDATE_AFTER_CLOS: 'refuse' });
    expect(() => loadOrgFixture(file)).toThrow(OrgFixtureError);
    expect(() => loadOrgFixture(file)).toThrow(
      /rules: no rule has the id "UPDATE_AFTER_CLOS" \(did you mean UPDATE_AFTER_CLOSE\?\)/,
    );
  });

  it('a rules file that is missing or malformed is a usage error naming it', () => {
    expect(() => parseStartOptions(['--rules-file', '/nonexistent/rules.json'], {})).toThrow(UsageError);
    expect(() => parseStartOptions(['--rules-file', '/nonexistent/rules.json'], {})).toThrow(
      /--rules-file .*rules\.json: cannot read it \(ENOENT\)/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'scv-rules-bad-'));
    writeFileSync(join(dir, 'a.json'), '{"rules": {"UPDATE_AFTER_CLOSE": "refuse"}, "mode": "strict"}');
    expect(() => parseStartOptions(['--rules-file', join(dir, 'a.json')], {})).toThrow(
      /is not a rules file[\s\S]*mode/,
    );
    writeFileSync(join(dir, 'bare.json'), '{"UPDATE_AFTER_CLOSE": "refuse"}');
    expect(() => parseStartOptions(['--rules-file', join(dir, 'bare.json')], {})).toThrow(
      /has no "rules": put the levels under it/,
    );
    writeFileSync(join(dir, 'bool.json'), '{"rules": {"UPDATE_AFTER_CLOSE": true}}');
    expect(() => parseStartOptions(['--rules-file', join(dir, 'bool.json')], {})).toThrow(
      /rule UPDATE_AFTER_CLOSE: true is not a level; use one of refuse, warn, off/,
    );
  });
});
