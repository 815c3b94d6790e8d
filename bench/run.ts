/**
 * `npm run bench`: what each API operation costs in the handler, next to what the same DynamoDB
 * calls cost made directly, how many round trips each makes, and how big each function's bundle is.
 *
 * Everything runs in this process against DynamoDB Local in memory; handlers are invoked as Lambda
 * would invoke them (`handler(event, context)`), with no HTTP server in the measured path. It prints
 * figures and asserts none of them. It stops by itself: every loop is bounded.
 *
 * Absolute times on a shared machine mean little; the ratios within one run are the figures to read.
 * That is why handler, route and raw calls are interleaved iteration by iteration (in rotating
 * order): a noisy moment slows all three alike instead of one of them.
 */
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { ensureTable } from '../functions/adapters/dynamodb/table.js';
import { loadConfig } from '../functions/config.js';
import type { Person } from '../functions/core/change-request.js';
import { ROUTE_GROUPS } from '../functions/routes.js';
import { startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local.js';
import { completeContent, people } from '../test/fixtures.js';
import { bundleSizes, type BundleSize } from './bundles.js';
import { apiEvent, lambdaContext, type EventOptions } from './events.js';
import { RawCalls, type Partition, type Step } from './raw.js';
import { RoundTripCounter, TripTally, type Trips } from './round-trips.js';
import { ms, ratio, summarize, timed, type Summary } from './stats.js';
import { StrayOutput } from './stray-output.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const TABLE_NAME = 'changeflow-bench';
/** Small overrides for a quick try (`BENCH_ITERATIONS=20 npm run bench`); the defaults are the figures to quote. */
const WARMUP = count('BENCH_WARMUP', 30);
const ITERATIONS = count('BENCH_ITERATIONS', 300);
const LIST_LIMIT = 25;

// Powertools reads these when functions/http/api.ts is first evaluated; the handlers are therefore
// imported dynamically, after this point. Info lines and EMF output would otherwise be terminal
// writes, far dearer here than in Lambda. (Metrics still warns through its own Console whatever the
// level: see stray-output.ts.)
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';

type HttpResult = { statusCode: number; headers: Record<string, string>; body?: string };
type Invoke = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<HttpResult>;
/** Puts one call on the clock and counts its round trips. */
type Timer = <T>(fn: () => Promise<T>) => Promise<T>;

/** handler = through middy (what Lambda runs); route = the same route function without middy; raw = DynamoDB only. */
const VARIANTS = ['handler', 'route', 'raw'] as const;
type Variant = (typeof VARIANTS)[number];

/** Latencies and round trips of one operation, per variant, warm-up excluded. */
class Measurement {
  readonly samples: Record<Variant, number[]> = { handler: [], route: [], raw: [] };
  readonly trips: Record<Variant, TripTally> = { handler: new TripTally(), route: new TripTally(), raw: new TripTally() };
  /** Per invocation, the time spent inside DynamoDB `send` calls. */
  readonly inSdk: Record<Variant, number[]> = { handler: [], route: [], raw: [] };
  /** Per invocation, everything else: middy, validation, rules, views, JSON, event-loop turns. */
  readonly outsideSdk: Record<Variant, number[]> = { handler: [], route: [], raw: [] };
  /** Lines written to stderr by the handler variant (Powertools warnings). */
  strayLines = 0;
  private readonly parts: Measurement[] = [];

  add(variant: Variant, ms: number, trips: Trips): void {
    this.samples[variant].push(ms);
    this.trips[variant].record(trips);
    this.inSdk[variant].push(trips.sdkMs);
    this.outsideSdk[variant].push(ms - trips.sdkMs);
  }

  /** One sample made of several timed calls: the whole is their sum, and each is kept as a part. */
  addParts(variant: Variant, parts: { ms: number; trips: Trips }[]): void {
    const sum = (f: (p: { ms: number; trips: Trips }) => number) => parts.reduce((n, p) => n + f(p), 0);
    this.add(variant, sum((p) => p.ms), { commands: parts.flatMap((p) => p.trips.commands), http: sum((p) => p.trips.http), sdkMs: sum((p) => p.trips.sdkMs) });
    parts.forEach((p, k) => this.part(k).add(variant, p.ms, p.trips));
  }

  part(k: number): Measurement {
    return (this.parts[k] ??= new Measurement());
  }

  summary(variant: Variant): Summary {
    return summarize(this.samples[variant]);
  }
}

// Bound before StrayOutput takes over process.stderr: progress and failures must reach the terminal.
const stderrWrite = process.stderr.write.bind(process.stderr);
function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${process.env[name]}`);
  return value;
}

function log(line: string) {
  stderrWrite(`${line}\n`);
}

async function main() {
  const started = performance.now();
  // Bundling first, before the JVM starts, so the two do not compete for the two cores.
  log('bundling the functions…');
  const bundles = await bundleSizes(ROUTE_GROUPS, REPO_ROOT);

  log('starting DynamoDB Local (in memory)…');
  const ddb = await startDynamoDbLocal();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping DynamoDB Local`);
    void ddb.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const stray = new StrayOutput();
  try {
    await bench(ddb, bundles, started, stray);
  } finally {
    stray.restore();
    await ddb.stop();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
}

async function bench(ddb: RunningDynamoDb, bundles: BundleSize[], started: number, stray: StrayOutput) {
  // The module-level `handler` of each entry builds its own client from the environment at import;
  // pointing it at DynamoDB Local keeps that client harmless (it is never used here).
  process.env.DYNAMODB_ENDPOINT = ddb.endpoint;
  process.env.TABLE_NAME = TABLE_NAME;
  const admin = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(admin, TABLE_NAME);
  admin.destroy();

  // One client for handlers and raw calls alike: same connection pool, same marshalling, so the
  // difference between them is the application's own work.
  const db = documentClient({ endpoint: ddb.endpoint });
  const counter = new RoundTripCounter(db);
  const raw = new RawCalls(db, TABLE_NAME);

  const config = loadConfig();
  const { appDeps } = await import('../functions/handlers/deps.js');
  const deps = appDeps(config, { db });
  const readModule = await import('../functions/handlers/changes-read.js');
  const writeModule = await import('../functions/handlers/changes-write.js');
  const transitionModule = await import('../functions/handlers/changes-transition.js');
  const { httpApi, metrics } = await import('../functions/http/api.js');
  const { json } = await import('../functions/http/responses.js');

  // Built once, as at module scope in Lambda: per-invocation cost only is measured.
  const viaHandler = (makeHandler: (d: typeof deps) => unknown, name: string): Invoke => {
    const fn = makeHandler(deps) as (e: APIGatewayProxyEventV2WithJWTAuthorizer, c: ReturnType<typeof lambdaContext>) => Promise<HttpResult>;
    return (event) => fn(event, lambdaContext(`changeflow-bench-${name}`));
  };
  const viaRoute = (routes: Record<string, (e: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<HttpResult>>): Invoke => {
    return async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new Error(`no route ${event.routeKey}`);
      try {
        return await route(event);
      } finally {
        // Without logMetrics nothing flushes what the route added to the shared Metrics buffer;
        // left there it would leak into the next handler invocation (and warn about dimensions).
        metrics.clearMetrics();
        metrics.clearDimensions();
      }
    };
  };
  const invokers = {
    handler: {
      read: viaHandler(readModule.makeHandler, 'ChangesRead'),
      write: viaHandler(writeModule.makeHandler, 'ChangesWrite'),
      transition: viaHandler(transitionModule.makeHandler, 'ChangesTransition'),
    },
    route: {
      read: viaRoute(readModule.changesReadRoutes(deps)),
      write: viaRoute(writeModule.changesWriteRoutes(deps)),
      transition: viaRoute(transitionModule.changesTransitionRoutes(deps)),
    },
  };

  // Only the invocation itself is on the clock: building the event and checking the answer are not.
  const untimed: Timer = (fn) => fn();
  /** Invokes and checks the status: a benchmark of error answers would measure the wrong path. */
  const call = async (time: Timer, invoke: Invoke, routeKey: string, options: EventOptions, status: number) => {
    const event = apiEvent(routeKey, options);
    const res = await time(() => invoke(event));
    if (res.statusCode !== status) throw new Error(`${routeKey} answered ${res.statusCode}, expected ${status}: ${res.body}`);
    return JSON.parse(res.body ?? 'null') as Record<string, unknown>;
  };
  const create = (time: Timer, invoke: Invoke) =>
    call(time, invoke, 'POST /changes', { as: people.alice, body: completeContent() }, 201).then((b) => String(b.id));
  const transition = async (time: Timer, invoke: Invoke, id: string, action: string, as: Person, body: object, state: string) => {
    const out = await call(time, invoke, 'POST /changes/{id}/{action}', { as, pathParameters: { id, action }, body }, 200);
    if (out.state !== state) throw new Error(`${action} left ${id} in ${String(out.state)}, expected ${state}`);
  };
  const submit = (time: Timer, invoke: Invoke, id: string) => transition(time, invoke, id, 'submit', people.alice, {}, 'pending_approval');
  const approve = (time: Timer, invoke: Invoke, id: string) => transition(time, invoke, id, 'approve', people.tom, { comment: 'ok' }, 'approved');

  // The raw calls write copies of what the handlers really wrote, captured from one CR walked
  // through create → submit → approve, so both sides move items of the same size.
  const walkId = await create(untimed, invokers.handler.write);
  const created: Partition = await raw.snapshot(walkId);
  await submit(untimed, invokers.handler.transition, walkId);
  const submitted: Partition = await raw.snapshot(walkId);
  await approve(untimed, invokers.handler.transition, walkId);
  const submitStep: Step = RawCalls.step(created, submitted);
  const approveStep: Step = RawCalls.step(submitted, await raw.snapshot(walkId));

  /**
   * Runs every variant WARMUP + ITERATIONS times, interleaved, and records the measured ones. A run
   * may time several calls (submit, then approve): each is a part, and the sample is their sum.
   */
  const measure = async (label: string, run: Record<Variant, (i: number, time: Timer) => Promise<void>>) => {
    log(`measuring ${label} (${WARMUP} warm-up + ${ITERATIONS})…`);
    const m = new Measurement();
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const order = [...VARIANTS.slice(i % VARIANTS.length), ...VARIANTS.slice(0, i % VARIANTS.length)];
      for (const variant of order) {
        const parts: { ms: number; trips: Trips }[] = [];
        const time: Timer = async (fn) => {
          const { ms, value } = await timed(() => counter.during(fn));
          parts.push({ ms, trips: value.trips });
          return value.value;
        };
        const strayBefore = stray.total;
        await run[variant](i, time);
        if (i < WARMUP) continue;
        m.addParts(variant, parts);
        if (variant === 'handler') m.strayLines += stray.total - strayBefore;
      }
    }
    return m;
  };

  // create: every variant files fresh CRs; the drafts it leaves are what submit + approve then uses.
  const ids: Record<Variant, string[]> = { handler: [], route: [], raw: [] };
  const createM = await measure('create', {
    handler: async (_, time) => void ids.handler.push(await create(time, invokers.handler.write)),
    route: async (_, time) => void ids.route.push(await create(time, invokers.route.write)),
    raw: async (i, time) => {
      ids.raw.push(`RAW-${i}`);
      await time(() => raw.create(`RAW-${i}`, created));
    },
  });

  // get: all three read the same CRs (a draft with its first audit entry).
  const getId = (i: number) => ids.handler[i % ids.handler.length]!;
  const get = (time: Timer, invoke: Invoke, i: number) =>
    call(time, invoke, 'GET /changes/{id}', { as: people.alice, pathParameters: { id: getId(i) } }, 200).then(() => undefined);
  const getM = await measure('get', {
    handler: (i, time) => get(time, invokers.handler.read, i),
    route: (i, time) => get(time, invokers.route.read, i),
    raw: (i, time) => time(() => raw.get(getId(i))),
  });

  // submit + approve on a fresh draft from the create phase; part 2 of each pair is approve alone.
  const pairM = await measure('submit + approve', {
    handler: async (i, time) => {
      await submit(time, invokers.handler.transition, ids.handler[i]!);
      await approve(time, invokers.handler.transition, ids.handler[i]!);
    },
    route: async (i, time) => {
      await submit(time, invokers.route.transition, ids.route[i]!);
      await approve(time, invokers.route.transition, ids.route[i]!);
    },
    raw: async (i, time) => {
      await time(() => raw.transition(ids.raw[i]!, submitStep));
      await time(() => raw.transition(ids.raw[i]!, approveStep));
    },
  });

  // list: by now the table holds every CR filed above (hundreds), so page 1 is a full page.
  const list = async (time: Timer, invoke: Invoke) => {
    const out = await call(time, invoke, 'GET /changes', { as: people.alice, query: { limit: String(LIST_LIMIT) } }, 200);
    if ((out.items as unknown[]).length !== LIST_LIMIT) throw new Error(`list returned ${(out.items as unknown[]).length} items`);
  };
  const listM = await measure('list', {
    handler: (_, time) => list(time, invokers.handler.read),
    route: (_, time) => list(time, invokers.route.read),
    raw: async (_, time) => {
      const n = await time(() => raw.list(LIST_LIMIT));
      if (n !== LIST_LIMIT) throw new Error(`raw list returned ${n} items`);
    },
  });

  // middy with our middleware (Powertools logger + metrics, correlation id) around a route that does
  // nothing: the fixed cost every invocation pays before and after the route itself.
  log('measuring a no-op handler through middy…');
  const noop = httpApi({ 'GET /noop': async () => json(200, { ok: true }) });
  const noopSamples: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS * 3; i++) {
    const event = apiEvent('GET /noop', { as: people.alice });
    const context = lambdaContext('changeflow-bench-noop');
    const { ms } = await timed(() => noop(event, context));
    if (i >= WARMUP) noopSamples.push(ms);
  }
  const noopSummary = summarize(noopSamples);

  const rows: Row[] = [
    { op: 'create (POST /changes)', m: createM, goal: { max: 2, text: '≤ 2' } },
    { op: 'get (GET /changes/{id})', m: getM, goal: { max: 1, text: '1' } },
    { op: 'submit + approve (2 × POST /changes/{id}/{action})', m: pairM, goal: { max: 4, text: '≤ 4 (≤ 2 each)' } },
    { op: 'approve alone (POST /changes/{id}/approve)', m: pairM.part(1), goal: { max: 2, text: '≤ 2' }, withinPair: true },
    { op: `list (GET /changes?limit=${LIST_LIMIT})`, m: listM, goal: { max: 1, text: '1 a page' } },
  ];

  print(rows, noopSummary, bundles, stray, started);
}

interface Row {
  op: string;
  m: Measurement;
  goal: { max: number; text: string };
  /** Timed inside the submit + approve pair: its calls are already counted there. */
  withinPair?: boolean;
}

function print(
  rows: Row[],
  noop: Summary,
  bundles: BundleSize[],
  stray: StrayOutput,
  started: number,
) {
  const out: string[] = [];
  const cpus = os.cpus();
  out.push('# ChangeFlow benchmark', '');
  out.push(
    `Machine: Node ${process.version} on ${process.platform}/${process.arch}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`,
  );
  out.push(`Runs: ${WARMUP} warm-up + ${ITERATIONS} measured iterations per operation; DynamoDB Local in memory on loopback.`, '');

  out.push('## Latency and round trips', '');
  out.push(
    table(
      ['operation', 'handler p50', 'handler p95', 'raw p50', 'raw p95', 'ratio p50', 'ratio p95', 'round trips', 'goal'],
      rows.map(({ op, m, goal }) => {
        const h = m.summary('handler');
        const r = m.summary('raw');
        const trips = m.trips.handler;
        return [op, ms(h.p50), ms(h.p95), ms(r.p50), ms(r.p95), ratio(h.p50, r.p50), ratio(h.p95, r.p95), trips.toString(), `${goal.text} — ${trips.max <= goal.max ? 'met' : 'NOT met'}`];
      }),
    ),
    '',
  );
  const all = rows.filter((r) => !r.withinPair).map((r) => r.m.trips.handler);
  const commands = [...new Set(all.flatMap((t) => t.commands))].sort();
  const scans = commands.filter((c) => /^Scan/.test(c));
  const retries = all.reduce((n, t) => n + t.retries, 0);
  out.push(`Commands the handlers sent: ${commands.join(', ')}. Scan: ${scans.length ? `YES (${scans.join(', ')})` : 'none'} (goal: none). SDK retries: ${retries}.`);
  out.push(`In order sent: ${rows.map(({ op, m }) => `${op.split(' (')[0]} → ${m.trips.handler.sequence.map((c) => c.replace(/Command$/, '')).join(', ')}`).join('; ')}.`);
  out.push('Raw = the same DynamoDB calls made directly with the same DocumentClient and items of the same size (round trips: ' +
    rows.map(({ m }) => m.trips.raw.toString()).join(', ') + ').', '');

  // Two views of the same gap: by subtraction between variants (noisy, different samples), and
  // within each invocation by timing its SDK calls (robust: same sample, same moment).
  out.push('## Where the handler time goes (p50)', '');
  out.push(
    table(
      [
        'operation',
        'handler',
        'route without middy',
        'raw',
        'handler − route',
        'route − raw',
        'handler: inside SDK calls',
        'raw: inside SDK calls',
        'handler: outside SDK calls',
        'raw: outside SDK calls',
      ],
      rows.map(({ op, m }) => {
        const [h, r, d] = [m.summary('handler').p50, m.summary('route').p50, m.summary('raw').p50];
        const p50 = (xs: number[]) => summarize(xs).p50;
        return [op, ms(h), ms(r), ms(d), ms(h - r), ms(r - d), ms(p50(m.inSdk.handler)), ms(p50(m.inSdk.raw)), ms(p50(m.outsideSdk.handler)), ms(p50(m.outsideSdk.raw))];
      }),
    ),
    '',
  );
  out.push(`No-op route through middy (Powertools logger + metrics + correlation id, no DynamoDB): p50 ${ms(noop.p50)}, p95 ${ms(noop.p95)} over ${noop.n} calls.`);
  const perCall = rows
    .filter((r) => !r.withinPair)
    .map(({ op, m }) => `${op.split(' (')[0]} ${(m.strayLines / Math.max(1, m.samples.handler.length)).toFixed(1)}`);
  out.push(`stderr lines written per handler invocation at POWERTOOLS_LOG_LEVEL=ERROR (each one a CloudWatch log line in AWS): ${perCall.join(', ')}.`);
  for (const { line, count } of stray.summary()) out.push(`- ${count} × "${line}…"`);
  out.push('');

  out.push('## Bundle size per function (esbuild as the stack bundles: ESM, minify, node22, AWS SDK bundled)', '');
  out.push(
    table(
      ['function', 'entry', 'bytes', 'gzip bytes', 'largest parts'],
      bundles.map((b) => [
        b.name,
        b.entry,
        b.bytes.toLocaleString('en-US'),
        b.gzipBytes.toLocaleString('en-US'),
        b.largest.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KiB`).join(', '),
      ]),
    ),
    '',
  );
  out.push(
    '_These figures come from one run on a noisy shared machine: read the ratios between columns of the same run, not the absolute times. ' +
      'DynamoDB Local on loopback is not DynamoDB in a region; only the round-trip counts carry over as they are._',
  );
  out.push('', `(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

main().catch((err: unknown) => {
  log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
