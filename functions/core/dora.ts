/**
 * DORA's five metrics as DORA defines them now (dora.dev, 2026): deployment frequency, change lead
 * time, change fail rate, failed deployment recovery time, deployment rework rate. Per service (a
 * component the change names) in production, over one window; never blended across services (DORA:
 * "best suited for measuring one application or service at a time"). Every figure carries its `n`
 * and the ids of the deployments behind it. Pure and streaming, like the monthly report: the use case
 * pages the deployed changes through their own index and `add`s them one at a time.
 *
 * Definitions (version 1), and where they part from Four Keys' (the errors its METRICS.md still has):
 * - **Deployment**: a change reaching `deployed` in production (a pipeline's success, or a person's
 *   report), once per service it names; two changes naming the same commit and pipeline run for a
 *   service are one deployment. A **rollback** of a deployed change is a deployment too (at the time
 *   it was rolled back), and an unplanned one.
 * - **Deployment frequency**: deployments ÷ days of the window, and the median gap between them;
 *   never a bucket ("daily" for three days a week).
 * - **Change lead time**: first commit → deployed, per deployment whose pipeline said when the commit
 *   was made (`committedAt`); a lead time of zero counts (Four Keys drops it as "automated"), a
 *   negative one is a clock error, listed apart. Approval wait (created → approved) and approved →
 *   deployed are shown beside it, never inside it.
 * - **Change fail rate**: failed deployments ÷ deployments, each deployment once however many
 *   incidents or commits it has (Four Keys joins one row per incident). A deployment failed when,
 *   within seven days of it: its monitoring period fired a rollback trigger or it was rolled back or
 *   failed; or an incident it caused was opened (confirmed by a person or linked by the incident's
 *   own CR id); or an emergency change was opened to fix such an incident (a hotfix). An incident
 *   suggested by time and service counts only in the second figure, "with suggested", until a person
 *   confirms it.
 * - **Failed deployment recovery time**: only for failed deployments (Four Keys takes every
 *   incident's open time): from the failure's start (the rollback trigger, else the first linked
 *   incident, else the deployment itself) to the first of its rollback, the fix's deployment, or the
 *   linked incident's resolution. A failure not yet recovered is listed, not timed.
 * - **Deployment rework rate**: unplanned deployments ÷ deployments. Unplanned: an emergency change,
 *   a change opened for an incident, or a rollback.
 */
import { DateTime } from 'luxon';
import type { ChangeRequest } from './change-request.js';
import type { IncidentLink } from './deployments.js';
import { type DurationFigure, Durations, type Figure, percentOf } from './figures.js';

export const DORA_DEFINITIONS_VERSION = 1;
/** How long after a deployment a failure is still its failure (rollback, incident, hotfix). */
export const FAIL_WINDOW_DAYS = 7;
/** The rolling window's length. */
export const ROLLING_DAYS = 30;
const DAY_MS = 86_400_000;
const NO_COMPONENT = '(no component named)';

export interface Rate extends Figure {
  percent: number | null;
}

export interface ServiceDora {
  service: string;
  environment: 'production';
  deployments: Figure;
  deploymentFrequency: { perDay: number; perWeek: number; days: number; medianGapHours: number | null; n: number };
  leadTime: DurationFigure & { withoutCommitTime: string[]; clockSkew: string[] };
  approvalWait: DurationFigure;
  approvedToDeployed: DurationFigure;
  changeFailRate: { confirmed: Rate; withSuggested: Rate; reasons: Record<string, string[]> };
  recoveryTime: { confirmed: DurationFigure; withSuggested: DurationFigure; unrecovered: string[] };
  reworkRate: Rate & { reasons: Record<string, string[]> };
}

export interface DoraFigures {
  definitionsVersion: number;
  from: string;
  to: string;
  label: string;
  environment: 'production';
  services: ServiceDora[];
}

/** One deployment to one service, as the figures need it. */
interface Deployment {
  /** `CR-…` for the change's deployment, `CR-…/rollback` for its rollback. */
  id: string;
  service: string;
  at: string;
  /** Same commit and run, same service: one deployment. */
  key: string;
  rollback: boolean;
  unplanned: string[];
  cr?: Pick<ChangeRequest, 'createdAt' | 'approvedAt' | 'deployedAt'> & { committedAt?: string | undefined };
  failure?: Failure;
}

interface Failure {
  confirmed: string[];
  suggested: string[];
  /** When it began, by evidence: the trigger, the first confirmed incident, the deployment. */
  start: string;
  startWithSuggested: string;
  ends: string[];
  endsWithSuggested: string[];
  /** Incidents this deployment caused (confirmed, suggested): a fix opened for one ends the failure. */
  incidents: string[];
  suggestedIncidents: string[];
}

const inFailWindow = (deployedAt: string, at: string | undefined) =>
  at !== undefined && Date.parse(at) >= Date.parse(deployedAt) && Date.parse(at) - Date.parse(deployedAt) <= FAIL_WINDOW_DAYS * DAY_MS;
const earliest = (times: (string | undefined)[]) => times.filter((t): t is string => Boolean(t)).sort()[0];

/** The window `from` … `to` for a label: `30d` (rolling, ending now) or a month `2026-11` in the zone. */
export function doraWindow(label: string, now: Date, timeZone: string): { from: string; to: string; label: string } {
  if (/^\d{4}-\d{2}$/.test(label)) {
    const start = DateTime.fromFormat(label, 'yyyy-MM', { zone: timeZone });
    if (!start.isValid) throw new RangeError(`not a month: ${label}`);
    return { from: start.toUTC().toISO()!, to: start.plus({ months: 1 }).toUTC().toISO()!, label };
  }
  return { from: new Date(now.getTime() - ROLLING_DAYS * DAY_MS).toISOString(), to: now.toISOString(), label: `${ROLLING_DAYS}d` };
}

/**
 * The changes the aggregator must see for a window: deployed from FAIL_WINDOW_DAYS before it (a
 * rollback inside the window of an earlier deployment) to FAIL_WINDOW_DAYS after it (the rollback,
 * incident or fix that makes a deployment near its end a failed one).
 */
export function doraReadRange(window: { from: string; to: string }, now: Date): { from: string; to: string } {
  const to = Math.min(Date.parse(window.to) + FAIL_WINDOW_DAYS * DAY_MS, now.getTime());
  return { from: new Date(Date.parse(window.from) - FAIL_WINDOW_DAYS * DAY_MS).toISOString(), to: new Date(Math.max(to, Date.parse(window.to))).toISOString() };
}

export class DoraAggregator {
  private readonly deployments: Deployment[] = [];
  /** Incident id → the deployment times of changes opened to fix it. */
  private readonly fixes = new Map<string, string[]>();

  constructor(private readonly window: { from: string; to: string; label: string }) {}

  add(cr: ChangeRequest): void {
    if (!cr.deployedAt) return;
    const services = cr.content.description?.components?.length ? [...new Set(cr.content.description.components)] : [NO_COMPONENT];
    const incidents = cr.incidents ?? [];
    for (const i of incidents.filter((i) => i.relation === 'opened-for')) {
      const fixes = this.fixes.get(i.id);
      if (fixes) fixes.push(cr.deployedAt);
      else this.fixes.set(i.id, [cr.deployedAt]);
    }
    const record = [...(cr.deployments ?? [])].reverse().find((d) => d.authorized && (d.step === 'deployed' || d.step === 'started'));
    const committedAt = [...(cr.deployments ?? [])].reverse().find((d) => d.authorized && d.committedAt)?.committedAt;
    const unplanned = [
      ...(cr.content.category === 'emergency' ? ['an emergency change'] : []),
      ...incidents.filter((i) => i.relation === 'opened-for').map((i) => `opened for incident ${i.number ?? i.id}`),
    ];
    const failure = failureOf(cr, incidents);
    for (const service of services) {
      const key = record?.commit && record.deployment ? `${service}|${record.commit}|${record.deployment}` : `${service}|${cr.id}`;
      this.deployments.push({
        id: cr.id,
        service,
        at: cr.deployedAt,
        key,
        rollback: false,
        unplanned,
        cr: { createdAt: cr.createdAt, approvedAt: cr.approvedAt, deployedAt: cr.deployedAt, committedAt },
        failure,
      });
      if (cr.state === 'rolled_back' && cr.closedAt) {
        this.deployments.push({
          id: `${cr.id}/rollback`,
          service,
          at: cr.closedAt,
          key: `${service}|${cr.id}/rollback`,
          rollback: true,
          unplanned: ['a rollback'],
        });
      }
    }
  }

  result(): DoraFigures {
    const { from, to, label } = this.window;
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    const inWindow = this.deployments.filter((d) => d.at >= from && d.at < to);
    const byService = new Map<string, Deployment[]>();
    const seen = new Set<string>();
    for (const d of inWindow.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))) {
      if (seen.has(d.key)) continue;
      seen.add(d.key);
      const list = byService.get(d.service);
      if (list) list.push(d);
      else byService.set(d.service, [d]);
    }
    const services = [...byService.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, list]) => this.service(service, list, days));
    return { definitionsVersion: DORA_DEFINITIONS_VERSION, from, to, label, environment: 'production', services };
  }

  private service(service: string, list: Deployment[], days: number): ServiceDora {
    const ids = list.map((d) => d.id);
    const n = list.length;
    const gaps = list.slice(1).map((d, i) => (Date.parse(d.at) - Date.parse(list[i]!.at)) / 3_600_000);
    const lead = new Durations();
    const withoutCommitTime: string[] = [];
    const clockSkew: string[] = [];
    const approvalWait = new Durations();
    const approvedToDeployed = new Durations();
    const failConfirmed: string[] = [];
    const failSuggested: string[] = [];
    const reasons: Record<string, string[]> = {};
    const recovery = new Durations();
    const recoveryWithSuggested = new Durations();
    const unrecovered: string[] = [];
    const rework: string[] = [];
    const reworkReasons: Record<string, string[]> = {};
    for (const d of list) {
      if (d.unplanned.length) {
        rework.push(d.id);
        reworkReasons[d.id] = d.unplanned;
      }
      if (!d.cr) continue;
      if (!d.cr.committedAt) withoutCommitTime.push(d.id);
      else if (Date.parse(d.cr.committedAt) > Date.parse(d.at)) clockSkew.push(d.id);
      else lead.add(d.id, d.cr.committedAt, d.at);
      approvalWait.add(d.id, d.cr.createdAt, d.cr.approvedAt);
      approvedToDeployed.add(d.id, d.cr.approvedAt, d.at);
      const f = d.failure;
      if (!f) continue;
      const fixAt = (incidents: string[], start: string) => earliest(incidents.flatMap((i) => this.fixes.get(i) ?? []).filter((t) => t >= start));
      const hotfix = fixAt(f.incidents, d.at);
      const confirmed = [...f.confirmed, ...(hotfix && inFailWindow(d.at, hotfix) ? [`a fix for its incident was deployed at ${hotfix}`] : [])];
      if (confirmed.length) {
        failConfirmed.push(d.id);
        const end = earliest([...f.ends, fixAt(f.incidents, f.start)]);
        if (end) recovery.add(d.id, f.start, end);
        else unrecovered.push(d.id);
      }
      if (confirmed.length || f.suggested.length) {
        failSuggested.push(d.id);
        reasons[d.id] = [...confirmed, ...f.suggested];
        const end = earliest([...f.endsWithSuggested, fixAt([...f.incidents, ...f.suggestedIncidents], f.startWithSuggested)]);
        if (end) recoveryWithSuggested.add(d.id, f.startWithSuggested, end);
        else if (!confirmed.length) unrecovered.push(d.id);
      }
    }
    const rate = (list: string[]): Rate => ({ value: list.length, n, ids: list, percent: percentOf(list.length, n) });
    const median = [...gaps].sort((a, b) => a - b)[Math.max(0, Math.ceil(gaps.length / 2) - 1)];
    return {
      service,
      environment: 'production',
      deployments: { value: n, n, ids },
      deploymentFrequency: {
        perDay: Math.round((n / days) * 100) / 100,
        perWeek: Math.round(((7 * n) / days) * 10) / 10,
        days: Math.round(days * 10) / 10,
        medianGapHours: median === undefined ? null : Math.round(median * 10) / 10,
        n,
      },
      leadTime: { ...lead.figure(), withoutCommitTime, clockSkew },
      approvalWait: approvalWait.figure(),
      approvedToDeployed: approvedToDeployed.figure(),
      changeFailRate: { confirmed: rate(failConfirmed), withSuggested: rate(failSuggested), reasons },
      recoveryTime: { confirmed: recovery.figure(), withSuggested: recoveryWithSuggested.figure(), unrecovered },
      reworkRate: { ...rate(rework), reasons: reworkReasons },
    };
  }
}

/** What made a deployed change a failed deployment, if anything did within the fail window. */
function failureOf(cr: ChangeRequest, incidents: IncidentLink[]): Failure | undefined {
  const deployedAt = cr.deployedAt!;
  const confirmed: string[] = [];
  const ends: string[] = [];
  const trigger = cr.monitoring?.rollbackRequestedAt;
  if (inFailWindow(deployedAt, trigger)) confirmed.push(`its monitoring period fired a rollback trigger at ${trigger}`);
  const closedInWindow = inFailWindow(deployedAt, cr.closedAt);
  if (cr.state === 'rolled_back' && closedInWindow) {
    confirmed.push(`rolled back at ${cr.closedAt}`);
    ends.push(cr.closedAt!);
  }
  if (cr.state === 'failed' && closedInWindow) confirmed.push(`failed at ${cr.closedAt}${cr.closeReason ? `: ${cr.closeReason}` : ''}`);
  const caused = incidents.filter((i) => i.relation === 'caused-by' && inFailWindow(deployedAt, i.triggeredAt));
  const suggested = incidents.filter((i) => i.relation === 'caused-by-candidate' && inFailWindow(deployedAt, i.triggeredAt));
  confirmed.push(...caused.map((i) => `incident ${i.number ?? i.id} (confirmed), opened ${i.triggeredAt}`));
  if (!confirmed.length && !suggested.length) return undefined;
  const start = earliest([trigger && inFailWindow(deployedAt, trigger) ? trigger : undefined, ...caused.map((i) => i.triggeredAt)]) ?? deployedAt;
  const startWithSuggested =
    earliest([
      trigger && inFailWindow(deployedAt, trigger) ? trigger : undefined,
      ...caused.map((i) => i.triggeredAt),
      ...suggested.map((i) => i.triggeredAt),
    ]) ?? deployedAt;
  return {
    confirmed,
    suggested: suggested.map((i) => `incident ${i.number ?? i.id} (suggested: ${i.reason}), opened ${i.triggeredAt}`),
    start,
    startWithSuggested,
    ends: [...ends, ...caused.map((i) => i.resolvedAt).filter((t): t is string => Boolean(t))],
    endsWithSuggested: [...ends, ...[...caused, ...suggested].map((i) => i.resolvedAt).filter((t): t is string => Boolean(t))],
    incidents: caused.map((i) => i.id),
    suggestedIncidents: suggested.map((i) => i.id),
  };
}

const pct = (p: number | null) => (p === null ? 'n/a' : `${p}%`);
const duration = (m: number | null) =>
  m === null ? 'n/a' : m >= 2880 ? `${Math.round(m / 144) / 10} d` : m >= 120 ? `${Math.round(m / 6) / 10} h` : `${Math.round(m)} min`;

/** The DORA figures as a Markdown section: one row per service, never an all-services number. */
export function doraMarkdown(d: DoraFigures, heading = '##'): string {
  if (!d.services.length) return `${heading} Delivery by service (DORA, production)\n- no production deployment in ${d.label}\n`;
  const rows = d.services.map(
    (s) =>
      `| ${s.service} | ${s.deployments.n} | ${s.deploymentFrequency.perWeek} | ${duration(s.leadTime.p50Minutes)} / ${duration(s.leadTime.p90Minutes)} (n ${s.leadTime.n}) | ${duration(s.approvalWait.p50Minutes)} | ${pct(s.changeFailRate.confirmed.percent)} / ${pct(s.changeFailRate.withSuggested.percent)} | ${duration(s.recoveryTime.confirmed.p50Minutes)} (n ${s.recoveryTime.confirmed.n}) | ${pct(s.reworkRate.percent)} |`,
  );
  return `${heading} Delivery by service (DORA, production)
| Service | Deployments | Per week | Lead time p50 / p90 | Approval wait p50 | Change fail rate (confirmed / with suggested) | Recovery time p50 | Rework rate |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

_Per service, ${d.label} (${d.from} to ${d.to}); a change naming two services counts in both. Lead time is first commit → deployed, where the pipeline said when the commit was made. DORA definitions version ${d.definitionsVersion}: docs/reports.md._
`;
}
