/** Lambda entry of Subscriptions: the subscriptions and their deliveries (read-write, delete), the directory, outbound HTTP for a redelivery. */
import { FetchPoster } from '../adapters/http/poster.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbSubscriptionStore } from '../adapters/dynamodb/subscription-store.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/subscriptions.js';
import { OUTBOUND_EVENTS } from '../core/outbound.js';
import { systemClock } from '../ports.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  directory: new DynamoDbDirectory(db, config.TABLE_NAME),
  subscriptions: {
    subscriptions: new DynamoDbSubscriptionStore(db, config.TABLE_NAME),
    poster: new FetchPoster(),
    clock: systemClock,
    eventTypes: OUTBOUND_EVENTS,
    allowHttp: config.OUTBOUND_ALLOW_HTTP,
  },
});
