/**
 * The scheduled jobs and when they run. One table for both runtimes: the stack gives each an
 * EventBridge Scheduler schedule, the local scheduler runs the same handler on the same cadence.
 */
import type { WorkflowAccess } from '../routes.js';

export interface ScheduledJob {
  /** Construct id in the stack and name of the local job. */
  name: string;
  entry: string;
  /** EventBridge Scheduler expression, in the organisation's zone: a rate (every N minutes), or a cron for a wall-clock time. */
  schedule: string;
  /** The same cadence as a cron pattern for the local scheduler (run in the organisation's zone). */
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
    /** Whether the job writes the monthly reports (the reports bucket, REPORTS_BUCKET). Default no. */
    reports?: boolean;
  };
  /**
   * A job heavier than the others: its function's memory (MB) and time limit (minutes), in place
   * of the stack's defaults for jobs. Declarative only, like `needs`.
   */
  size?: { memorySize: number; timeoutMinutes: number };
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
  {
    // seed: Monthly Report; early on the 1st in the organisation's zone, for the month before
    name: 'MonthlyReport',
    entry: 'functions/lambda/monthly-report.ts',
    schedule: 'cron(0 6 1 * ? *)',
    localCron: '0 6 1 * *',
    // reads the month's changes, writes the report's files, and one outbox item that announces it
    needs: { writeTable: true, sendEmail: false, reports: true },
    // a month of 100,000 changes: about 200 MB of heap and a minute or two of paged Queries (npm run bench)
    size: { memorySize: 1024, timeoutMinutes: 15 },
  },
];
