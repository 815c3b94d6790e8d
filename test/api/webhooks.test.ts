/**
 * Webhooks in, on the local runtime over real HTTP: every source signed as its provider signs
 * (GitHub with @octokit/webhooks-methods over @octokit/webhooks-examples payloads, Standard
 * Webhooks for any CI, GitLab's token, PagerDuty's v1 HMAC), deduplicated on the delivery id,
 * answered before the work, and the work done from the bus through the lifecycle's rules.
 */
import { createHmac } from 'node:crypto';
import WEBHOOKS from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { readyChange, sendCi, sendGitHub, WINDOW_START, windowsOn } from './deliveries.js';
import { routed, startApi, type Api, type Who } from './harness.js';

const GITHUB_SECRET = 'github-secret-for-tests-0001';
const GITLAB_TOKEN = 'gitlab-token-for-tests-0001';
const PAGERDUTY_SECRET = 'pagerduty-secret-for-tests-01';
const CI_OLD = `whsec_${Buffer.from('an old ci secret of 32 bytes....').toString('base64')}`;
const CI_NEW = `whsec_${Buffer.from('the new ci secret of 32 bytes...').toString('base64')}`;
let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let deliveries = 0;

beforeAll(async () => {
  api = await startApi(
    {
      MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5',
      MONITORING_INTERVAL_SECONDS: '60',
      GITHUB_WEBHOOK_SECRETS: GITHUB_SECRET,
      GITLAB_WEBHOOK_TOKENS: GITLAB_TOKEN,
      PAGERDUTY_WEBHOOK_SECRETS: PAGERDUTY_SECRET,
      // rotation: the new secret first, the old one still valid
      CI_WEBHOOK_SECRETS: `${CI_NEW},${CI_OLD}`,
      PAGERDUTY_SERVICES: 'PF9KMXH=API Server',
    },
    { clock, workflowWaitScale: 5e-4 },
  );
});
afterAll(() => api?.stop());

async function call(method: string, path: string, as: Who, body?: object, status = 200) {
  const res = await api.call(method, path, { as, body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res.body;
}

const windows = windowsOn((ms) => {
  now = ms;
});
/** Where the last ready change's window starts (5 minutes in). */
let windowStart = WINDOW_START;

async function approvedChange(): Promise<string> {
  const ready = await readyChange(api, windows);
  windowStart = ready.windowStart;
  return ready.id;
}

/** A delivery of ChangeFlow's CI body, signed with Standard Webhooks at the service's time. */
function ci(body: object | string, options: { id?: string; secret?: string; at?: number } = {}) {
  return sendCi(api, options.secret ?? CI_NEW, options.at ?? now, body, options.id ?? `msg_${++deliveries}`);
}

function github(event: string, payload: object, options: { delivery?: string; secret?: string } = {}) {
  return sendGitHub(api, options.secret ?? GITHUB_SECRET, event, payload, options.delivery ?? `gh-${++deliveries}`);
}

async function gitlab(event: string, payload: object, token = GITLAB_TOKEN) {
  return api.call('POST', '/webhooks/gitlab', {
    as: null,
    raw: JSON.stringify(payload),
    headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': token, 'idempotency-key': `gl-${++deliveries}` },
  });
}

async function pagerduty(payload: object, secret = PAGERDUTY_SECRET) {
  const raw = JSON.stringify(payload);
  return api.call('POST', '/webhooks/pagerduty', {
    as: null,
    raw,
    headers: {
      'content-type': 'application/json',
      'x-webhook-id': `pd-${++deliveries}`,
      'x-pagerduty-signature': `v1=${createHmac('sha256', 'some-other-active-secret').update(raw).digest('hex')},v1=${createHmac('sha256', secret).update(raw).digest('hex')}`,
    },
  });
}

const settled = () => api.system.events.idle();
const get = async (id: string) => (await api.call('GET', `/changes/${id}`)).body;
const deliveriesList = async () =>
  (await call('GET', '/webhooks/deliveries?limit=200', 'ada')).items as { key: string; status: string; outcome?: string; changeId?: string }[];

describe('Rule: any CI drives an approved change through its deployment, and the monitoring period judges it', () => {
  it('started, deployed and smoke tests from signed deliveries: in progress, monitoring, completed when the period passes', async () => {
    const id = await approvedChange();
    const started = await ci({
      changeRequest: id,
      event: 'started',
      commit: 'abc123',
      environment: 'production',
      pipelineUrl: 'https://ci.example.com/runs/7',
    });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ status: 'accepted', changeId: id });
    await settled();
    const inProgress = await get(id);
    expect(inProgress.state).toBe('in_progress');
    expect(inProgress.audit.at(-1)).toMatchObject({ action: 'start', actor: { id: 'pipeline:ci' }, detail: { via: { source: 'ci', commit: 'abc123' } } });

    await ci({
      changeRequest: id,
      event: 'deployed',
      commit: 'abc123',
      committedAt: '2026-11-30T09:00:00+01:00',
      pipelineUrl: 'https://ci.example.com/runs/7',
    });
    await settled();
    const deployedAt = now;
    const monitoring = await get(id);
    expect(monitoring.state).toBe('monitoring');
    // the commit's time is kept with the deployment: DORA's lead time starts there
    expect(monitoring.deployments.at(-1)).toMatchObject({ step: 'deployed', commit: 'abc123', committedAt: '2026-11-30T08:00:00.000Z', authorized: true });
    await ci({ changeRequest: id, event: 'smoke_tests', status: 'passed' });
    await settled();
    await call(
      'POST',
      `/changes/${id}/metrics`,
      'oscar',
      {
        samples: [0, 1, 2, 3, 4].map((i) => ({
          at: new Date(deployedAt + i * 60_000 + 30_000).toISOString(),
          component: 'API Server',
          requests: 1200,
          errorRatePercent: 0.4,
          p95LatencyMs: 8,
          databaseErrors: 0,
          criticalAlerts: 0,
        })),
        criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' },
      },
      202,
    );
    now = deployedAt + 5 * 60_000 + 1000;
    const done = await api.waitFor(id, (cr) => cr.state === 'completed', 'completed', 15_000);
    const smoke = (await call('GET', `/changes/${id}/monitoring`, 'alice')).criteria.find((c: { id: string }) => c.id === 'smoke-tests');
    expect(smoke.status ?? smoke.outcome ?? JSON.stringify(smoke)).toMatch(/pass/i);
    expect(done.deployments.map((d: { step: string; source: string }) => `${d.source}:${d.step}`)).toEqual(['ci:started', 'ci:deployed']);
    const mine = (await deliveriesList()).filter((d) => d.changeId === id);
    expect(mine.map((d) => d.status)).toEqual(['processed', 'processed', 'processed']);
  });

  it('failed and rolled_back end the work: failed, rolled back', async () => {
    const a = await approvedChange();
    await ci({ changeRequest: a, event: 'started' });
    await ci({ changeRequest: a, event: 'failed', description: 'helm upgrade timed out' });
    await settled();
    const failed = await get(a);
    expect(failed.state).toBe('failed');
    expect(failed.audit.at(-1).reason).toContain('helm upgrade timed out');

    const b = await approvedChange();
    await ci({ changeRequest: b, event: 'deployed' });
    await ci({ changeRequest: b, event: 'rolled_back', description: 'error rate 7%' });
    await settled();
    expect((await get(b)).state).toBe('rolled_back');
  });
});

describe('Rule: a redelivery, even five at once, has one effect and gets the first answer', () => {
  it('five concurrent deliveries of one webhook-id: one deployed entry, five equal answers', async () => {
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'started' });
    await settled();
    const body = JSON.stringify({ changeRequest: id, event: 'deployed', commit: 'def456' });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => ci(body, { id: 'msg_same_delivery' })));
    await settled();
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(answers.filter((a) => a.headers.get('x-changeflow-duplicate') === 'true')).toHaveLength(4);
    const cr = await get(id);
    expect(cr.state).toBe('monitoring');
    expect(cr.audit.filter((e: { action: string }) => e.action === 'deployed')).toHaveLength(1);
    expect((await deliveriesList()).filter((d) => d.key === 'ci:msg_same_delivery')).toHaveLength(1);
  });

  it('a replay of a webhook-id with another body gets the first answer and does nothing', async () => {
    const id = await approvedChange();
    const first = await ci({ changeRequest: id, event: 'started' }, { id: 'msg_replayed' });
    await settled();
    const replay = await ci({ changeRequest: id, event: 'failed' }, { id: 'msg_replayed' });
    await settled();
    expect(replay.body).toEqual(first.body);
    expect((await get(id)).state).toBe('in_progress');
  });
});

describe('Rule: only a delivery signed with a configured secret, within five minutes, is taken', () => {
  it('a forged, a stale and an unsigned delivery are refused (401) and nothing is kept', async () => {
    const id = await approvedChange();
    const forged = await ci({ changeRequest: id, event: 'started' }, { secret: `whsec_${Buffer.from('not a secret anybody configured.').toString('base64')}` });
    expect(forged.status).toBe(401);
    expect(forged.body.message).toContain('webhook-signature does not match');
    const stale = await ci({ changeRequest: id, event: 'started' }, { at: now - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.body.message).toMatch(/webhook-timestamp is 360 s from now/);
    const unsigned = await api.call('POST', '/webhooks/ci', { as: null, body: { changeRequest: id, event: 'started' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toContain('webhook-id, webhook-timestamp, webhook-signature missing');
    await settled();
    expect((await get(id)).state).toBe('approved');
  });

  it('the old secret still signs during a rotation', async () => {
    const id = await approvedChange();
    const res = await ci({ changeRequest: id, event: 'started' }, { secret: CI_OLD });
    expect(res.status, res.text).toBe(202);
  });

  it('GitHub: a wrong secret or no signature is refused; GitLab: a wrong token is refused; PagerDuty: no matching v1 is refused', async () => {
    expect((await github('ping', { zen: 'Keep it logically awesome.' }, { secret: 'a-different-github-secret' })).status).toBe(401);
    const unsigned = await api.call('POST', '/webhooks/github', { as: null, body: {}, headers: { 'x-github-event': 'ping', 'x-github-delivery': 'x' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toContain('X-Hub-Signature-256 is missing');
    expect((await gitlab('Push Hook', {}, 'not-the-token-at-all')).status).toBe(401);
    expect((await pagerduty({ event: {} }, 'not-the-pagerduty-secret')).status).toBe(401);
  });
});

describe('Rule: bad input gets a clear answer and changes nothing', () => {
  it('malformed JSON, a body without its event, a smoke test without status, an oversize body', async () => {
    const bad = await ci('{"changeRequest": ');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ path: 'body' });
    const noEvent = await ci({ changeRequest: 'CR-2027-03-15-001' });
    expect(noEvent.status).toBe(400);
    expect(noEvent.body.issues.map((i: { path: string }) => i.path)).toContain('body.event');
    const noStatus = await ci({ changeRequest: 'CR-2027-03-15-001', event: 'smoke_tests' });
    expect(noStatus.status).toBe(400);
    expect(noStatus.body.issues[0]).toMatchObject({ path: 'body.status', message: expect.stringContaining('passed or failed') });
    const huge = await ci({ changeRequest: 'CR-2027-03-15-001', event: 'started', description: 'x'.repeat(3 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('GitLab: an event ChangeFlow does not act on is answered 200 (GitLab disables hooks on 4xx) and kept as ignored', async () => {
    const res = await gitlab('Push Hook', { object_kind: 'push' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored', summary: expect.stringContaining('Push Hook') });
    const ping = await github('ping', { zen: 'Design for failure.' });
    expect(ping.status).toBe(200);
  });

  it('the deliveries list is for admins', async () => {
    expect((await api.call('GET', '/webhooks/deliveries', { as: 'alice' })).status).toBe(403);
    expect((await api.call('GET', '/webhooks/deliveries?limit=0', { as: 'ada' })).body.issues[0].path).toBe('query.limit');
  });
});

describe('Rule: a production deployment no approved change covers is an unauthorized change', () => {
  it('naming no change: kept as unauthorized; naming a change still pending: recorded against it with the reason', async () => {
    const none = await ci({ event: 'deployed', environment: 'production', commit: 'f00' });
    expect(none.status).toBe(202);
    await settled();
    const kept = (await deliveriesList()).find((d) => d.key === `ci:msg_${deliveries}`);
    expect(kept).toMatchObject({ status: 'unauthorized', outcome: expect.stringContaining('names no change request') });
    // counted for the reports, once per deployment: a second delivery of the same run adds nothing
    await ci({ event: 'deployed', environment: 'production', commit: 'f00', deployment: 'run-f00' });
    await ci({ event: 'started', environment: 'production', commit: 'f00', deployment: 'run-f00' });
    await settled();
    const listed = await call(
      'GET',
      `/webhooks/unauthorized?from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 1000).toISOString()}`,
      'alice',
    );
    expect(listed.items.filter((u: { commit?: string }) => u.commit === 'f00')).toHaveLength(2);
    expect(listed.items.find((u: { deployment?: string }) => u.deployment === 'run-f00')).toMatchObject({
      source: 'ci',
      environment: 'production',
      reasons: ['it names no change request'],
    });
    expect((await api.call('GET', '/webhooks/unauthorized?from=yesterday', { as: 'alice' })).body.issues[0]).toMatchObject({ path: 'query.from' });

    now = Date.parse('2027-03-15T14:00:00.000Z');
    const pending = completeContent('normal');
    pending.plannedWindow = { start: '2028-03-14T15:00:00Z', end: '2028-03-14T16:00:00Z' };
    const cr = await call('POST', '/changes', 'alice', pending, 201);
    await call('POST', `/changes/${cr.id}/submit`, 'alice');
    await api.waitFor(cr.id, routed);
    await ci({ changeRequest: cr.id, event: 'started' });
    await settled();
    const after = await get(cr.id);
    expect(after.state).toBe('pending_approval');
    expect(after.audit.at(-1)).toMatchObject({ action: 'unauthorized-deployment', detail: { reasons: ['it is pending approval, not approved'] } });
    expect(after.deployments.at(-1)).toMatchObject({ authorized: false, step: 'started' });
  });

  it('a staging deployment naming no change is not one', async () => {
    await ci({ event: 'deployed', environment: 'staging' });
    await settled();
    expect((await deliveriesList()).find((d) => d.key === `ci:msg_${deliveries}`)?.status).toBe('processed');
  });

  it('an approved change deployed outside its window: the gate denies, recorded against it with the gate’s reasons', async () => {
    const id = await approvedChange();
    now = windowStart + 3 * 3_600_000; // the window ended
    await ci({ changeRequest: id, event: 'started' });
    await settled();
    const cr = await get(id);
    expect(cr.state).toBe('approved');
    expect(cr.audit.at(-1).action).toBe('unauthorized-deployment');
    expect(cr.audit.at(-1).detail.reasons.join(' ')).toMatch(/window/);
  });
});

describe('Rule: GitHub deployments, as GitHub sends them, move the change they name', () => {
  const example = (name: string, state?: string) => {
    const all = WEBHOOKS as unknown as { name: string; examples: Record<string, any>[] }[];
    const found = all.find((d) => d.name === name)!.examples.find((e) => !state || e.deployment_status?.state === state)!;
    return structuredClone(found);
  };
  it('deployment_status in_progress then success, the CR id in the deployment payload: in progress, then monitoring', async () => {
    const id = await approvedChange();
    const progress = example('deployment_status', 'in_progress');
    progress.deployment.payload = { changeRequest: id };
    progress.deployment.environment = 'production';
    progress.deployment_status.environment = 'production';
    delete progress.deployment.production_environment;
    expect((await github('deployment_status', progress)).status).toBe(202);
    await settled();
    expect((await get(id)).state).toBe('in_progress');
    const success = example('deployment_status', 'success');
    success.deployment.ref = `release/${id}`;
    const res = await github('deployment_status', success);
    expect(res.body).toMatchObject({ status: 'accepted', changeId: id });
    await settled();
    const cr = await get(id);
    expect(cr.state).toBe('monitoring');
    expect(cr.audit.at(-1)).toMatchObject({ action: 'deployed', actor: { id: 'pipeline:github', name: 'GitHub (Codertocat/Hello-World)' } });
  });
});

describe('Rule: GitLab deployment hooks move the change they name', () => {
  it('running then success, the CR id in the commit title', async () => {
    const id = await approvedChange();
    const hook = (status: string) => ({
      object_kind: 'deployment',
      status,
      status_changed_at: '2027-03-16 11:05:00 -0400',
      deployment_id: 15,
      deployable_id: 796,
      deployable_url: 'https://gitlab.example.com/acme/api/-/jobs/796',
      environment: 'production',
      environment_tier: 'production',
      project: { id: 30, path_with_namespace: 'acme/api', web_url: 'https://gitlab.example.com/acme/api' },
      short_sha: '279484c0',
      user: { id: 1, name: 'Administrator', username: 'root' },
      commit_url: 'https://gitlab.example.com/acme/api/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468',
      commit_title: `Upgrade Node (${id})`,
    });
    expect((await gitlab('Deployment Hook', hook('running'))).status).toBe(202);
    await settled();
    expect((await get(id)).state).toBe('in_progress');
    await gitlab('Deployment Hook', hook('success'));
    await settled();
    const cr = await get(id);
    expect(cr.state).toBe('monitoring');
    expect(cr.deployments.at(-1)).toMatchObject({
      source: 'gitlab',
      commit: '279484c09fbe69ededfced8c1bb6e6d24616b468',
      deployment: 'acme/api/deployments/15',
    });
  });
});

describe('Rule: a severe PagerDuty incident drafts an emergency change and alerts the monitoring periods it may come from', () => {
  it('P1 on a mapped service: a critical alert for the change monitoring API Server, a drafted emergency change; resolved: time to restore', async () => {
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed' });
    await settled();
    expect((await get(id)).state).toBe('monitoring');
    const triggeredAt = new Date(now + 30_000).toISOString();
    const incident = (type: string, occurredAt: string) => ({
      event: {
        id: `evt-${type}`,
        event_type: type,
        resource_type: 'incident',
        occurred_at: occurredAt,
        agent: null,
        client: null,
        data: {
          id: 'PGR0VU2',
          type: 'incident',
          number: 2,
          title: 'Payments API 5xx',
          status: type === 'incident.resolved' ? 'resolved' : 'triggered',
          urgency: 'high',
          priority: { id: 'PSO75BM', summary: 'P1', type: 'priority_reference' },
          service: { id: 'PF9KMXH', summary: 'API Service', type: 'service_reference' },
          html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
          created_at: triggeredAt,
        },
      },
    });
    const res = await pagerduty(incident('incident.triggered', triggeredAt));
    expect(res.status, res.text).toBe(202);
    await settled();
    const linked = await get(id);
    expect(linked.incidents).toEqual([expect.objectContaining({ id: 'PGR0VU2', relation: 'caused-by-candidate' })]);
    // the critical alert is judged when its interval ends: a rollback trigger
    now += 61_000;
    await api.waitFor(id, (cr) => cr.state === 'rolling_back', 'rolling_back', 15_000);

    const kept = (await deliveriesList()).find((d) => d.key === `pagerduty:pd-${deliveries}`)!;
    const draft = await get(kept.changeId!);
    expect(draft).toMatchObject({
      state: 'draft',
      requestor: { id: 'oscar' },
      content: { category: 'emergency', description: { components: ['API Server'] } },
    });
    expect(draft.content.incident.reference).toBe('PagerDuty #2');

    const resolvedAt = new Date(Date.parse(triggeredAt) + 42 * 60_000).toISOString();
    await pagerduty(incident('incident.resolved', resolvedAt));
    await settled();
    expect((await get(kept.changeId!)).incidents[0]).toMatchObject({ resolvedAt, minutesToRestore: 42 });
    expect((await get(id)).incidents[0]).toMatchObject({ minutesToRestore: 42 });

    // a person's word on the suggestion: a stranger may not give it; the requestor confirms it, once
    const path = `/changes/${id}/incidents/PGR0VU2`;
    expect((await api.call('POST', path, { as: 'bob', body: { decision: 'confirm', reason: 'the 5xx started with the deploy' } })).status).toBe(403);
    expect((await api.call('POST', path, { as: 'alice', body: { decision: 'confirm', reason: 'short' } })).body.issues[0]).toMatchObject({
      path: 'body.reason',
    });
    expect(
      (await api.call('POST', `/changes/${id}/incidents/PNOPE01`, { as: 'alice', body: { decision: 'dismiss', reason: 'not ours, a provider outage' } }))
        .status,
    ).toBe(404);
    const confirmed = await api.call('POST', path, { as: 'alice', body: { decision: 'confirm', reason: 'the 5xx started with the deploy' } });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.incidents[0]).toMatchObject({ relation: 'caused-by', decidedBy: 'alice' });
    expect(confirmed.body.audit.at(-1)).toMatchObject({ action: 'incident-confirmed' });
    expect((await api.call('POST', path, { as: 'alice', body: { decision: 'dismiss', reason: 'changed my mind about it' } })).status).toBe(409);
  });
});
