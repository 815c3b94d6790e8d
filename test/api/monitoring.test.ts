/**
 * The monitoring period on the local runtime: a deployment starts the monitoring workflow (the same
 * ASL Step Functions runs), evidence is pushed over HTTP, each interval is judged once it has ended,
 * and the period passes, fires a rollback trigger, or ends without passing for a person to decide.
 * A 5-minute period of 60-second intervals, on a clock the test moves; Wait states compressed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER_OF, completeContent, healthySample } from '../fixtures.js';
import { MANUAL_ITEMS } from './deliveries.js';
import { routed, startApi, type Api, type Who } from './harness.js';

const WINDOW_START = Date.parse('2027-03-16T15:05:00.000Z'); // inside the fixture's planned window
let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
const at = (deployedAt: number, seconds: number) => new Date(deployedAt + seconds * 1000).toISOString();
let api: Api;

beforeAll(async () => {
  api = await startApi(
    { MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5', MONITORING_INTERVAL_SECONDS: '60', ROLLBACK_REPORT_TIMEOUT_MINUTES: '10' },
    // a 60 s interval waits 30 ms
    { clock, workflowWaitScale: 5e-4 },
  );
});
afterAll(() => api?.stop());
beforeEach(() => {
  now = Date.parse('2027-03-15T14:00:00.000Z');
});

const MANUAL = MANUAL_ITEMS;

async function call(method: string, path: string, as: Who, body?: object, status = 200) {
  const res = await api.call(method, path, { as, body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res.body;
}

const APPROVER: Record<string, Who> = APPROVER_OF;

/** A planned change approved (each required slot by its approver), checked, started in its window and deployed. */
async function deployedPlanned(category: 'standard' | 'normal' | 'major' = 'normal') {
  now = Date.parse('2027-03-15T14:00:00.000Z');
  const risk = category === 'standard' ? ({ likelihood: 'low', impact: 'low' } as const) : undefined;
  const cr = await call('POST', '/changes', 'alice', completeContent(category, risk), 201);
  await call('POST', `/changes/${cr.id}/submit`, 'alice');
  const routedCr = await api.waitFor(cr.id, routed);
  for (const slot of routedCr.state === 'approved' ? [] : routedCr.requiredApprovals.slots) {
    await call('POST', `/changes/${cr.id}/approve`, APPROVER[slot.slot]!, { revision: 1 });
  }
  await call('POST', `/changes/${cr.id}/checklist`, 'oscar', { tick: MANUAL });
  now = Date.parse('2027-03-16T14:05:00.000Z'); // T-55m: the notice that ticks "stakeholders notified"
  await api.system.jobs.TimelineNotifications!();
  now = WINDOW_START;
  await call('POST', `/changes/${cr.id}/start`, 'oscar');
  const deployed = await call('POST', `/changes/${cr.id}/deployed`, 'oscar');
  expect(deployed.state).toBe('monitoring');
  return { id: cr.id as string, deployedAt: now };
}

/** An emergency change, declared by on-call (it starts at once), then deployed. */
async function deployedEmergency() {
  now = WINDOW_START;
  const cr = await call('POST', '/changes', 'oscar', completeContent('emergency'), 201);
  expect(cr.state).toBe('in_progress');
  const deployed = await call('POST', `/changes/${cr.id}/deployed`, 'oscar');
  expect(deployed.state).toBe('monitoring');
  return { id: cr.id as string, deployedAt: now };
}

const healthy = healthySample;

const actions = (cr: { audit: { action: string }[] }) => cr.audit.map((a) => a.action);

describe('Rule: a healthy deployment with every criterion confirmed completes when its period has passed', () => {
  it.each(['standard', 'normal', 'major'] as const)(
    '%s: five healthy intervals, smoke tests and both written criteria confirmed: completed by the system',
    async (category) => {
      const { id, deployedAt } = await deployedPlanned(category);
      const receipt = await call(
        'POST',
        `/changes/${id}/metrics`,
        'oscar',
        {
          samples: [0, 1, 2, 3, 4].map((i) => healthy(deployedAt, i)),
          smokeTests: 'passed',
          criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' },
        },
        202,
      );
      expect(receipt).toMatchObject({ samples: 5, reports: 3, verdict: 'watching' });
      // before the end: still watching, however good it looks
      now = deployedAt + 3 * 60_000 + 1000;
      await api.waitFor(id, () => true);
      expect((await call('GET', `/changes/${id}/monitoring`, 'alice')).verdict).toBe('watching');
      now = deployedAt + 5 * 60_000 + 1000;
      const done = await api.waitFor(id, (cr) => cr.state === 'completed', 'completed', 15_000);
      expect(done.audit.at(-1)).toMatchObject({ action: 'complete', actor: { id: 'system' }, detail: { verdict: 'passed' } });
      const view = await call('GET', `/changes/${id}/monitoring`, 'alice');
      expect(view.verdict).toBe('passed');
      const errorRate = view.criteria.find((c: { id: string }) => c.id === 'error-rate');
      expect(errorRate.measurements.map((m: { outcome: string }) => m.outcome)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    },
  );
});

describe('Rule: a rollback trigger moves the change to rolling_back; the rollback is reported, or escalated', () => {
  it('an error rate of 7.2% two intervals in a row requests the rollback; reporting it rolls the change back', async () => {
    const { id, deployedAt } = await deployedEmergency();
    await call(
      'POST',
      `/changes/${id}/metrics`,
      'oscar',
      {
        samples: [0, 1].map((i) => ({ ...healthy(deployedAt, i), errorRatePercent: 7.2 })),
      },
      202,
    );
    now = deployedAt + 2 * 60_000 + 1000;
    const rolling = await api.waitFor(id, (cr) => cr.state === 'rolling_back', 'rolling_back', 15_000);
    expect(rolling.audit.at(-1)).toMatchObject({
      action: 'rollback-requested',
      actor: { id: 'system' },
      detail: { fired: ['error-rate'], verdict: 'trigger' },
    });
    expect(rolling.audit.at(-1).reason).toContain('Error rate > 5%: breached 2 of 2 in a row (2 fire it): 7.2% > 5%');
    // the implementer (on-call here) is told to roll back, with the plan and how to report it
    await api.system.events.idle();
    const mail = (await api.system.mail.messages()).filter((m) => m.subject === `Roll back ${id} now: ${completeContent('emergency').title}`);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toContain('oscar@example.com');
    expect(mail[0]!.text).toContain(`/changes/${id}/rollback`);
    const done = await call('POST', `/changes/${id}/rollback`, 'oscar', { reason: 'previous image redeployed' });
    expect(done.state).toBe('rolled_back');
  });

  it('a rollback not reported within ROLLBACK_REPORT_TIMEOUT_MINUTES is escalated once', async () => {
    const { id, deployedAt } = await deployedEmergency();
    await call('POST', `/changes/${id}/metrics`, 'oscar', { samples: [{ ...healthy(deployedAt, 0), criticalAlerts: 2 }] }, 202);
    now = deployedAt + 60_000 + 1000;
    await api.waitFor(id, (cr) => cr.state === 'rolling_back', 'rolling_back', 15_000);
    now = deployedAt + 12 * 60_000;
    const overdue = await api.waitFor(id, (cr) => actions(cr).includes('rollback-overdue'), 'rollback-overdue', 15_000);
    expect(actions(overdue).filter((a) => a === 'rollback-overdue')).toHaveLength(1);
    expect(overdue.state).toBe('rolling_back');
  });
});

describe('Rule: a baseline already breaching before the deployment is flagged at once, for the implementer to acknowledge', () => {
  it('an error rate of 6% in the minute before the deployment: BaselineUnhealthy in the trail, then acknowledged', async () => {
    now = WINDOW_START;
    const cr = await call('POST', '/changes', 'oscar', completeContent('emergency'), 201);
    // the pipeline's numbers from before the deployment
    await call('POST', `/changes/${cr.id}/metrics`, 'oscar', { samples: [{ ...healthy(WINDOW_START, 0), errorRatePercent: 6 }] }, 202);
    now = WINDOW_START + 60_000;
    const deployed = await call('POST', `/changes/${cr.id}/deployed`, 'oscar');
    const flagged = await api.waitFor(cr.id, (c) => Boolean(c.monitoring?.baseline), 'the baseline flag', 15_000);
    expect(flagged.monitoring.baseline.findings).toEqual(['Error rate > 5%: 6% > 5%']);
    expect(actions(flagged)).toContain('baseline-unhealthy');
    expect(deployed.state).toBe('monitoring');
    const acknowledged = await call('POST', `/changes/${cr.id}/verdict`, 'oscar', {
      decision: 'acknowledge',
      reason: 'the 5xx spike is the incident this fixes',
    });
    expect(acknowledged.monitoring.baseline.acknowledgedBy).toBe('oscar');
  });
});

describe('Rule: each trigger fires on the local runtime, on the last interval too', () => {
  it('database errors on two intervals in a row request the rollback', async () => {
    const { id, deployedAt } = await deployedEmergency();
    await call('POST', `/changes/${id}/metrics`, 'oscar', { samples: [0, 1].map((i) => ({ ...healthy(deployedAt, i), databaseErrors: 4 })) }, 202);
    now = deployedAt + 2 * 60_000 + 1000;
    const rolling = await api.waitFor(id, (cr) => cr.state === 'rolling_back', 'rolling_back', 15_000);
    expect(rolling.monitoring.fired).toEqual(['database-errors']);
  });

  it('an Other trigger of the template fires when someone reports it', async () => {
    now = WINDOW_START;
    const content = completeContent('emergency');
    content.rollback = { ...content.rollback!, otherTriggers: ['Checkout complaints in the support queue'] };
    const cr = await call('POST', '/changes', 'oscar', content, 201);
    await call('POST', `/changes/${cr.id}/deployed`, 'oscar');
    const deployedAt = now;
    await call(
      'POST',
      `/changes/${cr.id}/metrics`,
      'oscar',
      { samples: [healthy(deployedAt, 0)], criteria: { 'other:checkout-complaints-in-the-support-queue': 'fail' } },
      202,
    );
    now = deployedAt + 60_000 + 1000;
    const rolling = await api.waitFor(cr.id, (c) => c.state === 'rolling_back', 'rolling_back', 15_000);
    expect(rolling.monitoring.fired).toEqual(['other:checkout-complaints-in-the-support-queue']);
  });

  it('a trigger on the last two intervals wins over the end of the period', async () => {
    const { id, deployedAt } = await deployedEmergency();
    await call(
      'POST',
      `/changes/${id}/metrics`,
      'oscar',
      {
        samples: [0, 1, 2, 3, 4].map((i) => ({ ...healthy(deployedAt, i), errorRatePercent: i >= 3 ? 6.5 : 0.4 })),
        smokeTests: 'passed',
        criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' },
      },
      202,
    );
    now = deployedAt + 5 * 60_000 + 1000;
    const rolling = await api.waitFor(id, (cr) => cr.state === 'rolling_back', 'rolling_back', 15_000);
    expect(rolling.monitoring.verdict).toBe('trigger');
  });
});

describe('Rule: too little traffic, or an unreadable provider, is never a pass', () => {
  it('twelve requests an interval: LOW_VOLUME throughout, the period ends inconclusive', async () => {
    const { id, deployedAt } = await deployedEmergency();
    await call(
      'POST',
      `/changes/${id}/metrics`,
      'oscar',
      { samples: [0, 1, 2, 3, 4].map((i) => ({ ...healthy(deployedAt, i), requests: 12 })), smokeTests: 'passed' },
      202,
    );
    now = deployedAt + 5 * 60_000 + 1000;
    const ended = await api.waitFor(id, (cr) => cr.monitoring?.verdict !== 'watching', 'a verdict', 15_000);
    expect(ended.monitoring.verdict).toBe('inconclusive');
    const view = await call('GET', `/changes/${id}/monitoring`, 'alice');
    const rate = view.criteria.find((c: { id: string }) => c.id === 'success:error-rate');
    expect(rate.measurements.map((m: { outcome: string }) => m.outcome)).toEqual(['LOW_VOLUME', 'LOW_VOLUME', 'LOW_VOLUME', 'LOW_VOLUME', 'LOW_VOLUME']);
  });
});

describe('Rule: no data is never a pass; a person decides', () => {
  it('a period without a single sample ends inconclusive; complete is refused; an approver passes it; it completes', async () => {
    const { id, deployedAt } = await deployedEmergency();
    now = deployedAt + 5 * 60_000 + 1000;
    const ended = await api.waitFor(id, (cr) => cr.monitoring?.verdict === 'inconclusive', 'inconclusive', 15_000);
    expect(ended.state).toBe('monitoring');
    expect(ended.audit.at(-1)).toMatchObject({ action: 'monitoring-verdict', detail: { verdict: 'inconclusive' } });
    const refused = await api.call('POST', `/changes/${id}/complete`, { as: 'oscar', body: { postIncidentReview: 'PIR-1' } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/has not passed \(verdict inconclusive\)/);
    // the deployer may not pass it; an eng manager who neither filed nor deployed it may
    expect((await api.call('POST', `/changes/${id}/verdict`, { as: 'oscar', body: { decision: 'pass', reason: 'looked fine' } })).status).toBe(403);
    await call('POST', `/changes/${id}/verdict`, 'erin', { decision: 'pass', reason: 'no traffic at night; the smoke test in staging passed' });
    const closed = await call('POST', `/changes/${id}/complete`, 'oscar', { postIncidentReview: 'PIR-2027-03' });
    expect(closed.state).toBe('completed');
  });

  it('an extension after an inconclusive end starts the period again and judges what arrives; half a period of evidence is still not a pass', async () => {
    const { id, deployedAt } = await deployedEmergency();
    now = deployedAt + 5 * 60_000 + 1000;
    await api.waitFor(id, (cr) => cr.monitoring?.verdict === 'inconclusive', 'inconclusive', 15_000);
    await call('POST', `/changes/${id}/verdict`, 'oscar', { decision: 'extend', minutes: 5, reason: 'the pipeline was not pushing metrics yet' });
    // samples for the five intervals of the extension, and the smoke tests
    await call('POST', `/changes/${id}/metrics`, 'oscar', { samples: [5, 6, 7, 8, 9].map((i) => healthy(deployedAt, i)), smokeTests: 'passed' }, 202);
    now = deployedAt + 10 * 60_000 + 1000;
    const after = await api.waitFor(
      id,
      (cr) => cr.monitoring?.verdict !== 'watching' && actions(cr).filter((a) => a === 'monitoring-verdict').length >= 2,
      'a second verdict',
      15_000,
    );
    // half of the ten intervals had no data: still not a pass
    expect(after.monitoring.verdict).toBe('inconclusive');
    expect(after.monitoring.reasons.join(' ')).toMatch(/judged on 5 of 10 intervals/);
  });
});

describe('Rule: evidence that cannot be taken is refused, naming the field, and changes nothing', () => {
  let id: string;
  let deployedAt: number;
  beforeAll(async () => {
    ({ id, deployedAt } = await deployedEmergency());
  });

  it.each([
    ['no evidence at all', {}, 'body'],
    ['an error rate above 100%', { samples: [{ at: '2027-03-16T15:05:30Z', errorRatePercent: 140 }] }, 'body.samples.0.errorRatePercent'],
    ['a time without an offset', { samples: [{ at: '2027-03-16 15:05', requests: 10 }] }, 'body.samples.0.at'],
    ['an unknown field', { samples: [{ at: '2027-03-16T15:05:30Z', latency: 3 }] }, 'body.samples.0'],
    ['a criterion that is not one', { criteria: { 'criterion:does-not-exist': 'pass' } }, 'body.criteria.criterion:does-not-exist'],
  ])('%s → 400 naming %s', async (_what, body, path) => {
    now = deployedAt;
    const res = await api.call('POST', `/changes/${id}/metrics`, { as: 'oscar', body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('a sample stamped an hour ahead of the clock → 400 saying it has not happened', async () => {
    now = deployedAt;
    const res = await api.call('POST', `/changes/${id}/metrics`, { as: 'oscar', body: { samples: [{ at: at(deployedAt, 3600), requests: 10 }] } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/later than now/);
  });

  it.each([
    ['a decision that is not one', { decision: 'maybe', reason: 'x' }, 'body.decision'],
    ['an extension of 0 minutes', { decision: 'extend', minutes: 0, reason: 'x' }, 'body.minutes'],
    ['a decision without a reason', { decision: 'extend', minutes: 5 }, 'body.reason'],
  ])('verdict with %s → 400 naming %s, and the period is unchanged', async (_what, body, path) => {
    const before = await call('GET', `/changes/${id}`, 'oscar');
    const res = await api.call('POST', `/changes/${id}/verdict`, { as: 'oscar', body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect((await call('GET', `/changes/${id}`, 'oscar')).version).toBe(before.version);
  });

  it('the monitoring view of an id that is not one is a 400; of a change that does not exist, a 404', async () => {
    expect((await api.call('GET', '/changes/not-a-change/monitoring')).status).toBe(400);
    expect((await api.call('GET', '/changes/CR-2020-01-01-999/monitoring')).status).toBe(404);
  });

  it('a change that is not deployed or in progress takes no evidence (409)', async () => {
    const draft = await call('POST', '/changes', 'alice', completeContent(), 201);
    const res = await api.call('POST', `/changes/${draft.id}/metrics`, { as: 'alice', body: { smokeTests: 'passed' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/takes no monitoring evidence/);
  });
});

describe('Rule: the flow reads a Prometheus-compatible server each interval, beside what is pushed', () => {
  let prom: Server;
  let promApi: Api;
  const asked: string[] = [];
  let failing = false;
  beforeAll(async () => {
    prom = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      asked.push(query);
      if (failing) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries' }));
        return;
      }
      const value = query.startsWith('sum(rate(http_errors') ? '9.5' : query.startsWith('sum(increase(http_requests') ? '1000' : '7';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] } }));
    });
    await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
    const queries = {
      'API Server': {
        requests: 'sum(increase(http_requests_total{job="api"}[$window]))',
        errorRatePercent: 'sum(rate(http_errors_total{job="api"}[$window])) / sum(rate(http_requests_total{job="api"}[$window])) * 100',
        p95LatencyMs: 'histogram_quantile(0.95, sum by (le) (rate(http_duration_ms_bucket{job="api"}[$window])))',
      },
    };
    promApi = await startApi(
      {
        MONITORING_MINUTES: 'emergency=5',
        MONITORING_INTERVAL_SECONDS: '60',
        PROMETHEUS_URL: `http://127.0.0.1:${(prom.address() as AddressInfo).port}`,
        PROMETHEUS_QUERIES: JSON.stringify(queries),
      },
      { clock, workflowWaitScale: 5e-4 },
    );
  });
  afterAll(async () => {
    await promApi?.stop();
    await new Promise((r) => prom.close(r));
  });

  it('a Prometheus that answers 503 on every interval: ERROR each time, and the period ends errored, not passed', async () => {
    failing = true;
    try {
      now = WINDOW_START;
      const cr = (await promApi.call('POST', '/changes', { as: 'oscar', body: completeContent('emergency') })).body;
      expect((await promApi.call('POST', `/changes/${cr.id}/deployed`, { as: 'oscar' })).status).toBe(200);
      now += 5 * 60_000 + 1000;
      const ended = await promApi.waitFor(cr.id, (c) => c.monitoring?.verdict !== 'watching', 'a verdict', 15_000);
      expect(ended.monitoring.verdict).toBe('errored');
      expect(ended.monitoring.reasons[0]).toMatch(/could not be read .*prometheus: API Server requests: answered 503 unavailable/);
    } finally {
      failing = false;
    }
  });

  it('an error rate of 9.5% from Prometheus on two intervals requests the rollback; each measurement keeps its resolved query', async () => {
    now = WINDOW_START;
    const cr = (await promApi.call('POST', '/changes', { as: 'oscar', body: completeContent('emergency') })).body;
    const deployed = await promApi.call('POST', `/changes/${cr.id}/deployed`, { as: 'oscar' });
    expect(deployed.status, deployed.text).toBe(200);
    now += 2 * 60_000 + 1000;
    await promApi.waitFor(cr.id, (c) => c.state === 'rolling_back', 'rolling_back', 15_000);
    const view = (await promApi.call('GET', `/changes/${cr.id}/monitoring`)).body;
    const errorRate = view.criteria.find((c: { id: string }) => c.id === 'error-rate');
    expect(errorRate.measurements.map((m: { outcome: string }) => m.outcome)).toEqual(['BREACH', 'BREACH']);
    expect(errorRate.measurements[0]).toMatchObject({
      value: 9.5,
      requests: 1000,
      source: 'prometheus',
      query: 'sum(rate(http_errors_total{job="api"}[60s])) / sum(rate(http_requests_total{job="api"}[60s])) * 100',
    });
    expect(asked.some((q) => q.includes('[$window]'))).toBe(false);
  });
});
