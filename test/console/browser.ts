/// <reference lib="dom" />
/**
 * A real browser on the local system: Debian's Chromium driven by playwright-core, axe-core run on
 * every page, screenshots kept under test-artifacts/console/ (git-ignored) for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launch(): Promise<Browser> {
  const executablePath = CANDIDATES.find((p) => existsSync(p));
  if (!executablePath) throw new Error(`no Chromium found (looked at ${CANDIDATES.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
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

export interface Tab {
  page: Page;
  context: BrowserContext;
  /** What the page refused under its Content-Security-Policy, and uncaught errors. */
  problems: string[];
}

export async function open(browser: Browser, base: string, options: { phone?: boolean; bypassCSP?: boolean } = {}): Promise<Tab> {
  const context = await browser.newContext({
    baseURL: base,
    timezoneId: 'UTC',
    bypassCSP: options.bypassCSP ?? false,
    locale: 'en-GB',
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  // a step that waits fails on its own, naming what it waited for, well before the test's timeout
  page.setDefaultTimeout(8_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  return { page, context, problems };
}

/** Signs in through the local sign-in page as a person of the directory. */
export async function signIn(tab: Tab, who: string) {
  const { page } = tab;
  await page.goto('/#/sign-in');
  await page.locator(`[data-person="${who}"]`).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
}

export async function signOut(tab: Tab) {
  const button = tab.page.getByRole('button', { name: 'Sign out' });
  if (!(await button.count())) return;
  await button.click();
  await tab.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now: no violation, each named if any. */
export async function expectAccessible(tab: Tab, name: string) {
  const { page } = tab;
  await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }),
  )) as { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe-core on ${name}`).toEqual([]);
}

export async function shot(tab: Tab, name: string) {
  await tab.page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Axe, the screenshot, and no CSP refusal or page error so far. */
export async function checkPage(tab: Tab, name: string) {
  await expectAccessible(tab, name);
  await shot(tab, name);
  expect(tab.problems, `${name}: CSP refusals and page errors`).toEqual([]);
}
