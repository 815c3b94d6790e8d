/**
 * Each function's deployed bundle, built as lib/constructs/function.ts has NodejsFunction build it
 * (ESM, minified, the Node major of lib/runtime.ts, AWS SDK bundled, the createRequire banner), so the bytes are the ones
 * Lambda would load on a cold start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { RouteGroup } from '../functions/routes.js';
import { BUNDLE_TARGET } from '../lib/runtime.js';

/** Kept identical to the stack's banner: it adds bytes, and ESM bundles of CJS deps need it. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __changeflowCreateRequire } from 'node:module'; const require = __changeflowCreateRequire(import.meta.url);";

export interface BundleSize {
  name: string;
  entry: string;
  bytes: number;
  gzipBytes: number;
  /** Largest contributors by package (or `own code`), bytes in the minified output. */
  largest: { name: string; bytes: number }[];
}

export async function bundleSizes(groups: readonly RouteGroup[], repoRoot: string): Promise<BundleSize[]> {
  const out = mkdtempSync(join(tmpdir(), 'changeflow-bench-bundle-'));
  try {
    const sizes: BundleSize[] = [];
    for (const group of groups) {
      const outfile = join(out, group.name, 'index.mjs');
      const result = await build({
        entryPoints: [resolve(repoRoot, group.entry)],
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
      });
      // The source map ships beside the code but is not loaded at start: measure the code only.
      const code = readFileSync(outfile);
      const byPackage = new Map<string, number>();
      for (const output of Object.values(result.metafile.outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          const key = packageOf(input);
          byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
        }
      }
      const largest = [...byPackage]
        .map(([name, bytes]) => ({ name, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 3);
      sizes.push({ name: group.name, entry: group.entry, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, largest });
    }
    return sizes;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function packageOf(input: string): string {
  // The last node_modules segment names the package even when it is nested in another.
  const matches = [...input.replaceAll('\\', '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return matches.at(-1)?.[1] ?? 'own code';
}
