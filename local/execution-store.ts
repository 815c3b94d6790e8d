/**
 * The local workflow engine's executions, kept in DynamoDB Local beside the data (pk
 * `LOCAL#EXECUTION`, sk the execution id), so that `npm start` resumes them after a restart —
 * a kill included. Step Functions keeps its own in AWS; nothing there reads these items.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../functions/adapters/dynamodb/query.js';
import type { ExecutionRecord, ExecutionStore } from './workflow-engine.js';

const PK = 'LOCAL#EXECUTION';

export class DynamoDbExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<ExecutionRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: id }, ConsistentRead: true }));
    return out.Item?.execution as ExecutionRecord | undefined;
  }

  async put(record: ExecutionRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: PK, sk: record.id, status: record.status, execution: record } }));
  }

  async running(): Promise<ExecutionRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': PK, ':running': 'RUNNING' },
      ConsistentRead: true,
    });
    return items.map((i) => i.execution as ExecutionRecord);
  }
}
