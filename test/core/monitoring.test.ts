import { describe, expect, it } from 'vitest';
import type { ChangeContent } from '../../functions/core/change-request.js';
import {
  baselineFindings,
  DEFAULT_MONITORING_SETTINGS,
  type IntervalEvidence,
  intervalAt,
  judge,
  type Measurement,
  measure,
  monitoringPlan,
  type MonitoringPlan,
  type Report,
  type Sample,
} from '../../functions/core/monitoring.js';
import { completeContent } from '../fixtures.js';

const DEPLOYED = '2026-12-02T10:00:00.000Z';

// the fixture's change touches the API Server and writes two success criteria of its own
const content = (over: Partial<ChangeContent> = {}): ChangeContent => {
  const base = completeContent('normal');
  return { ...base, testing: { ...base.testing, successCriteria: [] }, ...over };
};
const planFor = (c: ChangeContent, settings = DEFAULT_MONITORING_SETTINGS) => monitoringPlan(c, settings);
const criterion = (plan: MonitoringPlan, id: string) => {
  const found = plan.criteria.find((c) => c.id === id);
  if (!found) throw new Error(`no criterion ${id} in ${plan.criteria.map((c) => c.id).join(', ')}`);
  return found;
};

const evidence = (index: number, samples: Sample[], reports: Report[] = [], providerError?: string): IntervalEvidence => ({
  ...intervalAt(DEPLOYED, 60, index),
  samples,
  reports,
  providerError,
});
const healthy = (index: number): Sample => ({
  at: intervalAt(DEPLOYED, 60, index).from,
  requests: 1200,
  errorRatePercent: 0.4,
  p95LatencyMs: 8.1,
  databaseErrors: 0,
  criticalAlerts: 0,
});

/** Every criterion of the plan measured on each interval, from what `at(i)` gives. */
function run(plan: MonitoringPlan, intervals: number, at: (i: number) => IntervalEvidence): Measurement[] {
  const out: Measurement[] = [];
  for (let i = 0; i < intervals; i++) for (const c of plan.criteria) out.push(measure(c, at(i)));
  return out;
}

const confirmed: Report[] = [{ at: '2026-12-02T10:05:00.000Z', criterion: 'smoke-tests', result: 'pass', by: 'pipeline' }];

describe('Rule: what is judged comes from the seed and the change’s own template', () => {
  it('a normal change on two components: the seed’s triggers and criteria, its Other trigger, its written criterion, an SLA per component', () => {
    const c = content({
      description: { ...completeContent().description, components: ['API Server', 'Database'] },
      rollback: { ...completeContent().rollback, otherTriggers: ['Customer complaints spike'] },
      testing: { ...completeContent().testing, successCriteria: ['Checkout completes end to end'] },
    });
    const plan = planFor(c, { ...DEFAULT_MONITORING_SETTINGS, slaMs: { Database: 25 } });
    expect(plan.minutes).toBe(60);
    expect(plan.criteria.map((x) => x.id)).toEqual([
      'error-rate',
      'database-errors',
      'critical-alerts',
      'other:customer-complaints-spike',
      'success:error-rate',
      'success:p95-latency:api-server',
      'success:p95-latency:database',
      'success:critical-alerts',
      'smoke-tests',
      'criterion:checkout-completes-end-to-end',
    ]);
    expect(criterion(plan, 'success:p95-latency:api-server').threshold).toBe(10);
    expect(criterion(plan, 'success:p95-latency:database').threshold).toBe(25);
    expect(criterion(plan, 'critical-alerts').consecutive).toBe(1);
    expect(criterion(plan, 'error-rate').consecutive).toBe(2);
  });

  it.each([
    ['standard', 15],
    ['normal', 60],
    ['major', 240],
    ['emergency', 30],
  ] as const)('a %s change is watched for %i minutes (seed)', (category, minutes) => {
    expect(planFor({ ...completeContent(category), category }).minutes).toBe(minutes);
  });
});

describe('Rule: one interval’s evidence becomes PASS, BREACH, NO_DATA, LOW_VOLUME or ERROR', () => {
  const plan = planFor(content());

  it('an error rate of 8% and 6% over equal traffic is 7%, a breach of the 5% trigger', () => {
    const m = measure(
      criterion(plan, 'error-rate'),
      evidence(0, [
        { at: DEPLOYED, requests: 1000, errorRatePercent: 8 },
        { at: DEPLOYED, requests: 1000, errorRatePercent: 6 },
      ]),
    );
    expect(m).toMatchObject({ outcome: 'BREACH', value: 7, requests: 2000, reason: '7% > 5%' });
  });

  it('the error rate is weighted by requests: 1% of 900 and 10% of 100 is 1.9%, under the trigger but over the 1% criterion', () => {
    const e = evidence(0, [
      { at: DEPLOYED, requests: 900, errorRatePercent: 1 },
      { at: DEPLOYED, requests: 100, errorRatePercent: 10 },
    ]);
    expect(measure(criterion(plan, 'error-rate'), e)).toMatchObject({ outcome: 'PASS', reason: '1.9% <= 5%' });
    expect(measure(criterion(plan, 'success:error-rate'), e)).toMatchObject({ outcome: 'BREACH', reason: '1.9% >= 1%' });
  });

  it('12 requests are too few to judge an error rate: LOW_VOLUME, not PASS', () => {
    const m = measure(criterion(plan, 'success:error-rate'), evidence(0, [{ at: DEPLOYED, requests: 12, errorRatePercent: 0 }]));
    expect(m.outcome).toBe('LOW_VOLUME');
    expect(m.reason).toBe('12 requests, fewer than the 50 needed to judge');
  });

  it('an error rate without a request count cannot show its volume: LOW_VOLUME', () => {
    expect(measure(criterion(plan, 'error-rate'), evidence(0, [{ at: DEPLOYED, errorRatePercent: 0.1 }])).outcome).toBe('LOW_VOLUME');
  });

  it('no samples at all is NO_DATA for every metric, the sparse counters included', () => {
    for (const id of ['error-rate', 'database-errors', 'critical-alerts', 'success:p95-latency:api-server']) {
      expect(measure(criterion(plan, id), evidence(0, [])).outcome).toBe('NO_DATA');
    }
  });

  it('samples that leave out a sparse counter count it as zero; a latency they leave out is NO_DATA', () => {
    const e = evidence(0, [{ at: DEPLOYED, requests: 500, errorRatePercent: 0.2 }]);
    expect(measure(criterion(plan, 'database-errors'), e)).toMatchObject({ outcome: 'PASS', value: 0 });
    expect(measure(criterion(plan, 'success:p95-latency:api-server'), e).outcome).toBe('NO_DATA');
  });

  it('a provider that could not be read is ERROR, with its words', () => {
    const m = measure(criterion(plan, 'error-rate'), evidence(0, [], [], 'Prometheus answered 503'));
    expect(m).toMatchObject({ outcome: 'ERROR', reason: 'the metrics could not be read: Prometheus answered 503' });
  });

  it('latency is judged per component against its SLA, on the worst p95 of the interval', () => {
    const p = planFor(content({ description: { ...completeContent().description, components: ['API Server', 'Database'] } }), {
      ...DEFAULT_MONITORING_SETTINGS,
      slaMs: { Database: 25 },
    });
    const e = evidence(0, [
      { at: DEPLOYED, component: 'API Server', requests: 600, p95LatencyMs: 7 },
      { at: DEPLOYED, component: 'API Server', requests: 600, p95LatencyMs: 9.5 },
      { at: DEPLOYED, component: 'Database', requests: 300, p95LatencyMs: 30 },
    ]);
    expect(measure(criterion(p, 'success:p95-latency:api-server'), e)).toMatchObject({ outcome: 'PASS', value: 9.5, reason: '9.5ms <= 10ms' });
    expect(measure(criterion(p, 'success:p95-latency:database'), e)).toMatchObject({ outcome: 'BREACH', value: 30, reason: '30ms > 25ms' });
  });

  it('smoke tests: not reported is NO_DATA, the latest report counts', () => {
    const smoke = criterion(plan, 'smoke-tests');
    expect(measure(smoke, evidence(0, [])).outcome).toBe('NO_DATA');
    expect(measure(smoke, evidence(0, [], confirmed)).outcome).toBe('PASS');
    const failedLater: Report[] = [...confirmed, { at: '2026-12-02T10:07:00.000Z', criterion: 'smoke-tests', result: 'fail' }];
    expect(measure(smoke, evidence(0, [], failedLater)).outcome).toBe('BREACH');
  });
});

describe('Rule: a rollback trigger fires on its breach rule; a gap in the data neither clears nor adds to it', () => {
  const plan = planFor(content());
  const rate = (pct: number | undefined) => (i: number) =>
    evidence(i, pct === undefined ? [] : [{ at: intervalAt(DEPLOYED, 60, i).from, requests: 1000, errorRatePercent: pct }]);

  it('one breach of the error rate does not fire; two in a row do', () => {
    const once = run(plan, 1, rate(7.2));
    expect(judge(plan, once, false).verdict).toBe('watching');
    const twice = run(plan, 2, rate(7.2));
    const j = judge(plan, twice, false);
    expect(j.verdict).toBe('trigger');
    expect(j.fired).toEqual(['error-rate']);
    expect(j.reasons).toEqual(['Error rate > 5%: breached 2 of 2 in a row (2 fire it): 7.2% > 5%']);
  });

  it.each([
    ['breach, no data, breach fires: the empty interval does not reset the sequence', [7, undefined, 7], 'trigger'],
    ['breach, pass, breach does not fire', [7, 0.5, 7], 'watching'],
  ] as const)('%s', (_name, pcts, verdict) => {
    const measurements = run(plan, pcts.length, (i) => rate(pcts[i])(i));
    expect(judge(plan, measurements, false).verdict).toBe(verdict);
  });

  it('database errors fire on their second interval in a row, not on the first', () => {
    const withErrors = (i: number) => evidence(i, [{ ...healthy(i), databaseErrors: 3 }]);
    expect(judge(plan, run(plan, 1, withErrors), false).verdict).toBe('watching');
    const j = judge(plan, run(plan, 2, withErrors), false);
    expect(j.fired).toEqual(['database-errors']);
    expect(j.reasons).toEqual(['Database errors: breached 2 of 2 in a row (2 fire it): 3 > 0']);
  });

  it('a critical alert fires on its first breach', () => {
    const j = judge(
      plan,
      run(plan, 1, (i) => evidence(i, [{ ...healthy(i), criticalAlerts: 1 }])),
      false,
    );
    expect(j.verdict).toBe('trigger');
    expect(j.fired).toEqual(['critical-alerts']);
  });

  it('a trigger on the last interval wins over the end of the period', () => {
    const n = 60;
    const ms = run(plan, n, (i) => (i >= n - 2 ? rate(9)(i) : evidence(i, [healthy(i)], confirmed)));
    expect(judge(plan, ms, true).verdict).toBe('trigger');
  });

  it('an Other trigger fires when someone reports it', () => {
    const p = planFor(content({ rollback: { ...completeContent().rollback, otherTriggers: ['Customer complaints spike'] } }));
    const fired: Report[] = [{ at: '2026-12-02T10:03:00.000Z', criterion: 'other:customer-complaints-spike', result: 'fail', by: 'support' }];
    const j = judge(
      p,
      run(p, 4, (i) => evidence(i, [healthy(i)], i >= 3 ? fired : [])),
      false,
    );
    expect(j.fired).toEqual(['other:customer-complaints-spike']);
  });
});

describe('Rule: a period passes only on evidence; no data is never a pass', () => {
  const plan = planFor(content());
  const n = 60; // normal: 60 minutes of 60-second intervals

  it('healthy samples on every interval and smoke tests confirmed: passed', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, [healthy(i)], confirmed)),
      true,
    );
    expect(j.verdict).toBe('passed');
  });

  it('no samples at all: inconclusive, never passed', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, [], confirmed)),
      true,
    );
    expect(j.verdict).toBe('inconclusive');
    expect(j.reasons[0]).toBe('Error rate > 5%: judged on 0 of 60 intervals, fewer than the 80% a pass needs');
  });

  it('47 of 60 intervals with data (78%) is inconclusive; 48 (80%) passes', () => {
    // the gaps come first: the period has to end on evidence
    const withData = (k: number) => (i: number) => evidence(i, i >= n - k ? [healthy(i)] : [], confirmed);
    expect(judge(plan, run(plan, n, withData(47)), true).verdict).toBe('inconclusive');
    expect(judge(plan, run(plan, n, withData(48)), true).verdict).toBe('passed');
  });

  it('low volume throughout: inconclusive', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, [{ ...healthy(i), requests: 10 }], confirmed)),
      true,
    );
    expect(j.verdict).toBe('inconclusive');
  });

  it('smoke tests never reported: inconclusive, naming them', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, [healthy(i)])),
      true,
    );
    expect(j.verdict).toBe('inconclusive');
    expect(j.reasons).toContain('Smoke tests passing: not confirmed');
  });

  it('a written success criterion must be confirmed by a person or a pipeline before the period passes', () => {
    const p = planFor(completeContent('normal')); // writes "Error rate below 1%" and "p95 latency under 10 ms"
    const healthyRun = (reports: Report[]) => run(p, n, (i) => evidence(i, [healthy(i)], reports));
    const unconfirmed = judge(p, healthyRun(confirmed), true);
    expect(unconfirmed.verdict).toBe('inconclusive');
    expect(unconfirmed.reasons).toEqual(['Error rate below 1%: not confirmed', 'p95 latency under 10 ms: not confirmed']);
    const both: Report[] = [
      ...confirmed,
      { at: '2026-12-02T10:30:00.000Z', criterion: 'criterion:error-rate-below-1', result: 'pass', by: 'dana' },
      { at: '2026-12-02T10:31:00.000Z', criterion: 'criterion:p95-latency-under-10-ms', result: 'pass', by: 'dana' },
    ];
    expect(judge(p, healthyRun(both), true).verdict).toBe('passed');
  });

  it('a period whose last interval has no data is inconclusive, however healthy the rest', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, i === n - 1 ? [] : [healthy(i)], confirmed)),
      true,
    );
    expect(j.verdict).toBe('inconclusive');
    expect(j.reasons).toContain('Error rate > 5%: the last 3 intervals did not all pass (PASS, PASS, NO_DATA)');
  });

  it('three unreadable intervals at the end are inconclusive; four are errored, naming the provider error', () => {
    const unreadable = (k: number) =>
      run(plan, n, (i) => (i >= n - k ? evidence(i, [], confirmed, 'CloudWatch throttled') : evidence(i, [healthy(i)], confirmed)));
    expect(judge(plan, unreadable(3), true).verdict).toBe('inconclusive');
    const errored = judge(plan, unreadable(4), true);
    expect(errored.verdict).toBe('errored');
    expect(errored.reasons[0]).toBe('Error rate > 5%: the last 4 intervals could not be read (the metrics could not be read: CloudWatch throttled)');
  });

  it('an error rate of 2% at the end: under the trigger, but the success criterion is not met', () => {
    const j = judge(
      plan,
      run(plan, n, (i) => evidence(i, [{ ...healthy(i), errorRatePercent: i >= n - 5 ? 2 : 0.4 }], confirmed)),
      true,
    );
    expect(j.verdict).toBe('not-met');
    expect(j.reasons[0]).toBe('Error rate < 1%: last judged interval breached (2% >= 1%)');
  });

  it('before the end, anything short of a trigger is watching', () => {
    expect(
      judge(
        plan,
        run(plan, 10, (i) => evidence(i, [])),
        false,
      ).verdict,
    ).toBe('watching');
  });
});

describe('Rule: a baseline already breaching at deployment is flagged at once', () => {
  it('an error rate of 6% in the interval before the deployment is a finding; a healthy one is none', () => {
    const plan = planFor(content());
    const before = { index: -1, from: '2026-12-02T09:59:00.000Z', to: DEPLOYED, reports: [] };
    expect(
      baselineFindings(plan, { ...before, samples: [{ at: '2026-12-02T09:59:30.000Z', requests: 800, errorRatePercent: 6 }] }).map((m) => m.criterion),
    ).toEqual(['error-rate']);
    expect(baselineFindings(plan, { ...before, samples: [healthy(-1)] })).toEqual([]);
  });
});
