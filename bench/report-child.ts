/**
 * One side of the report bench (bench/reports.ts) in a process of its own: `raw` pages the Queries
 * the report makes and keeps nothing; `report` makes the month's report. Prints one JSON line: the
 * time, the peak resident memory and the largest heap seen.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { DynamoDbChangeStore } from '../functions/adapters/dynamodb/change-store.js';
import { FileReportStore } from '../functions/adapters/files/report-store.js';
import { doraReadRange } from '../functions/core/dora.js';
import { monthRange } from '../functions/core/report.js';
import { generateMonthlyReport, REPORT_PAGE } from '../functions/use-cases/reports.js';

const mode = process.argv[2];
const endpoint = process.env.BENCH_DDB_ENDPOINT!;
const table = process.env.BENCH_TABLE!;
const month = process.env.BENCH_MONTH!;
const db = documentClient({ endpoint, region: 'us-east-1' });
// after the month: DORA reads to a week past its end
const clock = { now: () => new Date('2026-12-20T00:00:00.000Z') };

let maxHeap = 0;
const sample = setInterval(() => {
  maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
}, 10);

async function pages(index: string, pk: string, from: string, to: string): Promise<number> {
  let n = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': `${index}pk`, '#sk': `${index}sk` },
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
        Limit: REPORT_PAGE,
        ExclusiveStartKey: after,
      }),
    );
    n += out.Items?.length ?? 0;
    after = out.LastEvaluatedKey;
  } while (after);
  return n;
}

const started = performance.now();
let extra: Record<string, unknown> = {};
if (mode === 'raw') {
  const { from, to } = monthRange(month, 'UTC');
  const read = doraReadRange({ from, to }, clock.now());
  extra = { items: (await pages('gsi3', 'CHANGES', from, to)) + (await pages('gsi5', 'DEPLOYED', read.from, read.to)) };
} else {
  const dir = mkdtempSync(join(tmpdir(), 'changeflow-bench-report-'));
  const store = new DynamoDbChangeStore(db, table);
  const reports = new FileReportStore(dir, clock.now);
  const deliveries = { unauthorized: async () => [] };
  const result = await generateMonthlyReport({ store, deliveries, reports, clock, timeZone: 'UTC' }, month);
  extra = { files: Object.fromEntries(result.files.map((f) => [f, statSync(join(dir, month, f)).size])) };
  rmSync(dir, { recursive: true, force: true });
}
const ms = performance.now() - started;
clearInterval(sample);
maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
process.stdout.write(`${JSON.stringify({ ms, maxRssMb: mb(process.resourceUsage().maxRSS * 1024), maxHeapMb: mb(maxHeap), ...extra })}\n`);
db.destroy();
