/** One DynamoDB document client per process, created at module scope and reused across invocations. */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Client settings: none in AWS; for DynamoDB Local its endpoint and fixed credentials. */
export function clientConfig(options: { endpoint?: string | undefined; region?: string } = {}): DynamoDBClientConfig {
  return options.endpoint
    ? // DynamoDB Local accepts any credentials; fixed ones keep every local process on one shared database.
      { endpoint: options.endpoint, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
}

export function documentClient(options: { endpoint?: string | undefined; region?: string } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(clientConfig(options));
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
}

/** The table's client for a function, from its configuration (DynamoDB Local when DYNAMODB_ENDPOINT is set). */
export function tableClient(config: { DYNAMODB_ENDPOINT?: string | undefined }): DynamoDBDocumentClient {
  return documentClient({ endpoint: config.DYNAMODB_ENDPOINT });
}
