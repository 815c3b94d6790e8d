/** What the calendar use cases need, from the configuration. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCalendarStore } from '../adapters/dynamodb/calendar-store.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import type { Config } from '../config.js';
import { systemClock } from '../ports.js';
import type { CalendarDeps } from '../use-cases/calendar.js';

export function calendarDeps(config: Config, db: DynamoDBDocumentClient): CalendarDeps {
  return {
    store: new DynamoDbChangeStore(db, config.TABLE_NAME),
    calendarStore: new DynamoDbCalendarStore(db, config.TABLE_NAME),
    clock: systemClock,
    config: config.calendar,
  };
}
