/**
 * The approval workflow's figures for `npm run bench`:
 *
 * - submit → approved for an auto-approved change (standard, catalogue, low risk) on the whole local
 *   runtime: real HTTP submit, the approval ASL run in-process, its Route and AutoApprove task states,
 *   the events on the in-process bus;
 * - DynamoDB round trips per approval decision: an API approve, and an email-link decision (POST
 *   /approvals/decide, token check included), counted on the very client the handlers use.

 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { signToken } from '../local/dev-auth.js';
import { completeContent, people } from '../test/fixtures.js';
import { summarize, type Summary } from './stats.js';

type FlowDeps = Parameters<typeof import('../functions/use-cases/approval-flow.js').runWorkflowTask>[0];

/**
 * What the approval workflow does after a submit, done by hand and off the clock: its Route task,
 * then one callback task per slot, each recording a (made-up) task token. The change is then
 * pending with every approval requested, as it would be in AWS a moment after the submit.
 */
export async function routeByHand(flow: FlowDeps, id: string, revision = 1): Promise<string[]> {
  const { runWorkflowTask } = await import('../functions/use-cases/approval-flow.js');
  const routed = (await runWorkflowTask(flow, { task: 'route', changeId: id, revision })) as { route: string; slots: string[] };
  if (routed.route !== 'approval') throw new Error(`${id} routed ${routed.route}, expected approval`);
  for (const slot of routed.slots) {
    await runWorkflowTask(flow, { task: 'request-approval', changeId: id, revision, slot, taskToken: `bench-task-token-${id}-${slot}` });
  }
  return routed.slots;
}

// ---------------------------------------------------------------------------------------------
// (a) submit → approved on the local runtime

export interface AutoApproveResult {
  runs: number;
  warmup: number;
  /** POST submit sent → its answer received. */
  answered: Summary;
  /** POST submit sent → ChangeApproved delivered on the in-process bus (relayed off the table's stream after the approving write committed). */
  event: Summary;
  /** POST submit sent → a strongly consistent read of the CR item shows `approved` (polled). */
  polled: Summary;
  pollEveryMs: number;
  /** Reads made by the poller per run, p50. */
  pollsP50: number;
  workflowPath: string;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureAutoApprove(options: {
  endpoint: string;
  db: DynamoDBDocumentClient;
  runs: number;
  warmup: number;
  log: (line: string) => void;
}): Promise<AutoApproveResult> {
  const { startLocalSystem } = await import('../local/runtime.js');
  const TABLE = 'changeflow-bench-flow';
  const POLL_EVERY_MS = 2;
  const dataDir = mkdtempSync(join(tmpdir(), 'changeflow-bench-flow-'));
  const problems: string[] = [];
  const system = await startLocalSystem({
    port: 0,
    dataDir,
    dynamoDbEndpoint: options.endpoint,
    scheduler: false,
    mail: { smtpPort: 0, webPort: 0 },
    env: { TABLE_NAME: TABLE },
    onLog: (line) => {
      if (!/ → [23]\d\d \(/.test(line)) problems.push(line); // request log lines are not problems
    },
  });
  const approvedAt = new Map<string, number>();
  system.events.bus.subscribe('bench', ['ChangeApproved'], async (e) => void approvedAt.set(e.changeId ?? '', performance.now()));
  const token = await signToken(people.alice, system.jwtKey);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, any>;
  };
  /** One strongly consistent GetItem of the CR item, projecting only its state. */
  const stateOf = async (id: string) => {
    const out = await options.db.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: `CR#${id}`, sk: 'CR' },
        ProjectionExpression: '#cr.#state',
        ExpressionAttributeNames: { '#cr': 'cr', '#state': 'state' },
        ConsistentRead: true,
      }),
    );
    return (out.Item?.cr as { state?: string } | undefined)?.state;
  };

  const answered: number[] = [];
  const event: number[] = [];
  const polled: number[] = [];
  const polls: number[] = [];
  let workflowPath = '';
  try {
    options.log(`measuring submit → approved on the local runtime (${options.warmup} warm-up + ${options.runs})…`);
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const cr = await call('POST', '/changes', completeContent('standard', { likelihood: 'low', impact: 'low' }));
      const id = String(cr.id);
      const t0 = performance.now();
      const submitted = await call('POST', `/changes/${id}/submit`);
      const t1 = performance.now();
      let reads = 0;
      let state = submitted.state as string;
      const deadline = t0 + 10_000;
      while (state !== 'approved') {
        if (performance.now() > deadline) throw new Error(`${id} did not reach approved within 10 s (state ${state})`);
        await sleep(POLL_EVERY_MS);
        state = (await stateOf(id)) ?? 'missing';
        reads++;
      }
      const t2 = performance.now();
      // the poll may see the committed write a moment before the store publishes its event
      while (!approvedAt.has(id)) {
        if (performance.now() > deadline) throw new Error(`no ChangeApproved event for ${id}`);
        await sleep(1);
      }
      const evAt = approvedAt.get(id)!;
      // let the run finish (the "approved" email, the execution's end) before the next one starts
      await system.events.idle();
      if (i === 0) {
        const full = await call('GET', `/changes/${id}`);
        const auto = (full.audit as { action: string; actor: { id: string } }[]).find((a) => a.action === 'auto-approve');
        if (auto?.actor.id !== 'system') throw new Error(`${id} was approved, but not by the flow's auto-approve step`);
        const execution = system.workflows.executions().find((x) => String(x.input.changeId) === id);
        workflowPath = execution ? `${execution.path.join(' → ')} (${execution.status})` : 'no execution found';
      }
      // off the calendar again, so every submit sees the same (empty) calendar
      await call('POST', `/changes/${id}/cancel`, { reason: 'bench: clear the calendar' });
      await system.events.idle();
      if (i < options.warmup) continue;
      answered.push(t1 - t0);
      event.push(evAt - t0);
      polled.push(t2 - t0);
      polls.push(reads);
    }
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    runs: options.runs,
    warmup: options.warmup,
    answered: summarize(answered),
    event: summarize(event),
    polled: summarize(polled),
    pollEveryMs: POLL_EVERY_MS,
    pollsP50: summarize(polls).p50,
    workflowPath,
    problems,
  };
}
