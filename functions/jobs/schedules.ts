/**
 * The scheduled jobs and when they run. One table for both runtimes: the stack gives each an
 * EventBridge Scheduler schedule, the local scheduler runs the same handler on the same cadence.
 */
import type { WorkflowAccess } from '../routes.js';

export interface ScheduledJob {
  /** Construct id in the stack and name of the local job. */
  name: string;
  entry: string;
  /** EventBridge Scheduler expression. A rate: it runs every N minutes whatever the zone, so no time zone is needed. */
  schedule: string;
  /** The same cadence as a cron pattern for the local scheduler. */
  localCron: string;
  /** What the job's function needs beyond reading the table. Declarative only: the local runtime ignores it. */
  needs: {
    /**
     * Whether the job writes change requests (Put and Update; their events are outbox items of the
     * same transaction). A job never deletes: an email is the notifications consumer's, with its
     * own dedupe records, so no job keeps any.
     */
    writeTable: boolean;
    /** Whether the job sends email itself (none does today: their writes' events do). */
    sendEmail: boolean;
    /** The Step Functions calls the job makes (WorkflowAccess in functions/routes.ts). Default none. */
    workflows?: WorkflowAccess;
  };
}

export const SCHEDULED_JOBS: ScheduledJob[] = [
  {
    // reminders every 24 h and escalation after 48 h need no finer cadence than an hour
    name: 'ApprovalSweep',
    entry: 'functions/lambda/approval-sweep.ts',
    schedule: 'rate(1 hour)',
    localCron: '0 * * * *',
    // reminders, escalations and expiries are writes; their events send the emails and stop an expired flow
    needs: { writeTable: true, sendEmail: false },
  },
  {
    name: 'BlackoutCheck',
    entry: 'functions/lambda/blackout-check.ts',
    schedule: 'rate(15 minutes)',
    localCron: '*/15 * * * *',
    // records calendar findings on change requests (ChangeCalendarFlagged, BlackoutUnderWay); the notifications consumer emails
    needs: { writeTable: true, sendEmail: false },
  },
  {
    name: 'TimelineNotifications',
    entry: 'functions/lambda/timeline-notifications.ts',
    schedule: 'rate(5 minutes)',
    localCron: '*/5 * * * *',
    // records each notice on its change (TimelineNotice); the notifications consumer sends the email
    needs: { writeTable: true, sendEmail: false },
  },
  {
    // the safety net under the workflow driver: a flow whose start was never delivered is started
    name: 'WorkflowReconcile',
    entry: 'functions/lambda/workflow-reconcile.ts',
    schedule: 'rate(15 minutes)',
    localCron: '*/15 * * * *',
    needs: { writeTable: false, sendEmail: false, workflows: { start: ['approval', 'emergency', 'monitoring'] } },
  },
];
