/** Lambda entry of Outbound: the subscriptions (read) and their delivery records, the dedupe records, the communication log, the outbound secrets. */
import { FetchPoster } from '../adapters/http/poster.js';
import { clientConfig, tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../adapters/dynamodb/communication-log.js';
import { DynamoDbOnce } from '../adapters/dynamodb/once.js';
import { DynamoDbSubscriptionStore } from '../adapters/dynamodb/subscription-store.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../outbound/handler.js';
import { systemClock } from '../ports.js';
import { DynamoDbMirrorStore } from '../adapters/dynamodb/mirror-store.js';
import { outboundTargets } from './keys.js';
import { trackerMirror } from './tracker-mirror.js';

const config = loadConfig();
const db = tableClient(config);
const targets = outboundTargets(config);

export const handler = makeHandler({
  poster: new FetchPoster(),
  once: new DynamoDbOnce(config.TABLE_NAME, clientConfig({ endpoint: config.DYNAMODB_ENDPOINT })),
  subscriptions: new DynamoDbSubscriptionStore(db, config.TABLE_NAME),
  clock: systemClock,
  baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
  targets,
  pagerDutyEventsUrl: config.PAGERDUTY_EVENTS_URL,
  // every notice about a change, in its communication log
  log: new DynamoDbCommunicationLog(db, config.TABLE_NAME),
  // the Jira/Linear mirror of the teams that have one
  mirror: trackerMirror(config, targets, new DynamoDbMirrorStore(db, config.TABLE_NAME), systemClock),
});
