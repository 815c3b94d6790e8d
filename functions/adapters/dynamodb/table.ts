/**
 * The table's key schema, for creating it where nothing else does (DynamoDB Local, tests). The CDK
 * stack declares the same keys; test/infra checks they agree.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    // sparse: deployed changes by deployment time (the DORA figures)
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    // sparse: changes by the change-board meeting they were last decided in (the CAB minutes)
    { name: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
  ],
  /** The stream that delivers the outbox's events (docs/events.md): new images are enough. */
  streamView: 'NEW_IMAGE',
} as const;

/** Creates the table if it is missing, or adds what an older one lacks; returns whether it created it. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // a table made before the outbox had no stream: turn it on, the events go out through it
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_KEYS.streamView } }));
    }
    // an index added since the table was made (one per update, as DynamoDB allows)
    for (const index of TABLE_KEYS.indexes) {
      if (Table?.GlobalSecondaryIndexes?.some((g) => g.IndexName === index.name)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: index.partitionKey, AttributeType: 'S' },
            { AttributeName: index.sortKey, AttributeType: 'S' },
          ],
          GlobalSecondaryIndexUpdates: [{ Create: gsiOf(index) }],
        }),
      );
    }
    return false;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  const attrs = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_KEYS.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_KEYS.indexes.map(gsiOf),
      StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_KEYS.streamView },
    }),
  );
  return true;
}

function gsiOf(i: (typeof TABLE_KEYS.indexes)[number]) {
  return {
    IndexName: i.name,
    KeySchema: [
      { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}
