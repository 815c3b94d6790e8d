/**
 * The notifications: a rule on the domain event bus for the event types that mean an email, the
 * Notifications function it invokes, and one dead-letter queue with its alarm for both hops.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/core/events.js';
import { NOTIFIED_EVENTS } from '../../functions/use-cases/notifications.js';
import type { ChangeflowData } from './data.js';
import type { ChangeflowEvents } from './events.js';
import { ChangeflowFunction, type FunctionDefaults, WORKER_FUNCTIONS } from './function.js';
import type { ChangeflowKeys } from './keys.js';
import type { ChangeflowMail } from './mail.js';
import { MonitoredQueue } from './monitored-queue.js';

export interface ChangeflowNotificationsProps {
  readonly events: ChangeflowEvents;
  /** Where the links in emails point (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
  readonly timeout: Duration;
  readonly defaults: FunctionDefaults;
  /** Where the function's grants come from. */
  readonly data: ChangeflowData;
  readonly keys: ChangeflowKeys;
  readonly mail: ChangeflowMail;
}

export class ChangeflowNotifications extends Construct {
  readonly function: ChangeflowFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: MonitoredQueue;

  constructor(scope: Construct, id: string, props: ChangeflowNotificationsProps) {
    super(scope, id);
    // One dead-letter queue for both hops, as for the jobs: EventBridge's target DLQ takes an event
    // it could not hand to Lambda; Lambda's on-failure destination takes one the function failed on
    // after Lambda's own retries (EventBridge invokes asynchronously). One queue, one alarm, one runbook.
    // A child of the stack, not of this construct: the queue keeps the logical ID it had before the
    // constructs, so a deploy does not replace it and drop the notifications waiting in it.
    this.deadLetterQueue = new MonitoredQueue(Stack.of(this), 'NotificationsDeadLetterQueue', {
      deadLetterQueueOf: 'the notifications rule target and of the Notifications function',
      alarmSummary: 'ChangeFlow notifications: an event was not emailed and landed in the dead-letter queue',
      runbook: 'notifications-dlq',
      alarmAction: props.defaults.alarmAction,
    });
    this.function = new ChangeflowFunction(this, 'Function', {
      name: 'Notifications',
      ...WORKER_FUNCTIONS.Notifications,
      timeout: props.timeout,
      runbook: 'notifications-dlq',
      defaults: props.defaults,
      // No cycle: the stage URL is built from the API id, and this function is behind no route.
      environment: { PUBLIC_BASE_URL: props.publicBaseUrl },
      // An email more than two hours late needs a person (the queue's alarm), not more retries.
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      onFailure: this.deadLetterQueue.queue,
    });
    // It reads the directory (people by id and by role), writes only its dedupe records, signs links.
    props.data.grantReadDirectory(this.function);
    props.data.grantIdempotencyRecords(this.function);
    props.mail.grantSend(this.function);
    props.keys.grantReadLinkKey(this.function);

    this.rule = new Rule(this, 'Rule', {
      description: 'ChangeFlow: the domain events that send email, to the Notifications function',
      eventBus: props.events.bus,
      // the publisher sets DetailType to the event type (functions/adapters/aws/eventbridge-publisher.ts)
      eventPattern: { source: [EVENT_SOURCE], detailType: [...NOTIFIED_EVENTS] },
      targets: [new LambdaFunction(this.function.fn, { deadLetterQueue: this.deadLetterQueue.queue, retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });
  }
}
