/**
 * The outbox's delivery (docs/events.md): the table's stream, filtered to new outbox items, invokes
 * the EventRelay function, which publishes each item's event to the bus. A record that fails is
 * retried on its own (partial batch responses, bisection); one that still fails after the retries,
 * or outlives them, is described in a dead-letter queue whose alarm names the runbook, and its event
 * stays in the outbox for OUTBOX_DAYS to be replayed from there (npm run outbox:replay).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { OUTBOX_PREFIX } from '../../functions/adapters/dynamodb/outbox.js';
import { TABLE_KEYS } from '../../functions/adapters/dynamodb/table.js';
import type { ChangeflowData } from './data.js';
import type { ChangeflowEvents } from './events.js';
import { ChangeflowFunction, type FunctionDefaults, WORKER_FUNCTIONS } from './function.js';
import { MonitoredQueue } from './monitored-queue.js';

/** How the stream hands records to the relay: the retries before a record goes to the dead-letter queue. */
export const RELAY_SOURCE = { batchSize: 25, retryAttempts: 10, maxRecordAgeHours: 12, parallelizationFactor: 1 } as const;

export interface OutboxRelayProps {
  readonly data: ChangeflowData;
  readonly events: ChangeflowEvents;
  readonly timeout: Duration;
  readonly defaults: FunctionDefaults;
}

export class OutboxRelay extends Construct {
  readonly function: ChangeflowFunction;
  readonly deadLetterQueue: MonitoredQueue;
  readonly source: DynamoEventSource;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    this.deadLetterQueue = new MonitoredQueue(Stack.of(this), 'EventRelayDeadLetterQueue', {
      deadLetterQueueOf: 'the stream of the table into the EventRelay function',
      alarmSummary: 'ChangeFlow events: outbox records were not published to the bus after every retry',
      runbook: 'event-relay-dlq',
      alarmAction: props.defaults.alarmAction,
    });
    this.function = new ChangeflowFunction(this, 'Function', {
      name: 'EventRelay',
      entry: WORKER_FUNCTIONS.EventRelay.entry,
      description: WORKER_FUNCTIONS.EventRelay.description,
      timeout: props.timeout,
      runbook: 'event-relay-dlq',
      defaults: props.defaults,
    });
    props.events.grantPublish(this.function);
    this.source = new DynamoEventSource(props.data.table, {
      // from the oldest record the stream still has: a relay deployed after the table missed nothing
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: RELAY_SOURCE.batchSize,
      // in order per change: one batch per shard at a time
      parallelizationFactor: RELAY_SOURCE.parallelizationFactor,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: RELAY_SOURCE.retryAttempts,
      maxRecordAge: Duration.hours(RELAY_SOURCE.maxRecordAgeHours),
      onFailure: new SqsDlq(this.deadLetterQueue.queue),
      // only new outbox items reach the function: the change items, audit entries and expiries are filtered out by Lambda, unbilled
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { [TABLE_KEYS.partitionKey]: { S: FilterRule.beginsWith(OUTBOX_PREFIX) } } },
        }),
      ],
    });
    this.function.fn.addEventSource(this.source);
  }
}
