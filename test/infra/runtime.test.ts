/**
 * The runtime we deploy is the runtime we test: Lambda's Node major, the bundles' esbuild target,
 * the Node binary package.json brings, its engines field and the Node running this very test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_TARGET, LAMBDA_RUNTIME, NODE_MAJOR } from '../../lib/runtime.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};

describe('Rule: one Node major everywhere', () => {
  it('Lambda runs the Node major the project names', () => {
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(BUNDLE_TARGET).toBe(`node${NODE_MAJOR}`);
  });

  it('the tests run on that major, not on whatever Node the machine had', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(NODE_MAJOR);
  });

  it('package.json brings the official binary of that major and asks for it in engines', () => {
    const binaries = Object.entries(pkg.optionalDependencies).filter(([name]) => /^node-(linux|darwin|win)-/.test(name));
    expect(binaries.length).toBeGreaterThan(0);
    for (const [, version] of binaries) expect(Number(version.split('.')[0])).toBe(NODE_MAJOR);
    expect(pkg.engines.node).toBe(`>=${NODE_MAJOR}`);
  });
});

describe('Rule: the local commands refuse another Node major', () => {
  it('the guard they import first names the same major', () => {
    expect(readFileSync(new URL('../../local/quiet.ts', import.meta.url), 'utf8')).toContain(`const NODE_MAJOR = ${NODE_MAJOR};`);
  });
});
