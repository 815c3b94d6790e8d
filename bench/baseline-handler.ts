/**
 * The cold-start table's baseline (bench/cold-start.ts): the least a Lambda function that talks to
 * DynamoDB loads at init. It imports only the DynamoDB client and the document client, builds one
 * of each at module scope as functions/adapters/dynamodb/client.ts does, and answers without calling
 * anything. Bundled like every function of the stack; never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

// Uses the client, so that the bundler keeps it and its construction.
export const handler = async () => ({ statusCode: 200, body: typeof db.send });
