/** Lambda entry of the WorkflowReconcile job: the table (read) and Step Functions (describe, start). */
import { StepFunctionsEngine } from '../adapters/aws/step-functions.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../jobs/workflow-reconcile.js';
import { systemClock } from '../ports.js';

const config = loadConfig();

export const handler = makeHandler({
  store: new DynamoDbChangeStore(tableClient(config), config.TABLE_NAME),
  workflows: StepFunctionsEngine.fromConfig(config, 'the workflow reconciler'),
  clock: systemClock,
});
