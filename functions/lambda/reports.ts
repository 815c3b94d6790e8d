/** Lambda entry of Reports: the table (read: the month's changes, the unauthorized changes), the reports bucket, the directory. */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ReportStore } from '../adapters/aws/s3-report-store.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../adapters/dynamodb/communication-log.js';
import { DynamoDbDeliveryStore } from '../adapters/dynamodb/delivery-store.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { loadConfig, requireSettings } from '../config.js';
import { makeHandler } from '../handlers/reports.js';
import { systemClock } from '../ports.js';
import { linkKey } from './keys.js';

const config = loadConfig();
const db = tableClient(config);
const { REPORTS_BUCKET } = requireSettings(config, ['REPORTS_BUCKET'], 'the reports are kept in that bucket');

export const handler = makeHandler({
  config,
  linkKey: linkKey(config),
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  reports: {
    store: new DynamoDbChangeStore(db, config.TABLE_NAME),
    deliveries: new DynamoDbDeliveryStore(db, config.TABLE_NAME),
    communications: new DynamoDbCommunicationLog(db, config.TABLE_NAME),
    reports: new S3ReportStore(new S3Client({}), REPORTS_BUCKET),
    clock: systemClock,
    timeZone: config.ORG_TIMEZONE,
  },
});
