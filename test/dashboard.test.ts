/**
 * The dashboard in a real browser (issue 15): it follows a tenant live, shows the seed's voicemail with
 * its transcript routed to the voicemail queue, a rule violation with its rule id and message, scenario
 * verdicts, a reset, and keeps up with 100 calls a second. The mock is a real process; requests reach it
 * over HTTP as a connector's would.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../contracts/scenarios.ts';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { startCli, type RunningMock } from './support/cli-process.ts';
import { launchBrowser } from './support/browser.ts';
import { DEFAULT_ORG, inboundCall, loadScript } from './support/mock-harness.ts';

const SEED_KEY = '5324881f-1e84-4367-8930-f69a74b30fff';
let browser: Browser;
let cli: RunningMock;
let page: Page;

async function send(method: string, path: string, body: unknown): Promise<number> {
  const token = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter' });
  const res = await fetch(`${cli.baseUrl}/telephony/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const callItem = (key: string) => page.locator('#calls li', { hasText: key });

beforeAll(async () => {
  browser = await launchBrowser();
  cli = await startCli(['--in-memory', '--quiet']);
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${cli.baseUrl}/__admin/ui`);
  await page.click('#demo-token');
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cli?.stop();
});

describe('the dashboard', () => {
  it('shows the seed sequence live: the call, its transcript, and the voicemail routed to the voicemail queue', async () => {
    for (const step of loadScript('voicemail-seed').steps)
      expect(await send(step.method, step.path, step.body)).toBe(step.expect.status);
    await callItem(SEED_KEY).waitFor();
    await callItem(SEED_KEY).click();
    await expect.poll(() => page.textContent('#detail')).toContain('Requests (5)');
    const detail = (await page.textContent('#detail'))!;
    expect(detail).toContain('Hi, this is Mar');
    expect(await page.textContent('#detail .routed')).toMatch(/Voicemail_Queue/);
    expect(await page.textContent('#org tr[data-queue="Voicemail_Queue"]')).toContain(`${SEED_KEY} (voicemail)`);
  });

  it('shows a rule violation with its rule id and message', async () => {
    expect(await send('POST', '/voiceCalls', { ...inboundCall('live-first'), callOrigin: undefined })).toBe(201);
    expect(await send('PATCH', '/voiceCalls/live-first/omniFlow', { dialedNumber: '999999999' })).toBe(200);
    expect(await send('PATCH', '/voiceCalls/live-first', { isActiveCall: true, callOrigin: 'Voicemail' })).toBe(409);
    await callItem('live-first').click();
    await expect.poll(() => page.textContent('#detail .timeline')).toContain('VOICEMAIL_ORIGIN_AFTER_FLOW');
    expect(await page.textContent('#detail .timeline')).toMatch(/before you call omniFlow/);
  });

  it('shows a scenario verdict with one click: pass for the seed, fail for the call that broke the rule', async () => {
    await callItem(SEED_KEY).click();
    await page.selectOption('#scenario', 'voicemail');
    await page.click('#verify');
    await expect.poll(() => page.textContent('#detail .verdict')).toMatch(/^\s*PASS/);
    await callItem('live-first').click();
    await page.selectOption('#scenario', 'voicemail');
    await page.click('#verify');
    await expect.poll(() => page.textContent('#detail .verdict')).toMatch(/^\s*FAIL/);
  });

  it('offers the scenarios the verifier knows, and keeps the one chosen across redraws', async () => {
    const offered = await page
      .locator('#scenario option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(offered).toEqual([...SCENARIO_NAMES]);
    await callItem(SEED_KEY).click();
    await page.selectOption('#scenario', 'inbound-answered');
    await page.click('#verify');
    await expect.poll(() => page.textContent('#detail .verdict')).toMatch(/FAIL\s+inbound-answered:/);
    // A live redraw (another call arrives) keeps the choice and the verdict.
    expect(await send('POST', '/voiceCalls', inboundCall('redraw'))).toBe(201);
    await callItem('redraw').waitFor();
    expect(await page.inputValue('#scenario')).toBe('inbound-answered');
    expect(await page.textContent('#detail .verdict')).toMatch(/inbound-answered:/);
  });

  it('copies a request as curl', async () => {
    await callItem(SEED_KEY).click();
    await page.click('#detail .timeline li:first-child button.curl');
    const curl = await page.getAttribute('#detail .timeline li:first-child button.curl', 'data-curl');
    expect(curl).toMatch(/^curl -X POST '.*\/telephony\/v1\/voiceCalls'/);
    expect(curl).toContain(SEED_KEY);
  });

  it('keeps up with 100 calls a second', async () => {
    const before = await page.locator('#calls li').count();
    const started = Date.now();
    const sends: Array<Promise<number>> = [];
    for (let i = 0; i < 300; i++) {
      // Paced: call i leaves at i × 10 ms.
      const due = started + i * 10 - Date.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      sends.push(send('POST', '/voiceCalls', inboundCall(`burst-${i}`)));
    }
    expect(new Set(await Promise.all(sends))).toEqual(new Set([201]));
    await expect.poll(() => page.locator('#calls li').count(), { timeout: 20_000 }).toBe(before + 300);
    // The page still answers at once.
    expect(await page.evaluate(() => document.querySelectorAll('#calls li').length)).toBe(before + 300);
  }, 60_000);

  it('reset empties the view', async () => {
    await page.click('#reset');
    await expect.poll(() => page.locator('#calls li').count()).toBe(0);
    expect(await page.textContent('#detail')).toContain('Choose a call');
  });
});

describe('the dashboard without a clipboard (plain http from another host)', () => {
  it('shows the curl command to copy by hand, and offers no reset before a tenant is open', async () => {
    const tab = await browser.newPage();
    await tab.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    try {
      await tab.goto(`${cli.baseUrl}/__admin/ui`);
      expect(await tab.isDisabled('#reset')).toBe(true);
      await tab.click('#demo-token');
      await tab.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
      expect(await tab.isDisabled('#reset')).toBe(false);
      expect(await send('POST', '/voiceCalls', inboundCall('by-hand'))).toBe(201);
      await tab.locator('#calls li', { hasText: 'by-hand' }).click();
      await tab.click('#detail .timeline li:first-child button.curl');
      expect(await tab.inputValue('#curl-text')).toMatch(/^curl -X /);
    } finally {
      await tab.close();
    }
  });
});

describe('the dashboard behind an admin token', () => {
  it('asks for the admin token, then works as before', async () => {
    const ADMIN_TOKEN = 'dashboard-admin-token-0123456789';
    const guarded = await startCli(['--in-memory', '--quiet', '--admin-token', ADMIN_TOKEN]);
    const tab = await browser.newPage();
    try {
      await tab.goto(`${guarded.baseUrl}/__admin/ui`);
      await tab.click('#demo-token');
      await tab.locator('#admin-token').waitFor({ state: 'visible' });
      expect(await tab.textContent('#message')).toContain('ADMIN_TOKEN_MISSING');
      await tab.fill('#admin-token', ADMIN_TOKEN);
      await tab.click('#demo-token');
      await tab.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
      const token = await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter' });
      const res = await fetch(`${guarded.baseUrl}/telephony/v1/voiceCalls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(inboundCall('guarded-call')),
      });
      expect(res.status).toBe(201);
      await tab.locator('#calls li', { hasText: 'guarded-call' }).waitFor();
      expect(await tab.textContent('#tenants')).toContain('00DSM0000000MCK2A2/MyContactCenter');
    } finally {
      await tab.close();
      await guarded.stop();
    }
  }, 60_000);
});
