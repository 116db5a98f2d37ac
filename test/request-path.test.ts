/**
 * The request path's parts without HTTP: the router compiled from the spec, and the rule gate that
 * decides centrally whether an operation's change runs.
 */
import { describe, expect, it } from 'vitest';
import { RulePolicy } from '../contracts/rule-settings.ts';
import { RuleLedger, underRules } from '../mock-server/domain/rule-enforcement.ts';
import { ApiError, RuleViolationError } from '../mock-server/errors/api-error.ts';
import { SpecRouter } from '../mock-server/openapi/spec-router.ts';
import { specOperations } from './support/spec-schemas.ts';

const router = new SpecRouter(specOperations().filter((op) => !op.path.startsWith('/__admin')));
const routeOf = (method: string, path: string) => router.route(method, path, `/telephony/v1${path}`);
const refusal = (method: string, path: string): ApiError => {
  try {
    routeOf(method, path);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`${method} ${path} was routed`);
};

describe('the router compiled from the spec', () => {
  it('routes every operation of the spec by its own method and path, with decoded parameters', () => {
    for (const op of specOperations().filter((o) => !o.path.startsWith('/__admin'))) {
      const path = op.path.replace(/\{[^}]+\}/g, 'k%20ey');
      const route = routeOf(op.method, path);
      expect(route.operationId, `${op.method} ${op.path}`).toBe(op.operationId);
      for (const value of Object.values(route.params)) expect(value).toBe('k ey');
    }
  });

  it('prefers a literal segment to a parameter, ignores trailing slashes, and names the path parameters as the spec does', () => {
    expect(routeOf('POST', '/voiceCalls/messages').operationId).toBe('createTranscriptsBulk');
    expect(routeOf('POST', '/voiceCalls/abc/messages/').params).toEqual({ vendorCallKey: 'abc' });
    expect(routeOf('PATCH', '/voiceCalls/route/abc').operationId).toBe('routeVoiceCallByPath');
    expect(routeOf('PATCH', '/voiceCalls/abc').params).toEqual({ CALL_ID: 'abc' });
  });

  it('answers a method a path does not take with 405 and Allow listing the ones it does', () => {
    const error = refusal('DELETE', '/voiceCalls/abc/reroute');
    expect(error.status).toBe(405);
    expect(error.headers.Allow!.split(', ').sort()).toEqual(['PATCH', 'POST']);
    expect(refusal('GET', '/voiceCalls').headers.Allow).toBe('POST');
  });

  it("never lets a reserved word reach a call operation: 405 naming the word's method, 404 for none of its paths", () => {
    const wrongMethod = refusal('PATCH', '/voiceCalls/messages');
    expect([wrongMethod.status, wrongMethod.headers.Allow]).toEqual([405, 'POST']);
    expect(wrongMethod.messages[0]).toContain('never names a call');
    const none = refusal('PATCH', '/voiceCalls/route');
    expect([none.status, none.errorCode]).toEqual([404, 'ROUTE_NOT_FOUND']);
    expect(none.messages[0]).toContain('PATCH /voiceCalls/route/{CALL_ID}');
    expect(router.reservedWords).toContain('reserveRoutableNumber');
  });

  it('answers an unknown path with 404 and a malformed escape in a parameter with 400', () => {
    expect(refusal('GET', '/nothing/here').status).toBe(404);
    const malformed = refusal('PATCH', '/voiceCalls/%E0%A4%A');
    expect([malformed.status, malformed.errorCode]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('the rule gate (underRules)', () => {
  const strict = new RulePolicy('strict');
  const duplicateCreate = {
    operation: 'createVoiceCall' as const,
    facts: { transferParent: 'notTransfer' as const, vendorCallKeyInUse: true },
    vars: { vendorCallKey: 'k', callId: 'c' },
  };

  it('runs the change when no matched rule leaves state untouched, and records every check', () => {
    const ledger = new RuleLedger();
    expect(underRules({ operation: 'createVoiceCall', facts: {}, vars: {} }, strict, ledger, () => 'made')).toBe(
      'made',
    );
    expect(ledger.checks.length).toBeGreaterThan(0);
    expect(ledger.warnings).toEqual([]);
  });

  it('does not run the change when a matched rule says to leave state untouched, and records the warning', () => {
    const ledger = new RuleLedger();
    let ran = false;
    const result = underRules(duplicateCreate, strict, ledger, () => {
      ran = true;
      return 'made';
    });
    expect([result, ran]).toEqual([undefined, false]);
    expect(ledger.warnings.map((hit) => hit.rule.id)).toEqual(['DUPLICATE_VENDOR_CALL_KEY']);
  });

  it('keeps state untouched even when the rule is set to off (the service behaves so either way)', () => {
    const off = new RulePolicy('strict', [{ from: 'flag', settings: { DUPLICATE_VENDOR_CALL_KEY: 'off' } }]);
    const ledger = new RuleLedger();
    expect(underRules(duplicateCreate, off, ledger, () => 'made')).toBeUndefined();
    expect(ledger.warnings).toEqual([]);
  });

  it('throws the refusal before the change when a rule at refuse matches in strict mode', () => {
    const ledger = new RuleLedger();
    let ran = false;
    const refused = () =>
      underRules(
        { operation: 'createTranscript', facts: { pathKey: 'salesforceId' }, vars: {} },
        strict,
        ledger,
        () => {
          ran = true;
        },
      );
    expect(refused).toThrow(RuleViolationError);
    expect(ran).toBe(false);
  });
});
