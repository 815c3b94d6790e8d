/** Lambda entry of DeployGate: the table (read) and the calendar rules. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/deploy-gate.js';
import { calendarDeps } from './calendar-deps.js';

const config = loadConfig();

export const handler = makeHandler({ config, calendar: calendarDeps(config, tableClient(config)) });
