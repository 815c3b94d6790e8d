/** Lambda entry of Notifications: the directory and the monitoring measurements (read), SES, the dedupe records, the communication log, the link key and the Slack app. */
import { SesMailer } from '../adapters/aws/ses-mailer.js';
import { clientConfig, tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../adapters/dynamodb/communication-log.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbMonitoringStore } from '../adapters/dynamodb/monitoring-store.js';
import { DynamoDbOnce } from '../adapters/dynamodb/once.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../notifications/handler.js';
import { linkKey } from './keys.js';
import { slackApp } from './slack-app.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  // the T+15m notice says how the monitoring period is going
  monitoring: new DynamoDbMonitoringStore(db, config.TABLE_NAME),
  mailer: SesMailer.fromConfig(config),
  once: new DynamoDbOnce(config.TABLE_NAME, clientConfig({ endpoint: config.DYNAMODB_ENDPOINT })),
  linkKey: linkKey(config),
  baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
  timeZone: config.ORG_TIMEZONE,
  timers: config.timers,
  stakeholderEmails: config.STAKEHOLDER_EMAILS,
  reportRecipients: config.REPORT_RECIPIENTS,
  // every email about a change, in its communication log
  log: new DynamoDbCommunicationLog(db, config.TABLE_NAME),
  // with a Slack app, approvers are asked in Slack too
  slack: slackApp(config),
});
