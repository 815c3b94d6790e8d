/** Lambda entry of the BlackoutCheck job: the table; what it finds is recorded on the changes, and their events send the emails. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../jobs/blackout-check.js';
import { calendarJobDeps } from './calendar-job-deps.js';

const config = loadConfig();

export const handler = makeHandler(calendarJobDeps(config, tableClient(config)));
