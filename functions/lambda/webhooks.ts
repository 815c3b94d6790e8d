/** Lambda entry of Webhooks: the table (deliveries, read-write), the directory (the admins' list) and the webhook secrets. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDeliveryStore } from '../adapters/dynamodb/delivery-store.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/webhooks.js';
import { systemClock } from '../ports.js';
import { signalSettings } from './webhook-settings.js';
import { webhookSecrets } from './keys.js';
import { slackApp } from './slack-app.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  intake: {
    deliveries: new DynamoDbDeliveryStore(db, config.TABLE_NAME),
    clock: systemClock,
    secrets: webhookSecrets(config),
    signals: signalSettings(config),
    // a rejection's reason dialog opens at the edge, within Slack's 3 s
    slack: slackApp(config),
  },
});
