/** Lambda entry of WorkflowDriver: the table (read) and Step Functions; the bus's rule invokes it with the events that move a workflow. */
import { StepFunctionsEngine } from '../adapters/aws/step-functions.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../workflows/driver.js';

const config = loadConfig();

export const handler = makeHandler({
  store: new DynamoDbChangeStore(tableClient(config), config.TABLE_NAME),
  workflows: StepFunctionsEngine.fromConfig(config, 'the workflow driver'),
});
