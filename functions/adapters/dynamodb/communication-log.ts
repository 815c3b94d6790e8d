/**
 * The communication log in a partition per change (`COMM#<id>`): apart from the change's own, so the
 * functions that only send notices may write it and nothing of the change (IAM's LeadingKeys); and
 * by month on gsi3 (`COMMS#<YYYY-MM>`) for the monthly report. A notice sent is kept once per event and target (a retried step
 * writing it again keeps the first); a failed attempt is kept per attempt.
 */
import { createHash } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inTimeOrder, type CommunicationEntry } from '../../core/communication.js';
import type { CommunicationLog } from '../../ports.js';
import { queryAll } from './query.js';

export const COMMUNICATION_KEY_PREFIX = 'COMM#';

/** Kept as long as the change: the log is part of its record (no TTL). */
export class DynamoDbCommunicationLog implements CommunicationLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async of(changeId: string): Promise<CommunicationEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${COMMUNICATION_KEY_PREFIX}${changeId}` },
    });
    return inTimeOrder(items.map((i) => i.entry as CommunicationEntry));
  }

  async record(changeId: string, entry: CommunicationEntry): Promise<void> {
    const target = createHash('sha256')
      .update(`${entry.channel}\n${[...entry.recipients].sort().join(',')}`)
      .digest('hex')
      .slice(0, 16);
    const key = entry.outcome === 'failed' ? `${entry.eventId}#${target}#${entry.at}` : `${entry.eventId}#${target}`;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `${COMMUNICATION_KEY_PREFIX}${changeId}`,
            sk: key,
            changeId,
            entry,
            gsi3pk: `COMMS#${entry.at.slice(0, 7)}`,
            gsi3sk: `${entry.at}#${changeId}#${key}`,
          },
          // a notice's outcome is written once: a redelivery that writes it again keeps the first (its time)
          ...(entry.outcome === 'failed' ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async between(from: string, to: string): Promise<(CommunicationEntry & { changeId: string })[]> {
    // one partition per UTC month the range touches; within each, the range on the sort key
    const months: string[] = [];
    for (let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`); d.toISOString() < to; d.setUTCMonth(d.getUTCMonth() + 1))
      months.push(d.toISOString().slice(0, 7));
    const pages = await Promise.all(
      months.map((m) =>
        queryAll(this.db, {
          TableName: this.tableName,
          IndexName: 'gsi3',
          // `<at>#…` sorts after `to` exactly when at >= to: BETWEEN gives [from, to)
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `COMMS#${m}`, ':from': from, ':to': to },
        }),
      ),
    );
    return pages.flat().map((i) => ({ ...(i.entry as CommunicationEntry), changeId: i.changeId as string }));
  }
}
