/**
 * `npm run outbox:replay -- --since <ISO> [--until <ISO>] [--change CR-…] [--dry-run]`: publishes
 * the events still in the outbox (7 days) to the event bus again, in the order they happened. For
 * records the relay gave up on (docs/runbooks/event-relay-dlq.md). Safe to repeat: every consumer
 * handles an event once, by its id. Reads TABLE_NAME and EVENT_BUS_NAME (and the usual AWS
 * credentials and region) from the environment.
 */
import { parseArgs } from 'node:util';
import { EventBridgePublisher } from '../functions/adapters/aws/eventbridge-publisher.js';
import { tableClient } from '../functions/adapters/dynamodb/client.js';
import { outboxEvents } from '../functions/adapters/dynamodb/outbox.js';
import { loadConfig } from '../functions/config.js';

const usage = 'usage: npm run outbox:replay -- --since <ISO instant> [--until <ISO instant>] [--change CR-…] [--dry-run]';
const { values } = parseArgs({
  options: { since: { type: 'string' }, until: { type: 'string' }, change: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
});
const instant = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    console.error(`--${name} ${value} is not an instant (e.g. 2026-11-28T08:00:00Z)\n${usage}`);
    process.exit(2);
  }
  return new Date(t).toISOString();
};
if (!values.since && !values.change) {
  console.error(`give --since, --change, or both\n${usage}`);
  process.exit(2);
}
const config = loadConfig();
const events = await outboxEvents(tableClient(config), config.TABLE_NAME, {
  changeId: values.change,
  since: instant('since', values.since),
  until: instant('until', values.until),
});
const publisher = values['dry-run'] ? undefined : EventBridgePublisher.fromConfig(config);
for (const event of events) {
  await publisher?.publish([event]);
  console.log(`${values['dry-run'] ? 'would publish' : 'published'} ${event.id} ${event.type} (${event.time})`);
}
console.log(`${events.length} event(s)`);
