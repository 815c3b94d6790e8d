/** Scheduled (default hourly): reminders, escalation and expiry of pending approvals. */
import { appDeps, flowDeps, type AppDeps } from '../handlers/deps.js';
import { sweepApprovals } from '../use-cases/approval-flow.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: AppDeps) => scheduledJob('approval-sweep', deps, (d) => sweepApprovals(flowDeps(d)));
export const handler = makeHandler(appDeps());
