/** The rule table itself: well formed, graded by its evidence, and judged the same way whoever asks (server or kit). */
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../contracts/operations.ts';
import { checkRuleSettings, parseRuleAssignment, RulePolicy, RuleSettingError } from '../contracts/rule-settings.ts';
import {
  defaultLevel,
  judge,
  matchRules,
  RULE_IDS,
  ruleById,
  SEQUENCE_RULES,
  type SequenceFacts,
} from '../contracts/sequence-rules.ts';

const SALESFORCE_PAGE = /^https:\/\/(developer|help)\.salesforce\.com\//;
const SALESFORCE_CODE_OR_SAMPLE =
  /^https:\/\/(github\.com\/(service-cloud-voice|salesforce|salesforce-misc)\/|developer\.salesforce\.com\/)/;

describe('the sequence rule table', () => {
  it('has one row per rule id, each with operations, a condition and a message that says what to do', () => {
    expect(SEQUENCE_RULES.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const rule of SEQUENCE_RULES) {
      expect(rule.operations.length, rule.id).toBeGreaterThan(0);
      for (const op of rule.operations) expect(OPERATIONS).toContain(op);
      expect(Object.keys(rule.when).length, rule.id).toBeGreaterThan(0);
      expect(rule.message.length, rule.id).toBeGreaterThan(40);
    }
  });

  describe.each(SEQUENCE_RULES.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
    const { evidence } = rule;

    it('has evidence that fits its grade', () => {
      if (evidence.grade === 'documented') {
        // A documented rule quotes the Salesforce page that states it, in a whole clause.
        expect(evidence.url, id).toMatch(SALESFORCE_PAGE);
        expect(evidence.quote?.split(' ').length ?? 0, `${id} quotes its page`).toBeGreaterThanOrEqual(6);
      } else if (evidence.grade === 'observed') {
        expect(evidence.url, id).toMatch(SALESFORCE_CODE_OR_SAMPLE);
        expect(evidence.note, `${id} says what the code or sample shows`).toBeDefined();
      } else {
        // An inference says what it rests on.
        expect(evidence.note ?? evidence.quote, `${id} says what the inference rests on`).toBeDefined();
      }
      if (evidence.contradictedBy !== undefined) {
        expect(evidence.contradictedBy.url, id).toMatch(SALESFORCE_CODE_OR_SAMPLE);
        expect(evidence.contradictedBy.what.length, id).toBeGreaterThan(20);
      }
    });

    it('refuses by default only when the docs require it and no Salesforce code contradicts it', () => {
      const refuses =
        rule.kind === 'requirement' && evidence.grade === 'documented' && evidence.contradictedBy === undefined;
      expect(defaultLevel(rule)).toBe(refuses ? 'refuse' : 'warn');
    });
  });

  it("refuses the seed's voicemail rule by default, quoting the seed page", () => {
    const rule = ruleById('VOICEMAIL_ORIGIN_AFTER_FLOW');
    expect(defaultLevel(rule)).toBe('refuse');
    expect(rule.evidence.url).toBe(
      'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-voicemail.html',
    );
    expect(rule.evidence.quote).toContain('before this API call');
  });

  it("warns by default on what Salesforce's own Lambdas send", () => {
    for (const id of [
      'HOLD_FIELDS_NEED_RECORDING',
      'CLEAR_ROUTING_WITHOUT_PENDING',
      'TRANSCRIPT_KEY_NOT_FIRST_LEG',
      'BULK_TRANSCRIPT_LIMITS',
    ] as const) {
      expect(defaultLevel(ruleById(id)), id).toBe('warn');
    }
  });

  it('matches a rule only when every fact it names has its value', () => {
    const facts: SequenceFacts = { setsCallOriginVoicemail: true, flowRoutingPending: true };
    expect(matchRules('updateVoiceCall', 'request', facts, { callId: '0LQ1' }).map((h) => h.rule.id)).toEqual([
      'VOICEMAIL_ORIGIN_AFTER_FLOW',
    ]);
    expect(
      matchRules('updateVoiceCall', 'request', { setsCallOriginVoicemail: true, flowRoutingPending: false }),
    ).toEqual([]);
    expect(matchRules('updateVoiceCall', 'request', { setsCallOriginVoicemail: true })).toEqual([]);
    // Another operation with the same facts is not judged by that rule.
    expect(matchRules('executeOmniFlow', 'request', facts)).toEqual([]);
  });

  it('fills placeholders in the message, and says what the mock did when it let the request through', () => {
    const [hit] = matchRules(
      'executeOmniFlow',
      'request',
      { routing: 'pending' },
      { callId: '0LQSM0abc', routingId: '0JRSM0xyz' },
    );
    expect(hit?.message).toBe(
      'Call 0LQSM0abc already has pending routing (0JRSM0xyz). The new routing replaced it. Call clearRouting before executing the flow again.',
    );
  });

  it('every message has a place for what happened, and reads as a sentence either way', () => {
    for (const rule of SEQUENCE_RULES) {
      expect(rule.message, rule.id).toContain('{outcome}');
      expect(rule.letThrough, rule.id).toMatch(/^[A-Z].*\.\)?$/);
    }
  });
});

describe('judging a request under a policy', () => {
  const facts: SequenceFacts = { pathKey: 'salesforceId', conversation: 'closed', undocumentedFields: true };
  const ids = (hits: ReadonlyArray<{ rule: { id: string } }>) => hits.map((h) => h.rule.id);

  it("strict mode refuses the rules at refuse with the first one's status; the others are not reported as let through", () => {
    const judgement = judge('createTranscript', 'request', facts, {}, new RulePolicy('strict'));
    expect(judgement.refused?.status).toBe(400);
    expect(ids(judgement.refused!.violations)).toEqual(['TRANSCRIPT_KEY_IS_SALESFORCE_ID']);
    expect(judgement.checks.find((c) => c.rule.id === 'TRANSCRIPT_CONVERSATION_CLOSED')?.outcome).toBe('warning');
  });

  it('lenient mode lets violations through, still recorded as violations', () => {
    const judgement = judge('createTranscript', 'request', facts, {}, new RulePolicy('lenient'));
    expect(judgement.refused).toBeUndefined();
    expect(ids(judgement.warnings)).toEqual([
      'TRANSCRIPT_KEY_IS_SALESFORCE_ID',
      'TRANSCRIPT_CONVERSATION_CLOSED',
      'UNDOCUMENTED_FIELD',
    ]);
    expect(judgement.checks.find((c) => c.rule.id === 'TRANSCRIPT_KEY_IS_SALESFORCE_ID')?.outcome).toBe('violation');
    expect(judgement.skip).toBe(true); // a closed conversation stores no transcript
  });

  it('warnings never refuse, and a behaviour rule keeps its effect', () => {
    const judgement = judge('createTranscript', 'message', { outsideWindow: true }, {}, new RulePolicy('strict'));
    expect(judgement.refused).toBeUndefined();
    expect(ids(judgement.warnings)).toEqual(['TRANSCRIPT_OUTSIDE_WINDOW']);
    expect(judgement.skip).toBe(true);
  });

  it('a rule set to refuse refuses, and its message says the run set it and leaves out what a let-through would have done', () => {
    const refuse = new RulePolicy('strict', [
      { from: 'flag', settings: { TRANSCRIPT_OUTSIDE_WINDOW: 'refuse', UNDOCUMENTED_FIELD: 'off' } },
    ]);
    const refused = judge('createTranscript', 'message', { outsideWindow: true }, { messageId: 'm1' }, refuse).refused!;
    expect(refused.status).toBe(409);
    expect(refused.violations[0]!.message).not.toContain('It was not stored.');
    expect(refused.violations[0]!.message).toMatch(
      /\(Refused because this run sets TRANSCRIPT_OUTSIDE_WINDOW to refuse with --rule; by default it is a warning\.\)$/,
    );
    // A rule that refuses by default says nothing of the kind.
    const byDefault = judge(
      'createTranscript',
      'request',
      { pathKey: 'salesforceId' },
      { key: '0LQ1', firstLegKey: 'k' },
      new RulePolicy('strict'),
    ).refused!;
    expect(byDefault.violations[0]!.message).toBe(
      "0LQ1 is a Salesforce VoiceCall id. Use the vendorCallKey of the conversation's first call instead: k.",
    );
  });

  it('set to off, a rule is neither checked nor reported, but a behaviour rule still has its effect', () => {
    const off = new RulePolicy('strict', [
      { from: 'fixture', settings: { TRANSCRIPT_OUTSIDE_WINDOW: 'off', TRANSCRIPT_KEY_IS_SALESFORCE_ID: 'off' } },
    ]);
    const dropped = judge('createTranscript', 'message', { outsideWindow: true }, {}, off);
    expect(dropped.checks).toEqual([expect.objectContaining({ outcome: 'ok' })]); // DUPLICATE_MESSAGE_ID ran; the window rule did not
    expect(dropped.warnings).toEqual([]);
    expect(dropped.skip).toBe(true); // the service still does not store it
    const keyOff = judge('createTranscript', 'request', { pathKey: 'salesforceId' }, {}, off);
    expect(keyOff.refused).toBeUndefined();
    expect(keyOff.skip).toBe(false); // a requirement switched off has no effect at all
  });
});

describe('rule settings', () => {
  it('later layers win, and every level says where it came from', () => {
    const policy = new RulePolicy('strict', [
      { from: 'fixture', settings: { HOLD_FIELDS_NEED_RECORDING: 'refuse', UPDATE_AFTER_CLOSE: 'off' } },
      { from: 'flag', settings: { HOLD_FIELDS_NEED_RECORDING: 'off' } },
    ]);
    expect([policy.levelOf('HOLD_FIELDS_NEED_RECORDING'), policy.sourceOf('HOLD_FIELDS_NEED_RECORDING')]).toEqual([
      'off',
      'flag',
    ]);
    expect([policy.levelOf('UPDATE_AFTER_CLOSE'), policy.sourceOf('UPDATE_AFTER_CLOSE')]).toEqual(['off', 'fixture']);
    expect([policy.levelOf('DUPLICATE_MESSAGE_ID'), policy.sourceOf('DUPLICATE_MESSAGE_ID')]).toEqual([
      'refuse',
      'default',
    ]);
    expect(policy.changed()).toEqual(['HOLD_FIELDS_NEED_RECORDING=off', 'UPDATE_AFTER_CLOSE=off']);
  });

  it('parses ID=level and says what is wrong with a bad one', () => {
    expect(parseRuleAssignment('CLEAR_ROUTING_WITHOUT_PENDING=refuse')).toEqual([
      'CLEAR_ROUTING_WITHOUT_PENDING',
      'refuse',
    ]);
    expect(() => parseRuleAssignment('CLEAR_ROUTING_WITHOUT_PENDIN=refuse')).toThrow(
      /no rule has the id "CLEAR_ROUTING_WITHOUT_PENDIN" \(did you mean CLEAR_ROUTING_WITHOUT_PENDING\?\)/,
    );
    expect(() => parseRuleAssignment('CLEAR_ROUTING_WITHOUT_PENDING=deny')).toThrow(
      /"deny" is not a level; use one of refuse, warn, off/,
    );
    expect(() => parseRuleAssignment('CLEAR_ROUTING_WITHOUT_PENDING')).toThrow(/is not ID=level/);
    expect(() => checkRuleSettings({ NOPE: 'warn' })).toThrow(RuleSettingError);
  });
});
