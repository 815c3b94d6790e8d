/** Scheduled (default every 15 min): changes planned into new blackouts, changes under way as one begins, conflicts. */
import { appDeps, calendarJobDeps, type AppDeps } from '../handlers/deps.js';
import { checkBlackouts } from '../use-cases/calendar-jobs.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: AppDeps) => scheduledJob('blackout-check', deps, (d) => checkBlackouts(calendarJobDeps(d)));
export const handler = makeHandler(appDeps());
