/**
 * Webhooks in (docs/webhooks.md), in two halves:
 *
 * 1. `receiveDelivery`, at the HTTP edge: verify the signature over the raw bytes, read the
 *    delivery id, parse, turn the payload into a Signal, and keep the delivery with the event of
 *    its work in one transaction. The answer (202) comes before any work: PagerDuty wants it
 *    within 5 s, GitHub within 10 s. A redelivery finds the delivery kept and gets its first answer.
 * 2. `processDelivery`, a consumer of `WebhookReceived` on the bus: what the signal does to the
 *    change it names, through the same lifecycle rules a person's action goes through, recorded
 *    with the delivery on every audit entry so that an event delivered twice acts once.
 */
import { type Actor, APPROVER_ROLES, type ApproverRole, type ChangeRequest, type Person } from '../core/change-request.js';
import {
  appliedBefore,
  emergencyDraftFor,
  type IncidentLink,
  isUnauthorizedStep,
  linkIncident,
  planDeployment,
  refuseDeployment,
  resolveIncident,
  type Via,
} from '../core/deployments.js';
import { ChangeFlowError, IllegalTransitionError, IncompleteError, ValidationError } from '../core/errors.js';
import { type DomainEvent, EVENT_SCHEMA_VERSION, type ServiceEvent } from '../core/events.js';
import {
  ciSignal,
  describeSignal,
  type DeploymentSignal,
  githubSignal,
  gitlabSignal,
  type IncidentSignal,
  pagerDutySignal,
  type ProtectionRuleSignal,
  type Signal,
  type SignalSettings,
  type SlackDecisionSignal,
  type WebhookSource,
} from '../core/webhooks.js';
import { decidedMessage, interactionId, REASON_ERRORS, rejectDialog, slackInteraction } from '../core/slack-decisions.js';
import { type Headers, verifyDelivery } from '../http/webhook-signatures.js';
import type {
  Clock,
  DeliveryStore,
  Directory,
  GateStore,
  GitHubDeployments,
  MonitoringStore,
  ChangeWithAudit,
  Once,
  PendingGate,
  ProtectionRequest,
  SlackApp,
  StoredDelivery,
  UnauthorizedChange,
} from '../ports.js';
import { MAX_STATUS_REPORTS, protectionAnswer } from '../core/protection-rule.js';
import { type ChangeDeps, fileChange, recordOnChange, transitionChange } from './changes.js';
import { recordEvidence } from './monitoring.js';

export interface IntakeDeps {
  deliveries: DeliveryStore;
  /** The Slack app: Reject's reason dialog is opened at the edge (Slack's trigger lasts 3 s). */
  slack?: SlackApp | undefined;
  clock: Clock;
  /** The secrets of a source, every one currently valid (several while one is rotated). */
  secrets: (source: WebhookSource) => Promise<string[]>;
  signals: SignalSettings;
}

export interface IntakeAnswer {
  status: number;
  body: Record<string, unknown>;
  /** A redelivery of a delivery already kept: the first answer, again. */
  duplicate: boolean;
}

/** The header that carries each source's delivery id, the same on every redelivery (integrations.md). */
const DELIVERY_ID_HEADERS: Record<WebhookSource, string[]> = {
  github: ['x-github-delivery'],
  // GitLab 17.4+ keeps Idempotency-Key across retries; older instances send only the event UUID
  gitlab: ['idempotency-key', 'x-gitlab-event-uuid'],
  pagerduty: ['x-webhook-id'],
  ci: ['webhook-id'],
  // Slack's interactions carry their id in the payload (trigger_id), read by receiveSlack
  slack: [],
};

const EVENT_HEADERS: Partial<Record<WebhookSource, string>> = { github: 'x-github-event', gitlab: 'x-gitlab-event' };

/** Longest text a kept signal carries per field (a commit message can be long; the delivery is a record, not an archive). */
const SIGNAL_TEXT_LIMIT = 500;

export async function receiveDelivery(deps: IntakeDeps, source: WebhookSource, body: string, headers: Headers): Promise<IntakeAnswer> {
  const now = deps.clock.now();
  await verifyDelivery(source, await deps.secrets(source), body, headers, now);
  if (source === 'slack') return receiveSlack(deps, body, now);
  const idHeader = DELIVERY_ID_HEADERS[source].find((h) => headers[h]);
  const deliveryId = idHeader ? headers[idHeader]!.trim() : '';
  if (!/^[\w.:@-]{1,200}$/.test(deliveryId)) {
    throw new ValidationError([
      {
        path: `headers.${DELIVERY_ID_HEADERS[source][0]}`,
        message: deliveryId ? 'must be at most 200 letters, digits and . : @ _ -' : 'is required: the delivery id, to tell a redelivery from a new delivery',
      },
    ]);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch (err) {
    throw new ValidationError([{ path: 'body', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
  const eventName = (EVENT_HEADERS[source] ? headers[EVENT_HEADERS[source]!] : undefined) ?? '';
  const signal = trimSignal(signalOf(source, eventName, payload, deps.signals));
  return keep(deps, source, deliveryId, eventName || eventOf(source, payload), signal, now);
}

/** Keeps the delivery and the event of its work in one transaction; a redelivery gets the first answer. */
async function keep(
  deps: IntakeDeps,
  source: WebhookSource,
  deliveryId: string,
  eventName: string,
  signal: Signal,
  now: Date,
  /** The status every answer gets (Slack wants a 200, however the delivery is taken); by default 202 accepted, 200 ignored. */
  status?: number,
): Promise<IntakeAnswer> {
  const key = `${source}:${deliveryId}`;
  const receivedAt = now.toISOString();
  const ignored = signal.kind === 'ignored';
  const summary = describeSignal(signal);
  const answer = {
    status: status ?? (ignored ? 200 : 202),
    body: {
      delivery: key,
      status: ignored ? 'ignored' : 'accepted',
      summary,
      ...(signal.kind !== 'ignored' && 'changeId' in signal && signal.changeId ? { changeId: signal.changeId } : {}),
    },
  };
  const delivery: StoredDelivery = {
    key,
    source,
    deliveryId,
    event: eventName,
    receivedAt,
    summary,
    signal,
    changeId: 'changeId' in signal ? signal.changeId : undefined,
    status: ignored ? 'ignored' : 'accepted',
    answer,
  };
  const event: ServiceEvent | undefined = ignored
    ? undefined
    : {
        schemaVersion: EVENT_SCHEMA_VERSION,
        id: `WH#${key}`,
        type: 'WebhookReceived',
        time: receivedAt,
        changeId: delivery.changeId,
        detail: { delivery: key, source, signal },
      };
  const kept = await deps.deliveries.record(delivery, event);
  if (!kept.recorded) return { ...kept.first.answer, duplicate: true };
  return { ...answer, duplicate: false };
}

/**
 * A Slack interaction (docs/webhooks.md "Slack"): the form field `payload`, its id the interaction's
 * `trigger_id` (a replay of the same request is the same delivery, answered again and acted on
 * once). Slack wants its answer within 3 s and always a 200: Approve is kept and decided from
 * the bus; Reject opens the reason dialog now (nothing is decided until it is submitted); a
 * reason too short is answered as the dialog's field error.
 */
async function receiveSlack(deps: IntakeDeps, body: string, now: Date): Promise<IntakeAnswer> {
  const form = new URLSearchParams(body);
  const raw = form.get('payload');
  if (raw === null) throw new ValidationError([{ path: 'body.payload', message: 'is required: Slack sends an interaction as the form field payload' }]);
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (err) {
    throw new ValidationError([{ path: 'body.payload', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
  const id = interactionId(payload);
  if (!id || !/^[\w.:@-]{1,200}$/.test(id)) throw new ValidationError([{ path: 'body.payload.trigger_id', message: 'is required: the interaction id' }]);
  const interaction = slackInteraction(payload);
  const type = String((payload as { type?: unknown }).type ?? '');
  switch (interaction.kind) {
    case 'invalid-reason':
      return { status: 200, body: REASON_ERRORS(interaction.message), duplicate: false };
    case 'ask-reason': {
      let reason = `${interaction.ref.changeId}: the reason dialog opened for a rejection`;
      if (!deps.slack) reason = `${interaction.ref.changeId}: no Slack app is configured (SLACK_BOT_TOKEN), so no dialog could open`;
      else {
        try {
          await deps.slack.openView(interaction.triggerId, rejectDialog(interaction.ref, interaction.message));
        } catch (err) {
          reason = `${interaction.ref.changeId}: the reason dialog did not open (${(err as Error).message.slice(0, 200)})`;
        }
      }
      return keep(deps, 'slack', id, type, { kind: 'ignored', reason }, now, 200);
    }
    case 'decide': {
      const signal: SlackDecisionSignal = {
        kind: 'slack-decision',
        decision: interaction.decision,
        changeId: interaction.ref.changeId,
        revision: interaction.ref.revision,
        slot: interaction.ref.slot,
        comment: interaction.comment,
        user: interaction.user,
        message: interaction.message,
      };
      return keep(deps, 'slack', id, type, signal, now, 200);
    }
    case 'ignored':
      return keep(deps, 'slack', id, type, { kind: 'ignored', reason: interaction.reason }, now, 200);
  }
}

function signalOf(source: WebhookSource, event: string, payload: unknown, settings: SignalSettings): Signal {
  switch (source) {
    case 'github':
      return githubSignal(event, payload, settings);
    case 'gitlab':
      return gitlabSignal(event, payload, settings);
    case 'pagerduty':
      return pagerDutySignal(payload);
    case 'ci':
      return ciSignal(payload, settings);
    case 'slack':
      return { kind: 'ignored', reason: 'Slack interactions are read by receiveSlack' };
  }
}

/** The event a delivery is, when no header names it (PagerDuty's event type, the CI body's event). */
function eventOf(source: WebhookSource, payload: unknown): string {
  const p = payload as { event?: unknown } | null;
  if (source === 'pagerduty') return String((p?.event as { event_type?: unknown } | undefined)?.event_type ?? '');
  return typeof p?.event === 'string' ? p.event : '';
}

function trimSignal<T extends Signal>(signal: T): T {
  return Object.fromEntries(
    Object.entries(signal).map(([k, v]) => [k, typeof v === 'string' && v.length > SIGNAL_TEXT_LIMIT ? `${v.slice(0, SIGNAL_TEXT_LIMIT - 1)}…` : v]),
  ) as T;
}

// ---------------------------------------------------------------------------------------------
// the work, from the bus

export interface ProcessingDeps {
  changes: ChangeDeps;
  deliveries: DeliveryStore;
  /** GitHub's protection-rule requests not answered yet. */
  gates: GateStore;
  /** Answers GitHub's deployment protection rules; without it (no GitHub App configured) they are refused here, and GitHub's job waits. */
  github?: GitHubDeployments | undefined;
  /** Where the comments' links point. */
  baseUrl: string;
  monitoring: MonitoringStore;
  directory: Directory;
  once: Once;
  /** PagerDuty service id → the components it covers (PAGERDUTY_SERVICES). */
  pagerDutyServices: Record<string, string[]>;
  /** The Slack app: who clicked (users.info), the message updated in place, a refusal said to the clicker alone. */
  slack?: SlackApp | undefined;
}

export interface ProcessingOutcome {
  delivery: string;
  status: StoredDelivery['status'];
  outcome: string;
  changeId?: string | undefined;
}

const SOURCE_NAMES: Record<WebhookSource, string> = { github: 'GitHub', gitlab: 'GitLab', pagerduty: 'PagerDuty', ci: 'CI', slack: 'Slack' };

/** Who a delivery acts as: a pipeline of its source (it may start and report, never approve). */
export function pipelineActor(source: WebhookSource, repository?: string): Person {
  return { id: `pipeline:${source}`, name: `${SOURCE_NAMES[source]}${repository ? ` (${repository})` : ''}`, email: '', roles: ['pipeline'] };
}

/** Processes one `WebhookReceived` event; a delivery already processed is not processed again. */
export async function processDelivery(deps: ProcessingDeps, event: ServiceEvent): Promise<ProcessingOutcome> {
  const { delivery: key, source, signal } = event.detail as { delivery: string; source: WebhookSource; signal: Signal };
  const kept = await deps.deliveries.get(key);
  if (kept && kept.status !== 'accepted') return { delivery: key, status: kept.status, outcome: kept.outcome ?? 'already processed', changeId: kept.changeId };
  let result: Omit<ProcessingOutcome, 'delivery'>;
  switch (signal.kind) {
    case 'deployment':
      result = await processDeployment(deps, key, source, signal);
      break;
    case 'incident':
      result = await processIncident(deps, key, signal);
      break;
    case 'protection-rule':
      result = await answerProtectionRule(deps, key, signal);
      break;
    case 'slack-decision':
      result = await decideFromSlack(deps, signal);
      break;
    default:
      result = { status: 'ignored', outcome: describeSignal(signal) };
  }
  await deps.deliveries.finish(key, { ...result, processedAt: deps.changes.clock.now().toISOString() });
  return { delivery: key, ...result };
}

/**
 * A decision from Slack: the Slack user is a ChangeFlow person only by an email Slack verified
 * (`users.info`: `is_email_confirmed`) that the directory knows; the decision then goes through
 * `transitionChange` like every channel's (authority, separation of duties, the revision shown),
 * recorded with the channel `slack`. The message is updated in place with the outcome; a refusal
 * is said to the clicker alone (an ephemeral message) and the buttons stay for whoever may decide.
 */
async function decideFromSlack(deps: ProcessingDeps, signal: SlackDecisionSignal): Promise<Omit<ProcessingOutcome, 'delivery'>> {
  const changeId = signal.changeId;
  const slack = deps.slack;
  if (!slack) return { status: 'refused', outcome: 'no Slack app is configured (SLACK_BOT_TOKEN or SLACK_APP_SECRET_ID): nothing was decided', changeId };
  const tell = async (text: string) => {
    if (signal.message) await slack.postEphemeral(signal.message.channel, signal.user.id, text).catch(() => undefined);
  };
  const refused = async (why: string) => {
    await tell(`ChangeFlow did not ${signal.decision} ${changeId}: ${why}`);
    return { status: 'refused' as const, outcome: `not ${signal.decision === 'approve' ? 'approved' : 'rejected'} from Slack: ${why}`, changeId };
  };
  const profile = await slack.userInfo(signal.user.id);
  if (!profile || profile.deleted) return refused(`the Slack user ${signal.user.id} is unknown to Slack or deactivated`);
  if (!profile.email) return refused(`the Slack user ${signal.user.id} has no email ChangeFlow can see (the app needs the users:read.email scope)`);
  if (!profile.emailConfirmed) return refused(`the Slack user's email ${profile.email} is not verified by Slack, so it cannot stand for a ChangeFlow person`);
  const person = await deps.directory.byEmail(profile.email);
  if (!person) return refused(`no ChangeFlow person has the email ${profile.email}: ask an admin to add you, or decide in ChangeFlow`);
  let after: ChangeWithAudit;
  try {
    after = await transitionChange(deps.changes, person, changeId, signal.decision, {
      revision: signal.revision,
      comment: signal.comment,
      channel: 'slack',
      ...(signal.slot && (APPROVER_ROLES as readonly string[]).includes(signal.slot) ? { slot: signal.slot as ApproverRole } : {}),
    });
  } catch (err) {
    if (err instanceof ChangeFlowError) return refused(err.message);
    throw err;
  }
  const words = signal.decision === 'approve' ? 'approved' : `rejected: ${signal.comment ?? ''}`;
  const outcome = `${person.name} ${words} (in Slack)`;
  if (signal.message) {
    // the decision stands whatever Slack says; a message that could not be updated is noted on the delivery
    try {
      await slack.updateMessage(signal.message.channel, signal.message.ts, decidedMessage(after.cr, outcome, deps.baseUrl));
    } catch (err) {
      return { status: 'processed', outcome: `${changeId}: ${outcome}; the Slack message was not updated (${(err as Error).message.slice(0, 200)})`, changeId };
    }
  }
  return { status: 'processed', outcome: `${changeId}: ${outcome}`, changeId };
}

async function processDeployment(
  deps: ProcessingDeps,
  key: string,
  source: WebhookSource,
  signal: DeploymentSignal,
): Promise<Omit<ProcessingOutcome, 'delivery'>> {
  const actor = pipelineActor(source, signal.repository);
  const via: Via & { step: DeploymentSignal['step'] } = {
    source,
    delivery: key,
    step: signal.step,
    deployment: signal.deployment,
    environment: signal.environment,
    commit: signal.commit,
    committedAt: signal.committedAt,
    url: signal.url,
  };
  const found = signal.changeId ? await deps.changes.store.get(signal.changeId) : null;
  if (!found) {
    const why = signal.changeId ? `it names ${signal.changeId}, which does not exist` : 'it names no change request';
    if (!isUnauthorizedStep(signal)) return { status: 'processed', outcome: `${describeSignal(signal)}: ${why}; nothing to change`, changeId: signal.changeId };
    await unauthorized(deps, key, source, signal, [why]);
    return { status: 'unauthorized', outcome: `unauthorized change: a production deployment to ${signal.environment}, and ${why}`, changeId: signal.changeId };
  }
  const cr = found.cr;
  const plan = planDeployment(cr, signal);
  switch (plan.kind) {
    case 'note':
      return { status: 'processed', outcome: plan.note, changeId: cr.id };
    case 'refuse':
      return refuse(deps, key, source, signal, cr.id, actor, via, plan.reasons);
    case 'smoke-tests': {
      try {
        await recordEvidence({ store: deps.changes.store, monitoring: deps.monitoring, clock: deps.changes.clock }, actor, cr.id, {
          samples: [],
          smokeTests: plan.result,
          criteria: plan.criteria,
        });
      } catch (err) {
        // a criterion the change does not report on: the pipeline's mistake, kept on the delivery (the answer was given)
        if (err instanceof ValidationError)
          return { status: 'refused', outcome: `smoke tests not recorded: ${err.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, changeId: cr.id };
        throw err;
      }
      const criteria = Object.keys(plan.criteria ?? {});
      return {
        status: 'processed',
        outcome: `smoke tests ${plan.result}${criteria.length ? `, ${criteria.join(', ')}` : ''}: recorded for the monitoring period`,
        changeId: cr.id,
      };
    }
    case 'actions': {
      const done: string[] = [];
      // the change as read above for the first action, then as each write left it: one read per delivery, not two per action
      let current: ChangeWithAudit = found;
      for (const { action, reason } of plan.actions) {
        if (appliedBefore(current.audit, key, action)) {
          done.push(`${action} (already)`);
          continue;
        }
        try {
          current = await transitionChange(deps.changes, actor, cr.id, action, { reason, via }, undefined, current);
          done.push(action);
        } catch (err) {
          // the deploy gate denies the start: outside the window, in a blackout, the checklist open, …
          if (err instanceof IncompleteError && action === 'start') {
            const reasons = err.issues.map((i) => i.message);
            return signal.production
              ? refuse(deps, key, source, signal, cr.id, actor, via, reasons)
              : { status: 'refused', outcome: `not started: ${reasons.join('; ')}`, changeId: cr.id };
          }
          // someone else moved the change on meanwhile (a person marked it deployed)
          if (err instanceof IllegalTransitionError)
            return { status: 'processed', outcome: `${done.length ? `${done.join(', ')}; then ` : ''}${err.message}`, changeId: cr.id };
          throw err;
        }
      }
      return { status: 'processed', outcome: `${cr.id}: ${done.join(', then ')}`, changeId: cr.id };
    }
  }
}

async function refuse(
  deps: ProcessingDeps,
  key: string,
  source: WebhookSource,
  signal: DeploymentSignal,
  changeId: string,
  actor: Actor,
  via: Via & { step: DeploymentSignal['step'] },
  reasons: string[],
): Promise<Omit<ProcessingOutcome, 'delivery'>> {
  await recordOnChange(deps.changes, changeId, (cr, audit) =>
    appliedBefore(audit, key, 'unauthorized-deployment')
      ? { next: cr, audit: [] }
      : refuseDeployment(cr, actor, via, reasons, deps.changes.clock.now().toISOString()),
  );
  if (isUnauthorizedStep(signal)) await unauthorized(deps, key, source, signal, reasons, changeId);
  return { status: 'unauthorized', outcome: `recorded against ${changeId} as unauthorized: ${reasons.join('; ')}`, changeId };
}

/** Counted once per deployment, however many of its deliveries come (the deployment, then its statuses). */
async function unauthorized(deps: ProcessingDeps, key: string, source: WebhookSource, signal: DeploymentSignal, reasons: string[], changeId?: string) {
  const at = deps.changes.clock.now().toISOString();
  const record: UnauthorizedChange = {
    key: signal.deployment ? `${source}:${signal.deployment}` : key,
    at,
    source,
    delivery: key,
    environment: signal.environment,
    deployment: signal.deployment,
    commit: signal.commit,
    url: signal.url,
    repository: signal.repository,
    changeId,
    reasons,
  };
  await deps.deliveries.recordUnauthorized(record, {
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: `UNAUTH#${record.key}`,
    type: 'UnauthorizedChange',
    time: at,
    changeId,
    detail: { ...record },
  });
}

// ---------------------------------------------------------------------------------------------
// PagerDuty

const MONITORED_STATES = ['monitoring', 'rolling_back'] as const;

async function processIncident(deps: ProcessingDeps, key: string, signal: IncidentSignal): Promise<Omit<ProcessingOutcome, 'delivery'>> {
  const now = deps.changes.clock.now().toISOString();
  const via: Via = { source: 'pagerduty', delivery: key, step: 'incident' };
  const actor = pipelineActor('pagerduty', signal.incident.serviceName);
  const incident = signal.incident;
  if (signal.step === 'resolved') {
    const ids = await deps.deliveries.incidentChanges(incident.id);
    for (const id of ids) await recordOnChange(deps.changes, id, (cr) => resolveIncident(cr, actor, incident.id, incident.at, via, now));
    return {
      status: 'processed',
      outcome: ids.length ? `incident resolved: time to restore recorded on ${ids.join(', ')}` : 'incident resolved; no change is linked to it',
    };
  }
  if (!signal.severe) return { status: 'processed', outcome: `incident ${incident.number ?? incident.id} is neither P1/P2 nor high urgency: nothing to do` };
  const components = (incident.serviceId && deps.pagerDutyServices[incident.serviceId]) || [];
  const said: string[] = [];
  /** Links the incident to a change (its trail, and the index its resolution follows). */
  const link = async (changeId: string, relation: IncidentLink['relation'], reason: string) => {
    const entry: IncidentLink = {
      source: 'pagerduty',
      id: incident.id,
      number: incident.number,
      title: incident.title,
      url: incident.url,
      relation,
      reason,
      triggeredAt: incident.at,
    };
    await recordOnChange(deps.changes, changeId, (c) => linkIncident(c, actor, entry, via, now));
    await deps.deliveries.linkIncident(incident.id, changeId, now);
  };
  // a change in its monitoring period on the same service: a critical alert for its period (a rollback trigger), and a suspect
  if (components.length) {
    for (const state of MONITORED_STATES) {
      const page = await deps.changes.store.list({ state, limit: 100 });
      for (const cr of page.items.filter((c) => touches(c, components))) {
        const component = components.find((c) => (cr.content.description?.components ?? []).includes(c))!;
        await deps.monitoring.addEvidence(cr.id, [{ at: incident.at, component, criticalAlerts: 1 }], []);
        await link(
          cr.id,
          'caused-by-candidate',
          `triggered ${incident.at} during its monitoring period, on ${incident.serviceName ?? incident.serviceId} (${component})`,
        );
        said.push(`critical alert for ${cr.id}'s monitoring period`);
      }
    }
  }
  // The emergency change for the fix, drafted once per incident, for on-call to complete and start.
  // (A process that dies between the draft's write and the claim's completion drafts it again on
  // the retry: on-call cancels the second.)
  const onCall = (await deps.directory.withRole('on-call'))[0];
  if (!onCall) return { status: 'processed', outcome: [...said, 'no emergency change drafted: nobody in the directory is on-call'].join('; ') };
  let drafted: string | undefined;
  const { ran } = await deps.once.run('pagerduty-emergency', { incident: incident.id }, async () => {
    const content = emergencyDraftFor(
      incident,
      components.filter((c) => deps.changes.rules.components.includes(c)),
    );
    drafted = (await fileChange(deps.changes, onCall, content, undefined, { keepDraft: true })).cr.id;
    await link(drafted, 'opened-for', `drafted from the incident for ${onCall.name} (on-call) to complete`);
  });
  said.push(ran ? `emergency change ${drafted} drafted for ${onCall.name} to complete` : 'its emergency change was drafted before');
  return { status: 'processed', outcome: said.join('; '), changeId: drafted };
}

function touches(cr: ChangeRequest, components: readonly string[]): boolean {
  return (cr.content.description?.components ?? []).some((c) => components.includes(c));
}

/** The deliveries of the last days, newest first, for the console and `GET /webhooks/deliveries`. */
export async function recentDeliveries(deps: { deliveries: DeliveryStore; clock: Clock }, query: { limit: number; source?: WebhookSource | undefined }) {
  return deps.deliveries.recent({ ...query, until: deps.clock.now().toISOString(), days: 7 });
}

// ---------------------------------------------------------------------------------------------
// GitHub deployment protection rules

/** The events of a change after which a waiting protection rule is asked again (approved, the window opened (T-0), the checklist ticked, …). */
export const GATE_EVENTS = [
  'ApprovalGiven',
  'ChangeApproved',
  'ChangeScheduled',
  'ChecklistTicked',
  'TimelineNotice',
  'ChangeRevised',
  'ChangeRejected',
  'ChangeCancelled',
  'ChangeExpired',
  'ChangeCalendarFlagged',
] as const;

async function answerProtectionRule(deps: ProcessingDeps, key: string, signal: ProtectionRuleSignal): Promise<Omit<ProcessingOutcome, 'delivery'>> {
  if (!deps.github)
    return { status: 'refused', outcome: 'no GitHub App is configured (GITHUB_APP_ID): the job waits on GitHub until it times out', changeId: signal.changeId };
  const request: ProtectionRequest = {
    installationId: signal.installationId,
    callbackUrl: signal.callbackUrl,
    environment: signal.environment,
    repository: signal.repository,
    repositoryId: signal.repositoryId,
    sha: signal.sha,
  };
  const gate: PendingGate = {
    key: `${signal.callbackUrl}#${signal.environment}#${signal.sha ?? ''}`,
    changeId: signal.changeId ?? '',
    request,
    delivery: key,
    requestedAt: deps.changes.clock.now().toISOString(),
    reports: 0,
  };
  const { text } = await decideGate(deps, gate);
  return { status: 'processed', outcome: text, changeId: signal.changeId };
}

/** Asks the deploy gate and answers GitHub: approved, rejected, or a status report and the request kept for later. */
async function decideGate(deps: ProcessingDeps, gate: PendingGate): Promise<{ kind: 'approve' | 'reject' | 'wait'; text: string }> {
  const found = gate.changeId ? await deps.changes.store.get(gate.changeId) : null;
  const now = deps.changes.clock.now().toISOString();
  const answer = protectionAnswer({
    changeId: gate.changeId || undefined,
    cr: found?.cr,
    gate: found && deps.changes.calendar ? await deps.changes.calendar.gate(found.cr, now) : undefined,
    environment: gate.request.environment,
    baseUrl: deps.baseUrl,
  });
  if (answer.kind === 'wait') {
    // a report only when there is news (GitHub keeps ten per deployment)
    if (answer.comment !== gate.lastComment && gate.reports < MAX_STATUS_REPORTS) {
      await deps.github!.review(gate.request, { comment: answer.comment });
      gate = { ...gate, reports: gate.reports + 1, lastComment: answer.comment };
    }
    await deps.gates.putGate(gate);
    return { kind: 'wait', text: `GitHub's ${gate.request.environment} job waits: ${answer.comment}` };
  }
  await deps.github!.review(gate.request, { state: answer.kind === 'approve' ? 'approved' : 'rejected', comment: answer.comment });
  if (gate.changeId) await deps.gates.removeGate(gate.changeId, gate.key);
  return { kind: answer.kind, text: `GitHub's ${gate.request.environment} job ${answer.kind === 'approve' ? 'approved' : 'rejected'}: ${answer.comment}` };
}

/** A change moved: each of its waiting protection rules is asked again, and answered if it can be. */
export async function revisitGates(deps: ProcessingDeps, event: DomainEvent): Promise<{ answered: number; waiting: number }> {
  if (!deps.github) return { answered: 0, waiting: 0 };
  let answered = 0;
  let waiting = 0;
  for (const gate of await deps.gates.gatesOf(event.changeId)) {
    if ((await decideGate(deps, gate)).kind === 'wait') waiting++;
    else answered++;
  }
  return { answered, waiting };
}
