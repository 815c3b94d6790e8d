/**
 * One DynamoDB Local for the whole run, in memory. Test files create their own tables on it, so
 * they never see each other's data. The web console is built here, once.
 */
import 'vitest';
import type { TestProject } from 'vitest/node';
import { buildConsole } from '../local/console.js';
import { startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local.js';

let ddb: RunningDynamoDb | undefined;

export async function setup(project: TestProject) {
  // the console once, before the files that serve it start in parallel (each then finds it built)
  const [running] = await Promise.all([startDynamoDbLocal(), buildConsole()]);
  ddb = running;
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
