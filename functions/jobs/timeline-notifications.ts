/** Scheduled (default every 5 min): T-24h, T-1h, T-0 and T+15m notices to each committed change's stakeholders, each once. */
import { appDeps, calendarJobDeps, type AppDeps } from '../handlers/deps.js';
import { sendTimelineNotifications } from '../use-cases/calendar-jobs.js';
import { scheduledJob } from './job.js';

export const makeHandler = (deps: AppDeps) => scheduledJob('timeline-notifications', deps, (d) => sendTimelineNotifications(calendarJobDeps(d)));
export const handler = makeHandler(appDeps());
