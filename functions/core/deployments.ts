/**
 * Deployments as pipelines report them, against the change they name (docs/webhooks.md). What a
 * step does to a change depends on where the change stands: a production deployment of a change
 * that is not approved is refused and recorded against it; one of a change in progress moves it on.
 * Pure: the webhook use case reads the change, asks `planDeployment`, applies the actions through
 * the lifecycle (so every rule of a person's action holds for a pipeline too), and records refusals.
 */
import type { Actor, ChangeRequest, State } from './change-request.js';
import type { Action, Decision } from './lifecycle.js';
import { IllegalTransitionError, NotFoundError } from './errors.js';
import { Writer } from './lifecycle.js';
import type { DeploymentSignal, DeploymentStep, WebhookSource } from './webhooks.js';

/** Where an action came from: one delivery of one source. */
export interface Via {
  source: WebhookSource;
  /** The delivery's key (`<source>:<delivery id>`): an action already taken for it is not taken again. */
  delivery: string;
  step?: DeploymentStep | 'incident' | undefined;
  deployment?: string | undefined;
  environment?: string | undefined;
  commit?: string | undefined;
  committedAt?: string | undefined;
  url?: string | undefined;
}

export interface DeploymentRecord {
  source: WebhookSource;
  delivery: string;
  step: DeploymentStep;
  at: string;
  environment?: string | undefined;
  deployment?: string | undefined;
  commit?: string | undefined;
  /** When the deployed change's first commit was made, where the pipeline said (DORA lead time). */
  committedAt?: string | undefined;
  url?: string | undefined;
  /** False when the change was not approved for it (the deploy gate's reasons beside). */
  authorized: boolean;
  reasons?: string[] | undefined;
}

export interface IncidentLink {
  source: 'pagerduty';
  id: string;
  number?: number | undefined;
  title: string;
  url?: string | undefined;
  /**
   * `opened-for`: the emergency change drafted for it; `caused-by-candidate`: it began in this
   * change's monitoring period on a service the change touches, for a person to confirm
   * (`caused-by`) or dismiss (`dismissed`).
   */
  relation: 'opened-for' | 'caused-by-candidate' | 'caused-by' | 'dismissed';
  /** Who confirmed or dismissed a suggested cause, when, and why. */
  decidedBy?: string | undefined;
  decidedAt?: string | undefined;
  decision?: string | undefined;
  reason: string;
  triggeredAt: string;
  resolvedAt?: string | undefined;
  /** Time to restore, in minutes, once resolved. */
  minutesToRestore?: number | undefined;
}

/** How many deployment records a change keeps (the audit trail keeps every entry). */
export const MAX_DEPLOYMENT_RECORDS = 50;

function remember(cr: ChangeRequest, record: DeploymentRecord): void {
  cr.deployments = [...(cr.deployments ?? []), record].slice(-MAX_DEPLOYMENT_RECORDS);
}

/** Stamps a delivery on a decision's entries, and keeps the deployment step on the change. */
export function recordVia(decision: Decision, via: Via): Decision {
  const audit = decision.audit.map((e) => ({ ...e, detail: { ...e.detail, via } }));
  const last = audit.at(-1);
  if (via.step && via.step !== 'incident' && last) {
    remember(decision.next, {
      source: via.source,
      delivery: via.delivery,
      step: via.step,
      at: last.at,
      environment: via.environment,
      deployment: via.deployment,
      commit: via.commit,
      committedAt: via.committedAt,
      url: via.url,
      authorized: true,
    });
  }
  return { next: decision.next, audit };
}

/** Whether the change's trail already has `action` from this delivery (a redelivered or retried event). */
export function appliedBefore(audit: readonly { action: string; detail?: { via?: Via | undefined } | undefined }[], delivery: string, action: string): boolean {
  return audit.some((e) => e.action === action && e.detail?.via?.delivery === delivery);
}

/** A production deployment of a change the gate denies: recorded against it, with the reasons, as unauthorized. */
export function refuseDeployment(cr: ChangeRequest, actor: Actor, via: Via & { step: DeploymentStep }, reasons: string[], now: string): Decision {
  const w = new Writer(cr, actor, now);
  remember(w.cr, { ...via, at: now, authorized: false, reasons });
  w.transition(
    'unauthorized-deployment',
    cr.state,
    cr.state,
    `${via.source} reports a production deployment (${via.step.replace('_', ' ')}) that ${cr.id} is not approved for: ${reasons.join('; ')}`,
    { via, reasons },
  );
  return w.done();
}

export type DeploymentPlan =
  /** Lifecycle actions, in order (a `deployed` of a change never started starts it first). */
  | { kind: 'actions'; actions: { action: Action; reason: string }[] }
  /** Smoke-test results for the monitoring period. */
  | { kind: 'smoke-tests'; result: 'passed' | 'failed'; criteria?: Record<string, 'pass' | 'fail'> | undefined }
  /** Not approved for a production deployment: recorded against the change. */
  | { kind: 'refuse'; reasons: string[] }
  /** Nothing to change, and why. */
  | { kind: 'note'; note: string };

const APPROVED: readonly State[] = ['approved', 'scheduled'];
const UNDER_WAY: readonly State[] = ['in_progress', 'monitoring', 'rolling_back'];
const NOT_YET: readonly State[] = ['draft', 'submitted', 'pending_approval'];

/** What a reported step does to the change it names. */
export function planDeployment(cr: ChangeRequest, signal: DeploymentSignal): DeploymentPlan {
  const where = `${signal.environment}${signal.deployment ? ` (${signal.deployment})` : ''}`;
  const said = signal.description ? `: ${signal.description}` : '';
  const emergencyDraft = cr.content.category === 'emergency' && cr.state === 'draft';
  const refusable = signal.production && (NOT_YET.includes(cr.state) || cr.state === 'rejected' || cr.state === 'cancelled');
  switch (signal.step) {
    case 'requested':
    case 'started':
    case 'deployed': {
      if (emergencyDraft && signal.production) {
        return {
          kind: 'refuse',
          reasons: ['an emergency change is started by on-call or an engineering manager (POST /changes/{id}/start), not by a pipeline'],
        };
      }
      if (refusable) return { kind: 'refuse', reasons: [`it is ${cr.state.replace('_', ' ')}, not approved`] };
      if (signal.step === 'requested') return { kind: 'note', note: `deployment to ${where} requested; the change is ${cr.state}` };
      if (APPROVED.includes(cr.state)) {
        const start = { action: 'start' as const, reason: `deployment to ${where} started${said}` };
        return { kind: 'actions', actions: signal.step === 'started' ? [start] : [start, { action: 'deployed', reason: `deployed to ${where}${said}` }] };
      }
      if (cr.state === 'in_progress' && signal.step === 'deployed')
        return { kind: 'actions', actions: [{ action: 'deployed', reason: `deployed to ${where}${said}` }] };
      return { kind: 'note', note: `the change is already ${cr.state.replace('_', ' ')}: nothing to do for a ${signal.step} deployment` };
    }
    case 'failed':
      if (UNDER_WAY.includes(cr.state)) return { kind: 'actions', actions: [{ action: 'fail', reason: `the deployment to ${where} failed${said}` }] };
      return { kind: 'note', note: `the deployment failed while the change was ${cr.state.replace('_', ' ')}: nothing to change` };
    case 'rolled_back':
      if (UNDER_WAY.includes(cr.state)) return { kind: 'actions', actions: [{ action: 'rollback', reason: `rolled back on ${where}${said}` }] };
      return { kind: 'note', note: `a rollback was reported while the change was ${cr.state.replace('_', ' ')}: nothing to change` };
    case 'smoke_tests':
      if (UNDER_WAY.includes(cr.state)) return { kind: 'smoke-tests', result: signal.smokeTests ?? 'failed', criteria: signal.criteria };
      return {
        kind: 'note',
        note: `smoke tests reported while the change was ${cr.state.replace('_', ' ')}: they count only during the work and its monitoring period`,
      };
  }
}

/** Whether a production step with no approved change behind it is an unauthorized change (a report's KPI). */
export const isUnauthorizedStep = (signal: DeploymentSignal) =>
  signal.production && (signal.step === 'requested' || signal.step === 'started' || signal.step === 'deployed');

/** Links an incident to a change, once (a second link of the same incident and relation changes nothing). */
export function linkIncident(cr: ChangeRequest, actor: Actor, link: IncidentLink, via: Via, now: string): Decision {
  const w = new Writer(cr, actor, now);
  if ((cr.incidents ?? []).some((i) => i.id === link.id && i.relation === link.relation)) return w.unchanged();
  w.cr.incidents = [...(cr.incidents ?? []), link];
  const words = link.relation === 'opened-for' ? 'opened for' : 'may have been caused by this change';
  w.transition('incident-linked', cr.state, cr.state, `PagerDuty incident ${link.number ?? link.id} "${link.title}" ${words}: ${link.reason}`, { via });
  return w.done();
}

/** An incident linked to the change was resolved: its time to restore is recorded. */
export function resolveIncident(cr: ChangeRequest, actor: Actor, incidentId: string, resolvedAt: string, via: Via, now: string): Decision {
  const w = new Writer(cr, actor, now);
  const links = cr.incidents ?? [];
  if (!links.some((i) => i.id === incidentId && !i.resolvedAt)) return w.unchanged();
  w.cr.incidents = links.map((i) =>
    i.id === incidentId && !i.resolvedAt
      ? { ...i, resolvedAt, minutesToRestore: Math.max(0, Math.round((Date.parse(resolvedAt) - Date.parse(i.triggeredAt)) / 60_000)) }
      : i,
  );
  const restored = w.cr.incidents.find((i) => i.id === incidentId)!;
  w.transition('incident-resolved', cr.state, cr.state, `PagerDuty incident ${restored.number ?? incidentId} resolved after ${restored.minutesToRestore} min`, {
    via,
    minutes: restored.minutesToRestore,
  });
  return w.done();
}

/**
 * The emergency change drafted for a severe incident (seed: Emergency Change Process, "Document
 * concurrently"): its title, the incident's reference, the components of the service when they are
 * known. On-call completes the rest and starts it.
 */
export function emergencyDraftFor(
  incident: {
    id: string;
    number?: number | undefined;
    title: string;
    url?: string | undefined;
    priority?: string | undefined;
    serviceName?: string | undefined;
  },
  components: readonly string[],
) {
  const reference = `PagerDuty #${incident.number ?? incident.id}`;
  return {
    title: `Emergency fix: ${incident.title}`.slice(0, 200),
    category: 'emergency' as const,
    description: {
      summary: `Drafted by ChangeFlow for ${reference} (${incident.priority ?? 'high urgency'}${incident.serviceName ? `, service ${incident.serviceName}` : ''})${incident.url ? `: ${incident.url}` : ''}. Describe the fix, then start the change.`,
      ...(components.length ? { components: [...components] } : {}),
    },
    incident: { reference, ...(incident.priority?.toUpperCase() === 'P1' ? { severity: 'P1' as const } : {}) },
  };
}

/**
 * A person's word on a suggested cause: the incident was caused by this change (`confirm`: it
 * counts in the reports as confirmed) or not (`dismiss`). Only a suggestion is decided, once;
 * who may decide is the lifecycle's implementer-or-approver (the use case checks it).
 */
export function decideIncidentLink(
  cr: ChangeRequest,
  actor: Actor,
  incidentId: string,
  decision: 'confirm' | 'dismiss',
  reason: string,
  now: string,
): Decision {
  const link = (cr.incidents ?? []).find((i) => i.id === incidentId && i.relation !== 'opened-for');
  if (!link)
    throw new NotFoundError(`${cr.id} has no suggested cause ${incidentId} (its incidents: ${(cr.incidents ?? []).map((i) => i.id).join(', ') || 'none'})`);
  if (link.relation !== 'caused-by-candidate') {
    throw new IllegalTransitionError(
      `incident ${incidentId} was already ${link.relation === 'caused-by' ? 'confirmed' : 'dismissed'} by ${link.decidedBy} at ${link.decidedAt}`,
      cr.state,
    );
  }
  const w = new Writer(cr, actor, now);
  const relation = decision === 'confirm' ? ('caused-by' as const) : ('dismissed' as const);
  w.cr.incidents = (cr.incidents ?? []).map((i) => (i === link ? { ...i, relation, decidedBy: actor.id, decidedAt: now, decision: reason } : i));
  w.transition(
    decision === 'confirm' ? 'incident-confirmed' : 'incident-dismissed',
    cr.state,
    cr.state,
    `${actor.name} ${decision === 'confirm' ? 'confirmed' : 'dismissed'} incident ${link.number ?? link.id} as caused by this change: ${reason}`,
  );
  return w.done();
}
