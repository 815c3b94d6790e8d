/** What the calendar jobs need, from the configuration. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCalendarStore } from '../adapters/dynamodb/calendar-store.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { DynamoDbFreezeStore } from '../adapters/dynamodb/freeze-store.js';
import type { Config } from '../config.js';
import { systemClock } from '../ports.js';
import type { CalendarJobDeps } from '../use-cases/calendar-jobs.js';

export function calendarJobDeps(config: Config, db: DynamoDBDocumentClient): CalendarJobDeps & { freezes: DynamoDbFreezeStore } {
  return {
    store: new DynamoDbChangeStore(db, config.TABLE_NAME),
    calendarStore: new DynamoDbCalendarStore(db, config.TABLE_NAME),
    // the blackout check reconciles the freezes' holds
    freezes: new DynamoDbFreezeStore(db, config.TABLE_NAME),
    clock: systemClock,
    config: config.calendar,
    stakeholderEmails: config.STAKEHOLDER_EMAILS,
  };
}
