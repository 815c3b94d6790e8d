/** Scheduled (default every 15 min): changes planned into new blackouts, changes under way as one begins, conflicts. */
import { checkBlackouts, type CalendarJobDeps } from '../use-cases/calendar-jobs.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: CalendarJobDeps) => scheduledJob('blackout-check', () => checkBlackouts(deps));
