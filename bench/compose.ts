/**
 * The request handlers' dependencies for the benchmark, composed as their Lambda entries compose
 * them (functions/lambda/), on the benchmark's own DynamoDB client (the one it counts round trips on).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreCalendarService } from '../functions/adapters/calendar-service.js';
import { DynamoDbFreezeStore } from '../functions/adapters/dynamodb/freeze-store.js';
import { DynamoDbCalendarStore } from '../functions/adapters/dynamodb/calendar-store.js';
import { DynamoDbChangeStore } from '../functions/adapters/dynamodb/change-store.js';
import { DynamoDbCommunicationLog } from '../functions/adapters/dynamodb/communication-log.js';
import { DynamoDbMonitoringStore } from '../functions/adapters/dynamodb/monitoring-store.js';
import { DynamoDbDirectory } from '../functions/adapters/dynamodb/directory.js';
import type { Config } from '../functions/config.js';
import { cursorKey, linkKey } from '../functions/lambda/keys.js';
import { systemClock } from '../functions/ports.js';
import type { ChangeDeps } from '../functions/use-cases/changes.js';

export function composeBench(config: Config, db: DynamoDBDocumentClient) {
  const store = new DynamoDbChangeStore(db, config.TABLE_NAME);
  const directory = new DynamoDbDirectory(db, config.TABLE_NAME);
  const monitoring = new DynamoDbMonitoringStore(db, config.TABLE_NAME);
  const calendar = new StoreCalendarService(new DynamoDbCalendarStore(db, config.TABLE_NAME), config.calendar, new DynamoDbFreezeStore(db, config.TABLE_NAME));
  const changes = (withCalendar: boolean): ChangeDeps => ({
    store,
    clock: systemClock,
    timeZone: config.ORG_TIMEZONE,
    rules: config.rules,
    calendar: withCalendar ? calendar : undefined,
  });
  return {
    directory,
    read: { config, store, directory, cursorKey: cursorKey(config), monitoring, communications: new DynamoDbCommunicationLog(db, config.TABLE_NAME) },
    write: { config, changes: changes(true), directory },
    transition: { config, changes: changes(true), directory, monitoring },
    links: {
      config,
      links: { changes: changes(false), directory, linkKey: linkKey(config), signIn: config.LINK_SIGN_IN, consoleUrl: config.PUBLIC_BASE_URL },
      signedIn: async () => null,
    },
    /** What the workflows' task states get; the benchmark runs them by hand. */
    flow: { store, clock: systemClock, timers: config.timers },
  };
}
