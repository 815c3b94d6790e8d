/** Scheduled (default hourly): reminders, escalation and expiry of pending approvals. */
import { sweepApprovals, type FlowDeps } from '../use-cases/approval-flow.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: FlowDeps) => scheduledJob('approval-sweep', () => sweepApprovals(deps));
