/**
 * The evidence of monitoring periods, in each change's own monitoring partition (`MON#<id>`):
 * samples (`S#<at>#<random>`) and reports (`R#<at>#<random>`) as they were pushed, and one item per
 * judged interval (`M#<index>`) with its measurements, kept as judged: a sample that arrives after
 * its interval was judged is stored but does not rewrite the verdict.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Measurement, Report, Sample } from '../../core/monitoring.js';
import type { MonitoringStore } from '../../ports.js';
import { queryAll } from './query.js';

export const MONITORING_PREFIX = 'MON#';
const pk = (changeId: string) => `${MONITORING_PREFIX}${changeId}`;
/** Puts in flight at once. */
const BATCH = 25;

export class DynamoDbMonitoringStore implements MonitoringStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async addEvidence(changeId: string, samples: Sample[], reports: Report[]): Promise<void> {
    const items = [
      ...samples.map((sample) => ({ pk: pk(changeId), sk: `S#${sample.at}#${randomUUID()}`, sample })),
      ...reports.map((report) => ({ pk: pk(changeId), sk: `R#${report.at}#${randomUUID()}`, report })),
    ];
    // one PutItem each (the functions' role has no BatchWriteItem), 25 at a time; a push holds at most 200
    for (let i = 0; i < items.length; i += BATCH) {
      await Promise.all(items.slice(i, i + BATCH).map((Item) => this.db.send(new PutCommand({ TableName: this.tableName, Item }))));
    }
  }

  async evidence(changeId: string, from: string, to: string): Promise<{ samples: Sample[]; reports: Report[] }> {
    const [samples, reports] = await Promise.all([
      queryAll(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        // `S#<to>` sorts before `S#<to>#…`: samples at exactly `to` belong to the next interval
        ExpressionAttributeValues: { ':pk': pk(changeId), ':from': `S#${from}`, ':to': `S#${to}` },
        ConsistentRead: true,
      }),
      queryAll(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk(changeId), ':from': 'R#', ':to': `R#${to}` },
        ConsistentRead: true,
      }),
    ]);
    return { samples: samples.map((i) => i.sample as Sample), reports: reports.map((i) => i.report as Report) };
  }

  async saveInterval(changeId: string, index: number, measurements: Measurement[]): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(changeId), sk: `M#${String(index).padStart(6, '0')}`, index, measurements },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      // kept already: the interval was judged by an earlier attempt of this task
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async measurements(changeId: string): Promise<Measurement[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk(changeId), ':m': 'M#' },
      ConsistentRead: true,
    });
    return items.flatMap((i) => i.measurements as Measurement[]);
  }
}
