/**
 * The lifecycle of a change request (docs/process.md "The lifecycle"):
 *
 *   draft → submitted → pending_approval → approved → scheduled → in_progress → monitoring
 *         → completed | rolled_back | failed, plus rejected and cancelled.
 *
 * `LIFECYCLE` is the one table of what may happen: action → from → to → who → guard, emergency
 * rows included. `applyAction` refuses what the table does not hold and `allowedActions` answers
 * "what may this person do next" from it. Every command is a pure function
 * `(cr, actor, input, now) → Decision`: the next CR and the audit entries to append in the same
 * write. An illegal command throws a named error; nothing is written.
 */
import { DateTime } from 'luxon';
import { approvalPolicy } from './approval-policy.js';
import { calendarWarnings, refuseBlackouts, type CalendarFindings } from './calendar-findings.js';
import {
  ChangeContentSchema,
  type Actor,
  type Approval,
  type ApproverRole,
  type AuditDetail,
  type AuditEntry,
  type BlackoutRunThrough,
  type ChangeContent,
  type DecisionChannel,
  type ChangeRequest,
  type Role,
  type State,
  type WorkflowRef,
} from './change-request.js';
import { CHECKLIST_ITEMS, type ChecklistItem } from './checklist.js';
import { completenessIssues, emergencyIssues, unknownComponentIssues } from './completeness.js';
import { EMERGENCY_POST_APPROVAL_HOURS, EMERGENCY_REMINDER_HOURS } from './durations.js';
import { recordVia, type Via } from './deployments.js';
import { ForbiddenError, type ForbiddenReason, IllegalTransitionError, IncompleteError, ValidationError, type FieldIssue } from './errors.js';
import { normaliseId } from './identity.js';
import { noteKindsOpen, recordNote, recordWarnings, type NoteKind } from './implementation-record.js';
import { DEFAULT_MONITORING_SETTINGS, type Judgement, type MonitoringSettings, monitoringPlan } from './monitoring.js';
import { derivePlannedWindow, windowAfterEdit } from './planned-window.js';
import { assessRisk, riskExplanation } from './risk.js';
import { approvingRole, satisfies } from './roles.js';

export { MONITORING_MINUTES } from './durations.js';

export interface Decision {
  next: ChangeRequest;
  audit: AuditEntry[];
}

export interface RulesConfig {
  components: readonly string[];
  /** The monitoring period's settings (MONITORING_MINUTES, MONITORING_INTERVAL_SECONDS, COMPONENT_SLA_MS, …). */
  monitoring?: MonitoringSettings | undefined;
  /** The organisation's IANA time zone: a proposed time without an offset is read in it. */
  timeZone: string;
  /** Who may declare an emergency (EMERGENCY_ROLES): on-call, eng-manager and cto by default. */
  emergencyRoles: readonly Role[];
}

export const ACTIONS = [
  'submit',
  'approve',
  'reject',
  'cancel',
  'schedule',
  'start',
  'deployed',
  'complete',
  'verdict',
  'rollback',
  'fail',
  'checklist',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Who may take an action; the words in `whoAllows` say why not. */
export type Who = 'requestor-or-admin' | 'implementer' | 'approver' | 'post-approver' | 'emergency-declarer' | 'implementer-or-approver';

export interface LifecycleRow {
  /** The action, or `edit` (PATCH /changes/{id}: a new revision). */
  action: Action | 'edit';
  /** planned: standard, normal and major changes; emergency: emergency changes. */
  kind: 'planned' | 'emergency' | 'any';
  from: readonly State[];
  /** The state after, or `unchanged` for an action that records without moving. */
  to: State | 'unchanged';
  who: Who;
  /** What else must hold, as the rule checks it (docs/process.md says the same). */
  guard: string;
  /** Beyond the state: whether the row is open to this change now. */
  open?: (cr: ChangeRequest) => boolean;
}

const AFTER_START: readonly State[] = ['in_progress', 'monitoring', 'rolling_back', 'completed', 'rolled_back', 'failed'];
const postApprovalOpen = (cr: ChangeRequest) => Boolean(cr.postApproval && !cr.postApproval.approvedBy);

export const LIFECYCLE: readonly LifecycleRow[] = [
  {
    action: 'edit',
    kind: 'planned',
    from: ['draft', 'submitted', 'pending_approval', 'approved', 'scheduled', 'rejected'],
    to: 'draft',
    who: 'requestor-or-admin',
    guard: 'a new revision: approvals and checklist ticks are cleared; a draft stays a draft',
  },
  {
    action: 'edit',
    kind: 'emergency',
    from: ['draft', 'in_progress', 'monitoring'],
    to: 'unchanged',
    who: 'requestor-or-admin',
    guard: 'documented while it is carried out (seed: Document concurrently)',
  },
  {
    action: 'submit',
    kind: 'planned',
    from: ['draft'],
    to: 'submitted',
    who: 'requestor-or-admin',
    guard:
      'complete for its category; a risk level; a standard change only from the catalogue at low risk; a window that has not ended and touches no blackout',
  },
  {
    action: 'approve',
    kind: 'planned',
    from: ['pending_approval'],
    to: 'unchanged',
    who: 'approver',
    guard: 'bound to the current revision; fills one open slot; approved when every slot is filled',
  },
  { action: 'reject', kind: 'planned', from: ['pending_approval'], to: 'rejected', who: 'approver', guard: 'bound to the current revision; a comment' },
  {
    action: 'checklist',
    kind: 'planned',
    from: ['submitted', 'pending_approval', 'approved', 'scheduled'],
    to: 'unchanged',
    who: 'implementer',
    guard: 'only the items people tick; each tick bound to the current revision',
  },
  { action: 'schedule', kind: 'planned', from: ['approved'], to: 'scheduled', who: 'implementer', guard: 'a planned window that has not ended' },
  {
    action: 'start',
    kind: 'planned',
    from: ['approved', 'scheduled'],
    to: 'in_progress',
    who: 'implementer',
    guard: 'what the deploy gate allows: the approved revision, inside its window, no blackout, no conflict, the checklist done',
  },
  {
    action: 'start',
    kind: 'emergency',
    from: ['draft'],
    to: 'in_progress',
    who: 'emergency-declarer',
    guard: 'its incident and severity named; the checklist is skipped',
  },
  {
    action: 'approve',
    kind: 'emergency',
    from: AFTER_START,
    to: 'unchanged',
    who: 'post-approver',
    guard: 'post-approval, once, within 24 h of the start (late is recorded as late)',
    open: postApprovalOpen,
  },
  {
    action: 'cancel',
    kind: 'planned',
    from: ['draft', 'submitted', 'pending_approval', 'approved', 'scheduled'],
    to: 'cancelled',
    who: 'requestor-or-admin',
    guard: 'before the work starts',
  },
  { action: 'cancel', kind: 'emergency', from: ['draft'], to: 'cancelled', who: 'requestor-or-admin', guard: 'an emergency draft that never started' },
  {
    action: 'deployed',
    kind: 'any',
    from: ['in_progress'],
    to: 'monitoring',
    who: 'implementer',
    guard: 'the deployment is live: the monitoring period begins',
  },
  {
    action: 'complete',
    kind: 'any',
    from: ['in_progress'],
    to: 'monitoring',
    who: 'implementer',
    guard: 'the same as deployed (kept for pipelines that send it)',
  },
  {
    action: 'complete',
    kind: 'any',
    from: ['monitoring'],
    to: 'completed',
    who: 'implementer',
    guard: 'the monitoring verdict is passed (or a person passed it); an emergency change needs its post-incident review',
  },
  {
    action: 'verdict',
    kind: 'any',
    from: ['monitoring'],
    to: 'unchanged',
    who: 'implementer-or-approver',
    guard: 'pass now (an approver who is neither the requestor nor the deployer), fail now, extend by minutes, or acknowledge an unhealthy baseline; a reason',
  },
  {
    action: 'rollback',
    kind: 'any',
    from: ['in_progress', 'monitoring', 'rolling_back'],
    to: 'rolled_back',
    who: 'implementer',
    guard: 'the rollback is done; a reason: which trigger fired',
  },
  {
    action: 'fail',
    kind: 'any',
    from: ['in_progress', 'monitoring', 'rolling_back'],
    to: 'failed',
    who: 'implementer',
    guard: 'the deployment failed outright; a reason',
  },
];

const kindOf = (cr: Pick<ChangeRequest, 'content'>): 'planned' | 'emergency' => (cr.content.category === 'emergency' ? 'emergency' : 'planned');
const rowsFor = (cr: ChangeRequest, action: Action | 'edit') => LIFECYCLE.filter((r) => r.action === action && (r.kind === 'any' || r.kind === kindOf(cr)));

/** The row that lets `action` happen to `cr` now, or why none does. */
function rowOrRefusal(cr: ChangeRequest, action: Action | 'edit'): LifecycleRow {
  const rows = rowsFor(cr, action);
  const row = rows.find((r) => r.from.includes(cr.state) && (r.open?.(cr) ?? true));
  if (row) return row;
  if (action === 'submit' && kindOf(cr) === 'emergency') {
    throw new IllegalTransitionError('an emergency change is not submitted for approval: start it, and it is post-approved', cr.state);
  }
  if (action === 'approve' && kindOf(cr) === 'emergency') {
    if (!cr.postApproval) throw new IllegalTransitionError('this emergency change has not started, so there is nothing to post-approve yet', cr.state);
    throw new IllegalTransitionError(`already post-approved by ${cr.postApproval.approvedBy}`, cr.state);
  }
  if (action === 'edit') throw new IllegalTransitionError(`a change request in state ${cr.state} cannot be edited`, cr.state);
  const from = [...new Set(rows.flatMap((r) => r.from))];
  throw new IllegalTransitionError(
    from.length
      ? `cannot ${action} a change request in state ${cr.state} (allowed from: ${from.join(', ')})`
      : `cannot ${action} ${kindOf(cr) === 'emergency' ? 'an emergency change' : 'this change request'}`,
    cr.state,
  );
}

// ---------------------------------------------------------------------------------------------
// who may act

const isAdmin = (actor: Actor) => actor.roles.includes('admin' as never);
const isRequestor = (cr: ChangeRequest, actor: Actor) => normaliseId(actor.id) === normaliseId(cr.requestor.id);
const roleWords = (role: ApproverRole) => `${role}${role === 'cto' ? '' : ' or above'}`;

/** The approval slots of the current revision no one has filled yet. */
export function openSlots(cr: ChangeRequest) {
  return (cr.approvalRequirement?.slots ?? []).filter((s) => !cr.approvals.some((a) => a.slot === s.slot && a.revision === cr.revision));
}

/**
 * The one slot a person may fill now: the strictest open slot they qualify for, so a CTO does not
 * use up the manager's slot of a major change. None for the requestor or someone who approved.
 */
export function slotFor(cr: ChangeRequest, actor: Pick<Actor, 'id' | 'roles'>): ApproverRole | undefined {
  if (cr.approvalRequirement?.route !== 'approval' || isRequestor(cr, actor as Actor)) return undefined;
  if (cr.approvals.some((a) => a.revision === cr.revision && normaliseId(a.by) === normaliseId(actor.id))) return undefined;
  return openSlots(cr)
    .filter((s) => satisfies(actor.roles, s.minRole))
    .at(-1)?.slot;
}

/** Null when `actor` is among `who` for this change; else the refusal, in words. */
export function whoRefuses(who: Who, cr: ChangeRequest, actor: Actor, config: Pick<RulesConfig, 'emergencyRoles'>, action: string): string | null {
  const refusal = refusalOf(who, cr, actor, config, action);
  return refusal === null ? null : typeof refusal === 'string' ? refusal : refusal.message;
}

/** A refusal that separation of duties makes, as opposed to a missing right. */
const sod = (message: string) => ({ message, reason: 'separation-of-duties' as const });

function refusalOf(
  who: Who,
  cr: ChangeRequest,
  actor: Actor,
  config: Pick<RulesConfig, 'emergencyRoles'>,
  action: string,
): string | { message: string; reason: ForbiddenReason } | null {
  switch (who) {
    case 'requestor-or-admin':
      return isRequestor(cr, actor) || isAdmin(actor) ? null : `only the requestor (${cr.requestor.id}) or an admin may ${action} this change request`;
    case 'implementer':
      // a pipeline: a verified delivery of a CI/CD system, or a service account's token
      return isRequestor(cr, actor) || isAdmin(actor) || actor.roles.includes('on-call' as never) || actor.roles.includes('pipeline' as never)
        ? null
        : `only the requestor (${cr.requestor.id}), on-call, a pipeline or an admin may ${action} this change request`;
    case 'implementer-or-approver':
      return isRequestor(cr, actor) || isAdmin(actor) || actor.roles.includes('on-call' as never) || approvingRole(actor.roles) !== undefined
        ? null
        : `only the requestor (${cr.requestor.id}), on-call, an approver or an admin may ${action} this change request`;
    case 'emergency-declarer':
      return actor.roles.some((r) => config.emergencyRoles.includes(r) || satisfiesListed(r, config.emergencyRoles))
        ? null
        : `only ${config.emergencyRoles.join(', ')} may declare an emergency change; ${actor.name} cannot`;
    case 'approver': {
      if (isRequestor(cr, actor)) return sod('separation of duties: nobody approves their own change request');
      if (cr.approvals.some((a) => a.revision === cr.revision && normaliseId(a.by) === normaliseId(actor.id))) {
        return sod(`${actor.name} already approved revision ${cr.revision}; one person's approval counts once`);
      }
      if (slotFor(cr, actor)) return null;
      const open = openSlots(cr);
      if (action === 'reject' && (cr.approvalRequirement?.slots ?? []).some((s) => satisfies(actor.roles, s.minRole))) return null;
      return action === 'reject'
        ? `only a required approver may reject; ${actor.name} is not one for this change`
        : `this approval needs ${open.map((s) => roleWords(s.minRole)).join(' and ')}; ${actor.name} cannot give it`;
    }
    case 'post-approver': {
      if (isRequestor(cr, actor)) return sod('separation of duties: nobody approves their own change request');
      const minRole = cr.postApproval?.minRole ?? 'eng-manager';
      return satisfies(actor.roles, minRole) ? null : `post-approval of an emergency change needs ${roleWords(minRole)}`;
    }
  }
}

/** "eng-manager" in EMERGENCY_ROLES means eng-manager and above on the approval ladder. */
function satisfiesListed(role: Role, listed: readonly Role[]): boolean {
  return listed.some((l) => (l === 'tech-lead' || l === 'eng-manager' || l === 'cto') && satisfies([role], l));
}

/** What this person may do to this change now: every row open to them, from the one table. */
export function allowedActions(cr: ChangeRequest, actor: Actor, config: Pick<RulesConfig, 'emergencyRoles'>): (Action | 'edit')[] {
  const allowed = LIFECYCLE.filter(
    (r) =>
      (r.kind === 'any' || r.kind === kindOf(cr)) &&
      r.from.includes(cr.state) &&
      (r.open?.(cr) ?? true) &&
      whoRefuses(r.who, cr, actor, config, String(r.action)) === null,
  ).map((r) => r.action);
  return [...new Set(allowed)];
}

function mustBe(who: Who, cr: ChangeRequest, actor: Actor, config: Pick<RulesConfig, 'emergencyRoles'>, action: string): void {
  const refusal = refusalOf(who, cr, actor, config, action);
  if (refusal === null) return;
  throw typeof refusal === 'string' ? new ForbiddenError(refusal) : new ForbiddenError(refusal.message, refusal.reason);
}

// ---------------------------------------------------------------------------------------------
// create and edit

export function createChange(args: {
  id: string;
  content: ChangeContent;
  actor: Actor;
  now: string;
  config: RulesConfig;
  /** The calendar's word on the planned window, when there is one. */
  calendar?: CalendarFindings | undefined;
  /** The seed template the change was written on (Markdown), if any. */
  template?: ChangeRequest['template'];
  /** Blackouts in force when an emergency change starts at once (the use case asks the calendar). */
  blackoutsAtStart?: BlackoutRunThrough[] | undefined;
  /** An emergency change drafted for a person (from a PagerDuty incident): it stays a draft until they start it. */
  keepDraft?: boolean | undefined;
}): Decision {
  const { id, actor, now, config, calendar } = args;
  const content = withWindow(args.content, derivePlannedWindow(args.content, config.timeZone, now).window);
  rejectUnknownComponents(content, config);
  refuseBlackouts(content, calendar);
  const risk = assessRisk(content.risk);
  const cr: ChangeRequest = {
    id,
    revision: 1,
    version: 0,
    state: 'draft',
    requestor: { id: actor.id, name: actor.name, email: 'email' in actor ? actor.email : '', team: 'team' in actor ? actor.team : undefined },
    content,
    riskLevel: risk?.level ?? null,
    riskBasis: risk?.basis ?? null,
    approvalRequirement: null,
    approvals: [],
    warnings: [],
    calendar,
    ...(args.template ? { template: args.template } : {}),
    createdAt: now,
    updatedAt: now,
    auditCount: 0,
  };
  const w = new Writer(cr, actor, now);
  w.transition('create', null, 'draft', 'change request filed');
  // An emergency change goes in progress at once when its incident is named and a person who may
  // declare one files it (seed: "Skip approval"); anyone else's stays a draft for them to start.
  if (
    !args.keepDraft &&
    content.category === 'emergency' &&
    emergencyIssues(content).length === 0 &&
    whoRefuses('emergency-declarer', cr, actor, config, 'start') === null
  ) {
    startEmergency(w, args.blackoutsAtStart ?? [], 'emergency change: work starts at once, approval follows');
  }
  return w.done();
}

/** Who may edit a change request, and from which states: checked before a patch is merged. */
export function mayEdit(cr: ChangeRequest, actor: Actor): void {
  const row = rowOrRefusal(cr, 'edit');
  const refusal = whoRefuses(row.who, cr, actor, { emergencyRoles: [] }, 'edit');
  if (refusal) throw new ForbiddenError(refusal);
}

/**
 * The workflow execution a change runs, named in this one place: an approval per revision and
 * submit (so a resubmit starts a fresh one), one emergency flow per change. Step Functions keeps a
 * name taken for 90 days, which makes a start idempotent on it.
 */
export function workflowRef(name: WorkflowRef['name'], cr: Pick<ChangeRequest, 'id' | 'revision' | 'version'>): WorkflowRef {
  const executionName = name === 'approval' ? `${cr.id}-r${cr.revision}-v${cr.version + 1}` : `${cr.id}-emergency`;
  return { name, executionName, revision: cr.revision };
}

export function editChange(cr: ChangeRequest, actor: Actor, edited: ChangeContent, now: string, config: RulesConfig, calendar?: CalendarFindings): Decision {
  mayEdit(cr, actor);
  if ((cr.content.category === 'emergency') !== (edited.category === 'emergency')) {
    throw new ValidationError([
      { path: 'content.category', message: 'a change cannot become or stop being an emergency change; cancel it and file a new one' },
    ]);
  }
  const content = withWindow(edited, windowAfterEdit(cr.content, edited, config.timeZone, now).window);
  rejectUnknownComponents(content, config);
  refuseBlackouts(content, calendar);
  const w = new Writer(cr, actor, now);
  const risk = assessRisk(content.risk);
  w.cr.content = content;
  w.cr.calendar = calendar;
  w.cr.revision = cr.revision + 1;
  w.cr.riskLevel = risk?.level ?? null;
  w.cr.riskBasis = risk?.basis ?? null;
  const hadApprovals = cr.approvals.length > 0;
  w.cr.approvals = [];
  w.cr.checklist = undefined;
  if (cr.content.category === 'emergency' || cr.state === 'draft') {
    w.transition('edit', cr.state, cr.state, `revision ${w.cr.revision}`);
  } else {
    w.cr.approvalRequirement = null;
    w.cr.approvalRequests = undefined;
    w.cr.workflow = undefined;
    w.cr.approvedAt = undefined;
    w.transition(
      'edit',
      cr.state,
      'draft',
      `revision ${w.cr.revision}: back to draft${hadApprovals ? ', approvals cleared' : ''}; submit again for approval`,
      endsFlow(cr),
    );
  }
  return w.done();
}

/** The content with the window to store (explicit, derived, or none). */
function withWindow(content: ChangeContent, window: ChangeContent['plannedWindow']): ChangeContent {
  if (!window) {
    const { plannedWindow: _none, ...rest } = content;
    return rest as ChangeContent;
  }
  return { ...content, plannedWindow: window };
}

// ---------------------------------------------------------------------------------------------
// transitions

export interface TransitionInput {
  comment?: string | undefined;
  reason?: string | undefined;
  /** The revision the approver saw; a different current revision refuses the approval. */
  revision?: number | undefined;
  /** A link decision: the slot the link was minted for (filled if still open, else the slot its holder may still fill). */
  slot?: ApproverRole | undefined;
  postIncidentReview?: string | undefined;
  outcome?: 'success' | 'failed' | undefined;
  /** verdict: a person's decision on the monitoring period, and by how many minutes to extend it. */
  decision?: 'pass' | 'fail' | 'extend' | 'acknowledge' | undefined;
  minutes?: number | undefined;
  /** Checklist items to tick and untick. */
  tick?: ChecklistItem[] | undefined;
  untick?: ChecklistItem[] | undefined;
  note?: string | undefined;
  /** The delivery (webhook) this action comes from: recorded on its entries and, for a deployment, on the change. */
  via?: Via | undefined;
  /** approve, reject: where the decision is taken (the API unless an email link, Slack or a meeting says so). */
  channel?: DecisionChannel | undefined;
  /** approve, reject: the change-board meeting the decision is taken in (the channel is then `meeting`). */
  meeting?: string | undefined;
  /** complete, rollback, fail: the lessons learned, recorded with the closing (seed: Post-Implementation). */
  lessonsLearned?: string | undefined;
}

/** The deploy gate's answer, as the core computed it for a start (deploy-gate.ts `gateDecision`). */
export interface GateAnswer {
  decision: 'allow' | 'deny';
  reasons: { code: string; message: string }[];
  /** Freeze exceptions that let the change through now: the start names them. */
  exceptions?: { freezeId: string; title: string; owner: string }[] | undefined;
}

export interface TransitionContext {
  calendar?: CalendarFindings | undefined;
  workflow?: WorkflowRef | undefined;
  /** start of a planned change: what the deploy gate says now (the same rule the pipelines ask). */
  gate?: GateAnswer | undefined;
  /** start of an emergency change: the blackouts in force at its start. */
  blackoutsAtStart?: BlackoutRunThrough[] | undefined;
}

export function applyAction(
  cr: ChangeRequest,
  action: Action,
  actor: Actor,
  input: TransitionInput,
  now: string,
  config: RulesConfig,
  context: TransitionContext = {},
): Decision {
  const decision = decideAction(cr, action, actor, input, now, config, context);
  // a pipeline's or PagerDuty's delivery: its entries say which, and a deployment is kept on the change
  return input.via ? recordVia(decision, input.via) : decision;
}

function decideAction(
  cr: ChangeRequest,
  action: Action,
  actor: Actor,
  input: TransitionInput,
  now: string,
  config: RulesConfig,
  context: TransitionContext,
): Decision {
  const row = rowOrRefusal(cr, action);
  mustBe(row.who, cr, actor, config, action);
  if (input.lessonsLearned !== undefined && !['complete', 'rollback', 'fail'].includes(action)) {
    throw new ValidationError([{ path: 'body.lessonsLearned', message: `goes with closing a change (complete, rollback, fail); ${action} takes none` }]);
  }
  if (input.meeting !== undefined && action !== 'approve' && action !== 'reject') {
    throw new ValidationError([{ path: 'body.meeting', message: `names the meeting an approval or a rejection is decided in; ${action} takes none` }]);
  }
  const emergency = kindOf(cr) === 'emergency';
  switch (action) {
    case 'submit':
      return submit(cr, actor, now, config, context);
    case 'approve':
      return emergency ? postApprove(cr, actor, input, now) : approve(cr, actor, input, now);
    case 'reject':
      return reject(cr, actor, input, now);
    case 'checklist':
      return tickChecklist(cr, actor, input, now);
    case 'cancel': {
      const w = new Writer(cr, actor, now);
      w.cr.closedAt = now;
      w.cr.closeReason = input.reason;
      w.cr.approvalRequests = undefined;
      w.transition('cancel', cr.state, 'cancelled', input.reason ?? 'cancelled', endsFlow(cr));
      return w.done();
    }
    case 'schedule': {
      const window = refuseEndedWindow(cr.content, now);
      const w = new Writer(cr, actor, now);
      w.transition('schedule', cr.state, 'scheduled', `scheduled for ${window.start} – ${window.end}`);
      warnUnderWay(w, window, now);
      return w.done();
    }
    case 'start': {
      if (emergency) {
        const issues = emergencyIssues(cr.content);
        if (issues.length) throw new IncompleteError(issues, 'An emergency change cannot start without its incident.');
        const w = new Writer(cr, actor, now);
        startEmergency(w, context.blackoutsAtStart ?? [], input.reason ?? 'emergency change started; approval follows');
        return w.done();
      }
      if (!context.gate) throw new Error("a start needs the deploy gate's answer (use case: gateDecision)");
      if (context.gate.decision === 'deny') {
        throw new IncompleteError(
          context.gate.reasons.map((r) => ({ path: `gate.${r.code}`, message: r.message })),
          `The deploy gate denies this change now, so it cannot start: ${context.gate.reasons.map((r) => r.message).join('; ')}.`,
        );
      }
      const w = new Writer(cr, actor, now);
      w.cr.startedAt = now;
      const excepted = (context.gate.exceptions ?? []).map((e) => `the exception ${e.owner} approved to the freeze "${e.title}" (${e.freezeId})`);
      const through = excepted.length ? ` through ${excepted.join(' and ')}` : '';
      w.transition(
        'start',
        cr.state,
        'in_progress',
        input.reason ? `${input.reason}${through && ` (${through.trim()})`}` : `implementation started: the deploy gate allows it${through}`,
        context.gate.exceptions?.[0]
          ? { freeze: { id: context.gate.exceptions[0].freezeId, title: context.gate.exceptions[0].title, owner: context.gate.exceptions[0].owner } }
          : undefined,
      );
      return w.done();
    }
    case 'deployed':
      return deploy(cr, actor, now, config);
    case 'complete':
      return cr.state === 'in_progress' ? deploy(cr, actor, now, config) : complete(cr, actor, input, now);
    case 'verdict':
      return decideMonitoring(cr, actor, input, now);
    case 'rollback':
      return closeWork(cr, actor, now, 'rollback', input.reason, 'is required: which rollback trigger fired, or why', input);
    case 'fail':
      return closeWork(cr, actor, now, 'fail', input.reason, 'is required: what failed', input);
  }
}

function submit(cr: ChangeRequest, actor: Actor, now: string, config: RulesConfig, context: TransitionContext): Decision {
  const { calendar, workflow } = context;
  const issues = completenessIssues(cr.content, derivePlannedWindow(cr.content, config.timeZone, now).problems);
  const risk = assessRisk(cr.content.risk);
  if (issues.length || !risk) throw new IncompleteError(issues, 'The change request is incomplete: fill every field listed.');
  const policy = approvalPolicy(cr.content, risk.level);
  if (!policy.ok) throw new IncompleteError([{ path: policy.path, message: policy.message }], `This change cannot be a standard change: ${policy.message}.`);
  const window = refuseEndedWindow(cr.content, now);
  refuseBlackouts(cr.content, calendar);
  const w = new Writer(cr, actor, now);
  if (calendar) w.cr.calendar = calendar;
  w.cr.riskLevel = risk.level;
  w.cr.riskBasis = risk.basis;
  w.cr.approvalRequirement = policy.requirement;
  w.cr.approvals = [];
  w.cr.submittedAt = now;
  w.cr.approvalRequests = undefined;
  // the approval workflow takes it from here (approval-flow.ts: routeSubmitted)
  w.cr.workflow = workflow;
  w.transition('submit', 'draft', 'submitted', `revision ${cr.revision} submitted: ${policy.requirement.reasons.join('; ')}`);
  warnUnderWay(w, window, now);
  return w.done();
}

/** A window that has ended cannot be submitted or scheduled: nothing could still happen in it. */
function refuseEndedWindow(content: ChangeContent, now: string): NonNullable<ChangeContent['plannedWindow']> {
  const window = content.plannedWindow;
  if (!window) throw new IncompleteError([{ path: 'content.plannedWindow', message: 'is required: when will the change be carried out?' }]);
  if (Date.parse(window.end) <= Date.parse(now)) {
    throw new IncompleteError(
      [{ path: 'content.plannedWindow', message: `ended at ${window.end}, before now (${now}): plan a window that is still ahead` }],
      `The planned window ended at ${window.end}; plan a new one (PATCH plannedWindow, or the maintenance window's proposed time).`,
    );
  }
  return window;
}

function warnUnderWay(w: Writer, window: { start: string; end: string }, now: string): void {
  if (Date.parse(window.start) <= Date.parse(now)) w.warn(`the planned window is already under way (it started at ${window.start} and ends at ${window.end})`);
}

function approve(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const requirement = mustBeThisRevision(cr, input);
  const open = openSlots(cr);
  const hinted = input.slot ? open.find((s) => s.slot === input.slot && satisfies(actor.roles, s.minRole)) : undefined;
  const slotName = hinted?.slot ?? slotFor(cr, actor);
  const slot = requirement.slots.find((s) => s.slot === slotName);
  if (!slot) throw new ForbiddenError(`this approval needs ${open.map((s) => roleWords(s.minRole)).join(' and ')}; ${actor.name} cannot give it`);
  const approval: Approval = {
    slot: slot.slot,
    by: actor.id,
    name: actor.name,
    role: approvingRole(actor.roles)!,
    revision: cr.revision,
    at: now,
    comment: input.comment,
    ...decidedIn(input),
  };
  const w = new Writer(cr, actor, now);
  w.cr.approvals = [...cr.approvals, approval];
  const remaining = open.filter((s) => s !== slot);
  const detail = { slot: slot.slot, ...decidedIn(input) };
  if (remaining.length === 0) {
    w.cr.approvedAt = now;
    w.transition('approve', 'pending_approval', 'approved', withComment(`${slot.slot} approval given; all approvals in`, input.comment), detail);
  } else {
    w.transition(
      'approve',
      'pending_approval',
      'pending_approval',
      withComment(`${slot.slot} approval given; still waiting for ${remaining.map((s) => s.slot).join(', ')}`, input.comment),
      detail,
    );
  }
  return w.done();
}

function reject(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  mustBeThisRevision(cr, input);
  if (!input.comment) throw new ValidationError([{ path: 'body.comment', message: 'is required: say why the change is rejected' }]);
  const w = new Writer(cr, actor, now);
  w.cr.closedAt = now;
  w.cr.closeReason = input.comment;
  w.cr.rejection = { by: actor.id, name: actor.name, revision: cr.revision, at: now, comment: input.comment, ...decidedIn(input) };
  w.transition('reject', 'pending_approval', 'rejected', `revision ${cr.revision} rejected: ${input.comment}`, { ...endsFlow(cr), ...decidedIn(input) });
  return w.done();
}

function postApprove(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const pa = cr.postApproval!;
  if (input.revision !== undefined && input.revision !== cr.revision) {
    throw new IllegalTransitionError(
      `the post-approval was for revision ${input.revision}, but the change is now at revision ${cr.revision}; review it again`,
      cr.state,
    );
  }
  const w = new Writer(cr, actor, now);
  w.cr.postApproval = { ...pa, approvedBy: actor.id, approvedByName: actor.name, approvedAt: now, comment: input.comment, ...decidedIn(input) };
  const late = Date.parse(now) > Date.parse(pa.dueAt);
  w.transition('post-approve', cr.state, cr.state, withComment(`post-approved${late ? ` late (was due ${pa.dueAt})` : ''}`, input.comment), {
    slot: pa.minRole,
    ...decidedIn(input),
  });
  return w.done();
}

function tickChecklist(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const tick = input.tick ?? [];
  const untick = input.untick ?? [];
  if (tick.length + untick.length === 0) {
    throw new ValidationError([{ path: 'body.tick', message: 'name at least one checklist item to tick (or untick)' }]);
  }
  const automated = [...tick, ...untick].filter((i) => CHECKLIST_ITEMS[i].automated);
  if (automated.length) {
    throw new ValidationError(
      automated.map((i) => ({ path: 'body.tick', message: `"${i}" (${CHECKLIST_ITEMS[i].label}) is ticked by ChangeFlow itself, not by hand` })),
    );
  }
  const both = tick.filter((i) => untick.includes(i));
  if (both.length) throw new ValidationError([{ path: 'body.untick', message: `cannot tick and untick ${both.join(', ')} at once` }]);
  const current = cr.checklist ?? {};
  const ticked = tick.filter((i) => current[i]?.revision !== cr.revision);
  const unticked = untick.filter((i) => current[i]?.revision === cr.revision);
  const w = new Writer(cr, actor, now);
  if (ticked.length === 0 && unticked.length === 0) return w.unchanged();
  const next = { ...current };
  for (const i of ticked) next[i] = { by: actor.id, name: actor.name, at: now, revision: cr.revision, ...(input.note ? { note: input.note } : {}) };
  for (const i of unticked) delete next[i];
  w.cr.checklist = next;
  const words = [
    ticked.length ? `ticked ${ticked.map((i) => CHECKLIST_ITEMS[i].label).join(', ')}` : '',
    unticked.length ? `unticked ${unticked.map((i) => CHECKLIST_ITEMS[i].label).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  w.transition('checklist', cr.state, cr.state, withComment(`pre-deployment checklist: ${words}`, input.note), {
    ...(ticked.length ? { ticked } : {}),
    ...(unticked.length ? { unticked } : {}),
  });
  return w.done();
}

/** The deployment is live: the monitoring period begins, with what it judges fixed now (core/monitoring.ts). */
function deploy(cr: ChangeRequest, actor: Actor, now: string, config: RulesConfig): Decision {
  const plan = monitoringPlan(cr.content, config.monitoring ?? DEFAULT_MONITORING_SETTINGS);
  const runs = (cr.monitoring?.runs ?? 0) + 1;
  const w = new Writer(cr, actor, now);
  w.cr.deployedAt = now;
  w.cr.monitoringUntil = DateTime.fromISO(now, { zone: 'utc' }).plus({ minutes: plan.minutes }).toISO()!;
  w.cr.monitoring = { plan, verdict: 'watching', reasons: [], runs, deployedBy: actor.id };
  w.cr.monitoringFlow = { name: 'monitoring', executionName: monitoringExecutionName(cr.id, runs), revision: cr.revision };
  const started = cr.startedAt ? ` (${Math.round((Date.parse(now) - Date.parse(cr.startedAt)) / 60_000)} minutes after the start)` : '';
  w.transition(
    'deployed',
    'in_progress',
    'monitoring',
    `deployed${started}; monitoring for ${plan.minutes} minutes until ${w.cr.monitoringUntil}, every ${plan.intervalSeconds} s, on ${plan.criteria.length} criteria`,
  );
  return w.done();
}

/** The work ends without completing: rolled back, or failed outright; a reason is required, and the monitoring flow stops. */
function closeWork(
  cr: ChangeRequest,
  actor: Actor,
  now: string,
  action: 'rollback' | 'fail',
  reason: string | undefined,
  missing: string,
  input: Pick<TransitionInput, 'lessonsLearned'> = {},
): Decision {
  if (!reason) throw new ValidationError([{ path: 'body.reason', message: missing }]);
  const w = new Writer(cr, actor, now);
  w.cr.closedAt = now;
  w.cr.closeReason = reason;
  w.transition(action, cr.state, action === 'rollback' ? 'rolled_back' : 'failed', reason, endsMonitoring(cr));
  lessonsWithClosing(w, input.lessonsLearned);
  return w.done();
}

/** Lessons learned given with the closing: recorded as a note right after it. */
function lessonsWithClosing(w: Writer, lessons: string | undefined): void {
  if (!lessons) return;
  let noted: ReturnType<typeof recordNote>;
  try {
    noted = recordNote(w.cr, w.actor, { kind: 'lessons-learned', text: lessons }, w.now);
  } catch (err) {
    // the closing's own field: name it, not the notes route's
    if (err instanceof ValidationError) throw new ValidationError(err.issues.map((i) => ({ ...i, path: 'body.lessonsLearned' })));
    throw err;
  }
  const { record, words } = noted;
  w.cr.record = record;
  w.transition('note', w.cr.state, w.cr.state, words, { note: 'lessons-learned' });
}

/** Who may add notes to the implementation record: the requestor, on-call, a pipeline, an approver, an admin. */
function noteRefusal(cr: ChangeRequest, actor: Actor, config: Pick<RulesConfig, 'emergencyRoles'>): string | null {
  if (
    whoRefuses('implementer', cr, actor, config, 'add notes to') === null ||
    whoRefuses('implementer-or-approver', cr, actor, config, 'add notes to') === null
  ) {
    return null;
  }
  return `only the requestor (${cr.requestor.id}), on-call, a pipeline, an approver or an admin may add notes to this change request`;
}

/** The kinds of note this person may add now (the view's `allowedNotes`). */
export function notesAllowed(cr: ChangeRequest, actor: Actor, config: Pick<RulesConfig, 'emergencyRoles'>): NoteKind[] {
  return noteRefusal(cr, actor, config) === null ? noteKindsOpen(cr) : [];
}

/** A note on the implementation record (core/implementation-record.ts says when and what). */
export function addNote(
  cr: ChangeRequest,
  actor: Actor,
  note: { kind: NoteKind; text: string },
  now: string,
  config: Pick<RulesConfig, 'emergencyRoles'>,
): Decision {
  const refusal = noteRefusal(cr, actor, config);
  if (refusal) throw new ForbiddenError(refusal);
  const { record, words } = recordNote(cr, actor, note, now);
  const w = new Writer(cr, actor, now);
  w.cr.record = record;
  w.transition('note', cr.state, cr.state, words, { note: note.kind });
  return w.done();
}

/** The monitoring execution of a change's n-th period: named in one place. */
export const monitoringExecutionName = (changeId: string, run: number) => `${changeId}-monitoring-${run}`;

/** The monitoring execution an entry ends (a rollback, a failure, a completion by a person): the driver stops it. */
function endsMonitoring(cr: Pick<ChangeRequest, 'monitoringFlow' | 'state'>): AuditDetail {
  return cr.monitoringFlow && (cr.state === 'monitoring' || cr.state === 'rolling_back')
    ? { endsWorkflow: { name: 'monitoring', executionName: cr.monitoringFlow.executionName } }
    : {};
}

/**
 * Closing the period. The monitoring verdict must be `passed` (judged by the flow, or passed by a
 * person with `verdict`): a period that ended without evidence is not a success.
 */
function complete(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  if (input.outcome === 'failed') return closeWork(cr, actor, now, 'fail', input.reason, 'is required when the outcome is failed', input);
  const w = new Writer(cr, actor, now);
  const verdict = cr.monitoring?.verdict;
  if (cr.monitoring && verdict !== 'passed') {
    const still = cr.monitoringUntil && Date.parse(now) < Date.parse(cr.monitoringUntil) ? ` The period runs until ${cr.monitoringUntil}.` : '';
    throw new IncompleteError(
      [
        {
          path: 'monitoring.verdict',
          message: `is ${verdict}, not passed${cr.monitoring.reasons.length ? `: ${cr.monitoring.reasons.join('; ')}` : ''}`,
        },
      ],
      `The monitoring period has not passed (verdict ${verdict}).${still} Send evidence (POST /changes/${cr.id}/metrics), or have an approver decide (POST /changes/${cr.id}/verdict).`,
    );
  }
  if (!cr.monitoring && cr.monitoringUntil && Date.parse(now) < Date.parse(cr.monitoringUntil)) {
    throw new IllegalTransitionError(`the monitoring period runs until ${cr.monitoringUntil}; complete it after that, or roll back`, cr.state);
  }
  if (cr.content.category === 'emergency') {
    const review = input.postIncidentReview ?? cr.postIncidentReview;
    if (!review) {
      throw new IncompleteError(
        [{ path: 'body.postIncidentReview', message: 'an emergency change is closed only with its post-incident review (seed: Post-mortem)' }],
        'The post-incident review is missing.',
      );
    }
    w.cr.postIncidentReview = review;
  }
  w.cr.closedAt = now;
  w.transition('complete', 'monitoring', 'completed', input.reason ?? 'monitoring period passed; change completed', endsMonitoring(cr));
  lessonsWithClosing(w, input.lessonsLearned);
  return w.done();
}

/**
 * A person's decision on the monitoring period, at any time: pass now, fail now (the rollback is
 * requested), extend by N minutes, or acknowledge an unhealthy baseline. Each with a reason in the
 * trail. "Pass now" needs an approver who neither filed nor deployed the change.
 */
function decideMonitoring(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const m = cr.monitoring;
  if (!m) throw new IllegalTransitionError('this change has no monitoring period to decide (it was deployed before ChangeFlow judged periods)', cr.state);
  if (!input.decision) throw new ValidationError([{ path: 'body.decision', message: 'is required: pass, fail, extend or acknowledge' }]);
  if (!input.reason) throw new ValidationError([{ path: 'body.reason', message: 'is required: why, in a sentence, for the trail' }]);
  const w = new Writer(cr, actor, now);
  const record = w.cr.monitoring!;
  switch (input.decision) {
    case 'pass': {
      if (isRequestor(cr, actor))
        throw new ForbiddenError('separation of duties: the requestor cannot pass their own monitoring period', 'separation-of-duties');
      if (deployerOf(cr) && normaliseId(deployerOf(cr)!) === normaliseId(actor.id)) {
        throw new ForbiddenError('separation of duties: whoever reported the deployment cannot pass its monitoring period', 'separation-of-duties');
      }
      if (approvingRole(actor.roles) === undefined && !isAdmin(actor))
        throw new ForbiddenError('passing a monitoring period needs an approver (tech lead or above) or an admin');
      record.verdict = 'passed';
      record.decidedBy = actor.id;
      record.reasons = [`passed by ${actor.name}: ${input.reason}`];
      w.transition('verdict', 'monitoring', 'monitoring', input.reason, { decision: 'pass', verdict: 'passed' });
      return w.done();
    }
    case 'fail':
      record.verdict = 'trigger';
      record.fired = ['person'];
      record.decidedBy = actor.id;
      record.reasons = [`failed by ${actor.name}: ${input.reason}`];
      record.rollbackRequestedAt = now;
      w.transition('rollback-requested', 'monitoring', 'rolling_back', input.reason, { decision: 'fail', fired: ['person'], verdict: 'trigger' });
      return w.done();
    case 'extend': {
      const minutes = input.minutes;
      if (!minutes || !Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
        throw new ValidationError([{ path: 'body.minutes', message: 'is required to extend: whole minutes, 1 to 1440' }]);
      }
      const from = cr.monitoringUntil && Date.parse(cr.monitoringUntil) > Date.parse(now) ? cr.monitoringUntil : now;
      w.cr.monitoringUntil = DateTime.fromISO(from, { zone: 'utc' }).plus({ minutes }).toISO()!;
      record.plan = { ...record.plan, minutes: Math.round((Date.parse(w.cr.monitoringUntil) - Date.parse(cr.deployedAt!)) / 60_000) };
      record.verdict = 'watching';
      // an extension after the flow ended starts another run of it (the driver, on this entry's event)
      const ended = m.verdict !== 'watching';
      if (ended) {
        record.runs = m.runs + 1;
        w.cr.monitoringFlow = { name: 'monitoring', executionName: monitoringExecutionName(cr.id, record.runs), revision: cr.revision };
      }
      w.transition('verdict', 'monitoring', 'monitoring', `extended by ${minutes} minutes, until ${w.cr.monitoringUntil}: ${input.reason}`, {
        decision: 'extend',
        minutes,
        verdict: 'watching',
      });
      return w.done();
    }
    case 'acknowledge':
      if (!m.baseline || m.baseline.acknowledgedBy) throw new IllegalTransitionError('there is no unhealthy baseline waiting to be acknowledged', cr.state);
      record.baseline = { ...m.baseline, acknowledgedBy: actor.id };
      w.transition('verdict', 'monitoring', 'monitoring', `baseline acknowledged: ${input.reason}`, { decision: 'acknowledge' });
      return w.done();
  }
}

/**
 * What the monitoring flow's judgement does to the change (the evaluate task): a trigger requests
 * the rollback (`rolling_back`, event RollbackRequested); a passed period completes a planned change
 * (an emergency one waits for its post-incident review); a period that ended without passing waits
 * for a person, its verdict in the trail once. Undefined when nothing changes.
 */
export function applyJudgement(cr: ChangeRequest, judgement: Judgement, ended: boolean, now: string): Decision | undefined {
  const m = cr.monitoring;
  if (cr.state !== 'monitoring' || !m || m.verdict === 'passed') return undefined;
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  const record = w.cr.monitoring!;
  if (judgement.verdict === 'trigger') {
    record.verdict = 'trigger';
    record.fired = judgement.fired;
    record.reasons = judgement.reasons;
    record.rollbackRequestedAt = now;
    w.transition('rollback-requested', 'monitoring', 'rolling_back', `rollback trigger fired: ${judgement.reasons.join('; ')}`, {
      fired: judgement.fired,
      verdict: 'trigger',
    });
    return w.done();
  }
  if (!ended) {
    if (m.verdict === 'watching') return undefined;
    // extended after an inconclusive end: watching again
    record.verdict = 'watching';
    record.reasons = judgement.reasons;
    return w.done();
  }
  if (judgement.verdict === 'passed' && cr.content.category !== 'emergency') {
    record.verdict = 'passed';
    record.reasons = judgement.reasons;
    w.cr.closedAt = now;
    w.transition('complete', 'monitoring', 'completed', `monitoring period passed: ${judgement.reasons.join('; ')}`, { verdict: 'passed' });
    return w.done();
  }
  if (m.verdict === judgement.verdict) return undefined;
  record.verdict = judgement.verdict;
  record.reasons = judgement.reasons;
  const words =
    judgement.verdict === 'passed'
      ? 'monitoring period passed; the change closes with its post-incident review'
      : `monitoring period ended ${judgement.verdict}, never a pass: a person decides (pass, fail or extend)`;
  w.transition('monitoring-verdict', 'monitoring', 'monitoring', `${words}: ${judgement.reasons.join('; ')}`, { verdict: judgement.verdict });
  return w.done();
}

/** A rollback trigger already breaching before the deployment: flagged at once, for the implementer to acknowledge or roll back. */
export function recordUnhealthyBaseline(cr: ChangeRequest, findings: string[], now: string): Decision | undefined {
  if (cr.state !== 'monitoring' || !cr.monitoring || cr.monitoring.baseline || findings.length === 0) return undefined;
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  w.cr.monitoring!.baseline = { findings };
  w.transition('baseline-unhealthy', 'monitoring', 'monitoring', `already breaching before the deployment: ${findings.join('; ')}`);
  return w.done();
}

/** The rollback was requested and not reported done in time: escalated once. */
export function rollbackOverdue(cr: ChangeRequest, minutes: number, now: string): Decision | undefined {
  if (cr.state !== 'rolling_back' || !cr.monitoring || cr.monitoring.rollbackOverdue) return undefined;
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  w.cr.monitoring!.rollbackOverdue = true;
  w.transition(
    'rollback-overdue',
    'rolling_back',
    'rolling_back',
    `the rollback requested at ${cr.monitoring.rollbackRequestedAt} was not reported done within ${minutes} minutes`,
  );
  return w.done();
}

/** Who reported the deployment: the actor of its latest `deployed` entry is not on the change, so the record keeps it. */
function deployerOf(cr: ChangeRequest): string | undefined {
  return cr.monitoring?.deployedBy;
}

/**
 * The calendar changed around a committed change (a blackout declared after its approval, a new
 * conflict): record what it says now on the CR, with an audit entry by the system. State unchanged.
 */
export function recordCalendarFindings(
  cr: ChangeRequest,
  calendar: CalendarFindings,
  reason: string,
  now: string,
  blackout?: ReportedBlackout,
): Decision | undefined {
  if (blackout && (cr.blackoutsReported ?? []).includes(blackoutKey(blackout, cr.revision))) return undefined;
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  w.cr.calendar = calendar;
  if (blackout) w.cr.blackoutsReported = [...(cr.blackoutsReported ?? []), blackoutKey(blackout, cr.revision)];
  w.transition('calendar-flag', cr.state, cr.state, reason, blackout ? { blackout: { ...blackout, key: blackoutKey(blackout, cr.revision) } } : undefined);
  return w.done();
}

/** A blackout as the calendar jobs report it. */
export interface ReportedBlackout {
  kind: string;
  name: string;
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
}

const blackoutKey = (b: ReportedBlackout, revision?: number) => `${b.kind}:${b.start}:${b.name}${revision === undefined ? '' : `@r${revision}`}`;

/**
 * A change still under way as a blackout begins: reported once per blackout (its event tells the
 * requestor and on-call); an emergency change also records it among the blackouts it ran through.
 */
export function recordBlackoutUnderWay(cr: ChangeRequest, blackout: ReportedBlackout, now: string): Decision | undefined {
  const key = blackoutKey(blackout);
  if ((cr.blackoutsReported ?? []).includes(key)) return undefined;
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  w.cr.blackoutsReported = [...(cr.blackoutsReported ?? []), key];
  if (w.cr.emergency && !w.cr.emergency.blackouts.some((b) => b.name === blackout.name && b.start === blackout.start)) {
    w.cr.emergency = {
      ...w.cr.emergency,
      blackouts: [...w.cr.emergency.blackouts, { name: blackout.name, kind: blackout.kind, start: blackout.start, end: blackout.end }],
    };
  }
  w.transition(
    'blackout-under-way',
    cr.state,
    cr.state,
    `still ${cr.state.replace('_', ' ')} as the blackout "${blackout.name}" begins (${blackout.localStart} – ${blackout.localEnd})`,
    {
      blackout: { ...blackout, key },
      ...(w.cr.emergency ? { blackouts: [blackout.name] } : {}),
    },
  );
  return w.done();
}

/** The detail of an entry that ends the change's running approval flow: the workflow driver stops it. */
export function endsFlow(cr: Pick<ChangeRequest, 'workflow'>): AuditDetail {
  return cr.workflow?.name === 'approval' ? { endsWorkflow: { name: 'approval', executionName: cr.workflow.executionName } } : {};
}

/** When an emergency change's post-approval is due and when its post-approvers are reminded, from its start. */
export function emergencyTimers(startedAt: string): { remindAt: string; dueAt: string } {
  const start = DateTime.fromISO(startedAt, { zone: 'utc' });
  return { remindAt: start.plus({ hours: EMERGENCY_REMINDER_HOURS }).toISO()!, dueAt: start.plus({ hours: EMERGENCY_POST_APPROVAL_HOURS }).toISO()! };
}

function startEmergency(w: Writer, blackouts: BlackoutRunThrough[], reason: string): void {
  const policy = approvalPolicy(w.cr.content, w.cr.riskLevel ?? 'low');
  if (!policy.ok) throw new Error('unreachable: the emergency policy never refuses');
  const slot = policy.requirement.slots[0]!;
  const implementedAt = w.cr.content.incident?.implementedAt;
  if (implementedAt && Date.parse(implementedAt) > Date.parse(w.now)) {
    throw new ValidationError([{ path: 'content.incident.implementedAt', message: `is in the future (${implementedAt}); it records when the fix went in` }]);
  }
  // the seed's emergency template says when the fix went in: the 24 h run from then
  const startedAt = implementedAt ? new Date(implementedAt).toISOString() : w.now;
  w.cr.approvalRequirement = policy.requirement;
  w.cr.startedAt = startedAt;
  w.cr.postApproval = { dueAt: emergencyTimers(startedAt).dueAt, minRole: slot.minRole };
  w.cr.checklistSkipped = true;
  w.cr.emergency = { declaredBy: w.actor.id, declaredAt: w.now, blackouts };
  w.cr.workflow = workflowRef('emergency', w.cr);
  const through = blackouts.length ? `; it runs through the blackout${blackouts.length > 1 ? 's' : ''} ${blackouts.map((b) => `"${b.name}"`).join(', ')}` : '';
  w.transition('start', w.cr.state, 'in_progress', `${reason}; declared by ${w.actor.name}; pre-deployment checklist skipped${through}`, {
    ...(blackouts.length ? { blackouts: blackouts.map((b) => b.name) } : {}),
  });
}

function mustBeThisRevision(cr: ChangeRequest, input: TransitionInput) {
  const requirement = cr.approvalRequirement;
  if (requirement?.route !== 'approval') throw new IllegalTransitionError('this change request is not waiting for approval', cr.state);
  if (input.revision !== undefined && input.revision !== cr.revision) {
    throw new IllegalTransitionError(
      `the decision was for revision ${input.revision}, but the change request is now at revision ${cr.revision}; review it again`,
      cr.state,
    );
  }
  return requirement;
}

// ---------------------------------------------------------------------------------------------
// warnings, validation helpers

/** Warnings carried on the CR and shown to approvers; recomputed on every write. */
export function warningsFor(cr: ChangeRequest): string[] {
  const warnings: string[] = [];
  const r = cr.content.risk;
  if (r?.declaredLevel && r.likelihood && r.impact && cr.riskLevel && r.declaredLevel !== cr.riskLevel) {
    warnings.push(
      `the requestor ticked risk level ${r.declaredLevel}, but ${riskExplanation(r.likelihood, r.impact)}; the computed level ${cr.riskLevel} is used`,
    );
  }
  if (cr.riskBasis === 'declared') {
    warnings.push(`risk level ${cr.riskLevel} is as the requestor declared it: give likelihood and impact to have the risk matrix compute it`);
  }
  if (cr.content.category === 'emergency' && cr.state === 'draft') {
    const missing = emergencyIssues(cr.content).map((i) => i.path);
    warnings.push(
      missing.length
        ? `this emergency change cannot start until it has ${missing.join(', ')}`
        : 'this emergency change waits for someone who may declare an emergency (on-call, an engineering manager or above) to start it',
    );
  }
  warnings.push(...calendarWarnings(cr.calendar));
  if (cr.postApproval && !cr.postApproval.approvedBy) {
    warnings.push(`post-approval by ${cr.postApproval.minRole} or above is due by ${cr.postApproval.dueAt}`);
  }
  warnings.push(...recordWarnings(cr));
  for (const hold of (cr.holds ?? []).filter((h) => !h.releasedAt)) {
    warnings.push(
      `on hold: the freeze "${hold.title}" (${hold.freezeId}, ${hold.start} – ${hold.end}) refuses its deployment inside the freeze; ask ${hold.owner.name} for an exception (POST /freezes/${hold.freezeId}/exceptions) or move its window`,
    );
  }
  return warnings;
}

function rejectUnknownComponents(content: ChangeContent, config: RulesConfig): void {
  const issues: FieldIssue[] = unknownComponentIssues(content, config.components);
  if (issues.length) throw new ValidationError(issues);
}

/** Parse a client's content with the schema; field paths are prefixed with `content.`. */
export function parseContent(input: unknown, prefix = 'content'): ChangeContent {
  const parsed = ChangeContentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message })));
  }
  return parsed.data;
}

/** Where a decision was taken: a meeting named makes it the meeting's; otherwise the caller's channel, the API by default. */
function decidedIn(input: TransitionInput): { channel: DecisionChannel; meeting?: string } {
  if (input.meeting) return { channel: 'meeting', meeting: input.meeting };
  return { channel: input.channel && input.channel !== 'meeting' ? input.channel : 'api' };
}

function withComment(text: string, comment: string | undefined): string {
  return comment ? `${text} — "${comment}"` : text;
}

const SYSTEM_ACTOR: Actor = { id: 'system', name: 'ChangeFlow', roles: [] };

/** Accumulates one write: the next CR and its audit entries, numbered without gaps. */
export class Writer {
  readonly cr: ChangeRequest;
  private readonly entries: AuditEntry[] = [];
  private readonly oneOff: string[] = [];
  constructor(
    previous: ChangeRequest,
    public actor: Actor,
    readonly now: string,
  ) {
    this.cr = structuredClone(previous);
  }
  transition(action: string, from: State | null, to: State, reason?: string, detail?: AuditDetail): void {
    this.cr.state = to;
    this.entries.push({
      seq: this.cr.auditCount + this.entries.length + 1,
      at: this.now,
      actor: { id: this.actor.id, name: this.actor.name },
      action,
      from,
      to,
      revision: this.cr.revision,
      reason,
      ...(detail && Object.keys(detail).length ? { detail } : {}),
    });
  }
  /** A warning about this write only (say, a window already under way), kept until the next write. */
  warn(text: string): void {
    this.oneOff.push(text);
  }
  done(): Decision {
    this.cr.auditCount += this.entries.length;
    this.cr.version += 1;
    this.cr.updatedAt = this.now;
    this.cr.warnings = [...warningsFor(this.cr), ...this.oneOff];
    return { next: this.cr, audit: this.entries };
  }
  /** Nothing to record: the change as it was, and no write. */
  unchanged(): Decision {
    return { next: structuredClone(this.cr), audit: [] };
  }
}
