/** Lambda entry of Freezes: the table (freezes, and the changes they hold) and the directory (owners, actors). */
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbFreezeStore } from '../adapters/dynamodb/freeze-store.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/freezes.js';
import { calendarDeps } from './calendar-deps.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  calendar: { ...calendarDeps(config, db), freezes: new DynamoDbFreezeStore(db, config.TABLE_NAME) },
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
});
