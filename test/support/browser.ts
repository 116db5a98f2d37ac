/**
 * A real browser for the dashboard's tests: Debian's chromium driven by playwright-core (browser
 * downloads from elsewhere are not possible here). When chromium is missing, it is installed with apt-get,
 * as a fresh CI machine needs; when it cannot be, the error says what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'ignore', timeout: 600_000 });
  } catch (error) {
    throw new Error(
      `The dashboard tests need Chromium at ${CHROMIUM} and could not install it (${(error as Error).message}). Run: apt-get install -y chromium`,
      { cause: error },
    );
  }
}

export function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    // Headless as root, and no calls home: this machine's network is closed, and Chromium retries them.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
