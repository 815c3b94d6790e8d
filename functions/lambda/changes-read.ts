/** Lambda entry of ChangesRead: the table (read: changes, their monitoring and communication logs) and the list cursor key. */
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../adapters/dynamodb/communication-log.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbMirrorStore } from '../adapters/dynamodb/mirror-store.js';
import { DynamoDbMonitoringStore } from '../adapters/dynamodb/monitoring-store.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/changes-read.js';
import { cursorKey } from './keys.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  store: new DynamoDbChangeStore(db, config.TABLE_NAME),
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  cursorKey: cursorKey(config),
  monitoring: new DynamoDbMonitoringStore(db, config.TABLE_NAME),
  communications: new DynamoDbCommunicationLog(db, config.TABLE_NAME),
  mirrors: config.TRACKER_MIRRORS ? new DynamoDbMirrorStore(db, config.TABLE_NAME) : undefined,
});
