/**
 * The cold-start table: what each Lambda function of the stack costs at init, next to a baseline
 * that loads only the DynamoDB clients (bench/baseline-handler.ts).
 *
 * Each sample is a fresh Node process (the binary running the bench, `process.execPath`) that imports
 * one bundle, as Lambda does before the first invocation, and reports the import's milliseconds and
 * its memory right after (bench/cold-start-child.mjs). The bundles are the ones bench/bundles.ts
 * builds with the stack's esbuild options, source map beside them, each in a directory of its own.
 *
 * Each function runs with the environment the stack gives it: the stack is synthesised (without
 * bundling) and its functions' variables read back, deploy-time values (the table's name, the ARNs,
 * the secrets' ids) stood in for by fakes of the same shape; on top of that, the variables Lambda's
 * runtime sets (region, fake credentials, function name, ...). DYNAMODB_ENDPOINT points at a closed
 * port on localhost and HOME at an empty directory, so nothing at import can reach a service or a
 * developer's AWS files. What an import starts anyway is recorded by one probe run per bundle, off
 * the clock, and reported.
 *
 * Rounds are interleaved with the baseline: baseline, A, baseline, B, ..., each round starting one
 * function later, so a noisy moment of a shared machine hits both sides of a ratio. Figures are
 * medians; nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ChangeflowStack } from '../lib/changeflow-stack.js';
import { LAMBDA_RUNTIME } from '../lib/runtime.js';
import type { EnvVar } from '../lib/settings.js';
import type { BuiltBundle, StackFunction } from './bundles.js';
import { table } from './markdown.js';
import { median, ms, ratio, rotated } from './stats.js';

/** The baseline's entry: bundled next to the functions, in a directory of this name. */
export const BASELINE = { name: 'baseline', entry: 'bench/baseline-handler.ts' } as const;

/** The goal of the issue "Lean functions": per function, against the baseline of the same run. */
export const GOAL = { initRatio: 1.5, rssRatio: 1.5, bundleBytes: 600_000 } as const;

const CHILD = join(import.meta.dirname, 'cold-start-child.mjs');
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** Port 9 (discard) on loopback: nothing listens, so a call made at import fails at once instead of leaving the machine. */
const CLOSED_ENDPOINT = 'http://127.0.0.1:9';
/** A child that has not answered by then is killed and counted as failed. */
const CHILD_TIMEOUT_MS = 60_000;

/**
 * Stand-ins for the variables whose values the stack knows only at deploy (CloudFormation
 * references): the shape the functions will see, with made-up names. A variable the stack adds
 * later without one here stops the bench with its name, rather than reaching a function unset.
 */
const DEPLOY_TIME_VALUES: Partial<Record<EnvVar, string>> = {
  TABLE_NAME: 'ChangeFlow-TableCD117FA1-BENCH0COLD0START',
  EVENT_BUS_NAME: 'changeflow',
  APPROVAL_STATE_MACHINE_ARN: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ApprovalWorkflow-BenchColdStart`,
  EMERGENCY_STATE_MACHINE_ARN: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:EmergencyWorkflow-BenchColdStart`,
  MONITORING_STATE_MACHINE_ARN: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:MonitoringWorkflow-BenchColdStart`,
  APPROVAL_LINK_SECRET_ID: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:ApprovalLinkKey-AbCdEf`,
  CALENDAR_FEED_SECRET_ID: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:CalendarFeedKey-AbCdEf`,
  CURSOR_SECRET_ID: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:CursorKey-AbCdEf`,
  WEBHOOK_SECRETS_SECRET_ID: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:WebhookSecrets-AbCdEf`,
  OUTBOUND_SECRETS_SECRET_ID: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:OutboundSecrets-AbCdEf`,
  REPORTS_BUCKET: 'changeflow-reportsbucket-bench0cold0start',
  PUBLIC_BASE_URL: `https://abcdef0123.execute-api.${REGION}.amazonaws.com/`,
};

/** What the child reports (bench/cold-start-child.mjs). */
interface ChildReport {
  initMs: number;
  rss: number;
  heapUsed: number;
  /** Milliseconds from the process's start to the import: Node's own start, the same for every bundle. */
  bootMs: number;
  handlerType: string;
  error?: string;
  probe?: ImportActivity;
}

/** What one import started, from the probe run. */
export interface ImportActivity {
  /**
   * Async resources created during the import (promises left out), by type and creation site: the
   * first frames outside Node of the first one created there (none: Node's own).
   */
  created: { type: string; frames: string[]; count: number }[];
  /** Synchronous file-system calls during the import, outside the bundle's own directory. */
  syncFs: string[];
  lookups: string[];
  connects: string[];
  /** What kept the event loop alive right after the import. */
  activeAfter: string[];
}

interface Sample {
  initMs: number;
  rss: number;
  heapUsed: number;
  bootMs: number;
}

export interface ColdStartRow {
  name: string;
  kind: StackFunction['kind'] | 'baseline';
  bundle: BuiltBundle;
  samples: Sample[];
  /** Why runs failed (the import threw, no handler, the process died). */
  failures: string[];
  probe: ImportActivity | undefined;
  /** Lines the import wrote to stdout or stderr in the probe run. */
  strayOutput: string[];
}

export interface ColdStartResult {
  runs: number;
  baseline: ColdStartRow;
  functions: ColdStartRow[];
  /** The stand-ins used, by variable, and which functions got each. */
  stoodIn: Map<string, string[]>;
  /** Lambda functions of the stack that are not in the tables (none expected). */
  unlisted: string[];
  processes: number;
  seconds: number;
}

interface Subject {
  row: ColdStartRow;
  env: Record<string, string>;
}

export async function measureColdStarts(
  functions: readonly StackFunction[],
  bundles: readonly BuiltBundle[],
  options: { runs: number; log: (line: string) => void },
): Promise<ColdStartResult> {
  const started = performance.now();
  const bundleOf = (name: string) => {
    const bundle = bundles.find((b) => b.name === name);
    if (!bundle) throw new Error(`no bundle built for ${name}`);
    return bundle;
  };
  if (functions.some((f) => f.name === BASELINE.name)) throw new Error(`a function is named ${BASELINE.name}, the baseline's name`);

  options.log('cold starts: reading each function’s environment from the stack (synth without bundling)…');
  const deployed = deployedEnvironments(functions.map((f) => f.name));
  const home = mkdtempSync(join(tmpdir(), 'changeflow-bench-home-'));
  try {
    const newRow = (name: string, kind: ColdStartRow['kind']): ColdStartRow => ({
      name,
      kind,
      bundle: bundleOf(name),
      samples: [],
      failures: [],
      probe: undefined,
      strayOutput: [],
    });
    const subject = (row: ColdStartRow, stackEnv: Record<string, string>, memoryMb: number): Subject => ({
      row,
      env: {
        ...lambdaRuntimeEnvironment(row.name, memoryMb, dirname(row.bundle.file), home),
        ...stackEnv,
        DYNAMODB_ENDPOINT: CLOSED_ENDPOINT,
      },
    });
    const subjects = functions.map((f) => {
      const { env, memoryMb } = deployed.functions.get(f.name)!;
      return subject(newRow(f.name, f.kind), env, memoryMb);
    });
    // The baseline gets what every function of the stack gets (NODE_OPTIONS among it), nothing more,
    // and the first function's memory size (the stack gives them all the same).
    const all = [...deployed.functions.values()];
    const baseline = subject(newRow(BASELINE.name, 'baseline'), commonVariables(all.map((d) => d.env)), all[0]!.memoryMb);

    // One probe per bundle first: its hooks slow the import, so it is not a sample; it also warms the
    // page cache for the Node binary and the bundles, as the first timed round would otherwise do.
    let processes = 0;
    options.log(`cold starts: probing what each import starts (${subjects.length + 1} processes)…`);
    for (const s of [baseline, ...subjects]) {
      const outcome = await runChild(s, 'probe');
      processes++;
      s.row.probe = outcome.report?.probe;
      s.row.strayOutput = outcome.stray;
      if (!outcome.report) s.row.failures.push(outcome.failure);
    }

    // A function whose import failed in the probe fails the same way every time: it is not timed.
    const timed = subjects.filter((s) => s.row.failures.length === 0);
    for (let round = 0; round < options.runs; round++) {
      options.log(`cold starts: round ${round + 1}/${options.runs} (${timed.length} functions, each after the baseline)…`);
      for (const s of rotated(timed, round)) {
        for (const t of [baseline, s]) {
          const outcome = await runChild(t, 'timed');
          processes++;
          if (outcome.report) t.row.samples.push(outcome.report);
          else t.row.failures.push(outcome.failure);
        }
      }
    }
    return {
      runs: options.runs,
      baseline: baseline.row,
      functions: subjects.map((s) => s.row),
      stoodIn: deployed.stoodIn,
      unlisted: deployed.unlisted,
      processes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

type Outcome = { report: ChildReport; failure?: undefined; stray: string[] } | { report?: undefined; failure: string; stray: string[] };

/** One fresh process importing one bundle. */
function runChild(subject: Subject, mode: 'probe' | 'timed'): Promise<Outcome> {
  const url = pathToFileURL(subject.row.bundle.file).href;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CHILD, url, ...(mode === 'probe' ? ['probe'] : [])], {
      env: subject.env,
      cwd: dirname(subject.row.bundle.file),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ failure: `could not start Node: ${err.message}`, stray: [] });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = Buffer.concat(stdout).toString('utf8').split('\n').filter(Boolean);
      const errLines = Buffer.concat(stderr).toString('utf8').split('\n').filter(Boolean);
      const last = lines.pop();
      const stray = [...lines.map((l) => `stdout: ${l}`), ...errLines.map((l) => `stderr: ${l}`)];
      let report: ChildReport | undefined;
      try {
        report = last ? (JSON.parse(last) as ChildReport) : undefined;
      } catch {
        report = undefined;
      }
      if (!report) {
        const why = signal === 'SIGKILL' ? `no answer within ${CHILD_TIMEOUT_MS / 1000} s` : `exited ${code ?? signal} without a report`;
        resolvePromise({ failure: `${why}${errLines.length ? `: ${errLines.slice(-3).join(' / ')}` : ''}`, stray });
      } else if (report.error) resolvePromise({ failure: report.error, stray });
      else if (report.handlerType !== 'function') resolvePromise({ failure: `exports no handler function (handler is ${report.handlerType})`, stray });
      else resolvePromise({ report, stray });
    });
  });
}

interface DeployedEnvironments {
  functions: Map<string, { env: Record<string, string>; memoryMb: number }>;
  stoodIn: Map<string, string[]>;
  unlisted: string[];
}

/** Each function's variables as the stack sets them, read from a synth of the stack with its default settings. */
function deployedEnvironments(names: readonly string[]): DeployedEnvironments {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ChangeflowStack(app, 'ChangeFlow');
  const byName = new Map<string, NodejsFunction>([
    ...[...stack.functions].map(([name, f]) => [name, f.fn] as const),
    ...[...stack.jobs].map(([name, j]) => [name, j.fn] as const),
    ...[...stack.workers].map(([name, w]) => [name, w.fn] as const),
  ]);
  const functions = new Map<string, { env: Record<string, string>; memoryMb: number }>();
  const stoodIn = new Map<string, string[]>();
  const listed = new Set<CfnFunction>();
  for (const name of names) {
    const fn = byName.get(name);
    if (!fn) throw new Error(`the stack has no function ${name}`);
    const cfn = fn.node.defaultChild as CfnFunction;
    listed.add(cfn);
    const variables = (stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value === 'string') {
        env[key] = value;
        continue;
      }
      const standIn = DEPLOY_TIME_VALUES[key as EnvVar];
      if (standIn === undefined) {
        throw new Error(
          `the stack tells ${name} ${key} only at deploy (${JSON.stringify(value)}): give bench/cold-start.ts a stand-in for it in DEPLOY_TIME_VALUES`,
        );
      }
      env[key] = standIn;
      stoodIn.set(key, [...(stoodIn.get(key) ?? []), name]);
    }
    functions.set(name, { env, memoryMb: Number(stack.resolve(cfn.memorySize)) });
  }
  const unlisted = stack.node
    .findAll()
    .filter((c): c is CfnFunction => c instanceof CfnFunction && !listed.has(c))
    .map((c) => c.node.path);
  return { functions, stoodIn, unlisted };
}

/** The variables with the same value in every environment. */
function commonVariables(envs: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = envs;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((e) => e[k] === v)));
}

/** What Lambda's Node runtime sets in every function's environment (its "reserved" variables), with fakes. */
function lambdaRuntimeEnvironment(name: string, memoryMb: number, taskRoot: string, home: string): Record<string, string> {
  const functionName = `ChangeFlow-${name}-BenchColdStart`;
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'ASIABENCHCOLDSTART00',
    AWS_SECRET_ACCESS_KEY: 'bench/cold/start/fake/secret/access/key00',
    AWS_SESSION_TOKEN: 'bench-cold-start-fake-session-token',
    AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_RUNTIME.name}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    // the stack turns active tracing on
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _HANDLER: 'index.handler',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
  };
}

const MiB = 2 ** 20;
const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)} MiB` : '–');
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');
/** Text fit for one table cell: one line, no column separator. */
const cell = (text: string) => text.replace(/\s+/g, ' ').replaceAll('|', '\\|');

interface Figures {
  init: number;
  rss: number;
  heap: number;
}
const figures = (row: ColdStartRow): Figures => ({
  init: median(row.samples.map((s) => s.initMs)),
  rss: median(row.samples.map((s) => s.rss)),
  heap: median(row.samples.map((s) => s.heapUsed)),
});

/** The section of the report, as Markdown lines. */
export function formatColdStart(result: ColdStartResult, repoRoot: string): string[] {
  const base = figures(result.baseline);
  const out: string[] = [];
  out.push('## Cold start per function: init and memory, against a baseline', '');
  out.push(
    `Each sample is a fresh Node ${process.version} process importing one bundle as Lambda does at init (\`await import\` of \`index.mjs\`, its source map beside it), ` +
      `timed with performance.now() inside the process; memory is process.memoryUsage() right after the import. ${result.runs} processes per function, ` +
      'each right after one of the baseline, the order rotating from round to round; figures are medians.',
    '',
  );
  if (result.baseline.samples.length === 0) {
    out.push(`**The baseline could not be measured**: ${result.baseline.failures[0] ?? 'no sample'}. No ratio can be given.`, '');
  }
  out.push(
    `**Baseline** (${BASELINE.entry}: DynamoDBClient + DynamoDBDocumentClient at module scope, a trivial handler): bundle ${kb(result.baseline.bundle.bytes)}, ` +
      `init ${ms(base.init)}, RSS after init ${mib(base.rss)}, heap used ${mib(base.heap)} (medians of ${result.baseline.samples.length} processes; ` +
      `Node itself took ${ms(median(result.baseline.samples.map((s) => s.bootMs)))} to reach the import, in every process alike, not counted in init).`,
    '',
  );
  out.push(
    `Goal ("Lean functions"): init ≤ ${GOAL.initRatio}× the baseline's, RSS after init ≤ ${GOAL.rssRatio}× the baseline's, ` +
      `bundle ≤ ${GOAL.bundleBytes / 1000} KB minified (${GOAL.bundleBytes.toLocaleString('en-US')} bytes).`,
    '',
  );
  const header = [
    'function',
    'kind',
    'bundle',
    'init median',
    'init × baseline',
    'RSS median',
    'RSS × baseline',
    'heap used median',
    `init ≤ ${GOAL.initRatio}×`,
    `RSS ≤ ${GOAL.rssRatio}×`,
    `bundle ≤ ${GOAL.bundleBytes / 1000} KB`,
  ];
  const misses: string[] = [];
  const rows = result.functions.map((row) => {
    const bundleOk = row.bundle.bytes <= GOAL.bundleBytes;
    if (row.samples.length === 0) {
      misses.push(`${row.name} (does not start)`);
      const failure = `**fails to import**: ${cell(row.failures[0] ?? 'no sample')}`;
      return [row.name, row.kind, kb(row.bundle.bytes), failure, '–', '–', '–', '–', '✗', '✗', mark(bundleOk)];
    }
    const f = figures(row);
    const initOk = f.init <= GOAL.initRatio * base.init;
    const rssOk = f.rss <= GOAL.rssRatio * base.rss;
    const missed = [!initOk && 'init', !rssOk && 'RSS', !bundleOk && 'bundle'].filter(Boolean);
    if (missed.length > 0) misses.push(`${row.name} (${missed.join(', ')})`);
    const partial =
      row.failures.length > 0 ? ` (${row.failures.length} of ${row.failures.length + row.samples.length} runs failed: ${cell(row.failures[0]!)})` : '';
    return [
      row.name,
      row.kind,
      kb(row.bundle.bytes),
      `${ms(f.init)}${partial}`,
      ratio(f.init, base.init),
      mib(f.rss),
      ratio(f.rss, base.rss),
      mib(f.heap),
      mark(initOk),
      mark(rssOk),
      mark(bundleOk),
    ];
  });
  out.push(table(header, rows), '');
  out.push(
    misses.length > 0
      ? `Miss the goal: ${misses.join('; ')}. Meet it: ${
          result.functions
            .filter((r) => !misses.some((m) => m.startsWith(`${r.name} `)))
            .map((r) => r.name)
            .join(', ') || 'none'
        }.`
      : 'Every function meets the goal.',
  );
  const heavy = result.functions.filter((r) => r.bundle.bytes > GOAL.bundleBytes);
  if (heavy.length > 0) {
    out.push(
      `Largest parts of the bundles over ${GOAL.bundleBytes / 1000} KB (KiB of minified output): ` +
        heavy.map((r) => `${r.name}: ${r.bundle.largest.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)}`).join(', ')}`).join('; ') +
        '.',
    );
  }
  out.push('');

  out.push('### What the imports start', '');
  out.push(...importActivity(result, repoRoot), '');

  out.push('### Environment', '');
  const stoodIn = [...result.stoodIn].map(([key, names]) => `${key}=${DEPLOY_TIME_VALUES[key as EnvVar]} (${names.length} function(s))`).join(', ');
  out.push(
    'Each function runs with the variables the stack gives it, read from a synth of the stack with its default settings (no bundling), ' +
      `known-at-deploy values stood in for: ${stoodIn || 'none'}. ` +
      `On top: what Lambda's runtime sets (AWS_REGION=${REGION}, fake AWS credentials, AWS_LAMBDA_FUNCTION_NAME, AWS_EXECUTION_ENV=AWS_Lambda_${LAMBDA_RUNTIME.name}, the X-Ray daemon address, TZ=:UTC, ...), ` +
      `HOME an empty directory, DYNAMODB_ENDPOINT=${CLOSED_ENDPOINT} (closed: a call at import would fail at once, not leave the machine). ` +
      'The baseline gets the variables every function shares (NODE_OPTIONS among them, as the stack sets it) and the same runtime variables.',
  );
  out.push(
    result.unlisted.length > 0
      ? `**The stack has Lambda functions that are in none of the tables, and so not measured**: ${result.unlisted.join(', ')}.`
      : 'Every Lambda function of the stack is in the table (route groups, scheduled jobs, workers: the stack has no other).',
  );
  out.push('', `(cold-start table: ${result.processes} processes in ${result.seconds.toFixed(0)} s)`);
  return out;
}

/** The probe's findings: the baseline's own, then for each function what goes beyond them. */
function importActivity(result: ColdStartResult, repoRoot: string): string[] {
  const base = result.baseline.probe;
  const short = (frame: string) => frame.replaceAll(`${repoRoot}/`, '').replace(/^at /, '');
  const describe = (probe: ImportActivity, beyond: ImportActivity | undefined): string[] => {
    const parts: string[] = [];
    const site = (c: ImportActivity['created'][number]) => `${c.type} ${c.frames[0] ?? ''}`;
    for (const c of probe.created) {
      const before = beyond?.created.find((b) => site(b) === site(c))?.count ?? 0;
      if (c.count <= before) continue;
      const from = c.frames.length > 0 ? `from ${c.frames.slice(0, 3).map(short).join(' ← ')}` : 'from Node itself';
      parts.push(`${c.type} ×${c.count - before}${beyond && before > 0 ? ` more than the baseline's ${before}` : ''} ${from}`);
    }
    const extra = (list: string[], of: string[] | undefined) => list.filter((x) => !(of ?? []).includes(x));
    const syncFs = extra(probe.syncFs, beyond?.syncFs);
    if (syncFs.length > 0)
      parts.push(`synchronous file-system calls: ${syncFs.slice(0, 5).join(', ')}${syncFs.length > 5 ? ` and ${syncFs.length - 5} more` : ''}`);
    if (probe.lookups.length > 0) parts.push(`DNS lookups: ${probe.lookups.join(', ')}`);
    if (probe.connects.length > 0) parts.push(`socket connects: ${probe.connects.join(', ')}`);
    const left = extra(probe.activeAfter, beyond?.activeAfter);
    if (left.length > 0) parts.push(`still pending after the import: ${left.join(', ')}`);
    return parts;
  };
  const lines: string[] = [
    'One probe process per bundle, off the clock, records the async resources created while the import runs (promises left out: sockets, DNS lookups, ' +
      'timers, file reads, deferred callbacks) with where they were created, synchronous file-system calls outside the bundle, DNS lookups and socket connects, ' +
      'and what is left pending after the import. TickObject and Immediate are deferred callbacks, not I/O; PIPEWRAP is the process’s stdout or stderr, ' +
      'opened on first use: by Node when a bundle imports `node:process`, or by a Console (Powertools Logger makes one) when it does not.',
    '',
  ];
  if (base) {
    const own = describe(base, undefined);
    lines.push(`- **baseline**: ${own.length > 0 ? own.join('; ') : 'nothing'}.`);
  } else lines.push(`- **baseline**: the probe failed (${result.baseline.failures[0] ?? 'no report'}).`);
  for (const row of result.functions) {
    if (!row.probe) {
      lines.push(`- ${row.name}: the probe failed (${row.failures[0] ?? 'no report'}).`);
      continue;
    }
    const parts = describe(row.probe, base);
    lines.push(`- ${row.name}: ${parts.length > 0 ? `beyond the baseline, ${parts.join('; ')}` : 'nothing beyond the baseline'}.`);
  }
  const stray = [result.baseline, ...result.functions].filter((r) => r.strayOutput.length > 0);
  lines.push(
    '',
    stray.length > 0
      ? `Output written during the import (probe run): ${stray.map((r) => `${r.name}: ${r.strayOutput.length} line(s), the first "${r.strayOutput[0]!.slice(0, 160)}"`).join('; ')}.`
      : 'No import wrote anything to stdout or stderr.',
  );
  return lines;
}
