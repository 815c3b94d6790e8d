/**
 * The steps the approval and emergency workflows take on a change request (seed: "3. Approval
 * Workflow", "Emergency Change Process"), as pure decisions by the system: route a submitted change,
 * record a slot's callback token, remind, escalate, expire, and watch an emergency change's
 * post-approval. The workflows (Step Functions, or the same ASL in-process) call these through the
 * workflow tasks handler; the scheduled approval sweep calls the timers.
 */
import { DateTime } from 'luxon';
import { APPROVER_ROLES, SYSTEM, type ApproverRole, type ChangeRequest, type State } from './change-request.js';
import { APPROVAL_TIMER_DEFAULTS } from './durations.js';
import { IllegalTransitionError } from './errors.js';
import { endsFlow, Writer, type Decision } from './lifecycle.js';
import { rank } from './roles.js';

export interface ApprovalTimers {
  /** Remind the eligible approvers this often while a slot is open (default 24 h). */
  remindEveryHours: number;
  /** Escalate an open slot to the next role up after this long (default 48 h). */
  escalateAfterHours: number;
  /** After this long without every decision the change leaves the queue (default 7 days). */
  expireAfterHours: number;
}

export const DEFAULT_TIMERS: ApprovalTimers = { ...APPROVAL_TIMER_DEFAULTS };

/**
 * The flow's first step: an auto-approvable change is approved by the system; otherwise approvals
 * are awaited. A flow started for a revision that was edited, or a change that left the queue
 * (its start was delivered late), has nothing to route: it ends.
 */
export function routeSubmitted(cr: ChangeRequest, revision: number, now: string): Decision | 'already-routed' | 'superseded' {
  if (cr.revision !== revision) return 'superseded';
  if (cr.state !== 'submitted') {
    if (cr.state === 'pending_approval' || cr.state === 'approved') return 'already-routed';
    return 'superseded';
  }
  const requirement = cr.approvalRequirement;
  if (!requirement) throw new IllegalTransitionError('a submitted change request has no approval requirement', cr.state);
  const w = new Writer(cr, SYSTEM, now);
  if (requirement.route === 'auto') {
    w.cr.approvedAt = now;
    w.transition('auto-approve', 'submitted', 'approved', requirement.reasons.join('; '));
  } else {
    w.cr.approvalRequests = requirement.slots.map((s) => ({ slot: s.slot, minRole: s.minRole, since: now, reminders: 0 }));
    w.transition('await-approval', 'submitted', 'pending_approval', `awaiting ${requirement.slots.map((s) => s.reason).join('; ')}`);
  }
  return w.done();
}

/** What the callback task of a slot does with its token, once it is stored. */
export type RequestOutcome =
  /** wait for a decision: the token is on the change (and, the first time, the approvers are asked) */
  | { wait: true; decision?: Decision | undefined }
  /** complete the task at once: the slot was filled before its task started */
  | { wait: false; complete: 'filled'; decision?: Decision | undefined }
  /** fail the task at once: the change was rejected, edited or left the queue first */
  | { wait: false; complete: 'Rejected' | 'Superseded'; decision?: undefined };

/**
 * The callback task of a slot has started: keep its token with the CR (so a decision can complete
 * it) and, the first time for this revision, say the approval is requested — which sends the
 * emails. A task started again (a restart of the local runtime, a retried task) only swaps the
 * token: nobody is asked twice. An approval given before the token was stored is not lost: the
 * task completes at once.
 */
export function recordApprovalRequest(cr: ChangeRequest, revision: number, slot: ApproverRole, taskToken: string, now: string): RequestOutcome {
  if (cr.revision !== revision) return { wait: false, complete: 'Superseded' };
  if (cr.state === 'rejected') return { wait: false, complete: 'Rejected' };
  const filled = cr.approvals.some((a) => a.slot === slot && a.revision === revision);
  if (cr.state !== 'pending_approval' && !(cr.state === 'approved' && filled)) return { wait: false, complete: 'Superseded' };
  const request = cr.approvalRequests?.find((r) => r.slot === slot);
  if (!request) throw new IllegalTransitionError(`no ${slot} approval is awaited on ${cr.id}`, cr.state);
  if (request.taskToken === taskToken) return filled ? { wait: false, complete: 'filled' } : { wait: true };
  const w = new Writer(cr, SYSTEM, now);
  w.cr.approvalRequests = cr.approvalRequests!.map((r) => (r.slot === slot ? { ...r, taskToken } : r));
  if (!request.taskToken && !filled) {
    w.transition('request-approval', cr.state, cr.state, `${slot} approval requested (${request.minRole}${request.minRole === 'cto' ? '' : ' or above'})`, {
      slot,
    });
  }
  const decision = w.done();
  return filled ? { wait: false, complete: 'filled', decision } : { wait: true, decision };
}

export type TimerAction = { kind: 'remind'; slot: ApproverRole } | { kind: 'escalate'; slot: ApproverRole; to: ApproverRole | 'admin' } | { kind: 'expire' };

/** What the approval sweep owes a pending change at `now`: expiry first; else escalations and reminders. */
export function dueTimers(cr: ChangeRequest, now: string, timers: ApprovalTimers): TimerAction[] {
  if (cr.state !== 'pending_approval' || !cr.approvalRequests) return [];
  const t = Date.parse(now);
  const hours = (h: number) => h * 3_600_000;
  const open = cr.approvalRequests.filter((r) => !cr.approvals.some((a) => a.slot === r.slot));
  const since = Math.min(...cr.approvalRequests.map((r) => Date.parse(r.since)));
  if (t >= since + hours(timers.expireAfterHours)) return [{ kind: 'expire' }];
  const actions: TimerAction[] = [];
  for (const r of open) {
    if (!r.escalatedTo && t >= Date.parse(r.since) + hours(timers.escalateAfterHours)) {
      actions.push({ kind: 'escalate', slot: r.slot, to: nextRoleUp(r.minRole) });
    } else if (t >= Date.parse(r.lastRemindedAt ?? r.since) + hours(timers.remindEveryHours)) {
      actions.push({ kind: 'remind', slot: r.slot });
    }
  }
  return actions;
}

/** Applies the sweep's actions in one write, each with its audit entry. */
export function applyTimers(cr: ChangeRequest, actions: TimerAction[], now: string, timers: ApprovalTimers): Decision | undefined {
  if (actions.length === 0) return undefined;
  const w = new Writer(cr, SYSTEM, now);
  for (const action of actions) {
    if (action.kind === 'expire') {
      w.cr.closedAt = now;
      w.cr.closeReason = `expired: not every approval was given within ${timers.expireAfterHours / 24} days`;
      w.transition('expire', cr.state, 'cancelled', w.cr.closeReason, endsFlow(cr));
      return w.done();
    }
    w.cr.approvalRequests = w.cr.approvalRequests!.map((r) =>
      r.slot !== action.slot
        ? r
        : action.kind === 'remind'
          ? { ...r, reminders: r.reminders + 1, lastRemindedAt: now }
          : { ...r, escalatedTo: action.to, escalatedAt: now, lastRemindedAt: now },
    );
    if (action.kind === 'remind') w.transition('remind', cr.state, cr.state, `reminder: ${action.slot} approval still awaited`, { slot: action.slot });
    else
      w.transition('escalate', cr.state, cr.state, `${action.slot} approval escalated to ${action.to}: nobody decided within ${timers.escalateAfterHours} h`, {
        slot: action.slot,
      });
  }
  return w.done();
}

function nextRoleUp(role: ApproverRole): ApproverRole | 'admin' {
  return APPROVER_ROLES[rank(role)] ?? 'admin';
}

// ---------------------------------------------------------------------------------------------
// emergency changes: post-approval within 24 h, a reminder at 12 h, overdue and escalated after

const EMERGENCY_OPEN: readonly State[] = ['in_progress', 'monitoring', 'completed', 'rolled_back', 'failed'];

/**
 * At 12 h: still not post-approved? Record the reminder (it sends the emails), once: a reminder
 * already recorded (the step ran again) is not sent again. `done` ends the flow early.
 */
export function postApprovalReminder(cr: ChangeRequest, now: string): { done: boolean; decision?: Decision | undefined } {
  if (!cr.postApproval || cr.postApproval.approvedBy || !EMERGENCY_OPEN.includes(cr.state)) return { done: true };
  if (cr.postApproval.remindedAt) return { done: false };
  const w = new Writer(cr, SYSTEM, now);
  w.cr.postApproval = { ...cr.postApproval, remindedAt: now };
  w.transition('remind', cr.state, cr.state, `reminder: post-approval by ${cr.postApproval.minRole} or above is due by ${cr.postApproval.dueAt}`, {
    slot: cr.postApproval.minRole,
  });
  return { done: false, decision: w.done() };
}

/** At 24 h: still not post-approved? It is overdue, escalated to the CTO, and flagged for the reports. */
export function postApprovalOverdue(cr: ChangeRequest, now: string): Decision | undefined {
  const pa = cr.postApproval;
  if (!pa || pa.approvedBy || pa.overdue) return undefined;
  if (Date.parse(now) < Date.parse(pa.dueAt)) return undefined;
  const w = new Writer(cr, SYSTEM, now);
  w.cr.postApproval = { ...pa, overdue: true, escalatedTo: 'cto', escalatedAt: now };
  w.transition('post-approval-overdue', cr.state, cr.state, `post-approval was due by ${pa.dueAt}; escalated to the CTO`);
  return w.done();
}

export function hoursFrom(iso: string, hours: number): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).plus({ hours }).toISO()!;
}
