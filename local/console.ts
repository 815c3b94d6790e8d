/**
 * The web console, built and served locally. `npm start` and the tests build it with Vite when its
 * sources (or the core rules it imports) are newer than the last build, then the local server
 * serves console/dist at `/` beside the API, as CloudFront serves the bucket in AWS.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { consoleCsp } from '../console/security.js';

export const CONSOLE_ROOT = resolve(import.meta.dirname, '../console');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) if (entry !== 'dist' && entry !== 'node_modules') max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Builds the console when console/dist is missing or older than what it is built from. */
export async function buildConsole(options: { force?: boolean; onLog?: (line: string) => void } = {}): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const marker = join(CONSOLE_DIST, 'index.html');
  const sources = Math.max(newest(CONSOLE_ROOT), newest(resolve(import.meta.dirname, '../functions/core')));
  if (!options.force && existsSync(marker) && statSync(marker).mtimeMs >= sources) return { built: false, ms: 0 };
  options.onLog?.('building the console (Vite)…');
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), root: CONSOLE_ROOT, logLevel: 'warn' });
  return { built: true, ms: Date.now() - started };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The console's security headers; the CSP is the one CloudFront sends too (console/security.ts). */
export function consoleHeaders(): Record<string, string> {
  return {
    'content-security-policy': consoleCsp(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/** A file of the built console for a GET path (`/` is the page), or null. */
export function consoleFile(pathname: string): { body: Buffer; headers: Record<string, string> } | null {
  const rel = pathname === '/' || pathname === '/index.html' ? 'index.html' : pathname.startsWith('/assets/') ? pathname.slice(1) : null;
  if (!rel) return null;
  const file = normalize(join(CONSOLE_DIST, rel));
  if (!file.startsWith(CONSOLE_DIST + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  const immutable = rel.startsWith('assets/');
  return {
    body: readFileSync(file),
    headers: {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...consoleHeaders(),
    },
  };
}
