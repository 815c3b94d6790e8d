/** Lambda entry of WorkflowTasks: the table and the callback tokens; the task states of both state machines invoke it. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsTaskCallbacks } from '../adapters/aws/step-functions.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../ports.js';
import { makeHandler } from '../workflows/tasks.js';

const config = loadConfig();

export const handler = makeHandler({
  store: new DynamoDbChangeStore(tableClient(config), config.TABLE_NAME),
  clock: systemClock,
  timers: config.timers,
  callbacks: new StepFunctionsTaskCallbacks(new SFNClient({})),
});
