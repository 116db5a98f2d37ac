/** The rule table itself: well formed, and evaluated the same way whoever asks (server or kit). */
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../contracts/operations.ts';
import { decide, matchRules, RULE_IDS, SEQUENCE_RULES, type SequenceFacts } from '../contracts/sequence-rules.ts';

describe('the sequence rule table', () => {
  it('has one row per rule id, each with a source, operations, a condition and a message that says what to do', () => {
    expect(SEQUENCE_RULES.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const rule of SEQUENCE_RULES) {
      expect(rule.source, rule.id).toMatch(/https:\/\/|openapi\.yaml/);
      expect(rule.operations.length, rule.id).toBeGreaterThan(0);
      for (const op of rule.operations) expect(OPERATIONS).toContain(op);
      expect(Object.keys(rule.when).length, rule.id).toBeGreaterThan(0);
      expect(rule.message.length, rule.id).toBeGreaterThan(40);
    }
  });

  it('matches a rule only when every fact it names has its value', () => {
    const facts: SequenceFacts = { setsCallOriginVoicemail: true, flowExecuted: true };
    expect(matchRules('updateVoiceCall', 'request', facts, { callId: '0LQ1' }).map((h) => h.rule.id)).toEqual(['VOICEMAIL_ORIGIN_AFTER_FLOW']);
    expect(matchRules('updateVoiceCall', 'request', { setsCallOriginVoicemail: true, flowExecuted: false })).toEqual([]);
    expect(matchRules('updateVoiceCall', 'request', { setsCallOriginVoicemail: true })).toEqual([]);
    // Another operation with the same facts is not judged by that rule.
    expect(matchRules('executeOmniFlow', 'request', facts)).toEqual([]);
  });

  it('fills placeholders in the message', () => {
    const [hit] = matchRules('executeOmniFlow', 'request', { routing: 'pending' }, { callId: '0LQSM0abc', routingId: '0JRSM0xyz' });
    expect(hit?.message).toContain('Call 0LQSM0abc already has pending routing (0JRSM0xyz)');
  });

  it('strict mode refuses violations with the first one\'s status; lenient mode turns them into warnings', () => {
    const hits = matchRules('createTranscript', 'request', { pathKey: 'salesforceId', conversation: 'closed', undocumentedFields: true });
    expect(hits.map((h) => h.rule.id)).toEqual(['TRANSCRIPT_KEY_IS_SALESFORCE_ID', 'TRANSCRIPT_CONVERSATION_CLOSED', 'UNDOCUMENTED_FIELD']);
    const strict = decide(hits, 'strict');
    expect(strict.rejected?.status).toBe(400);
    expect(strict.rejected?.violations.map((h) => h.rule.id)).toEqual(['TRANSCRIPT_KEY_IS_SALESFORCE_ID', 'TRANSCRIPT_CONVERSATION_CLOSED']);
    const lenient = decide(hits, 'lenient');
    expect(lenient.rejected).toBeUndefined();
    expect(lenient.warnings).toHaveLength(3);
    expect(lenient.skip).toBe(true); // a closed conversation stores no transcript
  });

  it('warnings never refuse, even in strict mode', () => {
    const decision = decide(matchRules('createTranscript', 'message', { outsideWindow: true }), 'strict');
    expect(decision.rejected).toBeUndefined();
    expect(decision.warnings.map((h) => h.rule.id)).toEqual(['TRANSCRIPT_OUTSIDE_WINDOW']);
    expect(decision.skip).toBe(true);
  });
});
