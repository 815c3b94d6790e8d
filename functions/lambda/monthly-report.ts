/** Lambda entry of the MonthlyReport job: the table (the month's changes and notices; the announcement's outbox item) and the reports bucket. */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ReportStore } from '../adapters/aws/s3-report-store.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../adapters/dynamodb/communication-log.js';
import { DynamoDbDeliveryStore } from '../adapters/dynamodb/delivery-store.js';
import { loadConfig, requireSettings } from '../config.js';
import { makeHandler } from '../jobs/monthly-report.js';
import { systemClock } from '../ports.js';

const config = loadConfig();
const db = tableClient(config);
const deliveries = new DynamoDbDeliveryStore(db, config.TABLE_NAME);
const { REPORTS_BUCKET } = requireSettings(config, ['REPORTS_BUCKET'], 'the reports are kept in that bucket');

export const handler = makeHandler({
  store: new DynamoDbChangeStore(db, config.TABLE_NAME),
  deliveries,
  // the month's notices, counted per channel
  communications: new DynamoDbCommunicationLog(db, config.TABLE_NAME),
  events: deliveries,
  reports: new S3ReportStore(new S3Client({}), REPORTS_BUCKET),
  clock: systemClock,
  timeZone: config.ORG_TIMEZONE,
});
