// A real headless Chromium (Debian's, driven by playwright-core) for the console's browser
// tests. Every request a page makes is recorded, so a test can assert that the console asks no
// host but the platform. Screenshots go to test-results/console/ (not committed).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CAREPATH_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the test run saves its screenshots. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/console', import.meta.url));

export interface StaffBrowser {
  browser: Browser;
  /** A fresh context (its own cookies) at 1280×800 in Beijing time, zh-CN, as a hospital's staff have it (or another zone, to prove it does not matter). */
  context(options?: { viewport?: { width: number; height: number }; timezoneId?: string }): Promise<BrowserContext>;
  /** Every URL a page of this browser requested. */
  requests: string[];
  close(): Promise<void>;
}

/** Launches Chromium; fails with what to install when it is missing (`.ci/run` installs it). */
export async function launchStaffBrowser(): Promise<StaffBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CAREPATH_CHROMIUM)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const requests: string[] = [];
  return {
    browser,
    requests,
    async context(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        locale: 'zh-CN',
        timezoneId: options.timezoneId ?? 'Asia/Shanghai',
      });
      context.on('request', (request) => requests.push(request.url()));
      return context;
    },
    close: () => browser.close(),
  };
}

/** Saves a full-page screenshot of `page` as test-results/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
