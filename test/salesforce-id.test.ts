import { describe, expect, it } from 'vitest';
import { caseSafeSuffix, isSalesforceId, SalesforceIdFactory, to18 } from '../mock-server/ids/salesforce-id.ts';

describe('Salesforce ids', () => {
  it('computes the case-safe suffix of the documented examples', () => {
    expect(caseSafeSuffix('a0D30000001n7Pi')).toBe('EAI');
    expect(caseSafeSuffix('0019000000B98de')).toBe('AAB');
    expect(caseSafeSuffix('0LQRM0000006CSz')).toBe('4AM');
  });

  it('accepts 15-character ids and 18-character ids with the right suffix only', () => {
    expect(isSalesforceId('0LQRM0000006CSz', '0LQ')).toBe(true);
    expect(isSalesforceId('0LQRM0000006CSz4AM', '0LQ')).toBe(true);
    expect(isSalesforceId('0LQRM0000006CSzAAA', '0LQ')).toBe(false);
    expect(isSalesforceId('0LQRM0000006CSz', '00G')).toBe(false);
    expect(isSalesforceId('5324881f-1e84-4367-8930-f69a74b30fff')).toBe(false);
  });

  it('issues valid, unique, prefixed ids, the same ones for the same seed', () => {
    const a = new SalesforceIdFactory('seed');
    const b = new SalesforceIdFactory('seed');
    const ids = Array.from({ length: 500 }, () => a.next('0LQ'));
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(/^0LQSM0[0-9A-Za-z]{12}$/);
      expect(isSalesforceId(id, '0LQ')).toBe(true);
      expect(to18(id.slice(0, 15))).toBe(id);
    }
    expect(Array.from({ length: 500 }, () => b.next('0LQ'))).toEqual(ids);
    expect(new SalesforceIdFactory('other').next('0LQ')).not.toBe(ids[0]);
  });

  it('issues no id twice in 200,000 (what a large store holds)', () => {
    const factory = new SalesforceIdFactory(SalesforceIdFactory.randomSeed());
    const ids = new Set<string>();
    for (let i = 0; i < 200_000; i++) ids.add(factory.next('0LQ'));
    expect(ids.size).toBe(200_000);
  });

  it('continues from a stored counter instead of repeating', () => {
    const first = new SalesforceIdFactory('seed');
    const issued = [first.next('0LQ'), first.next('0LQ')];
    const resumed = new SalesforceIdFactory('seed', first.issued);
    expect(issued).not.toContain(resumed.next('0LQ'));
  });
});
