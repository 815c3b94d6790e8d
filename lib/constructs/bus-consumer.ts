/**
 * A consumer of the domain event bus: a rule for the event types it acts on, the function the rule
 * invokes, and one dead-letter queue with its alarm for both hops. The Notifications function (the
 * emails) and the WorkflowDriver (starts, decides and stops the workflows) are two of them; what each
 * may touch is granted by the stack.
 */
import { type Duration, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/core/events.js';
import type { Runbook } from './alarms.js';
import type { ChangeflowEvents } from './events.js';
import { ChangeflowFunction, type FunctionDefaults, WORKER_FUNCTIONS, type WorkerName } from './function.js';
import { MonitoredQueue } from './monitored-queue.js';

export interface BusConsumerProps {
  /** The worker of WORKER_FUNCTIONS this is: its entry and description. */
  readonly worker: WorkerName;
  readonly events: ChangeflowEvents;
  /** The event types the rule sends the function (the publisher sets DetailType to the event type). */
  readonly eventTypes: readonly string[];
  readonly timeout: Duration;
  readonly defaults: FunctionDefaults;
  readonly runbook: Runbook;
  /** What a message in the dead-letter queue means, first in its alarm. */
  readonly alarmSummary: string;
  /**
   * How long an event is worth retrying before a person is needed (the queue's alarm).
   */
  readonly maxEventAge: Duration;
  /**
   * Variables of this function only.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
}

export class BusConsumer extends Construct {
  readonly function: ChangeflowFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: MonitoredQueue;

  constructor(scope: Construct, id: string, props: BusConsumerProps) {
    super(scope, id);
    // One dead-letter queue for both hops, as for the jobs: EventBridge's target DLQ takes an event
    // it could not hand to Lambda; Lambda's on-failure destination takes one the function failed on
    // after Lambda's own retries (EventBridge invokes asynchronously). One queue, one alarm, one runbook.
    // A child of the stack, not of this construct: the queue keeps its logical ID (`<worker>DeadLetterQueue`)
    // whatever construct holds it, so a refactor does not replace it and drop what waits in it.
    this.deadLetterQueue = new MonitoredQueue(Stack.of(this), `${props.worker}DeadLetterQueue`, {
      deadLetterQueueOf: `the ${props.worker} rule target and of the ${props.worker} function`,
      alarmSummary: props.alarmSummary,
      runbook: props.runbook,
      alarmAction: props.defaults.alarmAction,
    });
    this.function = new ChangeflowFunction(this, 'Function', {
      name: props.worker,
      entry: WORKER_FUNCTIONS[props.worker].entry,
      description: WORKER_FUNCTIONS[props.worker].description,
      timeout: props.timeout,
      runbook: props.runbook,
      defaults: props.defaults,
      environment: props.environment,
      retryAttempts: 2,
      maxEventAge: props.maxEventAge,
      onFailure: this.deadLetterQueue.queue,
    });
    this.rule = new Rule(this, 'Rule', {
      description: `ChangeFlow: the domain events ${props.worker} acts on`,
      eventBus: props.events.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...props.eventTypes] },
      targets: [new LambdaFunction(this.function.fn, { deadLetterQueue: this.deadLetterQueue.queue, retryAttempts: 8, maxEventAge: props.maxEventAge })],
    });
  }
}
