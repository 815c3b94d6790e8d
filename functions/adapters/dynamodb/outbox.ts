/**
 * The outbox (docs/events.md). Every write of a change request puts each audit entry's domain
 * event in an outbox item, in the same transaction (change-store.ts); its key is
 * `EVT#<changeId>` / `<seq>`, a partition that reading a change never reads.
 *
 * Its delivery: a record of the table's stream whose new image is an
 * outbox item becomes the domain event it holds, published to the bus. The stream delivers in
 * order per change and at least once; the consumers are idempotent on the event id, so a record
 * delivered twice has one effect. Anything else on the stream (the change items themselves, their
 * audit entries, an outbox item expiring) is not an event and is skipped.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { BusEvent } from '../../core/events.js';
import type { EventPublisher } from '../../ports.js';
import { queryAll } from './query.js';

/** The part of a stream record (Lambda's event, or DynamoDB Streams' GetRecords) the relay reads. */
export interface StreamRecord {
  eventName?: string | undefined;
  dynamodb?: { NewImage?: Record<string, AttributeValue> | undefined } | undefined;
}

/** Outbox items' partition key prefix: the stack filters the stream on it. */
export const OUTBOX_PREFIX = 'EVT#';
/** How long a delivered event stays in the outbox (the stream delivers it within seconds; the bus's archive keeps it 14 days). */
export const OUTBOX_DAYS = 7;

export const outboxKey = (changeId: string, seq: number) => ({ pk: `${OUTBOX_PREFIX}${changeId}`, sk: String(seq).padStart(6, '0') });

/** The domain event a stream record carries, or undefined for a record that is not a new outbox item. */
export function eventOf(record: StreamRecord): BusEvent | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  const image = record.dynamodb.NewImage;
  if (!String(image.pk?.S ?? '').startsWith(OUTBOX_PREFIX)) return undefined;
  const item = unmarshall(image as Parameters<typeof unmarshall>[0]) as { event?: BusEvent };
  return item.event;
}

/** One record: publish its event (failing loudly, so the stream retries it). */
export async function relayRecord(deps: { publisher: EventPublisher }, record: StreamRecord): Promise<BusEvent | undefined> {
  const event = eventOf(record);
  if (event) await deps.publisher.publish([event]);
  return event;
}

/** Which outbox items to read back: one change's (its partition), or every change's in a time window (gsi3, by day). */
export interface OutboxQuery {
  changeId?: string | undefined;
  /** Events that happened at or after this instant (ISO 8601). */
  since?: string | undefined;
  /** Events that happened before this instant; now by default. */
  until?: string | undefined;
}

/** Outbox items by time: gsi3, one partition per UTC day of the event. */
export const OUTBOX_DAY_PREFIX = 'EVENTS#';
export const outboxTimeKey = (event: BusEvent) => ({
  gsi3pk: `${OUTBOX_DAY_PREFIX}${event.time.slice(0, 10)}`,
  gsi3sk: `${event.time}#${event.id}`,
});

const DAY = 86_400_000;

/**
 * The events still in the outbox (OUTBOX_DAYS after their write), in the order they happened:
 * what a replay publishes again after the relay gave up on them (docs/runbooks/event-relay-dlq.md),
 * and what the local relay delivers after a restart. A window is read one day partition at a time.
 */
export async function outboxEvents(db: DynamoDBDocumentClient, tableName: string, query: OutboxQuery): Promise<BusEvent[]> {
  const items: Record<string, unknown>[] = [];
  if (query.changeId) {
    items.push(
      ...(await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${OUTBOX_PREFIX}${query.changeId}` },
        ConsistentRead: true,
      })),
    );
  } else {
    if (!query.since) throw new Error('outboxEvents: give a change or the instant to read from');
    // by default as far as the outbox keeps events after `since`, and at least to a day past now
    const until = query.until ?? new Date(Math.max(Date.now() + DAY, Date.parse(query.since) + (OUTBOX_DAYS + 1) * DAY)).toISOString();
    // nothing older than the outbox keeps is there to read
    const first = Math.max(Date.parse(query.since), Date.parse(until) - (OUTBOX_DAYS + 1) * DAY);
    for (let day = Math.floor(first / DAY) * DAY; day < Date.parse(until); day += DAY) {
      items.push(
        ...(await queryAll(db, {
          TableName: tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :day AND gsi3sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':day': `${OUTBOX_DAY_PREFIX}${new Date(day).toISOString().slice(0, 10)}`, ':from': query.since, ':to': until },
        })),
      );
    }
  }
  return items
    .map((i) => i.event as BusEvent | undefined)
    .filter((e): e is BusEvent => e !== undefined && (!query.since || e.time >= query.since) && (!query.until || e.time < query.until))
    .sort((a, b) => a.time.localeCompare(b.time) || (a.changeId ?? '').localeCompare(b.changeId ?? '') || seqOf(a) - seqOf(b));
}

const seqOf = (e: BusEvent) => Number(e.id.split('#').at(-1));
