/** Lambda entry of the ApprovalSweep job: the table (reminders, escalations and expiries are writes; their events do the rest). */
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../jobs/approval-sweep.js';
import { systemClock } from '../ports.js';

const config = loadConfig();

export const handler = makeHandler({ store: new DynamoDbChangeStore(tableClient(config), config.TABLE_NAME), clock: systemClock, timers: config.timers });
