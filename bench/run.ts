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
 *
 * Then the approval workflow (bench/workflow.ts): submit → approved for an auto-approved change on
 * the whole local runtime (over real HTTP), and the DynamoDB round trips of each kind of approval
 * decision.
 *
 * Then the monthly report at 100,000 changes (bench/reports.ts): report against a raw paged Query of
 * the same items, each in a fresh process with its heap capped, time and peak memory.
 *
 * Then the web console (bench/console.ts): its files' sizes, and the first page's time to usable
 * in a fresh browser.
 *
 * And every function's cold start (bench/cold-start.ts): fresh processes importing each bundle, in
 * turns with a baseline that loads only the DynamoDB clients. `npm run bench:cold` (or
 * BENCH_ONLY=cold) measures that alone, without DynamoDB Local.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { ensureTable } from '../functions/adapters/dynamodb/table.js';
import { loadConfig } from '../functions/config.js';
import type { ApproverRole, Person } from '../functions/core/change-request.js';
import { startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local.js';
import { completeContent, people } from '../test/fixtures.js';
import { BUNDLE_TARGET } from '../lib/runtime.js';
import { buildBundles, stackFunctions, type BundleSize } from './bundles.js';
import { BASELINE, formatColdStart, measureColdStarts, type ColdStartResult } from './cold-start.js';
import { apiEvent, lambdaContext, type EventOptions } from './events.js';
import { table } from './markdown.js';
import { RawCalls, type Partition, type Step } from './raw.js';
import { RoundTripCounter, TripTally, type Trips } from './round-trips.js';
import { ms, ratio, summarize, timed, type Summary } from './stats.js';
import { StrayOutput } from './stray-output.js';
import { formatMonitoring, measureMonitoring, type MonitoringResult } from './monitoring.js';
import { measureAutoApprove, routeByHand, type AutoApproveResult } from './workflow.js';
import { formatWebhooks, measureWebhooks, type WebhookResult } from './webhooks.js';
import { formatReports, measureReports, type ReportBenchResult } from './reports.js';
import { formatConsole, measureConsole, type ConsoleBenchResult } from './console.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const TABLE_NAME = 'changeflow-bench';
/** Small overrides for a quick try (`BENCH_ITERATIONS=20 npm run bench`); the defaults are the figures to quote. */
const WARMUP = count('BENCH_WARMUP', 30);
const ITERATIONS = count('BENCH_ITERATIONS', 300);
const LIST_LIMIT = 25;
/** Runs of submit → approved on the local runtime, and invocations per kind of approval decision. */
const FLOW_WARMUP = count('BENCH_FLOW_WARMUP', 5);
const FLOW_RUNS = count('BENCH_FLOW_RUNS', 50);
const DECISIONS = count('BENCH_DECISIONS', 30);
/** Fresh processes per function for the cold-start table, each after one of the baseline. */
const COLD_RUNS = count('BENCH_COLD_RUNS', 10);
/** Signed CI deliveries of the webhook load, and the connections they share. */
const WEBHOOK_REQUESTS = count('BENCH_WEBHOOK_REQUESTS', 2000);
const WEBHOOK_CONNECTIONS = count('BENCH_WEBHOOK_CONNECTIONS', 20);
/** The month of changes the report is made from, and the turns of report and raw Query. */
const REPORT_CHANGES = count('BENCH_REPORT_CHANGES', 100_000);
const REPORT_TURNS = count('BENCH_REPORT_TURNS', 2);
/** Fresh browser contexts that open the console. */
const CONSOLE_RUNS = count('BENCH_CONSOLE_RUNS', 20);
/** `cold` (`npm run bench:cold`, or BENCH_ONLY=cold): the cold-start table alone. */
const ONLY = process.env.BENCH_ONLY || (process.argv.includes('--only=cold') ? 'cold' : undefined);
if (ONLY !== undefined && ONLY !== 'cold') throw new Error(`BENCH_ONLY may only be cold, got ${ONLY}`);

// Powertools reads these when functions/http/api.ts is first evaluated; the handlers are therefore
// imported dynamically, after this point. Info lines and EMF output would otherwise be terminal
// writes, far dearer here than in Lambda. (Metrics still warns through its own Console whatever the
// level: see stray-output.ts.)
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
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
    this.add(
      variant,
      sum((p) => p.ms),
      { commands: parts.flatMap((p) => p.trips.commands), http: sum((p) => p.trips.http), sdkMs: sum((p) => p.trips.sdkMs) },
    );
    for (const [k, p] of parts.entries()) this.part(k).add(variant, p.ms, p.trips);
  }

  part(k: number): Measurement {
    this.parts[k] ??= new Measurement();
    return this.parts[k];
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
  // Bundling and the cold starts first, before the JVM starts, so they do not compete for the two cores.
  log('bundling the functions and the cold-start baseline…');
  const functions = stackFunctions();
  const built = await buildBundles([...functions, BASELINE], REPO_ROOT);
  let cold: ColdStartResult;
  try {
    cold = await measureColdStarts(functions, built.bundles, { runs: COLD_RUNS, log });
  } finally {
    built.dispose();
  }
  if (ONLY === 'cold') {
    const out = [...header(), `Runs: ${COLD_RUNS} cold starts per function (BENCH_COLD_RUNS), interleaved with the baseline.`, ''];
    out.push(...formatColdStart(cold, REPO_ROOT));
    out.push('', `(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  const bundles: BundleSize[] = built.bundles.filter((b) => b.name !== BASELINE.name);

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
    await bench(ddb, bundles, cold, started, stray);
  } finally {
    stray.restore();
    await ddb.stop();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
}

async function bench(ddb: RunningDynamoDb, bundles: BundleSize[], cold: ColdStartResult, started: number, stray: StrayOutput) {
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

  // Email approval links are signed; in AWS the key comes from Secrets Manager (read once, cached).
  process.env.APPROVAL_LINK_KEY ??= randomBytes(32).toString('base64');
  // list cursors are sealed (functions/http/cursor.ts); in AWS that key too is a secret
  process.env.CURSOR_KEY ??= randomBytes(32).toString('base64');
  const config = loadConfig();
  const { composeBench } = await import('./compose.js');
  // The handlers as their Lambda entries compose them (functions/lambda/), on this client: a request
  // makes no Step Functions or EventBridge call (its events are outbox items of its transaction).
  const deps = composeBench(config, db);
  const flow = deps.flow;
  // filing and deciding need the people in the directory (seeded by hand in AWS: docs/deploy.md)
  for (const person of Object.values(people)) await deps.directory.put(person);
  const readModule = await import('../functions/handlers/changes-read.js');
  const linksModule = await import('../functions/handlers/approval-links.js');
  const { createDecisionToken } = await import('../functions/core/approval-link.js');
  const writeModule = await import('../functions/handlers/changes-write.js');
  const transitionModule = await import('../functions/handlers/changes-transition.js');
  const { httpApi, metrics } = await import('../functions/http/api.js');
  const { json } = await import('../functions/http/responses.js');

  // Built once, as at module scope in Lambda: per-invocation cost only is measured.
  const viaHandler = <D>(makeHandler: (d: D) => unknown, d: D, name: string): Invoke => {
    const fn = makeHandler(d) as (e: APIGatewayProxyEventV2WithJWTAuthorizer, c: ReturnType<typeof lambdaContext>) => Promise<HttpResult>;
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
      read: viaHandler(readModule.makeHandler, deps.read, 'ChangesRead'),
      write: viaHandler(writeModule.makeHandler, deps.write, 'ChangesWrite'),
      transition: viaHandler(transitionModule.makeHandler, deps.transition, 'ChangesTransition'),
    },
    route: {
      read: viaRoute(readModule.changesReadRoutes(deps.read)),
      write: viaRoute(writeModule.changesWriteRoutes(deps.write)),
      transition: viaRoute(transitionModule.changesTransitionRoutes(deps.transition)),
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
  // A submit answers `submitted`; the approval workflow then routes the change and asks for each
  // approval (routeByHand does its steps, off the clock), after which tom can approve.
  const submit = (time: Timer, invoke: Invoke, id: string) => transition(time, invoke, id, 'submit', people.alice, {}, 'submitted');
  const approve = (time: Timer, invoke: Invoke, id: string) => transition(time, invoke, id, 'approve', people.tom, { comment: 'ok', revision: 1 }, 'approved');
  // An approved change sits on the change calendar, which every later create and submit reads:
  // cancelling it (off the clock) keeps that calendar the same, empty, for every measured call.
  const offCalendar = (id: string) =>
    transition(untimed, invokers.handler.transition, id, 'cancel', people.alice, { reason: 'bench: off the calendar' }, 'cancelled');

  // The raw calls write copies of what the handlers really wrote, captured from one CR walked
  // through create → submit → approve, so both sides move items of the same size.
  const walkId = await create(untimed, invokers.handler.write);
  const created: Partition = await raw.snapshot(walkId);
  await submit(untimed, invokers.handler.transition, walkId);
  const submitted: Partition = await raw.snapshot(walkId);
  await routeByHand(flow, walkId);
  const routed: Partition = await raw.snapshot(walkId);
  await approve(untimed, invokers.handler.transition, walkId);
  const submitStep: Step = RawCalls.step(created, submitted);
  const approveStep: Step = RawCalls.step(routed, await raw.snapshot(walkId));
  await offCalendar(walkId);

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
      await time(() => raw.create(`RAW-${i}`, created, { calendar: true }));
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
  // Between the two, the workflow's steps run off the clock (they are not part of either request).
  const pairM = await measure('submit + approve', {
    handler: async (i, time) => {
      await submit(time, invokers.handler.transition, ids.handler[i]!);
      await routeByHand(flow, ids.handler[i]!);
      await approve(time, invokers.handler.transition, ids.handler[i]!);
      await offCalendar(ids.handler[i]!);
    },
    route: async (i, time) => {
      await submit(time, invokers.route.transition, ids.route[i]!);
      await routeByHand(flow, ids.route[i]!);
      await approve(time, invokers.route.transition, ids.route[i]!);
      await offCalendar(ids.route[i]!);
    },
    raw: async (i, time) => {
      await time(() => raw.transition(ids.raw[i]!, submitStep, { calendar: true }));
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

  // Round trips per approval decision, on a change pending with its approval requested (set up off
  // the clock: create, submit, the workflow's route and request-approval steps). Each kind decides
  // its own change; the three kinds take turns, iteration by iteration.
  const linkKey = await deps.links.links.linkKey();
  const pending = async () => {
    const id = await create(untimed, invokers.handler.write);
    await submit(untimed, invokers.handler.transition, id);
    const [slot] = await routeByHand(flow, id);
    return { id, slot: slot as ApproverRole };
  };
  const linkToken = (id: string, slot: ApproverRole) =>
    createDecisionToken(
      { approver: 'tom', changeId: id, revision: 1, slot, decision: 'approve', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      linkKey,
    );
  const links = viaHandler(linksModule.makeHandler, deps.links, 'ApprovalLinks');
  const formEvent = (token: string, comment: string) => {
    const event = apiEvent('POST /approvals/decide');
    event.headers['content-type'] = 'application/x-www-form-urlencoded';
    event.body = new URLSearchParams({ token, comment }).toString();
    return event;
  };
  const decisionKinds: { op: string; goal?: { max: number; text: string }; run: (time: Timer) => Promise<void> }[] = [
    {
      op: 'API approve (POST /changes/{id}/approve)',
      goal: { max: 3, text: '≤ 3' },
      run: async (time) => {
        const { id } = await pending();
        await call(
          time,
          invokers.handler.transition,
          'POST /changes/{id}/{action}',
          { as: people.tom, pathParameters: { id, action: 'approve' }, body: { comment: 'ok', revision: 1 } },
          200,
        );
      },
    },
    {
      op: 'email link, the decision (POST /approvals/decide), token check included',
      goal: { max: 3, text: '≤ 3' },
      run: async (time) => {
        const { id, slot } = await pending();
        const res = await time(() => links(formEvent(linkToken(id, slot), 'ok')));
        if (res.statusCode !== 200 || !(res.body ?? '').includes(`${id} approved`))
          throw new Error(`POST /approvals/decide answered ${res.statusCode}: ${res.body?.slice(0, 500)}`);
      },
    },
    {
      op: 'email link, opened (GET /approvals/decide: the confirmation page, decides nothing)',
      run: async (time) => {
        const { id, slot } = await pending();
        const res = await time(() => links(apiEvent('GET /approvals/decide', { query: { token: linkToken(id, slot) } })));
        if (res.statusCode !== 200 || !(res.body ?? '').includes('<form'))
          throw new Error(`GET /approvals/decide answered ${res.statusCode}: ${res.body?.slice(0, 500)}`);
      },
    },
  ];
  log(`measuring approval decisions (3 kinds × ${DECISIONS})…`);
  const decisionRows: DecisionRow[] = decisionKinds.map((k) => ({
    op: k.op,
    goal: k.goal,
    samples: [],
    trips: new TripTally(),
    other: new Set<string>(),
    otherPerCall: [],
  }));
  for (let i = 0; i < DECISIONS; i++) {
    for (const [k, kind] of decisionKinds.entries()) {
      const row = decisionRows[k]!;
      await kind.run(async (fn) => {
        const { ms, value } = await timed(() => counter.during(fn));
        // none by construction: a request's deps hold no Step Functions or EventBridge client (bench/compose.ts)
        const other: string[] = [];
        row.samples.push(ms);
        row.trips.record(value.trips);
        row.otherPerCall.push(other.length);
        row.other.add(other.join(' + ') || 'none');
        return value.value;
      });
    }
  }

  const flowResult = await measureAutoApprove({ endpoint: ddb.endpoint, db, runs: FLOW_RUNS, warmup: FLOW_WARMUP, log });
  log('monitoring period: one emergency change watched to its verdict…');
  const monitoringResult = await measureMonitoring({ endpoint: ddb.endpoint });
  log(`webhooks: ${WEBHOOK_REQUESTS} signed deliveries over ${WEBHOOK_CONNECTIONS} connections…`);
  const webhookResult = await measureWebhooks({ requests: WEBHOOK_REQUESTS, connections: WEBHOOK_CONNECTIONS });
  log(`reports: a month of ${REPORT_CHANGES} changes…`);
  const reportResult = await measureReports({ changes: REPORT_CHANGES, turns: REPORT_TURNS, log });
  log(`console: ${CONSOLE_RUNS} fresh browser contexts…`);
  const consoleResult = await measureConsole({ runs: CONSOLE_RUNS, endpoint: ddb.endpoint });

  const rows: Row[] = [
    { op: 'create (POST /changes)', m: createM, goal: { max: 2, text: '≤ 2' } },
    { op: 'get (GET /changes/{id})', m: getM, goal: { max: 1, text: '1' } },
    { op: 'submit + approve (2 × POST /changes/{id}/{action})', m: pairM, goal: { max: 4, text: '≤ 4 (≤ 2 each)' } },
    { op: 'approve alone (POST /changes/{id}/approve)', m: pairM.part(1), goal: { max: 2, text: '≤ 2' }, withinPair: true },
    { op: `list (GET /changes?limit=${LIST_LIMIT})`, m: listM, goal: { max: 1, text: '1 a page' } },
  ];

  print(rows, noopSummary, bundles, cold, stray, started, flowResult, decisionRows, monitoringResult, webhookResult, reportResult, consoleResult);
}

interface DecisionRow {
  op: string;
  goal: { max: number; text: string } | undefined;
  samples: number[];
  trips: TripTally;
  /** Calls to Step Functions and EventBridge (stand-ins here) made in the same request. */
  other: Set<string>;
  otherPerCall: number[];
}

interface Row {
  op: string;
  m: Measurement;
  goal: { max: number; text: string };
  /** Timed inside the submit + approve pair: its calls are already counted there. */
  withinPair?: boolean;
}

/** The report's title and the machine it ran on. */
function header(): string[] {
  const cpus = os.cpus();
  return [
    '# ChangeFlow benchmark',
    '',
    `Machine: Node ${process.version} on ${process.platform}/${process.arch}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}.`,
  ];
}

function print(
  rows: Row[],
  noop: Summary,
  bundles: BundleSize[],
  cold: ColdStartResult,
  stray: StrayOutput,
  started: number,
  flow: AutoApproveResult,
  decisions: DecisionRow[],
  monitoring: MonitoringResult,
  webhooks: WebhookResult,
  reports: ReportBenchResult,
  consoleResult: ConsoleBenchResult,
) {
  const out: string[] = header();
  out.push(
    `Runs: ${WARMUP} warm-up + ${ITERATIONS} measured iterations per operation; DynamoDB Local in memory on loopback; ${COLD_RUNS} cold starts per function.`,
    '',
  );

  out.push('## Latency and round trips', '');
  out.push(
    table(
      ['operation', 'handler p50', 'handler p95', 'raw p50', 'raw p95', 'ratio p50', 'ratio p95', 'round trips', 'goal'],
      rows.map(({ op, m, goal }) => {
        const h = m.summary('handler');
        const r = m.summary('raw');
        const trips = m.trips.handler;
        return [
          op,
          ms(h.p50),
          ms(h.p95),
          ms(r.p50),
          ms(r.p95),
          ratio(h.p50, r.p50),
          ratio(h.p95, r.p95),
          trips.toString(),
          `${goal.text} — ${trips.max <= goal.max ? 'met' : 'NOT met'}`,
        ];
      }),
    ),
    '',
  );
  const all = rows.filter((r) => !r.withinPair).map((r) => r.m.trips.handler);
  const commands = [...new Set(all.flatMap((t) => t.commands))].sort();
  const scans = commands.filter((c) => /^Scan/.test(c));
  const retries = all.reduce((n, t) => n + t.retries, 0);
  out.push(
    `Commands the handlers sent: ${commands.join(', ')}. Scan: ${scans.length ? `YES (${scans.join(', ')})` : 'none'} (goal: none). SDK retries: ${retries}.`,
  );
  out.push(
    `In order sent: ${rows.map(({ op, m }) => `${op.split(' (')[0]} → ${m.trips.handler.sequence.map((c) => c.replace(/Command$/, '')).join(', ')}`).join('; ')}.`,
  );
  out.push(
    'Raw = the same DynamoDB calls made directly with the same DocumentClient and items of the same size (round trips: ' +
      rows.map(({ m }) => m.trips.raw.toString()).join(', ') +
      ').',
    '',
  );

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
        return [
          op,
          ms(h),
          ms(r),
          ms(d),
          ms(h - r),
          ms(r - d),
          ms(p50(m.inSdk.handler)),
          ms(p50(m.inSdk.raw)),
          ms(p50(m.outsideSdk.handler)),
          ms(p50(m.outsideSdk.raw)),
        ];
      }),
    ),
    '',
  );
  out.push(
    `No-op route through middy (Powertools logger + metrics + correlation id, no DynamoDB): p50 ${ms(noop.p50)}, p95 ${ms(noop.p95)} over ${noop.n} calls.`,
  );
  const perCall = rows
    .filter((r) => !r.withinPair)
    .map(({ op, m }) => `${op.split(' (')[0]} ${(m.strayLines / Math.max(1, m.samples.handler.length)).toFixed(1)}`);
  out.push(`stderr lines written per handler invocation at POWERTOOLS_LOG_LEVEL=ERROR (each one a CloudWatch log line in AWS): ${perCall.join(', ')}.`);
  for (const { line, count } of stray.summary()) out.push(`- ${count} × "${line}…"`);
  out.push('');

  out.push('## Approval workflow: submit → approved, auto-approved change, local runtime', '');
  out.push(
    `A standard change from the catalogue (patch-version bump) at low risk, filed as alice over HTTP, then submitted (POST /changes/{id}/submit, real HTTP ` +
      `and JWT) to the whole local runtime (startLocalSystem: the approval ASL run in-process by aws-local-stepfunctions, its task states calling the ` +
      `workflow tasks function, events on the in-process bus, DynamoDB Local shared with the rest of this bench). ` +
      `${flow.warmup} warm-up + ${flow.runs} measured runs, one at a time; each run waits for the bus to go idle, and is then cancelled (off the clock) so ` +
      'every submit sees the same empty calendar.',
    '',
  );
  out.push(
    table(
      ['from POST submit sent, until …', 'p50', 'p95', 'n'],
      [
        [
          'the submit answered (200, state `submitted`; the workflow is started before the answer)',
          ms(flow.answered.p50),
          ms(flow.answered.p95),
          String(flow.answered.n),
        ],
        [
          'ChangeApproved delivered on the in-process bus (published right after the approving write committed)',
          ms(flow.event.p50),
          ms(flow.event.p95),
          String(flow.event.n),
        ],
        ['**`approved` seen in the table** (polled; the submit → approved figure)', ms(flow.polled.p50), ms(flow.polled.p95), String(flow.polled.n)],
      ],
    ),
    '',
  );
  out.push(
    `How "approved" is detected: straight on the table, not over HTTP — one strongly consistent GetItem of the CR item projecting only its state, ` +
      `every ${flow.pollEveryMs} ms after the submit answered (${flow.pollsP50} read(s) per run at p50), so the polled figure is late by up to one interval plus one read (~1–2 ms); ` +
      "the poller shares the process and event loop with the local runtime, so its timers also wait for the workflow's work. " +
      'The bus column has no polling in it at all. ' +
      `The execution took ${flow.workflowPath}.` +
      (flow.problems.length
        ? ` The local runtime logged ${flow.problems.length} problem line(s), the first: ${flow.problems[0]}`
        : ' The local runtime logged no problems.'),
    '',
  );

  out.push('## DynamoDB round trips per approval decision', '');
  out.push(
    `Each decision on its own change, pending with its approval requested (create, submit and the workflow's route + request-approval steps done off the clock). ` +
      `Handlers invoked in-process through middy, as Lambda runs them; round trips counted on the DynamoDB client the handlers use. ${DECISIONS} invocations per kind.`,
    '',
  );
  out.push(
    table(
      ['decision', 'DynamoDB round trips', 'commands, in order', 'other AWS calls in the same request', 'handler p50', 'handler p95', 'goal'],
      decisions.map((d) => {
        const s = summarize(d.samples);
        return [
          d.op,
          d.trips.toString(),
          d.trips.sequence.map((c) => c.replace(/Command$/, '')).join(', '),
          [...d.other].join(' / '),
          ms(s.p50),
          ms(s.p95),
          d.goal ? `${d.goal.text} — ${d.trips.max <= d.goal.max ? 'met' : 'NOT met'}` : '–',
        ];
      }),
    ),
    '',
  );
  out.push(
    'Other AWS calls: none, by construction: the functions serving requests hold no Step Functions or EventBridge client. The decision is one transaction with its outbox items, ' +
      'and the workflow driver completes the approval task after the event is relayed (docs/events.md). The link key is a local setting here; in AWS it is read from Secrets Manager once and cached for 5 minutes.',
    '',
  );

  out.push(`## Bundle size per function (esbuild as the stack bundles: ESM, minify, ${BUNDLE_TARGET}, AWS SDK bundled)`, '');
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
  out.push(...formatColdStart(cold, REPO_ROOT), '');
  out.push(...formatMonitoring(monitoring), '');
  out.push(...formatWebhooks(webhooks), '');
  out.push(...formatReports(reports), '');
  out.push(...formatConsole(consoleResult), '');
  out.push(
    '_These figures come from one run on a noisy shared machine: read the ratios between columns of the same run, not the absolute times. ' +
      'DynamoDB Local on loopback is not DynamoDB in a region; only the round-trip counts carry over as they are._',
  );
  out.push('', `(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
