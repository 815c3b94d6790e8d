/**
 * The monitoring period's figures for `npm run bench`: one emergency change (a 30-minute period of
 * 60-second intervals, the defaults) watched to its verdict on the whole local runtime, with a
 * clock the bench moves and Wait states compressed. Counted, not timed: Step Functions state
 * transitions (the top-level states the execution entered), and the DynamoDB calls the monitoring
 * made, on the very client every handler, task and consumer uses; then the AWS cost per monitored
 * change at list prices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const TABLE = 'changeflow-bench-monitoring';
import { signToken } from '../local/dev-auth.js';
import { completeContent, people } from '../test/fixtures.js';

export interface MonitoringResult {
  intervals: number;
  transitions: number;
  path: string[];
  /** DynamoDB calls from the deployment to the verdict, by command (the pushes of evidence excluded). */
  calls: Record<string, number>;
  /** Evidence pushed: one request of `samples` samples. */
  evidencePuts: number;
  samples: number;
  verdict: string;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Which items a call is about, by its partition key's prefix: `LOCAL#` items exist only in the local runtime. */
function partitionOf(input: unknown): string {
  const text = JSON.stringify(input);
  const pk = /"(?:pk|:pk)":(?:\{"S":)?"([A-Z]+)#/.exec(text)?.[1] ?? /"(LOCAL|MON|CR|EVT|IDEMPOTENCY)#/.exec(text)?.[1];
  if (pk === 'MON') {
    if (/"sk":(?:\{"S":)?"M#/.test(text)) return 'MON#/M#';
    if (/"sk":(?:\{"S":)?"[SR]#/.test(text)) return 'MON#/evidence';
  }
  return pk ? `${pk}#` : 'other';
}

export async function measureMonitoring(options: { endpoint: string }): Promise<MonitoringResult> {
  const { startLocalSystem } = await import('../local/runtime.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'changeflow-bench-monitoring-'));
  let now = Date.parse('2027-03-16T15:05:00.000Z');
  let counting = false;
  const calls: Record<string, number> = {};
  const watcher = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: options.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  const system = await startLocalSystem({
    port: 0,
    dataDir,
    dynamoDbEndpoint: options.endpoint,
    scheduler: false,
    mail: { smtpPort: 0, webPort: 0 },
    env: { TABLE_NAME: TABLE },
    clock: { now: () => new Date(now) },
    workflowWaitScale: 1e-4,
    instrument: {
      db: (db: DynamoDBDocumentClient) =>
        db.middlewareStack.add(
          (next, context) => async (args) => {
            if (counting) {
              const key = `${context.commandName ?? 'unknown'} ${partitionOf((args as { input: unknown }).input)}`;
              calls[key] = (calls[key] ?? 0) + 1;
            }
            return next(args);
          },
          { step: 'initialize', name: 'benchMonitoringCounter' },
        ),
    },
  });
  try {
    const token = await signToken(people.oscar, system.jwtKey);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${system.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const parsed = (await res.json()) as Record<string, any>;
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(parsed)}`);
      return parsed;
    };
    const cr = await call('POST', '/changes', completeContent('emergency'));
    await system.events.idle();
    const deployedAt = now;
    const intervals = 30;
    const samples = Array.from({ length: intervals }, (_, i) => ({
      at: new Date(deployedAt + i * 60_000 + 30_000).toISOString(),
      requests: 1200,
      errorRatePercent: 0.3,
      p95LatencyMs: 7,
      databaseErrors: 0,
      criticalAlerts: 0,
    }));
    const deployed = await call('POST', `/changes/${cr.id}/deployed`);
    counting = true;
    let evidencePuts = 0;
    // the period runs interval by interval: the pipeline pushes each interval's sample as it is
    // measured, then the clock moves past the interval's end and the flow judges it
    const execution = system.workflows.executionIdOf('monitoring', deployed.monitoringFlow.executionName);
    for (let i = 0; i < intervals; i++) {
      now = deployedAt + i * 60_000 + 30_000;
      await call('POST', `/changes/${cr.id}/metrics`, {
        samples: [samples[i]],
        ...(i === 0 ? { smokeTests: 'passed', criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' } } : {}),
      });
      evidencePuts += calls['PutItemCommand MON#/evidence'] ?? 0;
      delete calls['PutItemCommand MON#/evidence'];
      now = deployedAt + (i + 1) * 60_000 + 1000;
      const deadline = Date.now() + 10_000;
      // watched on a client of the bench's own, so that its reads are not counted
      for (;;) {
        const judged = await watcher.send(
          new GetCommand({ TableName: TABLE, Key: { pk: `MON#${cr.id}`, sk: `M#${String(i).padStart(6, '0')}` }, ConsistentRead: true }),
        );
        if (judged.Item) break;
        if (Date.now() > deadline) throw new Error(`interval ${i} was not judged`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const result = await system.workflows.waitFor(execution, 20_000);
    await system.events.idle();
    counting = false;
    const final = await call('GET', `/changes/${cr.id}`);
    return {
      intervals,
      transitions: result.path.length,
      path: result.path,
      calls: { ...calls },
      evidencePuts,
      samples: samples.length,
      verdict: final.monitoring.verdict,
    };
  } finally {
    watcher.destroy();
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** us-east-1 list prices: Step Functions Standard, DynamoDB on demand, Lambda on arm64 (128 MB-class work). */
export const PRICES = {
  transition: 0.025 / 1000,
  write: 0.625 / 1_000_000,
  read: 0.125 / 1_000_000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000133334,
} as const;

export function formatMonitoring(r: MonitoringResult): string[] {
  const inAws = Object.entries(r.calls).filter(([k]) => !k.endsWith(' LOCAL#'));
  const writes = inAws.filter(([k]) => WRITES.has(k.split(' ')[0]!)).reduce((n, [, v]) => n + v, 0);
  const reads = inAws.filter(([k]) => !WRITES.has(k.split(' ')[0]!)).reduce((n, [, v]) => n + v, 0);
  const perInterval = (n: number) => (n / r.intervals).toFixed(2);
  const evaluations = r.path.filter((x) => x === 'Evaluate').length;
  const loops = r.path.filter((x) => x === 'WaitOneInterval').length;
  // In AWS a Wait lasts its interval: one evaluation after the deployment, then one per interval
  // (N + 1), each loop Evaluate → Decide → WaitOneInterval and the last Evaluate → Decide → Done.
  // Here the waits are compressed, so the flow also evaluated between the bench's clock moves: the
  // transitions and reads are scaled to N + 1 evaluations; the writes belong to intervals and verdicts.
  const perPeriod = (intervals: number) => {
    const transitions = 3 * (intervals + 1);
    const w = (writes / r.intervals) * intervals + (r.evidencePuts / r.intervals) * intervals;
    const rd = (reads / evaluations) * (intervals + 1);
    const lambda = (intervals + 1) * (PRICES.lambdaRequest + 0.25 * 0.1 * PRICES.lambdaGbSecond);
    return { transitions, cost: transitions * PRICES.transition + w * PRICES.write + rd * PRICES.read + lambda };
  };
  const out = [
    '## Monitoring period: one emergency change watched to its verdict, local runtime',
    '',
    `A ${r.intervals}-minute period of 60-second intervals (the emergency default), the pipeline pushing each interval's sample as it is measured (the smoke tests and both written criteria with the first), ` +
      `the clock moved one interval at a time. Verdict: **${r.verdict}**.`,
    '',
    '| figure | whole period | per interval |',
    '| --- | --- | --- |',
    `| Step Functions state transitions (top-level states entered; ${loops} loops of Evaluate → Decide → WaitOneInterval, then Evaluate → Decide → Done) | ${r.transitions} | 3 a loop |`,
    `| evaluate task invocations (the compressed waits let the flow evaluate between the bench's clock moves; in AWS ${r.intervals + 1}) | ${evaluations} | – |`,
    `| DynamoDB writes by the flow (measurements, verdict, completion's events) | ${writes} | ${perInterval(writes)} |`,
    `| DynamoDB reads (the flow's: the change, its measurements, each interval's evidence; each push's: the pusher and the change) | ${reads} | ${(reads / evaluations).toFixed(2)} an evaluation |`,
    `| DynamoDB writes to keep the pushed evidence (one item per sample or report) | ${r.evidencePuts} | ${(r.evidencePuts / r.intervals).toFixed(2)} |`,
    '',
    `Calls by command and partition (LOCAL# items are the local engine's own, not made in AWS, and not counted above): ${Object.entries(r.calls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    'AWS cost per monitored change at us-east-1 list prices (Step Functions Standard $0.025 per 1,000 transitions; DynamoDB on demand $0.625 per million writes, ' +
      '$0.125 per million reads, each item under 1 KB; Lambda arm64 $0.20 per million requests and 100 ms at 256 MB per evaluation), from the per-interval figures:',
    '',
    '| category | period | intervals | state transitions | cost per change |',
    '| --- | --- | --- | --- | --- |',
    ...(
      [
        ['standard', 15],
        ['normal', 60],
        ['major', 240],
        ['emergency', 30],
      ] as const
    ).map(([c, m]) => `| ${c} | ${m} min | ${m} | ${perPeriod(m).transitions} | $${perPeriod(m).cost.toFixed(5)} |`),
  ];
  return out;
}
