/** Lambda entry of EventRelay: EventBridge only; the table's stream invokes it with the new outbox items. */
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../events/relay.js';

export const handler = makeHandler({ publisher: EventBridgePublisher.fromConfig(loadConfig()) });
