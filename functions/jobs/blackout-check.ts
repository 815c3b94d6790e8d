/**
 * Scheduled (default every 15 min): changes planned into new blackouts, changes under way as one
 * begins, conflicts; and the freezes: holds and releases set right, owners asked for their reviews.
 */
import { checkBlackouts, type CalendarJobDeps } from '../use-cases/calendar-jobs.js';
import { checkFreezes } from '../use-cases/freezes.js';
import { scheduledJob } from './job.js';
import type { FreezeStore } from '../ports.js';

export const makeHandler = (deps: CalendarJobDeps & { freezes: FreezeStore }) =>
  scheduledJob('blackout-check', async () => {
    const [blackouts, freezes] = [await checkBlackouts(deps), await checkFreezes(deps)];
    return { ...blackouts, freezes, failed: [...blackouts.failed, ...freezes.failed] };
  });
