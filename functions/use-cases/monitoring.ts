/**
 * The monitoring period as operations: evidence pushed by pipelines and people
 * (POST /changes/{id}/metrics), and the monitoring workflow's two tasks: judge what has ended so
 * far, and escalate a rollback nobody reported done. The rules are the core's (core/monitoring.ts,
 * core/lifecycle.ts); each write is conditional on the version read, and a retried task has one
 * effect (an interval is kept once, a verdict is written once).
 */
import type { Actor } from '../core/change-request.js';
import { IllegalTransitionError, ValidationError, VersionConflictError } from '../core/errors.js';
import { applyJudgement, type Decision, recordUnhealthyBaseline, rollbackOverdue } from '../core/lifecycle.js';
import { baselineFindings, expectedIntervals, intervalAt, judge, measure, type Report, type Sample } from '../core/monitoring.js';
import type { ChangeStore, Clock, MetricsSource, MonitoringStore } from '../ports.js';
import { judgedAllIntervals } from './monitoring-view.js';
import { getChange } from './read-changes.js';

export interface MonitoringDeps {
  store: ChangeStore;
  monitoring: MonitoringStore;
  clock: Clock;
  /** How long a requested rollback may go unreported before it is escalated (ROLLBACK_REPORT_TIMEOUT_MINUTES). */
  rollbackReportMinutes: number;
  /** Monitoring tools read each interval (Prometheus; none: only pushed evidence counts). */
  sources?: { name: string; source: MetricsSource }[] | undefined;
}

/** What the flow does next: wait one interval and judge again, wait for the rollback's report, or end. */
export type MonitoringStep = { next: 'wait' } | { next: 'await-rollback' } | { next: 'end' };

/** What a push carries, validated at the edge (http/schemas.ts). */
export interface Evidence {
  samples: Sample[];
  smokeTests?: 'passed' | 'failed' | undefined;
  /** A named criterion's result: `other:<slug>` fired (`fail`) or clear (`pass`), `criterion:<slug>` confirmed or not. */
  criteria?: Record<string, 'pass' | 'fail'> | undefined;
}

/** Clocks disagree: a sample stamped up to this far ahead of ours is taken. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** States in which evidence is taken: before the deployment (the baseline), during the period, while rolling back. */
const TAKES_EVIDENCE = ['in_progress', 'monitoring', 'rolling_back'];

export interface EvidenceReceipt {
  changeId: string;
  samples: number;
  reports: number;
  /** The verdict so far (the flow judges each interval once it has ended). */
  verdict: string;
  reasons: string[];
}

/** Keeps what a pipeline, a monitoring tool or a person reports; the flow judges it as each interval ends. */
export async function recordEvidence(
  deps: Pick<MonitoringDeps, 'store' | 'monitoring' | 'clock'>,
  actor: Actor,
  id: string,
  evidence: Evidence,
): Promise<EvidenceReceipt> {
  const { cr } = await getChange(deps, id);
  if (!TAKES_EVIDENCE.includes(cr.state)) {
    throw new IllegalTransitionError(
      `a change request in state ${cr.state} takes no monitoring evidence (only in_progress, monitoring and rolling_back)`,
      cr.state,
    );
  }
  const known = new Set((cr.monitoring?.plan.criteria ?? []).filter((c) => c.source === 'report').map((c) => c.id));
  const now = deps.clock.now().toISOString();
  const soon = Date.parse(now) + FUTURE_TOLERANCE_MS;
  const ahead = evidence.samples.findIndex((x) => Date.parse(x.at) > soon);
  if (ahead >= 0) {
    throw new ValidationError([
      {
        path: `body.samples.${ahead}.at`,
        message: `is ${evidence.samples[ahead]!.at}, later than now (${now}): a sample says what was measured, not what will be`,
      },
    ]);
  }
  const reports: Report[] = [];
  if (evidence.smokeTests) reports.push({ at: now, criterion: 'smoke-tests', result: evidence.smokeTests === 'passed' ? 'pass' : 'fail', by: actor.id });
  for (const [criterion, result] of Object.entries(evidence.criteria ?? {})) {
    if (cr.monitoring && !known.has(criterion)) {
      throw new ValidationError([
        {
          path: `body.criteria.${criterion}`,
          message: `is not a criterion this change reports on; its criteria are ${[...known].join(', ') || 'none'} (GET /changes/${id} shows them)`,
        },
      ]);
    }
    reports.push({ at: now, criterion, result, by: actor.id });
  }
  await deps.monitoring.addEvidence(id, evidence.samples, reports);
  return {
    changeId: id,
    samples: evidence.samples.length,
    reports: reports.length,
    verdict: cr.monitoring?.verdict ?? 'not deployed yet',
    reasons: cr.monitoring?.reasons ?? [],
  };
}

/**
 * The evaluate task: judges every interval that has ended and was not judged yet, keeps each one's
 * measurements, then applies the verdict of all of them to the change. A flow that was stopped,
 * restarted or retried catches up here; nothing is judged twice.
 */
export async function evaluateMonitoring(deps: MonitoringDeps, id: string): Promise<MonitoringStep> {
  let baselineDue: boolean | undefined;
  for (let attempt = 1; ; attempt++) {
    const { cr } = await getChange(deps, id);
    if (cr.state === 'rolling_back') return cr.monitoring?.rollbackOverdue ? { next: 'end' } : { next: 'await-rollback' };
    const m = cr.monitoring;
    if (cr.state !== 'monitoring' || !m || !cr.deployedAt) return { next: 'end' };
    const now = deps.clock.now();
    const plan = m.plan;

    const measurements = await deps.monitoring.measurements(id);
    const decisions: Decision[] = [];
    // before the first interval is judged, the interval before the deployment: a trigger already
    // breaching there is flagged at once (read once a period, not at every evaluation)
    // (decided on the first attempt: a retry after a lost race may already see intervals it judged)
    baselineDue ??= measurements.length === 0;
    if (!m.baseline && baselineDue) {
      const before = intervalAt(cr.deployedAt, plan.intervalSeconds, -1);
      const found = baselineFindings(plan, { ...before, ...(await deps.monitoring.evidence(id, before.from, before.to)) });
      const d = recordUnhealthyBaseline(
        cr,
        found.map((f) => `${plan.criteria.find((c) => c.id === f.criterion)?.label ?? f.criterion}: ${f.reason}`),
        now.toISOString(),
      );
      if (d) decisions.push(d);
    }

    const expected = expectedIntervals(plan);
    for (let index = Math.max(-1, ...measurements.map((x) => x.index)) + 1; index < expected; index++) {
      const interval = intervalAt(cr.deployedAt, plan.intervalSeconds, index);
      if (Date.parse(interval.to) > now.getTime()) break;
      const found = await deps.monitoring.evidence(id, interval.from, interval.to);
      const pulled = await pull(deps, cr.content.description?.components ?? [], interval);
      if (pulled.samples.length) await deps.monitoring.addEvidence(id, pulled.samples, []);
      const judged = plan.criteria.map((c) => {
        const m = measure(c, { ...interval, samples: [...found.samples, ...pulled.samples], reports: found.reports, providerError: pulled.error });
        const query = c.field ? pulled.queries.filter((q) => (!c.component || q.component === c.component) && q.field === c.field) : [];
        return query.length ? { ...m, source: query.map((q) => q.source).join(', '), query: query.map((q) => q.query).join(' ; ') } : m;
      });
      await deps.monitoring.saveInterval(id, index, judged);
      measurements.push(...judged);
    }
    const ended = judgedAllIntervals(plan, measurements);
    const judgement = judge(plan, measurements, ended);
    const base = decisions.at(-1)?.next ?? cr;
    const applied = applyJudgement(base, judgement, ended, now.toISOString());
    const next = applied ?? decisions.at(-1);
    try {
      if (next) {
        const audit = [...decisions.flatMap((d) => d.audit), ...(applied ? applied.audit : [])];
        // one write for both decisions: conditioned on the version read, and one version on
        await deps.store.save(cr.version, { ...next.next, version: cr.version + 1 }, audit);
      }
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
      continue; // a person decided meanwhile: judge again on what they wrote
    }
    const state = next?.next.state ?? cr.state;
    if (state === 'rolling_back') return { next: 'await-rollback' };
    if (state !== 'monitoring' || ended) return { next: 'end' };
    return { next: 'wait' };
  }
}

/** What the configured monitoring tools say about the change's components over one interval. */
async function pull(
  deps: Pick<MonitoringDeps, 'sources'>,
  components: readonly string[],
  interval: { from: string; to: string },
): Promise<{ samples: Sample[]; error?: string | undefined; queries: { source: string; component: string; field: string; query: string }[] }> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  const queries: { source: string; component: string; field: string; query: string }[] = [];
  for (const { name, source } of deps.sources ?? []) {
    // the change's components the tool knows; a change that names none is judged on all of them
    const asked = source.components().filter((c) => components.length === 0 || components.includes(c));
    for (const component of asked) {
      const reading = await source.read(component, interval);
      for (const [field, query] of Object.entries(reading.queries ?? {})) queries.push({ source: name, component, field, query });
      if (reading.error) errors.push(`${name}: ${reading.error}`);
      else if (reading.sample) samples.push(reading.sample);
    }
  }
  return { samples, queries, ...(errors.length ? { error: errors.join('; ') } : {}) };
}

/** The rollback-report task: a requested rollback still not reported done is escalated, once. */
export async function checkRollbackReported(deps: MonitoringDeps, id: string): Promise<{ overdue: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const { cr } = await getChange(deps, id);
    const d = rollbackOverdue(cr, deps.rollbackReportMinutes, deps.clock.now().toISOString());
    if (!d) return { overdue: Boolean(cr.monitoring?.rollbackOverdue) };
    try {
      await deps.store.save(cr.version, d.next, d.audit);
      return { overdue: true };
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
    }
  }
}

/** The monitoring flow's task payloads (lib/workflows/monitoring.asl.json). */
export const MONITORING_TASKS = ['monitor-evaluate', 'rollback-check'] as const;

export async function runMonitoringTask(deps: MonitoringDeps, payload: { task: string; changeId?: unknown }): Promise<Record<string, unknown>> {
  if (typeof payload.changeId !== 'string' || payload.changeId.length === 0 || payload.changeId.length > 64) {
    throw new ValidationError([{ path: 'changeId', message: 'is required: the change whose period this is' }]);
  }
  if (payload.task === 'monitor-evaluate') return evaluateMonitoring(deps, payload.changeId);
  if (payload.task === 'rollback-check') return checkRollbackReported(deps, payload.changeId);
  throw new ValidationError([{ path: 'task', message: `must be one of ${MONITORING_TASKS.join(', ')}` }]);
}
