/**
 * The monitoring period after a deployment, as rules (seed: Post-Deployment Validation, Monitoring
 * Period, Rollback Plan): what is judged for a change, how one interval's evidence becomes a
 * measurement, and how the measurements so far become a verdict. Pure: the workflow's evaluate task
 * and the API call these with the samples they read.
 *
 * The first rule is the one Argo Rollouts' and Flagger's users were burnt by: **no data is never a
 * pass.** A window without samples is NO_DATA, one with too few requests is LOW_VOLUME, a provider
 * that failed is ERROR; none of them counts towards the coverage a pass needs, and a period that
 * ends without enough judged evidence is `inconclusive`, for a person to decide.
 */
import type { Category, ChangeContent } from './change-request.js';
import { MONITORING_MINUTES } from './durations.js';

/** Bumped when the meaning of a criterion or of a verdict changes; kept with each plan. */
export const MONITORING_RULES_VERSION = 1;

export const MEASUREMENT_OUTCOMES = ['PASS', 'BREACH', 'NO_DATA', 'LOW_VOLUME', 'ERROR'] as const;
export type MeasurementOutcome = (typeof MEASUREMENT_OUTCOMES)[number];

/** What a sample can say about a component in one moment (POST /changes/{id}/metrics, or a provider). */
export const SAMPLE_FIELDS = ['errorRatePercent', 'p95LatencyMs', 'databaseErrors', 'criticalAlerts'] as const;
export type SampleField = (typeof SAMPLE_FIELDS)[number];

export interface Sample {
  at: string;
  component?: string | undefined;
  requests?: number | undefined;
  errorRatePercent?: number | undefined;
  p95LatencyMs?: number | undefined;
  databaseErrors?: number | undefined;
  criticalAlerts?: number | undefined;
}

/** A one-off report: smoke tests, or a person's or pipeline's word on a named criterion. */
export interface Report {
  at: string;
  /** `smoke-tests`, or the id of a named criterion (`other:…`, `criterion:…`). */
  criterion: string;
  /** For a success criterion: confirmed or not; for a named rollback trigger: fired or clear. */
  result: 'pass' | 'fail';
  by?: string | undefined;
}

export type Comparator = '>' | '>=' | '<' | '<=';

export interface Criterion {
  id: string;
  /** A rollback trigger fires when its condition holds; a success criterion passes when its condition holds. */
  kind: 'rollback-trigger' | 'success';
  /** In words, as the seed says it. */
  label: string;
  /** `metrics`: judged each interval from samples; `report`: judged from one-off reports (smoke tests, people). */
  source: 'metrics' | 'report';
  field?: SampleField | undefined;
  comparator?: Comparator | undefined;
  threshold?: number | undefined;
  unit?: '%' | 'ms' | '' | undefined;
  /** Only samples of this component count (latency SLAs are per component). */
  component?: string | undefined;
  /** A window with fewer requests than this is LOW_VOLUME, not PASS (rates and latencies). */
  minRequests?: number | undefined;
  /** A window whose samples lack the field: `inconclusive` (NO_DATA), or `zero` for sparse counters. */
  noData: 'inconclusive' | 'zero';
  /** Breaches in a row that fire a rollback trigger. */
  consecutive: number;
}

export interface MonitoringSettings {
  /** Length of the period by category (MONITORING_MINUTES). */
  minutes: Readonly<Record<Category, number>>;
  intervalSeconds: number;
  /** p95 latency SLA per component, in ms; components not listed get `defaultSlaMs`. */
  slaMs: Readonly<Record<string, number>>;
  defaultSlaMs: number;
  /** Requests a window needs before its error rate or latency is judged. */
  minRequests: number;
}

export const DEFAULT_MONITORING_SETTINGS: MonitoringSettings = {
  minutes: MONITORING_MINUTES,
  intervalSeconds: 60,
  slaMs: {},
  defaultSlaMs: 10,
  minRequests: 50,
};

/** The evidence a pass needs: judged measurements on this share of the expected intervals, for every metric. */
export const REQUIRED_COVERAGE = 0.8;
/** Provider errors in a row, on one criterion, that make the period `errored` rather than `inconclusive` (Argo Rollouts' default). */
export const ERRORS_IN_A_ROW = 4;
/** The last intervals of the period that must all pass, on every metric criterion: a pass ends on evidence, not on a gap. */
export const FINAL_PASSES = 3;

export interface MonitoringPlan {
  rulesVersion: number;
  minutes: number;
  intervalSeconds: number;
  criteria: Criterion[];
}

/** A name a person wrote, as part of an id: `Customer complaints spike` → `customer-complaints-spike`. */
export const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'unnamed';

/**
 * What is judged for this change: the seed's rollback triggers (error rate > 5 %, database errors,
 * critical alerts firing) and the template's "Other" triggers; the seed's success criteria (error
 * rate < 1 %, p95 latency within each affected component's SLA, no critical alerts, smoke tests
 * passing) and each success criterion the template writes out, to be confirmed.
 */
export function monitoringPlan(content: ChangeContent, settings: MonitoringSettings = DEFAULT_MONITORING_SETTINGS): MonitoringPlan {
  const minRequests = settings.minRequests;
  const criteria: Criterion[] = [
    {
      id: 'error-rate',
      kind: 'rollback-trigger',
      label: 'Error rate > 5%',
      source: 'metrics',
      field: 'errorRatePercent',
      comparator: '>',
      threshold: 5,
      unit: '%',
      minRequests,
      noData: 'inconclusive',
      consecutive: 2,
    },
    {
      id: 'database-errors',
      kind: 'rollback-trigger',
      label: 'Database errors',
      source: 'metrics',
      field: 'databaseErrors',
      comparator: '>',
      threshold: 0,
      unit: '',
      noData: 'zero',
      consecutive: 2,
    },
    {
      id: 'critical-alerts',
      kind: 'rollback-trigger',
      label: 'Critical alerts firing',
      source: 'metrics',
      field: 'criticalAlerts',
      comparator: '>',
      threshold: 0,
      unit: '',
      noData: 'zero',
      consecutive: 1,
    },
    ...(content.rollback?.otherTriggers ?? []).map(
      (label): Criterion => ({ id: `other:${slug(label)}`, kind: 'rollback-trigger', label, source: 'report', noData: 'inconclusive', consecutive: 1 }),
    ),
    {
      id: 'success:error-rate',
      kind: 'success',
      label: 'Error rate < 1%',
      source: 'metrics',
      field: 'errorRatePercent',
      comparator: '<',
      threshold: 1,
      unit: '%',
      minRequests,
      noData: 'inconclusive',
      consecutive: 1,
    },
    ...latencyCriteria(content, settings),
    {
      id: 'success:critical-alerts',
      kind: 'success',
      label: 'No critical alerts',
      source: 'metrics',
      field: 'criticalAlerts',
      comparator: '<=',
      threshold: 0,
      unit: '',
      noData: 'zero',
      consecutive: 1,
    },
    { id: 'smoke-tests', kind: 'success', label: 'Smoke tests passing', source: 'report', noData: 'inconclusive', consecutive: 1 },
    ...(content.testing?.successCriteria ?? []).map(
      (label): Criterion => ({ id: `criterion:${slug(label)}`, kind: 'success', label, source: 'report', noData: 'inconclusive', consecutive: 1 }),
    ),
  ];
  return {
    rulesVersion: MONITORING_RULES_VERSION,
    minutes: settings.minutes[content.category],
    intervalSeconds: settings.intervalSeconds,
    criteria: unique(criteria),
  };
}

function latencyCriteria(content: ChangeContent, settings: MonitoringSettings): Criterion[] {
  const components = content.description?.components ?? [];
  const base = {
    kind: 'success' as const,
    source: 'metrics' as const,
    field: 'p95LatencyMs' as const,
    comparator: '<=' as const,
    unit: 'ms' as const,
    minRequests: settings.minRequests,
    noData: 'inconclusive' as const,
    consecutive: 1,
  };
  if (components.length === 0) {
    return [{ ...base, id: 'success:p95-latency', label: `p95 latency within SLA (${settings.defaultSlaMs} ms)`, threshold: settings.defaultSlaMs }];
  }
  return components.map((component) => {
    const sla = settings.slaMs[component] ?? settings.defaultSlaMs;
    return { ...base, id: `success:p95-latency:${slug(component)}`, label: `${component} p95 latency within SLA (${sla} ms)`, threshold: sla, component };
  });
}

// two written criteria with the same words are one criterion
function unique(criteria: Criterion[]): Criterion[] {
  const seen = new Set<string>();
  return criteria.filter((c) => !seen.has(c.id) && seen.add(c.id));
}

/** One criterion judged over one interval. */
export interface Measurement {
  criterion: string;
  /** The interval `[from, to)`; its index from the deployment (0 = the first interval). */
  index: number;
  from: string;
  to: string;
  outcome: MeasurementOutcome;
  /** The value judged (the request-weighted error rate, the worst p95, the count), when there was one. */
  value?: number | undefined;
  requests?: number | undefined;
  /** In words: "7.2% > 5%", "12 requests, fewer than the 50 needed". */
  reason: string;
  /** Where a pulled value came from: the provider and the query as sent (`$window` resolved). */
  source?: string | undefined;
  query?: string | undefined;
}

/** What one interval offers: its samples and reports, and whether the provider failed. */
export interface IntervalEvidence {
  index: number;
  from: string;
  to: string;
  samples: Sample[];
  /** Every report made up to the end of the interval (the latest per criterion counts). */
  reports: Report[];
  /** A provider that could not be read for this interval (CloudWatch, Prometheus), in words. */
  providerError?: string | undefined;
}

const holds = (value: number, comparator: Comparator, threshold: number) =>
  comparator === '>' ? value > threshold : comparator === '>=' ? value >= threshold : comparator === '<' ? value < threshold : value <= threshold;

const show = (value: number, unit: Criterion['unit']) => `${Number.isInteger(value) ? value : value.toFixed(2).replace(/\.?0+$/, '')}${unit ?? ''}`;

/** Judges one criterion over one interval. */
export function measure(criterion: Criterion, evidence: IntervalEvidence): Measurement {
  const at = { criterion: criterion.id, index: evidence.index, from: evidence.from, to: evidence.to };
  if (criterion.source === 'report') return { ...at, ...judgeReport(criterion, evidence.reports) };
  if (evidence.providerError) return { ...at, outcome: 'ERROR', reason: `the metrics could not be read: ${evidence.providerError}` };
  const field = criterion.field!;
  const samples = evidence.samples.filter((s) => criterion.component === undefined || s.component === undefined || s.component === criterion.component);
  if (samples.length === 0) return { ...at, outcome: 'NO_DATA', reason: 'no samples in this interval' };
  const requests = samples.every((s) => s.requests === undefined) ? undefined : samples.reduce((n, s) => n + (s.requests ?? 0), 0);
  if (criterion.minRequests !== undefined) {
    if (requests === undefined) return { ...at, outcome: 'LOW_VOLUME', reason: `no request count, so ${criterion.minRequests} requests cannot be shown` };
    if (requests < criterion.minRequests) {
      return { ...at, requests, outcome: 'LOW_VOLUME', reason: `${requests} requests, fewer than the ${criterion.minRequests} needed to judge` };
    }
  }
  const value = aggregate(field, samples, criterion.noData);
  if (value === undefined) return { ...at, requests, outcome: 'NO_DATA', reason: `no sample reports ${field}` };
  const condition = holds(value, criterion.comparator!, criterion.threshold!);
  const breach = criterion.kind === 'rollback-trigger' ? condition : !condition;
  const comparison = `${show(value, criterion.unit)} ${breach === (criterion.kind === 'rollback-trigger') ? criterion.comparator : negate(criterion.comparator!)} ${show(criterion.threshold!, criterion.unit)}`;
  return { ...at, value, requests, outcome: breach ? 'BREACH' : 'PASS', reason: comparison };
}

const negate = (c: Comparator): Comparator => ({ '>': '<=', '>=': '<', '<': '>=', '<=': '>' })[c] as Comparator;

function aggregate(field: SampleField, samples: Sample[], noData: Criterion['noData']): number | undefined {
  const reporting = samples.filter((s) => typeof s[field] === 'number');
  if (reporting.length === 0) return noData === 'zero' ? 0 : undefined;
  switch (field) {
    case 'errorRatePercent': {
      // weighted by requests where every reporting sample has them; else the plain mean
      const weighted = reporting.every((s) => typeof s.requests === 'number' && s.requests > 0);
      if (weighted) {
        const total = reporting.reduce((n, s) => n + s.requests!, 0);
        return reporting.reduce((sum, s) => sum + s.errorRatePercent! * s.requests!, 0) / total;
      }
      return reporting.reduce((sum, s) => sum + s.errorRatePercent!, 0) / reporting.length;
    }
    case 'p95LatencyMs':
      // the worst p95 of the interval: percentiles of parts cannot be averaged into the whole's
      return Math.max(...reporting.map((s) => s.p95LatencyMs!));
    default:
      return reporting.reduce((n, s) => n + s[field]!, 0);
  }
}

function judgeReport(criterion: Criterion, reports: Report[]): Pick<Measurement, 'outcome' | 'reason'> {
  const latest = reports
    .filter((r) => r.criterion === criterion.id)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .at(-1);
  const who = latest?.by ? ` by ${latest.by}` : '';
  if (!latest) return { outcome: 'NO_DATA', reason: criterion.kind === 'success' ? 'not confirmed yet' : 'not reported' };
  if (criterion.kind === 'rollback-trigger') {
    return latest.result === 'fail'
      ? { outcome: 'BREACH', reason: `reported firing${who} at ${latest.at}` }
      : { outcome: 'PASS', reason: `reported clear${who} at ${latest.at}` };
  }
  return latest.result === 'pass'
    ? { outcome: 'PASS', reason: `confirmed${who} at ${latest.at}` }
    : { outcome: 'BREACH', reason: `reported failing${who} at ${latest.at}` };
}

export type Verdict = 'watching' | 'trigger' | 'passed' | 'not-met' | 'inconclusive' | 'errored';

export interface Judgement {
  verdict: Verdict;
  /** The rollback triggers that fired (verdict `trigger`). */
  fired: string[];
  /** Why, in words a person reads, one line per criterion that matters. */
  reasons: string[];
}

/** The measurements of one criterion, oldest first, one per interval. */
const series = (measurements: Measurement[], id: string) => measurements.filter((m) => m.criterion === id).sort((a, b) => a.index - b.index);

const judged = (m: Measurement) => m.outcome === 'PASS' || m.outcome === 'BREACH';

/**
 * The breaches in a row at the end of a criterion's series. A window without judged evidence
 * (NO_DATA, LOW_VOLUME, ERROR) neither ends a breach sequence nor adds to it: a gap in the data
 * cannot clear an error rate that was climbing.
 */
export function trailingBreaches(measurements: Measurement[]): Measurement[] {
  const run: Measurement[] = [];
  for (const m of [...measurements].reverse()) {
    if (m.outcome === 'PASS') break;
    if (m.outcome === 'BREACH') run.unshift(m);
  }
  return run;
}

/** Intervals the whole period holds. */
export const expectedIntervals = (plan: Pick<MonitoringPlan, 'minutes' | 'intervalSeconds'>) =>
  Math.max(1, Math.floor((plan.minutes * 60) / plan.intervalSeconds));

/**
 * The verdict so far. A rollback trigger that meets its breach rule wins at any time, on the last
 * interval too. Before the period ends, anything else is `watching`. When it has ended:
 * - `passed` only if every metric criterion has judged measurements on at least 80 % of the
 *   expected intervals and passed on each of the last three, no criterion's last judged measurement
 *   is a breach, and every one-off criterion (smoke tests, the written success criteria) was confirmed;
 * - `not-met` if a criterion's last judged measurement is a breach (no trigger fired);
 * - `errored` if a metric criterion's last four intervals were provider errors;
 * - `inconclusive` otherwise (too little evidence): never a pass, a person decides.
 */
export function judge(plan: MonitoringPlan, measurements: Measurement[], ended: boolean): Judgement {
  const fired: string[] = [];
  const reasons: string[] = [];
  for (const c of plan.criteria.filter((c) => c.kind === 'rollback-trigger')) {
    const s = series(measurements, c.id);
    const run = trailingBreaches(s);
    if (run.length >= c.consecutive) {
      fired.push(c.id);
      const last = run.at(-1)!;
      reasons.push(`${c.label}: breached ${run.length} of ${run.length} in a row (${c.consecutive} fire it): ${last.reason}`);
    }
  }
  if (fired.length) return { verdict: 'trigger', fired, reasons };
  if (!ended) return { verdict: 'watching', fired, reasons: progress(plan, measurements) };

  const expected = expectedIntervals(plan);
  const open: string[] = [];
  const thin: string[] = [];
  const errored: string[] = [];
  const unconfirmed: string[] = [];
  for (const c of plan.criteria) {
    const s = series(measurements, c.id);
    const lastJudged = s.filter(judged).at(-1);
    if (c.source === 'report') {
      if (c.kind === 'rollback-trigger') continue; // fires when reported; nothing to confirm
      if (lastJudged?.outcome === 'BREACH') open.push(`${c.label}: ${lastJudged.reason}`);
      else if (lastJudged?.outcome !== 'PASS') unconfirmed.push(`${c.label}: not confirmed`);
      continue;
    }
    if (lastJudged?.outcome === 'BREACH') {
      open.push(`${c.label}: last judged interval breached (${lastJudged.reason})`);
      continue;
    }
    const covered = s.filter(judged).length;
    if (covered < Math.ceil(REQUIRED_COVERAGE * expected)) {
      thin.push(`${c.label}: judged on ${covered} of ${expected} intervals, fewer than the ${Math.round(REQUIRED_COVERAGE * 100)}% a pass needs`);
    }
    if (s.length >= ERRORS_IN_A_ROW && s.slice(-ERRORS_IN_A_ROW).every((m) => m.outcome === 'ERROR')) {
      errored.push(`${c.label}: the last ${ERRORS_IN_A_ROW} intervals could not be read (${s.at(-1)!.reason})`);
    } else if (!(s.length >= FINAL_PASSES && s.slice(-FINAL_PASSES).every((m) => m.outcome === 'PASS'))) {
      thin.push(
        `${c.label}: the last ${FINAL_PASSES} intervals did not all pass (${
          s
            .slice(-FINAL_PASSES)
            .map((m) => m.outcome)
            .join(', ') || 'none'
        })`,
      );
    }
  }
  if (open.length) return { verdict: 'not-met', fired, reasons: [...open, ...thin, ...unconfirmed] };
  if (errored.length) return { verdict: 'errored', fired, reasons: [...errored, ...thin, ...unconfirmed] };
  if (thin.length || unconfirmed.length) return { verdict: 'inconclusive', fired, reasons: [...thin, ...unconfirmed] };
  return { verdict: 'passed', fired, reasons: [`every criterion passed on at least ${Math.round(REQUIRED_COVERAGE * 100)}% of ${expected} intervals`] };
}

function progress(plan: MonitoringPlan, measurements: Measurement[]): string[] {
  return plan.criteria.flatMap((c) => {
    const last = series(measurements, c.id).at(-1);
    return last ? [`${c.label}: ${last.outcome} (${last.reason})`] : [];
  });
}

/**
 * Baseline unhealthy: a watched rollback trigger already breaching in the interval before the
 * deployment is flagged at once (the implementer acknowledges it or rolls back), so a rollback
 * it later "causes" is not blamed on the change, and a bad baseline does not pass unnoticed.
 */
export function baselineFindings(plan: MonitoringPlan, before: IntervalEvidence): Measurement[] {
  return plan.criteria
    .filter((c) => c.kind === 'rollback-trigger' && c.source === 'metrics')
    .map((c) => measure(c, before))
    .filter((m) => m.outcome === 'BREACH');
}

/** The intervals of a period from its start: `[start + i·interval, start + (i+1)·interval)`. */
export function intervalAt(start: string, intervalSeconds: number, index: number): { index: number; from: string; to: string } {
  const t0 = Date.parse(start) + index * intervalSeconds * 1000;
  return { index, from: new Date(t0).toISOString(), to: new Date(t0 + intervalSeconds * 1000).toISOString() };
}
