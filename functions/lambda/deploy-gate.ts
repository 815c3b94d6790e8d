/** Lambda entry of DeployGate: the table (read) and the calendar rules. */
import { DynamoDbFreezeStore } from '../adapters/dynamodb/freeze-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/deploy-gate.js';
import { calendarDeps } from './calendar-deps.js';

const config = loadConfig();

const db = tableClient(config);

export const handler = makeHandler({ config, calendar: { ...calendarDeps(config, db), freezes: new DynamoDbFreezeStore(db, config.TABLE_NAME) } });
