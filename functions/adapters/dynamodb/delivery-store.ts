/**
 * Webhook deliveries and unauthorized changes (docs/data-model.md). A delivery is one item,
 * `WH#<source>:<delivery id>` / `DELIVERY`, put only if absent, in the same transaction as the
 * outbox item of its work: the provider's delivery id is the dedupe key, and the first answer is
 * kept on the item for every redelivery. Deliveries are listed by day through gsi3
 * (`DELIVERIES#<day>`), unauthorized changes by month (`UNAUTHORIZED#<month>`); both expire.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceEvent } from '../../core/events.js';
import type { DeliveryStore, GateStore, PendingGate, ServiceEvents, StoredDelivery, UnauthorizedChange } from '../../ports.js';
import { OUTBOX_DAYS, outboxKey, outboxTimeKey } from './outbox.js';
import { queryAll } from './query.js';

/** How long a delivery is kept (and so deduplicated): beyond GitHub's 3 days of redelivery and PagerDuty's 48 h of retries. */
export const DELIVERY_DAYS = 30;
/** Unauthorized changes are kept for the reports: 400 days covers a year's trends. */
export const UNAUTHORIZED_DAYS = 400;

const DAY = 86_400_000;
const deliveryKey = (key: string) => ({ pk: `WH#${key}`, sk: 'DELIVERY' });
const unauthorizedKey = (key: string) => ({ pk: `UNAUTH#${key}`, sk: 'UNAUTH' });
const expires = (at: string, days: number) => Math.floor(Date.parse(at) / 1000) + days * 86_400;

export class DynamoDbDeliveryStore implements DeliveryStore, GateStore, ServiceEvents {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(delivery: StoredDelivery, event?: ServiceEvent): Promise<{ recorded: true } | { recorded: false; first: StoredDelivery }> {
    const item = {
      ...deliveryKey(delivery.key),
      gsi3pk: `DELIVERIES#${delivery.receivedAt.slice(0, 10)}`,
      gsi3sk: `${delivery.receivedAt}#${delivery.key}`,
      delivery,
      expiresAt: expires(delivery.receivedAt, DELIVERY_DAYS),
    };
    if (await this.putOnce(item, event ? { partition: `WH#${delivery.key}`, event } : undefined)) return { recorded: true };
    const first = await this.get(delivery.key);
    if (!first) throw new Error(`delivery ${delivery.key} was refused as a duplicate, but is not there`);
    return { recorded: false, first };
  }

  async get(key: string): Promise<StoredDelivery | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deliveryKey(key), ConsistentRead: true }));
    return (out.Item?.delivery as StoredDelivery | undefined) ?? null;
  }

  async finish(key: string, outcome: Pick<StoredDelivery, 'status' | 'outcome' | 'changeId' | 'processedAt'>): Promise<void> {
    const names: Record<string, string> = { '#d': 'delivery' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [field, value] of Object.entries(outcome)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#d.#${field} = :${field}`);
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryKey(key),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async recent(query: { limit: number; until: string; days: number; source?: string | undefined }): Promise<StoredDelivery[]> {
    const out: StoredDelivery[] = [];
    const end = Date.parse(query.until);
    for (let d = 0; d < query.days && out.length < query.limit; d++) {
      const day = new Date(end - d * DAY).toISOString().slice(0, 10);
      const items = await queryAll(this.db, {
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :day AND gsi3sk < :until',
        ExpressionAttributeValues: { ':day': `DELIVERIES#${day}`, ':until': `${query.until}~` },
        ScanIndexForward: false,
        Limit: query.limit,
      });
      for (const item of items) {
        const delivery = item.delivery as StoredDelivery;
        if (!query.source || delivery.source === query.source) out.push(delivery);
      }
    }
    return out.slice(0, query.limit);
  }

  async recordUnauthorized(record: UnauthorizedChange, event: ServiceEvent): Promise<boolean> {
    const item = {
      ...unauthorizedKey(record.key),
      gsi3pk: `UNAUTHORIZED#${record.at.slice(0, 7)}`,
      gsi3sk: `${record.at}#${record.key}`,
      record,
      expiresAt: expires(record.at, UNAUTHORIZED_DAYS),
    };
    return this.putOnce(item, { partition: `UNAUTH#${record.key}`, event });
  }

  async unauthorized(from: string, to: string): Promise<UnauthorizedChange[]> {
    const out: UnauthorizedChange[] = [];
    const months = new Set<string>();
    for (let t = Date.parse(from); t < Date.parse(to); t += DAY) months.add(new Date(t).toISOString().slice(0, 7));
    for (const month of months) {
      const items = await queryAll(this.db, {
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :month AND gsi3sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':month': `UNAUTHORIZED#${month}`, ':from': from, ':to': to },
      });
      out.push(...items.map((i) => i.record as UnauthorizedChange).filter((r) => r.at >= from && r.at < to));
    }
    return out;
  }

  async linkIncident(incidentId: string, changeId: string, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `INCIDENT#${incidentId}`, sk: `CR#${changeId}`, changeId, at, expiresAt: expires(at, UNAUTHORIZED_DAYS) },
      }),
    );
  }

  async incidentChanges(incidentId: string): Promise<string[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}` },
      ConsistentRead: true,
    });
    return items.map((i) => String(i.changeId));
  }

  /** Pending protection-rule requests, in the change's gate partition (`GATE#<id>` / the request's key), kept 30 days (GitHub's own limit). */
  async putGate(gate: PendingGate): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: `GATE#${gate.changeId}`, sk: gate.key, gate, expiresAt: expires(gate.requestedAt, 30) } }),
    );
  }

  async gatesOf(changeId: string): Promise<PendingGate[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `GATE#${changeId}` },
      ConsistentRead: true,
    });
    return items.map((i) => i.gate as PendingGate);
  }

  async removeGate(changeId: string, key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `GATE#${changeId}`, sk: key } }));
  }

  /** A service event alone (a report made), its outbox item put only if absent. */
  async publishOnce(event: ServiceEvent): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [this.outboxPut(event.id, event)] }));
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  /** Puts an item only if absent, with the outbox item of its event in the same transaction; false when it was there. */
  private async putOnce(item: Record<string, unknown>, outbox?: { partition: string; event: ServiceEvent }): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...(outbox ? [this.outboxPut(outbox.partition, outbox.event)] : []),
          ],
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  private outboxPut(partition: string, event: ServiceEvent) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...outboxKey(partition, 1), ...outboxTimeKey(event), type: event.type, event, expiresAt: expires(event.time, OUTBOX_DAYS) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
}

/** A transaction cancelled by a failed condition (the item was there), as opposed to any other failure. */
function conditionFailed(err: unknown): boolean {
  return err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
}
