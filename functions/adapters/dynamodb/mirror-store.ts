/** Each change's Jira/Linear mirror on the same table: `MIRROR#<changeId>` / `LINK`. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MirrorLink } from '../../core/tracker-mirror.js';
import type { MirrorStore } from '../../ports.js';

/** A claim on a creation older than this was left by a run that died: another may take it. */
const CLAIM_MS = 5 * 60_000;

export class DynamoDbMirrorStore implements MirrorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(changeId: string): Promise<MirrorLink | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(changeId), ConsistentRead: true }));
    return (out.Item?.link as MirrorLink | undefined) ?? null;
  }

  async claim(changeId: string, eventId: string, now: Date): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key(changeId), claimedAt: now.getTime(), claimedBy: eventId },
        ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(#link) AND (claimedAt < :stale OR claimedBy = :me))',
        ExpressionAttributeNames: { '#link': 'link' },
        ExpressionAttributeValues: { ':stale': now.getTime() - CLAIM_MS, ':me': eventId },
      }),
    );
  }

  async put(link: MirrorLink): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key(link.changeId), link, seq: link.seq },
        ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
        ExpressionAttributeValues: { ':seq': link.seq },
      }),
    );
  }

  private async conditional(command: PutCommand): Promise<boolean> {
    try {
      await this.db.send(command);
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}

const key = (changeId: string) => ({ pk: `MIRROR#${changeId}`, sk: 'LINK' });
