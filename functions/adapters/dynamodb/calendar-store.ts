/**
 * The change calendar on the same table: declared events in their own partition (`EVENT#<id>`,
 * beside the freezes' `FREEZE#<id>`, adapters/dynamodb/freeze-store.ts), and committed changes
 * found through the sparse index gsi4 (only changes on the calendar carry its keys).
 */
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChangeRequest } from '../../core/change-request.js';
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
