/**
 * Outbound subscriptions and their deliveries (docs/data-model.md): the subscriptions in one
 * partition (`SUBSCRIPTIONS` / `<id>`, a small set: one Query), each event's delivery to one
 * subscriber in the subscriber's partition (`SUBDEL#<id>` / `<at>#<event id>`), kept 14 days with
 * the body as signed, so an admin can redeliver it.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Subscription, SubscriptionDelivery, SubscriptionStore } from '../../ports.js';
import { queryAll } from './query.js';

export const SUBSCRIPTION_DELIVERY_DAYS = 14;

export class DynamoDbSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Subscription[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SUBSCRIPTIONS' },
    });
    return items.map((i) => i.subscription as Subscription);
  }

  async get(id: string): Promise<Subscription | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'SUBSCRIPTIONS', sk: id }, ConsistentRead: true }));
    return (out.Item?.subscription as Subscription | undefined) ?? null;
  }

  async put(subscription: Subscription): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'SUBSCRIPTIONS', sk: subscription.id, subscription },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async delete(id: string): Promise<boolean> {
    const out = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'SUBSCRIPTIONS', sk: id }, ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }

  async recordAttempt(d: Omit<SubscriptionDelivery, 'attempts'>): Promise<SubscriptionDelivery> {
    // The delivery's fields are the item's own attributes, so one update creates it or counts an
    // attempt up; a field this attempt lacks (no HTTP status after a timeout) is written as null.
    const fields = Object.entries({ httpStatus: null, error: null, ...d }).map(([k, v]) => [k, v ?? null] as const);
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `SUBDEL#${d.subscriptionId}`, sk: d.key },
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}, attempts = if_not_exists(attempts, :zero) + :one, expiresAt = :exp`,
        ExpressionAttributeNames: Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
          ':zero': 0,
          ':one': 1,
          ':exp': Math.floor(Date.parse(d.at) / 1000) + SUBSCRIPTION_DELIVERY_DAYS * 86_400,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return deliveryOf(out.Attributes!);
  }

  async deliveries(subscriptionId: string, limit: number): Promise<SubscriptionDelivery[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SUBDEL#${subscriptionId}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(deliveryOf);
  }

  async delivery(subscriptionId: string, key: string): Promise<SubscriptionDelivery | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `SUBDEL#${subscriptionId}`, sk: key }, ConsistentRead: true }));
    return out.Item ? deliveryOf(out.Item) : null;
  }
}

/** The delivery an item holds: its attributes without the keys, a null read back as absent. */
function deliveryOf(item: Record<string, unknown>): SubscriptionDelivery {
  const { pk: _pk, sk: _sk, expiresAt: _exp, ...delivery } = item;
  return Object.fromEntries(Object.entries(delivery).filter(([, v]) => v !== null)) as unknown as SubscriptionDelivery;
}
