/**
 * What a deployed bundle leaves out. The stack and `npm run bench` build with the same options
 * (lib/holidays.ts `lambdaBundling`); these rules build two entries with them and read esbuild's
 * metafile: the holiday rules and time-zone tables, the SDK's whole credential chain and zod's
 * locales stay out, and the configured country's table goes in.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltBundles, buildBundles } from '../../bench/bundles.js';
import { readFileSync } from 'node:fs';

const ROOT = resolve(import.meta.dirname, '../..');
let built: BuiltBundles;
let inputs: Map<string, string[]>;

beforeAll(async () => {
  built = await buildBundles(
    [
      { name: 'Calendar', entry: 'functions/lambda/calendar.ts' },
      { name: 'ChangesWrite', entry: 'functions/lambda/changes-write.ts' },
    ],
    ROOT,
  );
  inputs = new Map(built.bundles.map((b) => [b.name, b.inputs]));
}, 60_000);
afterAll(() => built?.dispose());

const packagesOf = (name: string) => new Set((inputs.get(name) ?? []).flatMap((i) => [...i.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1])));

describe('Rule: a deployed bundle carries the holiday table, not the holiday library', () => {
  it.each(['Calendar', 'ChangesWrite'])('%s: no date-holidays, moment-timezone or astronomia; the table module instead', (name) => {
    const packages = packagesOf(name);
    expect([...packages].filter((p) => ['date-holidays', 'date-holidays-parser', 'moment-timezone', 'moment', 'astronomia'].includes(p ?? ''))).toEqual([]);
    expect(inputs.get(name)).toContain('functions/core/calendar/holiday-table.ts');
  });

  it("the table written into the bundle is the default country's (US) Thanksgiving included", () => {
    const code = readFileSync(built.bundles.find((b) => b.name === 'Calendar')?.file ?? '', 'utf8');
    expect(code).toContain('Thanksgiving Day');
  });
});

describe('Rule: a deployed bundle resolves credentials from the environment only', () => {
  it.each(['Calendar', 'ChangesWrite'])('%s: no credential-provider-node chain, no STS or SSO clients', (name) => {
    const packages = packagesOf(name);
    const chain = [
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/client-sso',
      '@aws-sdk/nested-clients',
    ];
    expect([...packages].filter((p) => chain.includes(p ?? ''))).toEqual([]);
    expect(inputs.get(name)?.some((i) => i.endsWith('functions/adapters/aws/lambda-credentials.ts'))).toBe(true);
  });
});

describe("Rule: zod's locales stay out of the bundles", () => {
  it.each(['Calendar', 'ChangesWrite'])('%s: no zod/v4/locales module', (name) => {
    expect((inputs.get(name) ?? []).filter((i) => i.includes('zod/v4/locales/') && !i.endsWith('/en.js'))).toEqual([]);
  });
});
