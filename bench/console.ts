/**
 * The web console for `npm run bench`: the built files' sizes (raw and gzipped), and how long the
 * first page takes to become usable on the local system — from navigation to the sign-in page's
 * first person button enabled (the page fetched its config and the directory and rendered), and
 * for a signed-in person to the inbox's first section loaded — in a fresh browser context each
 * time (no cache), Debian's Chromium through playwright-core. Figures only; nothing is asserted.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CONSOLE_DIST } from '../local/console.js';
import { percentile } from './stats.js';

export interface ConsoleBenchResult {
  files: { name: string; bytes: number; gzip: number }[];
  /** Milliseconds, one per run. */
  signIn: number[];
  inbox: number[];
  runs: number;
  skipped?: string;
}

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

export async function measureConsole(options: { runs: number; endpoint: string }): Promise<ConsoleBenchResult> {
  const { startLocalSystem } = await import('../local/runtime.js');
  const system = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'changeflow-bench-console-')),
    dynamoDbEndpoint: options.endpoint,
    scheduler: false,
    mail: { smtpPort: 0, webPort: 0 },
    env: { TABLE_NAME: 'changeflow-bench-console' },
  });
  const files = readdirSync(join(CONSOLE_DIST, 'assets')).map((name) => {
    const body = readFileSync(join(CONSOLE_DIST, 'assets', name));
    return { name, bytes: body.length, gzip: gzipSync(body).length };
  });
  const executablePath = CHROMIUM.find((p) => existsSync(p));
  try {
    if (!executablePath) return { files, signIn: [], inbox: [], runs: 0, skipped: 'no Chromium on this machine' };
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const signIn: number[] = [];
    const inbox: number[] = [];
    try {
      for (let i = 0; i < options.runs + 1; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        let started = performance.now();
        await page.goto(`${system.url}/`, { waitUntil: 'commit' });
        await page.locator('[data-person="alice"]:enabled').waitFor();
        const first = performance.now() - started;
        await page.locator('[data-person="alice"]').click();
        await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
        // a signed-in reload: the inbox with its first section's data
        started = performance.now();
        await page.reload({ waitUntil: 'commit' });
        await page.locator('#h-decide').waitFor();
        await page.locator('section[aria-labelledby="h-decide"] :is(ul, p:not([aria-live]))').first().waitFor();
        const second = performance.now() - started;
        // the first run warms the server's own caches; the rest are the figures
        if (i > 0) {
          signIn.push(first);
          inbox.push(second);
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
    return { files, signIn, inbox, runs: options.runs };
  } finally {
    await system.stop();
  }
}

const row = (what: string, v: number[]) =>
  `| ${what} | ${percentile(v, 0.5).toFixed(0)} ms | ${percentile(v, 0.95).toFixed(0)} ms | ${Math.max(...v).toFixed(0)} ms |`;

export function formatConsole(r: ConsoleBenchResult): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const lines = ['## The web console', '', `Built files: ${r.files.map((f) => `${f.name} ${kb(f.bytes)} (${kb(f.gzip)} gzipped)`).join('; ')}.`, ''];
  if (r.skipped) return [...lines, `Page timings skipped: ${r.skipped}.`];
  return [
    ...lines,
    `${r.runs} fresh browser contexts (no cache) on the local system, Chromium headless:`,
    '',
    '| from navigation to | p50 | p95 | max |',
    '| --- | ---: | ---: | ---: |',
    row('the sign-in page usable (its first person button enabled)', r.signIn),
    row("a signed-in reload's inbox with its first section loaded", r.inbox),
    '',
    'The goal is under a second for the first page.',
  ];
}
