/** Scheduled (every 15 min): a committed change whose flow should run and has none gets it (use-cases/workflow-driver.ts). */
import { reconcileWorkflows, type ReconcileDeps } from '../use-cases/workflow-driver.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: ReconcileDeps) => scheduledJob('workflow-reconcile', () => reconcileWorkflows(deps));
