/**
 * The lifecycle of a change request (DESIGN §1 "Lifecycle"):
 *
 *   draft → submitted → pending_approval → approved → scheduled → in_progress → monitoring
 *         → completed | rolled_back | failed, plus rejected and cancelled.
 *
 * Every command is a pure function `(cr, actor, input, now) → Decision`: the next CR and the audit
 * entries to append in the same write. An illegal command throws a named error; nothing is written.
 */
import { DateTime } from 'luxon';
import { approvalPolicy } from './approval-policy.js';
import {
  ChangeContentSchema,
  type Actor,
  type Approval,
  type AuditEntry,
  type Category,
  type ChangeContent,
  type ChangeRequest,
  type State,
  type WorkflowRef,
} from './change-request.js';
import { completenessIssues, emergencyIssues, unknownComponentIssues } from './completeness.js';
import { ForbiddenError, IllegalTransitionError, IncompleteError, ValidationError, type FieldIssue } from './errors.js';
import { riskExplanation, riskLevel } from './risk.js';
import { calendarWarnings, refuseBlackouts, type CalendarFindings } from './calendar-findings.js';
import { approvingRole, satisfies } from './roles.js';

export interface Decision {
  next: ChangeRequest;
  audit: AuditEntry[];
}

export interface RulesConfig {
  components: readonly string[];
  /** Hours an emergency change has to be post-approved after its start. */
  postApprovalHours: number;
}

/** Monitoring period after deployment, by category (seed: "5. Post-Deployment Validation"). */
export const MONITORING_MINUTES: Record<Category, number> = { standard: 15, normal: 60, major: 240, emergency: 30 };

export const ACTIONS = ['submit', 'approve', 'reject', 'cancel', 'schedule', 'start', 'complete', 'rollback'] as const;
export type Action = (typeof ACTIONS)[number];

/** Which states each action may leave from: the transition table, in one place. */
export const TRANSITIONS: Record<Action, readonly State[]> = {
  submit: ['draft'],
  approve: ['pending_approval'],
  reject: ['pending_approval'],
  cancel: ['draft', 'submitted', 'pending_approval', 'approved', 'scheduled'],
  schedule: ['approved'],
  start: ['approved', 'scheduled'],
  complete: ['in_progress', 'monitoring'],
  rollback: ['in_progress', 'monitoring'],
};

/** States from which the content may be edited; editing a non-draft sends the CR back to draft. */
export const EDITABLE: readonly State[] = ['draft', 'submitted', 'pending_approval', 'approved', 'scheduled', 'rejected'];
/** An emergency change is documented while it is carried out (seed: "Document concurrently"). */
export const EMERGENCY_EDITABLE: readonly State[] = ['draft', 'in_progress', 'monitoring'];

export const TERMINAL: readonly State[] = ['completed', 'rolled_back', 'failed', 'rejected', 'cancelled'];

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
}): Decision {
  const { id, content, actor, now, config, calendar } = args;
  rejectUnknownComponents(content, config);
  refuseBlackouts(content, calendar);
  const cr: ChangeRequest = {
    id,
    revision: 1,
    version: 0,
    state: 'draft',
    requestor: { id: actor.id, name: actor.name, email: 'email' in actor ? actor.email : '', team: 'team' in actor ? actor.team : undefined },
    content,
    riskLevel: riskLevel(content.risk?.likelihood, content.risk?.impact),
    approvalRequirement: null,
    approvals: [],
    warnings: [],
    calendar,
    createdAt: now,
    updatedAt: now,
    auditCount: 0,
  };
  const w = new Writer(cr, actor, now);
  w.transition('create', null, 'draft', 'change request filed');
  // An emergency change goes in progress at once when its incident is named (seed: "Skip approval").
  if (content.category === 'emergency' && emergencyIssues(content).length === 0) {
    startEmergency(w, config, 'emergency change: work starts at once, approval follows');
  }
  return w.done();
}

/** Who may edit a change request, and from which states: checked before a patch is merged. */
export function mayEdit(cr: ChangeRequest, actor: Actor): void {
  mustBeRequestorOrAdmin(cr, actor, 'edit');
  const editable = cr.content.category === 'emergency' ? EMERGENCY_EDITABLE : EDITABLE;
  if (!editable.includes(cr.state)) {
    throw new IllegalTransitionError(`a change request in state ${cr.state} cannot be edited`, cr.state);
  }
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

export function editChange(cr: ChangeRequest, actor: Actor, content: ChangeContent, now: string, config: RulesConfig, calendar?: CalendarFindings): Decision {
  mayEdit(cr, actor);
  if ((cr.content.category === 'emergency') !== (content.category === 'emergency')) {
    throw new ValidationError([
      { path: 'content.category', message: 'a change cannot become or stop being an emergency change; cancel it and file a new one' },
    ]);
  }
  rejectUnknownComponents(content, config);
  refuseBlackouts(content, calendar);
  const w = new Writer(cr, actor, now);
  w.cr.content = content;
  w.cr.calendar = calendar;
  w.cr.revision = cr.revision + 1;
  w.cr.riskLevel = riskLevel(content.risk?.likelihood, content.risk?.impact);
  const hadApprovals = cr.approvals.length > 0;
  w.cr.approvals = [];
  if (cr.content.category === 'emergency' || cr.state === 'draft') {
    w.transition('edit', cr.state, cr.state, `revision ${w.cr.revision}`);
  } else {
    w.cr.approvalRequirement = null;
    w.cr.approvalRequests = undefined;
    w.cr.workflow = undefined;
    w.cr.approvedAt = undefined;
    w.transition('edit', cr.state, 'draft', `revision ${w.cr.revision}: back to draft${hadApprovals ? ', approvals cleared' : ''}; submit again for approval`);
  }
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// transitions

export interface TransitionInput {
  comment?: string | undefined;
  reason?: string | undefined;
  /** The revision the approver saw; a different current revision refuses the approval. */
  revision?: number | undefined;
  postIncidentReview?: string | undefined;
  outcome?: 'success' | 'failed' | undefined;
}

export function applyAction(
  cr: ChangeRequest,
  action: Action,
  actor: Actor,
  input: TransitionInput,
  now: string,
  config: RulesConfig,
  context: { calendar?: CalendarFindings | undefined; workflow?: WorkflowRef | undefined } = {},
): Decision {
  // Post-approval of an emergency change happens after the work started, outside the table below.
  if (action === 'approve' && cr.content.category === 'emergency') return postApprove(cr, actor, input, now);
  if (action === 'start' && cr.content.category === 'emergency' && cr.state === 'draft') {
    mustBeImplementer(cr, actor, action);
    const issues = emergencyIssues(cr.content);
    if (issues.length) throw new IncompleteError(issues, 'An emergency change cannot start without its incident.');
    const w = new Writer(cr, actor, now);
    startEmergency(w, config, input.reason ?? 'emergency change started; approval follows');
    return w.done();
  }
  if (!TRANSITIONS[action].includes(cr.state)) {
    throw new IllegalTransitionError(`cannot ${action} a change request in state ${cr.state} (allowed from: ${TRANSITIONS[action].join(', ')})`, cr.state);
  }
  switch (action) {
    case 'submit':
      return submit(cr, actor, now, context.calendar, context.workflow);
    case 'approve':
      return approve(cr, actor, input, now);
    case 'reject':
      return reject(cr, actor, input, now);
    case 'cancel': {
      mustBeRequestorOrAdmin(cr, actor, action);
      const w = new Writer(cr, actor, now);
      w.cr.closedAt = now;
      w.cr.closeReason = input.reason;
      w.cr.approvalRequests = undefined;
      w.transition('cancel', cr.state, 'cancelled', input.reason ?? 'cancelled');
      return w.done();
    }
    case 'schedule': {
      mustBeImplementer(cr, actor, action);
      const w = new Writer(cr, actor, now);
      w.transition('schedule', cr.state, 'scheduled', `scheduled for ${cr.content.plannedWindow?.start} – ${cr.content.plannedWindow?.end}`);
      return w.done();
    }
    case 'start': {
      mustBeImplementer(cr, actor, action);
      const w = new Writer(cr, actor, now);
      w.cr.startedAt = now;
      w.transition('start', cr.state, 'in_progress', input.reason ?? 'implementation started');
      return w.done();
    }
    case 'complete':
      return complete(cr, actor, input, now);
    case 'rollback': {
      mustBeImplementer(cr, actor, action);
      if (!input.reason) throw new ValidationError([{ path: 'reason', message: 'is required: which rollback trigger fired, or why' }]);
      const w = new Writer(cr, actor, now);
      w.cr.closedAt = now;
      w.cr.closeReason = input.reason;
      w.transition('rollback', cr.state, 'rolled_back', input.reason);
      return w.done();
    }
  }
}

function submit(cr: ChangeRequest, actor: Actor, now: string, calendar: CalendarFindings | undefined, workflow: WorkflowRef | undefined): Decision {
  mustBeRequestorOrAdmin(cr, actor, 'submit');
  if (cr.content.category === 'emergency') {
    throw new IllegalTransitionError('an emergency change is not submitted for approval: start it, and it is post-approved', cr.state);
  }
  const issues = completenessIssues(cr.content);
  const risk = riskLevel(cr.content.risk?.likelihood, cr.content.risk?.impact);
  if (issues.length || !risk) throw new IncompleteError(issues, 'The change request is incomplete: fill every field listed.');
  const policy = approvalPolicy(cr.content, risk);
  if (!policy.ok) throw new IncompleteError([{ path: policy.path, message: policy.message }], `This change cannot be a standard change: ${policy.message}.`);
  refuseBlackouts(cr.content, calendar);
  const w = new Writer(cr, actor, now);
  if (calendar) w.cr.calendar = calendar;
  w.cr.riskLevel = risk;
  w.cr.approvalRequirement = policy.requirement;
  w.cr.approvals = [];
  w.cr.submittedAt = now;
  w.cr.approvalRequests = undefined;
  // the approval workflow takes it from here (approval-flow.ts: routeSubmitted)
  w.cr.workflow = workflow;
  w.transition('submit', 'draft', 'submitted', `revision ${cr.revision} submitted: ${policy.requirement.reasons.join('; ')}`);
  return w.done();
}

function approve(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const requirement = mustBeApproverOfThisRevision(cr, actor, input);
  if (cr.approvals.some((a) => a.by === actor.id)) {
    throw new ForbiddenError(`${actor.name} already approved revision ${cr.revision}; one person's approval counts once`);
  }
  const open = requirement.slots.filter((s) => !cr.approvals.some((a) => a.slot === s.slot));
  const fillable = open.filter((s) => satisfies(actor.roles, s.minRole));
  // Fill the strictest open slot the approver qualifies for, so a CTO does not use up the manager's slot.
  const slot = fillable.at(-1);
  if (slot && cr.approvalRequests && !cr.approvalRequests.find((r) => r.slot === slot.slot)?.taskToken) {
    // the workflow has not asked for this approval yet: a decision now would have no task to complete
    throw new IllegalTransitionError('the approval requests are still being sent; try again in a moment', cr.state);
  }
  if (!slot) {
    throw new ForbiddenError(
      `this approval needs ${open.map((s) => `${s.minRole}${s.minRole === 'cto' ? '' : ' or above'}`).join(' and ')}; ${actor.name} cannot give it`,
    );
  }
  const approval: Approval = {
    slot: slot.slot,
    by: actor.id,
    name: actor.name,
    role: approvingRole(actor.roles)!,
    revision: cr.revision,
    at: now,
    comment: input.comment,
  };
  const w = new Writer(cr, actor, now);
  w.cr.approvals = [...cr.approvals, approval];
  const remaining = open.filter((s) => s !== slot);
  if (remaining.length === 0) {
    w.cr.approvedAt = now;
    w.transition('approve', 'pending_approval', 'approved', withComment(`${slot.slot} approval given; all approvals in`, input.comment));
  } else {
    w.transition(
      'approve',
      'pending_approval',
      'pending_approval',
      withComment(`${slot.slot} approval given; still waiting for ${remaining.map((s) => s.slot).join(', ')}`, input.comment),
    );
  }
  return w.done();
}

function reject(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const requirement = mustBeApproverOfThisRevision(cr, actor, input);
  if (!requirement.slots.some((s) => satisfies(actor.roles, s.minRole))) {
    throw new ForbiddenError(`only a required approver may reject; ${actor.name} is not one for this change`);
  }
  if (!input.comment) throw new ValidationError([{ path: 'comment', message: 'is required: say why the change is rejected' }]);
  const w = new Writer(cr, actor, now);
  w.cr.closedAt = now;
  w.cr.closeReason = input.comment;
  w.transition('reject', 'pending_approval', 'rejected', `revision ${cr.revision} rejected: ${input.comment}`);
  return w.done();
}

function postApprove(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  const pa = cr.postApproval;
  if (!pa) throw new IllegalTransitionError('this emergency change has not started, so there is nothing to post-approve yet', cr.state);
  if (pa.approvedBy) throw new IllegalTransitionError(`already post-approved by ${pa.approvedBy}`, cr.state);
  if (actor.id === cr.requestor.id) throw new ForbiddenError('separation of duties: nobody approves their own change request');
  if (!satisfies(actor.roles, pa.minRole)) {
    throw new ForbiddenError(`post-approval of an emergency change needs ${pa.minRole}${pa.minRole === 'cto' ? '' : ' or above'}`);
  }
  const w = new Writer(cr, actor, now);
  w.cr.postApproval = { ...pa, approvedBy: actor.id, approvedAt: now, comment: input.comment };
  const late = Date.parse(now) > Date.parse(pa.dueAt);
  w.transition('post-approve', cr.state, cr.state, withComment(`post-approved${late ? ` late (was due ${pa.dueAt})` : ''}`, input.comment));
  return w.done();
}

function complete(cr: ChangeRequest, actor: Actor, input: TransitionInput, now: string): Decision {
  mustBeImplementer(cr, actor, 'complete');
  const w = new Writer(cr, actor, now);
  if (input.outcome === 'failed') {
    if (!input.reason) throw new ValidationError([{ path: 'reason', message: 'is required when the outcome is failed' }]);
    w.cr.closedAt = now;
    w.cr.closeReason = input.reason;
    w.transition('fail', cr.state, 'failed', input.reason);
    return w.done();
  }
  if (cr.state === 'in_progress') {
    // Deployment done: the monitoring period begins (seed: "Monitoring Period").
    const minutes = MONITORING_MINUTES[cr.content.category];
    w.cr.deployedAt = now;
    w.cr.monitoringUntil = DateTime.fromISO(now, { zone: 'utc' }).plus({ minutes }).toISO()!;
    w.transition('deployed', 'in_progress', 'monitoring', `deployed; monitoring for ${minutes} minutes until ${w.cr.monitoringUntil}`);
    return w.done();
  }
  if (cr.monitoringUntil && Date.parse(now) < Date.parse(cr.monitoringUntil)) {
    throw new IllegalTransitionError(`the monitoring period runs until ${cr.monitoringUntil}; complete it after that, or roll back`, cr.state);
  }
  if (cr.content.category === 'emergency') {
    const review = input.postIncidentReview ?? cr.postIncidentReview;
    if (!review) {
      throw new IncompleteError(
        [{ path: 'postIncidentReview', message: 'an emergency change is closed only with its post-incident review (seed: Post-mortem)' }],
        'The post-incident review is missing.',
      );
    }
    w.cr.postIncidentReview = review;
  }
  w.cr.closedAt = now;
  w.transition('complete', 'monitoring', 'completed', input.reason ?? 'monitoring period passed; change completed');
  return w.done();
}

/**
 * The calendar changed around a committed change (a blackout declared after its approval, a new
 * conflict): record what it says now on the CR, with an audit entry by the system. State unchanged.
 */
export function recordCalendarFindings(cr: ChangeRequest, calendar: CalendarFindings, reason: string, now: string): Decision {
  const w = new Writer(cr, SYSTEM_ACTOR, now);
  w.cr.calendar = calendar;
  w.transition('calendar-flag', cr.state, cr.state, reason);
  return w.done();
}

function startEmergency(w: Writer, config: RulesConfig, reason: string): void {
  const risk = w.cr.riskLevel ?? 'low';
  const policy = approvalPolicy(w.cr.content, risk);
  if (!policy.ok) throw new Error('unreachable: the emergency policy never refuses');
  const slot = policy.requirement.slots[0]!;
  w.cr.approvalRequirement = policy.requirement;
  w.cr.startedAt = w.now;
  w.cr.postApproval = {
    dueAt: DateTime.fromISO(w.now, { zone: 'utc' }).plus({ hours: config.postApprovalHours }).toISO()!,
    minRole: slot.minRole,
  };
  w.cr.workflow = workflowRef('emergency', w.cr);
  w.transition('start', w.cr.state, 'in_progress', reason);
}

// ---------------------------------------------------------------------------------------------
// who may act

function isAdmin(actor: Actor): boolean {
  return actor.roles.includes('admin' as never);
}

function mustBeRequestorOrAdmin(cr: ChangeRequest, actor: Actor, action: string): void {
  if (actor.id !== cr.requestor.id && !isAdmin(actor)) {
    throw new ForbiddenError(`only the requestor (${cr.requestor.id}) or an admin may ${action} this change request`);
  }
}

/** Who carries a change out: its requestor, the on-call engineer, or an admin. */
function mustBeImplementer(cr: ChangeRequest, actor: Actor, action: string): void {
  if (actor.id !== cr.requestor.id && !isAdmin(actor) && !actor.roles.includes('on-call' as never)) {
    throw new ForbiddenError(`only the requestor (${cr.requestor.id}), on-call or an admin may ${action} this change request`);
  }
}

function mustBeApproverOfThisRevision(cr: ChangeRequest, actor: Actor, input: TransitionInput) {
  const requirement = cr.approvalRequirement;
  if (requirement?.route !== 'approval') {
    throw new IllegalTransitionError('this change request is not waiting for approval', cr.state);
  }
  if (input.revision !== undefined && input.revision !== cr.revision) {
    throw new IllegalTransitionError(
      `the decision was for revision ${input.revision}, but the change request is now at revision ${cr.revision}; review it again`,
      cr.state,
    );
  }
  if (actor.id === cr.requestor.id) throw new ForbiddenError('separation of duties: nobody approves their own change request');
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
  if (cr.content.category === 'emergency' && cr.state === 'draft') {
    const missing = emergencyIssues(cr.content).map((i) => i.path);
    if (missing.length) warnings.push(`this emergency change cannot start until it has ${missing.join(', ')}`);
  }
  warnings.push(...calendarWarnings(cr.calendar));
  if (cr.postApproval && !cr.postApproval.approvedBy) {
    warnings.push(`post-approval by ${cr.postApproval.minRole} or above is due by ${cr.postApproval.dueAt}`);
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

function withComment(text: string, comment: string | undefined): string {
  return comment ? `${text} — "${comment}"` : text;
}

const SYSTEM_ACTOR: Actor = { id: 'system', name: 'ChangeFlow', roles: [] };

/** Accumulates one write: the next CR and its audit entries, numbered without gaps. */
export class Writer {
  readonly cr: ChangeRequest;
  private readonly entries: AuditEntry[] = [];
  constructor(
    previous: ChangeRequest,
    public actor: Actor,
    readonly now: string,
  ) {
    this.cr = structuredClone(previous);
  }
  transition(action: string, from: State | null, to: State, reason?: string): void {
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
    });
  }
  done(): Decision {
    this.cr.auditCount += this.entries.length;
    this.cr.version += 1;
    this.cr.updatedAt = this.now;
    this.cr.warnings = warningsFor(this.cr);
    return { next: this.cr, audit: this.entries };
  }
}
