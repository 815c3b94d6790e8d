/** What the change use cases need, from the configuration: shared by the functions that write change requests. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import type { Config } from '../config.js';
import { systemClock, type CalendarService } from '../ports.js';
import type { ChangeDeps } from '../use-cases/changes.js';

export function changeDeps(config: Config, db: DynamoDBDocumentClient, calendar?: CalendarService): ChangeDeps {
  return { store: new DynamoDbChangeStore(db, config.TABLE_NAME), clock: systemClock, timeZone: config.ORG_TIMEZONE, rules: config.rules, calendar };
}
