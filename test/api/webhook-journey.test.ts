/**
 * A change carried from approval to completed by deliveries alone (GitHub's deployment statuses,
 * the pipeline's smoke tests) and a monitoring tool (a Prometheus stand-in the flow queries each
 * interval): nobody marks it started, deployed or done. Then faults injected into the processor's
 * writes: a write that fails before it lands, and one that lands and then errors (the answer lost),
 * each retried by the bus with one effect on the change.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WEBHOOKS from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { completeContent } from '../fixtures.js';
import { readyChange, sendCi, sendGitHub, windowsOn } from './deliveries.js';
import { startApi, type Api, type Who } from './harness.js';

// Each journey drives a change through its whole deployment and a monitoring period whose waits
// are real (scaled) time: on a CI machine whose two cores the kill tests' JVMs also load, it needs
// more than the default 30 s. Nothing here asserts how long anything takes.
vi.setConfig({ testTimeout: 120_000 });

const GITHUB_SECRET = 'journey-github-secret-00001';
const CI = `whsec_${Buffer.from('journey ci secret of 32 bytes...').toString('base64')}`;
let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let prom: Server;
let deliveries = 0;

/** Fails the next write a predicate picks, before it lands or after (the write done, its answer lost). */
const faults = {
  plan: undefined as { pick: (command: string, input: string) => boolean; when: 'before' | 'after' } | undefined,
  injected: 0,
  attach(db: DynamoDBDocumentClient) {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const plan = faults.plan;
        if (!plan?.pick(String(context.commandName), JSON.stringify(args.input))) return next(args);
        faults.plan = undefined;
        faults.injected++;
        const error = Object.assign(new Error('injected: service unavailable'), {
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
        });
        if (plan.when === 'before') throw error;
        await next(args);
        throw error;
      },
      { step: 'initialize', name: 'journeyFaults' },
    );
  },
};

beforeAll(async () => {
  // a healthy service: 1,200 requests a minute, 0.3% errors, p95 7 ms, no database errors, no alerts
  prom = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const value = query.startsWith('requests') ? '1200' : query.startsWith('errors') ? '0.3' : query.startsWith('p95') ? '7' : '0';
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] } }));
  });
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
  api = await startApi(
    {
      MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5',
      MONITORING_INTERVAL_SECONDS: '60',
      GITHUB_WEBHOOK_SECRETS: GITHUB_SECRET,
      CI_WEBHOOK_SECRETS: CI,
      PROMETHEUS_URL: `http://127.0.0.1:${(prom.address() as AddressInfo).port}`,
      PROMETHEUS_QUERIES: JSON.stringify({
        'API Server': {
          requests: 'requests[$window]',
          errorRatePercent: 'errors[$window]',
          p95LatencyMs: 'p95[$window]',
          databaseErrors: 'db[$window]',
          criticalAlerts: 'alerts[$window]',
        },
      }),
    },
    { clock, workflowWaitScale: 5e-4, instrument: { db: (db) => faults.attach(db) }, eventRetries: { attempts: 5, retryBaseMs: 20, maxDelayMs: 100 } },
  );
});
afterAll(async () => {
  await api?.stop();
  prom?.close();
});
// a test that ended early (a timeout) must not leave its fault armed for the next one
beforeEach(() => {
  faults.plan = undefined;
});

async function call(method: string, path: string, as: Who, body?: object, status = 200) {
  const res = await api.call(method, path, { as, body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res.body;
}

const windows = windowsOn((ms) => {
  now = ms;
});
const approvedChange = async () => (await readyChange(api, windows)).id;

async function github(event: string, payload: object) {
  const res = await sendGitHub(api, GITHUB_SECRET, event, payload, `journey-${++deliveries}`);
  expect(res.status, res.text).toBe(202);
  await api.system.events.idle();
}

async function ci(body: object) {
  const res = await sendCi(api, CI, now, body, `msg_journey_${++deliveries}`);
  expect(res.status, res.text).toBe(202);
  await api.system.events.idle();
}

const statusOf = (state: string, id: string) => {
  const all = WEBHOOKS as unknown as { name: string; examples: Record<string, any>[] }[];
  const ex = structuredClone(all.find((d) => d.name === 'deployment_status')!.examples[0]!);
  ex.deployment_status.state = state;
  ex.deployment.ref = `release/${id}`;
  return ex;
};
const get = async (id: string) => (await api.call('GET', `/changes/${id}`)).body;

describe('Rule: deliveries and a monitoring tool carry an approved change to completed, with nobody marking it', () => {
  it('GitHub: deployment, in_progress, success; the pipeline’s smoke tests and written criteria; five healthy minutes from Prometheus: completed by the system', async () => {
    const id = await approvedChange();
    const deployment = structuredClone(
      (WEBHOOKS as unknown as { name: string; examples: Record<string, any>[] }[]).find((d) => d.name === 'deployment')!.examples[0]!,
    );
    deployment.deployment.payload = { changeRequest: id };
    await github('deployment', deployment);
    expect((await get(id)).state).toBe('approved');
    await github('deployment_status', statusOf('in_progress', id));
    expect((await get(id)).state).toBe('in_progress');
    await github('deployment_status', statusOf('success', id));
    const deployedAt = now;
    expect((await get(id)).state).toBe('monitoring');
    // the pipeline's acceptance run checks the two criteria the change wrote down
    await ci({
      changeRequest: id,
      event: 'smoke_tests',
      status: 'passed',
      criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' },
    });
    now = deployedAt + 5 * 60_000 + 1000;
    const done = await api.waitFor(id, (cr) => cr.state === 'completed', 'completed', 60_000);
    expect(done.audit.map((e: { action: string; actor: { id: string } }) => `${e.action}:${e.actor.id}`).slice(-3)).toEqual([
      'start:pipeline:github',
      'deployed:pipeline:github',
      'complete:system',
    ]);
  });
});

describe('Rule: a fault in the processor’s write is retried by the bus, with one effect', () => {
  it('the deployed write fails before it lands: retried, the change is in monitoring with one deployed entry', async () => {
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'started' });
    const before = faults.injected;
    // the change's own transaction (its CR item), not the delivery's
    faults.plan = {
      pick: (command, input) => command === 'TransactWriteItemsCommand' && input.includes('"deployed"') && input.includes(`"CR#${id}"`),
      when: 'before',
    };
    await ci({ changeRequest: id, event: 'deployed' });
    expect(faults.injected - before).toBe(1);
    const cr = await get(id);
    expect(cr.state).toBe('monitoring');
    expect(cr.audit.filter((e: { action: string }) => e.action === 'deployed')).toHaveLength(1);
  });

  it('the delivery’s outcome write lands and its answer is lost: the retry finds the start on the trail and does not start again', async () => {
    const id = await approvedChange();
    const before = faults.injected;
    faults.plan = { pick: (command, input) => command === 'UpdateItemCommand' && input.includes('"WH#ci:') && input.includes(id), when: 'after' };
    await ci({ changeRequest: id, event: 'started' });
    expect(faults.injected - before).toBe(1);
    const cr = await get(id);
    expect(cr.state).toBe('in_progress');
    expect(cr.audit.filter((e: { action: string }) => e.action === 'start')).toHaveLength(1);
    const deliveriesList = (await call('GET', '/webhooks/deliveries?limit=5', 'ada')).items as { changeId?: string; status: string; outcome: string }[];
    expect(deliveriesList.find((d) => d.changeId === id)).toMatchObject({ status: 'processed' });
  });

  it('a deployed of an approved change: its start lands and the answer is lost; the retry goes on to deployed, with one start', async () => {
    const id = await approvedChange();
    const before = faults.injected;
    faults.plan = {
      pick: (command, input) => command === 'TransactWriteItemsCommand' && input.includes('"start"') && input.includes(`"CR#${id}"`),
      when: 'after',
    };
    await ci({ changeRequest: id, event: 'deployed' });
    expect(faults.injected - before).toBe(1);
    const cr = await get(id);
    // the retry must not stop at "already in progress": the start on the trail is this delivery's
    expect(cr.state).toBe('monitoring');
    expect(cr.audit.filter((e: { action: string }) => e.action === 'start')).toHaveLength(1);
    expect(cr.audit.filter((e: { action: string }) => e.action === 'deployed')).toHaveLength(1);
  });

  it('a refused deployment’s record lands and its answer is lost: the retry records it once', async () => {
    now = Date.parse('2027-03-15T14:00:00.000Z');
    const content = completeContent('normal');
    content.plannedWindow = { start: '2028-06-13T15:00:00Z', end: '2028-06-13T16:00:00Z' };
    const cr = await call('POST', '/changes', 'alice', content, 201);
    const before = faults.injected;
    faults.plan = {
      pick: (command, input) => command === 'TransactWriteItemsCommand' && input.includes('"unauthorized-deployment"') && input.includes(`"CR#${cr.id}"`),
      when: 'after',
    };
    await ci({ changeRequest: cr.id, event: 'started' });
    expect(faults.injected - before).toBe(1);
    const after = await get(cr.id);
    expect(after.state).toBe('draft');
    expect(after.audit.filter((e: { action: string }) => e.action === 'unauthorized-deployment')).toHaveLength(1);
  });
});
