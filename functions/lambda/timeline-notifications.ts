/** Lambda entry of the TimelineNotifications job: the table; each notice is recorded on its change, and its event sends the email. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../jobs/timeline-notifications.js';
import { calendarJobDeps } from './calendar-job-deps.js';

const config = loadConfig();

export const handler = makeHandler(calendarJobDeps(config, tableClient(config)));
