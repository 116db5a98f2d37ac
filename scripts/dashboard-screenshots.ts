/**
 * npm run screenshots: the README's pictures of the dashboard and the API reference, taken from a real
 * mock in Debian's chromium after the seed's voicemail sequence, a call that broke a rule and a few
 * live calls. Writes docs/dashboard.png and docs/api-reference.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '../mock-server/auth/token-signer.ts';
import { startMockServer } from '../mock-server/index.ts';
import { loadRequestScripts } from '../mock-server/conformance/conformance-runner.ts';
import { launchBrowser } from '../test/support/browser.ts';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const ORG = '00DSM0000000MCK2A2';

const mock = await startMockServer({ seed: 'screenshots' });
const token = await signToken({ orgId: ORG, callCenterApiName: 'MyContactCenter' });
const send = async (method: string, path: string, body: unknown) => {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
};
const seed = loadRequestScripts().find((script) => script.name === 'voicemail-seed')!;
const call = (key: string, extra: Record<string, unknown> = {}) => ({
  ...(seed.steps[0]!.body as Record<string, unknown>),
  vendorCallKey: key,
  callOrigin: undefined,
  ...extra,
});
for (const key of ['a1f3-inbound-support', 'b7c9-inbound-sales']) {
  await send('POST', '/voiceCalls', call(key));
  await send('PATCH', `/voiceCalls/${key}/omniFlow`, { dialedNumber: '999999999' });
}
await send('PATCH', '/voiceCalls/b7c9-inbound-sales', { isActiveCall: true, callOrigin: 'Voicemail' });

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
await page.goto(`${mock.rootUrl}/__admin/ui`);
await page.click('#demo-token');
await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
for (const step of seed.steps) await send(step.method, step.path, step.body);
const seedItem = page.locator('#calls li', { hasText: '5324881f' });
await seedItem.waitFor();
await seedItem.click();
await page.selectOption('#scenario', 'voicemail');
await page.click('#verify');
await page.locator('#detail .verdict').waitFor();
mkdirSync(DOCS, { recursive: true });
await page.screenshot({ path: join(DOCS, 'dashboard.png') });
process.stdout.write(`wrote ${join(DOCS, 'dashboard.png')}\n`);

await page.goto(`${mock.rootUrl}/__admin/docs`);
await page.screenshot({ path: join(DOCS, 'api-reference.png') });
process.stdout.write(`wrote ${join(DOCS, 'api-reference.png')}\n`);
await browser.close();
await mock.close();
