/**
 * The change calendar on the same table: declared events and freezes in their own partition
 * (`EVENT#<id>`, `FREEZE#<id>`), and committed changes found through the sparse index gsi4 (only
 * changes on the calendar carry its keys).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChangeRequest } from '../../core/change-request.js';
import { VersionConflictError } from '../../core/errors.js';
import type { Freeze } from '../../core/freezes.js';
import type { CalendarStore, StoredCalendarEvent } from '../../ports.js';
import { queryAll } from './query.js';

/** Longest planned window the calendar looks back for when asked what overlaps a range (the schema caps windows at this). */
export const MAX_WINDOW_DAYS = 31;

export class DynamoDbCalendarStore implements CalendarStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async events(): Promise<StoredCalendarEvent[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': 'CALENDAR', ':kind': 'EVENT#' },
    });
    return items.map((i) => i.event as StoredCalendarEvent);
  }

  async freezes(): Promise<Freeze[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': 'CALENDAR', ':kind': 'FREEZE#' },
    });
    return items.map(freezeOf);
  }

  async getFreeze(id: string): Promise<Freeze | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: freezeKey(id), ConsistentRead: true }));
    return out.Item ? freezeOf(out.Item) : null;
  }

  async putFreeze(freeze: Freeze, expectedVersion?: number): Promise<void> {
    const { heldChanges: _held, exceptionChanges: _asked, ...stored } = freeze;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: freezeKey(freeze.id),
          UpdateExpression: 'SET #freeze = :freeze, #version = :version',
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
          ExpressionAttributeNames: { '#freeze': 'freeze', '#version': 'version' },
          ExpressionAttributeValues: {
            ':freeze': stored,
            ':version': freeze.version,
            ...(expectedVersion === undefined ? {} : { ':expected': expectedVersion }),
          },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError(undefined, `the freeze ${freeze.id} was changed by someone else; re-read it and try again`);
      }
      throw err;
    }
  }

  async markFreezeChange(id: string, list: 'heldChanges' | 'exceptionChanges', changeId: string, present: boolean): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: freezeKey(id),
          UpdateExpression: `${present ? 'ADD' : 'DELETE'} #list :change`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#list': list },
          ExpressionAttributeValues: { ':change': new Set([changeId]) },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async putEvent(event: StoredCalendarEvent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'CALENDAR', sk: `EVENT#${event.id}`, event },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async deleteEvent(id: string): Promise<boolean> {
    const out = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'CALENDAR', sk: `EVENT#${id}` }, ReturnValues: 'ALL_OLD' }));
    return Boolean(out.Attributes);
  }

  async committedChanges(from: string, to: string): Promise<ChangeRequest[]> {
    const earliest = new Date(Date.parse(from) - MAX_WINDOW_DAYS * 86_400_000).toISOString();
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi4',
      // windows that start before `to` (and not earlier than the longest window before `from`) …
      KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk BETWEEN :earliest AND :to',
      // … and end after `from`: together, those that overlap [from, to)
      FilterExpression: '#cr.#content.#window.#end > :from',
      ExpressionAttributeNames: { '#cr': 'cr', '#content': 'content', '#window': 'plannedWindow', '#end': 'end' },
      ExpressionAttributeValues: { ':pk': 'ONCALENDAR', ':earliest': earliest, ':to': to, ':from': from },
    });
    return items.map((i) => i.cr as ChangeRequest).filter((cr) => Date.parse(cr.content.plannedWindow!.start) < Date.parse(to));
  }
}

const freezeKey = (id: string) => ({ pk: 'CALENDAR', sk: `FREEZE#${id}` });

/** The freeze as stored, with the lists of changes it names (string sets: absent when empty). */
function freezeOf(item: Record<string, unknown>): Freeze {
  const list = (value: unknown) => (value instanceof Set ? [...(value as Set<string>)].sort() : []);
  return { ...(item.freeze as Freeze), heldChanges: list(item.heldChanges), exceptionChanges: list(item.exceptionChanges) };
}
