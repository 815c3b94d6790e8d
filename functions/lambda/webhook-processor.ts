/** Lambda entry of WebhookProcessor: the table, the calendar rules (a pipeline's start obeys the deploy gate), the directory, the dedupe records and the GitHub App. */
import { StoreCalendarService } from '../adapters/calendar-service.js';
import { DynamoDbFreezeStore } from '../adapters/dynamodb/freeze-store.js';
import { DynamoDbCalendarStore } from '../adapters/dynamodb/calendar-store.js';
import { clientConfig, tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDeliveryStore } from '../adapters/dynamodb/delivery-store.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbMonitoringStore } from '../adapters/dynamodb/monitoring-store.js';
import { DynamoDbOnce } from '../adapters/dynamodb/once.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../webhooks/processor.js';
import { changeDeps } from './change-deps.js';
import { githubApp } from './keys.js';
import { slackApp } from './slack-app.js';

const config = loadConfig();
const db = tableClient(config);
const deliveries = new DynamoDbDeliveryStore(db, config.TABLE_NAME);

export const handler = makeHandler({
  changes: changeDeps(
    config,
    db,
    new StoreCalendarService(new DynamoDbCalendarStore(db, config.TABLE_NAME), config.calendar, new DynamoDbFreezeStore(db, config.TABLE_NAME)),
  ),
  deliveries,
  gates: deliveries,
  github: githubApp(config),
  baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
  monitoring: new DynamoDbMonitoringStore(db, config.TABLE_NAME),
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  once: new DynamoDbOnce(config.TABLE_NAME, clientConfig({ endpoint: config.DYNAMODB_ENDPOINT })),
  pagerDutyServices: config.PAGERDUTY_SERVICES,
  slack: slackApp(config),
});
