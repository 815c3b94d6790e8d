/**
 * Each function's deployed bundle, built as lib/constructs/function.ts has NodejsFunction build it
 * (ESM, minified, the Node major of lib/runtime.ts, AWS SDK bundled, the createRequire banner), so the bytes are the ones
 * Lambda would load on a cold start. The size table and the cold-start table (bench/cold-start.ts) both build with
 * `stackBuildOptions`, and the cold-start table imports the very files the size table measures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { SCHEDULED_JOBS } from '../functions/jobs/schedules.js';
import { ROUTE_GROUPS } from '../functions/routes.js';
import { ESM_REQUIRE_SHIM, WORKER_FUNCTIONS } from '../lib/constructs/function.js';
import { loadConfig } from '../functions/config.js';
import { lambdaBundling, holidayTable } from '../lib/holidays.js';
import { BUNDLE_TARGET } from '../lib/runtime.js';

/** The holiday table the stack would write into the bundles, for its default settings. */
const DEFAULTS = loadConfig({});
const HOLIDAYS = lambdaBundling(holidayTable(DEFAULTS.HOLIDAY_COUNTRY, DEFAULTS.HOLIDAY_REGION), resolve(import.meta.dirname, '..'));

/** The esbuild options NodejsFunction derives from the stack's `bundling` props, for one entry. */
export function stackBuildOptions(entry: string, outfile: string, repoRoot: string) {
  return {
    define: HOLIDAYS.define,
    alias: HOLIDAYS.alias,
    entryPoints: [resolve(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_SHIM },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [],
    metafile: true,
    logLevel: 'error',
    absWorkingDir: repoRoot,
  } satisfies BuildOptions;
}

/** A Lambda function of the stack, by the table it is declared in. */
export interface StackFunction {
  /** Construct id in the stack. */
  name: string;
  /** Handler entry, relative to the repository root. */
  entry: string;
  kind: 'route group' | 'scheduled job' | 'worker';
}

/** Every function the stack deploys: one per route group, one per scheduled job, and the workers. */
export function stackFunctions(): StackFunction[] {
  return [
    ...ROUTE_GROUPS.map((g) => ({ name: g.name, entry: g.entry, kind: 'route group' as const })),
    ...SCHEDULED_JOBS.map((j) => ({ name: j.name, entry: j.entry, kind: 'scheduled job' as const })),
    ...Object.entries(WORKER_FUNCTIONS).map(([name, w]) => ({ name, entry: w.entry, kind: 'worker' as const })),
  ];
}

export interface BundleSize {
  name: string;
  entry: string;
  bytes: number;
  gzipBytes: number;
  /** Largest contributors by package (or `own code`), bytes in the minified output. */
  largest: { name: string; bytes: number }[];
}

export interface BuiltBundle extends BundleSize {
  /** The bundle on disk (`<dir>/<name>/index.mjs`, its source map beside it), as Lambda unpacks it. */
  file: string;
  /** Every module in the bundle, as esbuild's metafile names it (relative to the repository root). */
  inputs: string[];
}

/** Bundles on disk, until `dispose`. */
export interface BuiltBundles {
  bundles: BuiltBundle[];
  dispose(): void;
}

/** Builds each entry into its own directory of a fresh temporary one, one after the other. */
export async function buildBundles(entries: readonly { name: string; entry: string }[], repoRoot: string): Promise<BuiltBundles> {
  const out = mkdtempSync(join(tmpdir(), 'changeflow-bench-bundle-'));
  const dispose = () => rmSync(out, { recursive: true, force: true });
  try {
    const bundles: BuiltBundle[] = [];
    for (const { name, entry } of entries) {
      const file = join(out, name, 'index.mjs');
      const result = await build(stackBuildOptions(entry, file, repoRoot));
      // The source map ships beside the code but is not loaded at start: measure the code only.
      const code = readFileSync(file);
      const byPackage = new Map<string, number>();
      const inputs = new Set<string>();
      for (const output of Object.values(result.metafile.outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          inputs.add(input);
          const key = packageOf(input);
          byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
        }
      }
      const largest = [...byPackage]
        .map(([name, bytes]) => ({ name, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 3);
      bundles.push({ name, entry, file, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, largest, inputs: [...inputs] });
    }
    return { bundles, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

function packageOf(input: string): string {
  // The last node_modules segment names the package even when it is nested in another.
  const matches = [...input.replaceAll('\\', '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return matches.at(-1)?.[1] ?? 'own code';
}
