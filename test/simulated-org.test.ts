/** The simulated org: the default fixture, precise errors for bad ones, and the omniFlow routing precedence. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeByOmniFlow, routeToTarget } from '../mock-server/domain/omni-routing.ts';
import type { OrgFixture } from '../mock-server/org/org-fixture-schema.ts';
import {
  DEFAULT_ORG_FILE,
  loadOrgFixture,
  OrgFixtureError,
  parseOrgFixture,
} from '../mock-server/org/simulated-org.ts';

const raw = () => JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as OrgFixture;
const org = loadOrgFixture();
const center = org.contactCenter('MyContactCenter')!;
const queue = (name: string) => `arn:aws:connect:us-east-1:000000000000:instance/scv-mock/queue/${name}`;
const agent = (name: string) => `arn:aws:connect:us-east-1:000000000000:instance/scv-mock/agent/${name}`;

describe('the default org fixture', () => {
  it("has the seed's contact center and number, and every channel has live and voicemail routing", () => {
    expect(org.defaultContactCenter.apiName).toBe('MyContactCenter');
    expect(org.channel(center, '999999999')).toBeDefined();
    expect(org.contactCenters.length).toBeGreaterThanOrEqual(2);
    for (const c of org.contactCenters) {
      expect(c.phoneChannels.length).toBeGreaterThanOrEqual(1);
      for (const channel of c.phoneChannels) {
        expect(channel.live, channel.phoneNumber).toBeDefined();
        expect(channel.voicemail, channel.phoneNumber).toBeDefined();
      }
    }
    expect(center.phoneChannels.length).toBeGreaterThanOrEqual(2);
  });

  it('finds queues, reps and flows by name and by 15- or 18-character id', () => {
    expect(org.queue(center, 'Voicemail_Queue')?.id).toBe('00GSM00000000032AA');
    expect(org.queue(center, '00GSM0000000003')?.developerName).toBe('Voicemail_Queue');
    expect(org.rep(center, '005SM0000000002YAA')?.username).toBe('grace.hopper@scv-mock.example');
    expect(org.flow(center, '300SM0000000001')?.developerName).toBe('Inbound_Support_Flow');
  });
});

describe('a bad fixture', () => {
  it('is refused with the path and the problem of every mistake', () => {
    const bad = raw();
    bad.orgId = '001abc';
    bad.contactCenters[0]!.phoneChannels[0]!.live.flow = 'No_Such_Flow';
    bad.contactCenters[0]!.flows[2]!.routes[1]!.rep = 'nobody@example.com';
    bad.contactCenters[0]!.queues[0]!.id = '00GSM0000000001AAA';
    bad.contactCenters[1]!.apiName = 'MyContactCenter';
    let message = '';
    try {
      parseOrgFixture(bad, 'bad.json');
    } catch (error) {
      expect(error).toBeInstanceOf(OrgFixtureError);
      message = (error as Error).message;
    }
    expect(message).toContain('bad.json is not a valid org fixture');
    expect(message).toContain('orgId: must be a org id');
    expect(message).toContain(
      'contactCenters[0].phoneChannels[0].live.flow: names no flow "No_Such_Flow" (known: Inbound_Support_Flow',
    );
    expect(message).toContain('contactCenters[0].flows[2].routes[1].rep: names no rep "nobody@example.com"');
    expect(message).toContain('contactCenters[0].queues[0].id: must be a queue (Group) id');
    expect(message).toContain('contactCenters[1].apiName: duplicate apiName "MyContactCenter"');
  });

  it('gets every problem in one pass: shape, cross-references and key files together', () => {
    const bad = raw() as unknown as {
      contactCenters: Array<Record<string, unknown> & { phoneChannels: Array<Record<string, unknown>> }>;
    };
    const first = bad.contactCenters[0]!;
    // Shape problems that used to hide the rest: an unknown field, a wrong type, a missing field.
    first.phoneChannels[0]!.lable = 'typo';
    first.unifiedRouting = 'yes';
    delete first.reps;
    // Cross-references and key files, each of which alone was reported only once the shape was right.
    (first.phoneChannels[1]!.live as Record<string, unknown>).fallbackQueue = 'No_Such_Queue';
    bad.contactCenters[1]!.apiName = 'MyContactCenter';
    first.keys = [{ certificateFile: 'keys/nowhere.pem' }, { publicKeyFile: 'keys/gone.pem' }];
    const dir = mkdtempSync(join(tmpdir(), 'scv-org-'));
    writeFileSync(join(dir, 'org.json'), JSON.stringify(bad));
    let message = '';
    try {
      loadOrgFixture(join(dir, 'org.json'));
    } catch (error) {
      expect(error).toBeInstanceOf(OrgFixtureError);
      message = (error as Error).message;
    }
    expect(message).toContain('contactCenters[0].phoneChannels[0]: Unrecognized key: "lable"');
    expect(message).toMatch(/contactCenters\[0\]\.unifiedRouting: .*boolean/);
    expect(message).toMatch(/contactCenters\[0\]\.reps: .*array/);
    expect(message).toContain('contactCenters[0].phoneChannels[1].live.fallbackQueue: names no queue "No_Such_Queue"');
    expect(message).toContain('contactCenters[1].apiName: duplicate apiName "MyContactCenter"');
    expect(message).toMatch(/contactCenters\[0\]\.keys\[0\]\.certificateFile: cannot read .*nowhere\.pem \(ENOENT\)/);
    expect(message).toMatch(/contactCenters\[0\]\.keys\[1\]\.publicKeyFile: cannot read .*gone\.pem \(ENOENT\)/);
    expect(message).toContain("relative to the fixture's folder");
  });

  it('that is not JSON, or missing, says so with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-org-'));
    writeFileSync(join(dir, 'broken.json'), '{ "orgId": ');
    expect(() => loadOrgFixture(join(dir, 'broken.json'))).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadOrgFixture(join(dir, 'missing.json'))).toThrow(
      /cannot read the org fixture .*missing\.json: ENOENT/,
    );
  });
});

describe('omniFlow routing precedence', () => {
  it("uses the voicemail routing of the dialed number's channel for a voicemail, the live routing otherwise", () => {
    const voicemail = routeByOmniFlow(org, center, 'Voicemail', { dialedNumber: '999999999' });
    expect(voicemail).toMatchObject({
      ok: true,
      target: { flowDevName: 'Voicemail_Routing_Flow', queue: queue('voicemail'), agent: null },
    });
    const live = routeByOmniFlow(org, center, null, { dialedNumber: '999999999' });
    expect(live).toMatchObject({ ok: true, target: { flowDevName: 'Inbound_Support_Flow', queue: queue('support') } });
  });

  it('matches numbers ignoring spaces, dashes and parentheses', () => {
    expect(routeByOmniFlow(org, center, null, { dialedNumber: '+1 (844) 579-1189' })).toMatchObject({
      ok: true,
      target: { queue: queue('sales') },
    });
  });

  it('lets one flow branch on callOrigin', () => {
    expect(routeByOmniFlow(org, center, null, { dialedNumber: '+18445791189' })).toMatchObject({
      ok: true,
      target: { flowDevName: 'Sales_Flow', queue: queue('sales'), agent: agent('grace') },
    });
    // The sales line's voicemail routing is a queue only.
    expect(routeByOmniFlow(org, center, 'Voicemail', { dialedNumber: '+18445791189' })).toMatchObject({
      ok: true,
      target: { flowDevName: null, queue: queue('voicemail') },
    });
  });

  it("falls back to the channel's queue when its flow fails", () => {
    expect(routeByOmniFlow(org, center, null, { dialedNumber: '+14152988103' })).toMatchObject({
      ok: true,
      via: expect.stringContaining('fallback queue Billing_Queue'),
      target: { queue: queue('billing') },
    });
  });

  it("puts the channel before the request, then the request's flow, then its fallback queue", () => {
    expect(routeByOmniFlow(org, center, null, { dialedNumber: '999999999', flowDevName: 'Sales_Flow' })).toMatchObject({
      target: { flowDevName: 'Inbound_Support_Flow' },
    });
    expect(
      routeByOmniFlow(org, center, null, { dialedNumber: '+10000000000', flowDevName: 'Sales_Flow' }),
    ).toMatchObject({ target: { flowDevName: 'Sales_Flow' } });
    expect(
      routeByOmniFlow(org, center, null, { flowDevName: 'Broken_Flow', fallbackQueue: '00GSM00000000012AA' }),
    ).toMatchObject({ target: { queue: queue('support') } });
  });

  it('fails, saying what it tried, when nothing routes or the target is not mapped', () => {
    const outcome = routeByOmniFlow(org, center, null, {
      dialedNumber: '+10000000000',
      fallbackQueue: 'Unmapped_Queue',
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.tried.join('\n')).toContain('no phone channel of contact center MyContactCenter has this number');
      expect(outcome.tried.join('\n')).toContain('queue Unmapped_Queue has no CallCenterRoutingMap external id');
    }
  });

  it('routeVoiceCall resolves a rep, queue or flow id', () => {
    const unified = org.contactCenter('UnifiedContactCenter')!;
    expect(routeToTarget(org, unified, null, '005SM0000000004YAA', undefined)).toMatchObject({
      ok: true,
      target: { repId: '005SM0000000004YAA', queue: null },
    });
    expect(routeToTarget(org, unified, null, '300SM0000000006', undefined)).toMatchObject({
      ok: true,
      target: { flowDevName: 'Unified_Inbound_Flow' },
    });
    expect(routeToTarget(org, unified, null, '00GSM0000000009', undefined).ok).toBe(false);
  });
});
