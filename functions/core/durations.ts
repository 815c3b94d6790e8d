/**
 * Every duration the process sets, defined once (seed: Post-Deployment Validation, Emergency Change
 * Process). The workflows' ASL files take theirs by substitution (lib/workflows/definitions.ts), so
 * a Wait state cannot disagree with the rule it serves; a test checks each one.
 */
import type { Category } from './change-request.js';

/** Monitoring period after deployment, by category (seed: "Monitoring Period"). */
export const MONITORING_MINUTES: Readonly<Record<Category, number>> = { standard: 15, normal: 60, major: 240, emergency: 30 };

/** An emergency change is post-approved within this long of its start (seed: "Manager approves within 24 hours"). */
export const EMERGENCY_POST_APPROVAL_HOURS = 24;

/** Halfway to the deadline, the post-approvers are reminded. */
export const EMERGENCY_REMINDER_HOURS = 12;

/** Approval timers' defaults (REMIND_EVERY_HOURS, ESCALATE_AFTER_HOURS, EXPIRE_AFTER_HOURS). */
export const APPROVAL_TIMER_DEFAULTS = { remindEveryHours: 24, escalateAfterHours: 48, expireAfterHours: 7 * 24 } as const;

/**
 * The approval workflow's callback tasks time out one day after a request expires: the sweep
 * expires it first; the timeout only closes a task nothing else closed.
 */
export const APPROVAL_TASK_MARGIN_HOURS = 24;

const HOUR = 3600;

/**
 * The numbers the ASL files take by substitution (lib/workflows/definitions.ts), in seconds, from
 * the durations above, the approval timers and the monitoring settings in force. The emergency flow's waits need none: they
 * wait until instants the core computes from the start of the work (lifecycle.ts `emergencyTimers`).
 */
export function workflowDurations(
  timers: { expireAfterHours: number },
  monitoring: { intervalSeconds: number; rollbackReportMinutes: number } = MONITORING_FLOW_DEFAULTS,
): Record<string, number> {
  return {
    ApprovalTaskTimeoutSeconds: Math.round((timers.expireAfterHours + APPROVAL_TASK_MARGIN_HOURS) * HOUR),
    MonitoringIntervalSeconds: monitoring.intervalSeconds,
    RollbackReportTimeoutSeconds: Math.round(monitoring.rollbackReportMinutes * 60),
  };
}

/** The monitoring flow's waits by default: one judgement a minute; a rollback reported within 30 minutes. */
export const MONITORING_FLOW_DEFAULTS = { intervalSeconds: 60, rollbackReportMinutes: 30 } as const;
