/** A dead-letter queue and the alarm that tells someone when a message lands in it. */
import { Duration } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_PERIOD, type Runbook, RunbookAlarm } from './alarms.js';
import { acknowledge } from './nag.js';

export interface MonitoredQueueProps {
  /** What this is the dead-letter queue of, e.g. `the ApprovalSweep schedule and function` (its cdk-nag acknowledgement says so). */
  readonly deadLetterQueueOf: string;
  /** What a message in the queue means, first in the alarm's description. */
  readonly alarmSummary: string;
  readonly runbook: Runbook;
  /**
   * Whom the alarm notifies.
   *
   * @default - nobody
   */
  readonly alarmAction?: IAlarmAction;
}

/** Encrypted, HTTPS only, messages kept 14 days, and an alarm on the first one. */
export class MonitoredQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: MonitoredQueueProps) {
    super(scope, id);
    // `Default`: the queue is this construct's main resource (its node.defaultChild)
    this.queue = new Queue(this, 'Default', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // the longest SQS keeps a message: time to notice, inspect and replay
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.queue, 'SQS3', `This queue is the dead-letter queue of ${props.deadLetterQueueOf}, so it needs no dead-letter queue of its own.`);
    this.alarm = new RunbookAlarm(this, 'Alarm', {
      summary: props.alarmSummary,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      runbook: props.runbook,
      action: props.alarmAction,
    });
  }
}
