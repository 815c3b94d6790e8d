/** Lambda entry of WorkflowTasks: the table and the callback tokens; the task states of every state machine invoke it. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsTaskCallbacks } from '../adapters/aws/step-functions.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbMonitoringStore } from '../adapters/dynamodb/monitoring-store.js';
import { metricsSources } from '../adapters/metrics-sources.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../ports.js';
import { makeHandler } from '../workflows/tasks.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  store: new DynamoDbChangeStore(db, config.TABLE_NAME),
  monitoring: new DynamoDbMonitoringStore(db, config.TABLE_NAME),
  rollbackReportMinutes: config.ROLLBACK_REPORT_TIMEOUT_MINUTES,
  sources: metricsSources(config),
  clock: systemClock,
  timers: config.timers,
  callbacks: new StepFunctionsTaskCallbacks(new SFNClient({})),
});
