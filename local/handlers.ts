/** The handler of each route group and each scheduled job, built for given dependencies: the same code the stack deploys. */
import { makeHandler as approvalLinks } from '../functions/handlers/approval-links.js';
import { makeHandler as calendar } from '../functions/handlers/calendar.js';
import { makeHandler as deployGate } from '../functions/handlers/deploy-gate.js';
import { makeHandler as approvalSweep } from '../functions/jobs/approval-sweep.js';
import { makeHandler as changesRead } from '../functions/handlers/changes-read.js';
import { makeHandler as changesTransition } from '../functions/handlers/changes-transition.js';
import { makeHandler as changesWrite } from '../functions/handlers/changes-write.js';
import type { AppDeps } from '../functions/handlers/deps.js';
import { makeHandler as meta } from '../functions/handlers/meta.js';
import { makeHandler as blackoutCheck } from '../functions/jobs/blackout-check.js';
import { makeHandler as timelineNotifications } from '../functions/jobs/timeline-notifications.js';
import { SCHEDULED_JOBS } from '../functions/jobs/schedules.js';
import type { LocalHandler } from './server.js';

export function localHandlers(deps: AppDeps): Record<string, LocalHandler> {
  return {
    Meta: meta(deps.config),
    ChangesRead: changesRead(deps),
    ChangesWrite: changesWrite(deps),
    ChangesTransition: changesTransition(deps),
    Calendar: calendar(deps),
    DeployGate: deployGate(deps),
    ApprovalLinks: approvalLinks(deps),
  } as Record<string, LocalHandler>;
}

const JOB_HANDLERS: Record<string, (deps: AppDeps) => (event: unknown, context: never) => Promise<unknown>> = {
  ApprovalSweep: approvalSweep as never,
  BlackoutCheck: blackoutCheck as never,
  TimelineNotifications: timelineNotifications as never,
};

/** Scheduled jobs by name, on the cadence of the one schedule table (the stack gives EventBridge Scheduler the same). */
export function localJobs(deps: AppDeps): Record<string, { every: string; run: (event: unknown, context: never) => Promise<unknown> }> {
  return Object.fromEntries(
    SCHEDULED_JOBS.map((job) => {
      const make = JOB_HANDLERS[job.name];
      if (!make) throw new Error(`no local handler for scheduled job ${job.name}`);
      return [job.name, { every: job.localCron, run: make(deps) }];
    }),
  );
}
