/**
 * The monthly report at scale for `npm run bench`: a month of BENCH_REPORT_CHANGES changes (100,000
 * by default) written straight to DynamoDB Local as the store keeps them (`changeItem`), then, each
 * in a fresh process so that one's memory cannot hide in the other's, in turns:
 * - **raw**: the paged Queries of the very items the report reads, and nothing else: the month by
 *   creation time (gsi3) and the deployments from a week before to a week after it (gsi5);
 * - **report**: `generateMonthlyReport` (the figures, DORA per service, trends, Markdown, JSON with
 *   every id, CSV, HTML) written to a file store.
 * Time (median of the turns) and peak memory (the process's maximum resident set, and the largest
 * heap seen) for each. No Scan anywhere: both read through indexes only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { changeItem } from '../functions/adapters/dynamodb/change-store.js';
import { ensureTable } from '../functions/adapters/dynamodb/table.js';
import type { Category, ChangeRequest, State } from '../functions/core/change-request.js';
import { completeContent } from '../test/fixtures.js';

const TABLE = 'changeflow-bench-reports';
export const REPORT_MONTH = '2026-11';
const SERVICES = ['API Server', 'Database', 'Frontend', 'Payments', 'Search'];

export interface ReportBenchResult {
  changes: number;
  writeSeconds: number;
  turns: number;
  raw: { ms: number[]; items: number; maxRssMb: number; maxHeapMb: number };
  report: { ms: number[]; maxRssMb: number; maxHeapMb: number; files: Record<string, number> };
}

/** A deterministic month: the i-th change's category, state, services, deployment and incidents follow from i. */
export function benchChange(i: number, total: number): ChangeRequest {
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const span = Date.parse('2026-12-01T00:00:00.000Z') - start;
  const created = start + Math.floor((i / total) * (span - 3_600_000));
  const category: Category = (['standard', 'normal', 'normal', 'normal', 'major', 'emergency'] as const)[i % 6]!;
  const state: State = (
    ['completed', 'completed', 'completed', 'completed', 'rolled_back', 'failed', 'draft', 'cancelled', 'completed', 'monitoring'] as const
  )[i % 10]!;
  const deployed = ['completed', 'rolled_back', 'failed', 'monitoring'].includes(state);
  const iso = (ms: number) => new Date(ms).toISOString();
  const content = completeContent(category === 'emergency' ? 'emergency' : category);
  content.description = { ...content.description, components: [SERVICES[i % 5]!, ...(i % 7 === 0 ? [SERVICES[(i + 1) % 5]!] : [])] };
  const deployedAt = deployed ? created + 30 * 60_000 + (i % 97) * 60_000 : undefined;
  return {
    id: `CR-2026-11-${String(1 + Math.floor(i / 10_000)).padStart(2, '0')}-${String(i % 10_000).padStart(4, '0')}`,
    revision: 1,
    version: 6,
    state,
    requestor: { id: 'alice', name: 'Alice', email: 'alice@example.com', team: ['payments', 'platform', 'web'][i % 3] },
    content,
    riskLevel: (['low', 'medium', 'high', 'critical'] as const)[i % 4],
    riskBasis: 'matrix',
    approvalRequirement: { route: i % 4 === 0 ? 'auto' : 'approval', slots: [], reasons: [] },
    approvals: [],
    warnings: [],
    createdAt: iso(created),
    updatedAt: iso(created),
    submittedAt: iso(created + 60_000),
    approvedAt: iso(created + 20 * 60_000),
    deployedAt: deployedAt === undefined ? undefined : iso(deployedAt),
    closedAt: deployedAt === undefined ? undefined : iso(deployedAt + 40 * 60_000),
    closeReason: state === 'rolled_back' ? 'error rate above 5% after the deploy' : undefined,
    deployments: deployedAt
      ? [
          {
            source: 'ci',
            delivery: `ci:${i}`,
            step: 'deployed',
            at: iso(deployedAt),
            environment: 'production',
            deployment: `run/${i}`,
            commit: i.toString(16).padStart(40, '0'),
            committedAt: iso(created - 3_600_000 * (1 + (i % 48))),
            authorized: true,
          },
        ]
      : undefined,
    incidents:
      deployedAt && i % 33 === 0
        ? [
            {
              source: 'pagerduty',
              id: `PD${i}`,
              title: 'Error rate above SLO',
              relation: i % 66 === 0 ? 'caused-by' : 'caused-by-candidate',
              reason: 'opened during its monitoring period on a service it touched',
              triggeredAt: iso(deployedAt + 15 * 60_000),
              resolvedAt: iso(deployedAt + 75 * 60_000),
            },
          ]
        : undefined,
    auditCount: 6,
  } as ChangeRequest;
}

/**
 * Both sides run from one esbuild bundle, as a function runs in Lambda (no TypeScript loader in the
 * process to weigh on its memory), with V8's old space capped at HEAP_CAP_MB: a report that needed
 * more would fail the bench, not merely use more.
 */
const HEAP_CAP_MB = 256;

async function bundleChild(): Promise<{ file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'changeflow-bench-report-child-'));
  const file = join(dir, 'report-child.mjs');
  await build({
    entryPoints: [resolve(import.meta.dirname, 'report-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile: file,
    logLevel: 'error',
    // the bundle's own require for the CommonJS parts of the SDK
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { file, dir };
}

function child(file: string, mode: 'raw' | 'report', env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, file, mode], {
      env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', fail);
    p.on('exit', (code) =>
      code === 0 ? done(JSON.parse(out.trim().split('\n').at(-1)!)) : fail(new Error(`report bench child (${mode}) exited ${code}: ${out}`)),
    );
  });
}

export async function measureReports(options: { changes: number; turns: number; log: (line: string) => void }): Promise<ReportBenchResult> {
  const { startDynamoDbLocal } = await import('../local/dynamodb-local.js');
  const ddb = await startDynamoDbLocal({});
  try {
    const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, TABLE);
    const db = documentClient({ endpoint: ddb.endpoint, region: 'us-east-1' });
    const started = performance.now();
    const BATCH = 25;
    let next = 0;
    const writer = async () => {
      while (next < options.changes) {
        const from = next;
        next = Math.min(options.changes, next + BATCH);
        let items = Array.from({ length: next - from }, (_, k) => ({ PutRequest: { Item: changeItem(benchChange(from + k, options.changes)) } }));
        while (items.length) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items } }));
          items = (out.UnprocessedItems?.[TABLE] ?? []) as typeof items;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const writeSeconds = (performance.now() - started) / 1000;
    options.log(`reports: ${options.changes} changes written in ${writeSeconds.toFixed(0)} s; ${options.turns} turns of raw Query and report…`);
    const env = { BENCH_DDB_ENDPOINT: ddb.endpoint, BENCH_TABLE: TABLE, BENCH_MONTH: REPORT_MONTH };
    const bundle = await bundleChild();
    const raw: ReportBenchResult['raw'] = { ms: [], items: 0, maxRssMb: 0, maxHeapMb: 0 };
    const report: ReportBenchResult['report'] = { ms: [], maxRssMb: 0, maxHeapMb: 0, files: {} };
    for (let t = 0; t < options.turns; t++) {
      // rotating order: a noisy moment slows one turn of each, not always the same one
      for (const mode of t % 2 === 0 ? (['raw', 'report'] as const) : (['report', 'raw'] as const)) {
        const r = (await child(bundle.file, mode, env)) as { ms: number; maxRssMb: number; maxHeapMb: number; items?: number; files?: Record<string, number> };
        const into = mode === 'raw' ? raw : report;
        into.ms.push(r.ms);
        into.maxRssMb = Math.max(into.maxRssMb, r.maxRssMb);
        into.maxHeapMb = Math.max(into.maxHeapMb, r.maxHeapMb);
        if (mode === 'raw') raw.items = r.items!;
        else report.files = r.files!;
      }
    }
    rmSync(bundle.dir, { recursive: true, force: true });
    return { changes: options.changes, writeSeconds, turns: options.turns, raw, report };
  } finally {
    await ddb.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export function formatReports(r: ReportBenchResult): string[] {
  const rawMs = median(r.raw.ms);
  const reportMs = median(r.report.ms);
  const kb = (n: number) => `${Math.round(n / 1024)} KB`;
  return [
    `## The monthly report at ${r.changes.toLocaleString('en')} changes`,
    '',
    `A month of ${r.changes.toLocaleString('en')} changes written to DynamoDB Local (${r.writeSeconds.toFixed(0)} s), then ${r.turns} turns, each side in a fresh process: ` +
      `**raw** = the paged Queries of the items the report reads (the month by creation time on gsi3, the deployments from a week before to a week after on gsi5: ${r.raw.items.toLocaleString('en')} items), nothing else; ` +
      '**report** = `generateMonthlyReport` (figures, DORA per service, trends, the four files written to a file store). Index queries only, no Scan. ' +
      `Both run from one esbuild bundle (no TypeScript loader), with V8's old space capped at ${HEAP_CAP_MB} MB: a report needing more would have failed here.`,
    '',
    '| | Median time | Turns (ms) | Peak resident memory | Peak heap | Goal |',
    '| --- | --- | --- | --- | --- | --- |',
    `| raw Query | ${(rawMs / 1000).toFixed(1)} s | ${r.raw.ms.map((m) => Math.round(m)).join(', ')} | ${r.raw.maxRssMb} MB | ${r.raw.maxHeapMb} MB | |`,
    `| report | ${(reportMs / 1000).toFixed(1)} s | ${r.report.ms.map((m) => Math.round(m)).join(', ')} | ${r.report.maxRssMb} MB | ${r.report.maxHeapMb} MB | time ≤ 1.5 × raw; memory ≤ 256 MB |`,
    `| **report ÷ raw** | **${(reportMs / rawMs).toFixed(2)} ×** | | | | |`,
    '',
    `Files written: ${Object.entries(r.report.files)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(
        ', ',
      )}. Peak resident memory is the child process's whole maximum (Node and the SDK included, as a Lambda function's would be); peak heap is the largest \`heapUsed\` sampled every 10 ms.`,
  ];
}
