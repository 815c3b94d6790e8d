/** Scheduled (default every 5 min): records the T-24h, T-1h, T-0 and T+15m notices of each committed change, each once. */
import { sendTimelineNotifications, type CalendarJobDeps } from '../use-cases/calendar-jobs.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: CalendarJobDeps) => scheduledJob('timeline-notifications', () => sendTimelineNotifications(deps));
