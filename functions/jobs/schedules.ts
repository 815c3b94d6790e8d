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
     * What the job writes in the table: change requests (`true`: Put and Update on any item, and the
     * records of `Once`), only the records of `Once` (`'idempotency-only'`: Put, Update and Delete on
     * `IDEMPOTENCY#…` items and nothing else), or nothing (`false`).
     */
    writeTable: boolean | 'idempotency-only';
    sendEmail: boolean;
    /**
     * Whether the job writes change requests: each write publishes its domain events, so the stack
     * gives it the event bus (EVENT_BUS_NAME) and `events:PutEvents` on it. Default false.
     */
    publishEvents?: boolean;
    /** The Step Functions calls the job makes (WorkflowAccess in functions/routes.ts). Default none. */
    workflows?: WorkflowAccess;
  };
}

export const SCHEDULED_JOBS: ScheduledJob[] = [
  {
    // reminders every 24 h and escalation after 48 h need no finer cadence than an hour
    name: 'ApprovalSweep',
    entry: 'functions/jobs/approval-sweep.ts',
    schedule: 'rate(1 hour)',
    localCron: '0 * * * *',
    // expiry writes the change and stops its approval execution
    needs: { writeTable: true, sendEmail: false, publishEvents: true, workflows: { stop: ['approval'] } },
  },
  {
    name: 'BlackoutCheck',
    entry: 'functions/jobs/blackout-check.ts',
    schedule: 'rate(15 minutes)',
    localCron: '*/15 * * * *',
    // records calendar findings on change requests (ChangeCalendarFlagged)
    needs: { writeTable: true, sendEmail: true, publishEvents: true },
  },
  {
    name: 'TimelineNotifications',
    entry: 'functions/jobs/timeline-notifications.ts',
    schedule: 'rate(5 minutes)',
    localCron: '*/5 * * * *',
    // records each notice on its change (TimelineNotice); the notifications consumer sends the email
    needs: { writeTable: true, sendEmail: false, publishEvents: true },
  },
];
