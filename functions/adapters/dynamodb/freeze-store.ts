/**
 * Freezes on the same table, in the calendar's partition: `CALENDAR` / `FREEZE#<id>`, the freeze
 * (`freeze`, `version`) and the string sets of the changes it names (`heldChanges`,
 * `exceptionChanges`), kept apart so that a write of the freeze never overwrites them.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../../core/errors.js';
import type { Freeze } from '../../core/freezes.js';
import type { FreezeStore } from '../../ports.js';
import { queryAll } from './query.js';

export class DynamoDbFreezeStore implements FreezeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

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
      if ((err as Error).name === 'ConditionalCheckFailedException') {
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
      if (!((err as Error).name === 'ConditionalCheckFailedException')) throw err;
    }
  }
}

const freezeKey = (id: string) => ({ pk: 'CALENDAR', sk: `FREEZE#${id}` });

/** The freeze as stored, with the lists of changes it names (string sets: absent when empty). */
function freezeOf(item: Record<string, unknown>): Freeze {
  const list = (value: unknown) => (value instanceof Set ? [...(value as Set<string>)].sort() : []);
  return { ...(item.freeze as Freeze), heldChanges: list(item.heldChanges), exceptionChanges: list(item.exceptionChanges) };
}
