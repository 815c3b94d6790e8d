/** Lambda entry of ChangesWrite: the table and the calendar rules (a new or edited change is checked against the calendar). */
import { StoreCalendarService } from '../adapters/calendar-service.js';
import { DynamoDbFreezeStore } from '../adapters/dynamodb/freeze-store.js';
import { DynamoDbCalendarStore } from '../adapters/dynamodb/calendar-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/changes-write.js';
import { changeDeps } from './change-deps.js';

const config = loadConfig();
const db = tableClient(config);
const calendar = new StoreCalendarService(new DynamoDbCalendarStore(db, config.TABLE_NAME), config.calendar, new DynamoDbFreezeStore(db, config.TABLE_NAME));

export const handler = makeHandler({ config, changes: changeDeps(config, db, calendar), directory: new DynamoDbDirectory(db, config.TABLE_NAME) });
