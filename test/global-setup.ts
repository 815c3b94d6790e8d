/**
 * One DynamoDB Local for the whole run, in memory. Test files create their own tables on it, so
 * they never see each other's data.
 */
import 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local.js';

let ddb: RunningDynamoDb | undefined;

export async function setup(project: TestProject) {
  ddb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', ddb.endpoint);
}

export async function teardown() {
  await ddb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}
