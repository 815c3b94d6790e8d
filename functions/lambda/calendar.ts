/** Lambda entry of Calendar: the table (its events read, declared and removed) and the feed key. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/calendar.js';
import { calendarDeps } from './calendar-deps.js';
import { feedKey } from './keys.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  calendar: calendarDeps(config, db),
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  feedKey: feedKey(config),
});
