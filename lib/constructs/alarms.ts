/** The stack's alarms: each fires on a metric over 5 minutes and names the runbook that says what to do. */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** The runbooks of docs/runbooks/ that alarms point to. */
export type Runbook =
  | 'api-5xx'
  | 'scheduled-job-dlq'
  | 'workflow-failed'
  | 'notifications-dlq'
  | 'event-relay-dlq'
  | 'workflow-driver-dlq'
  | 'webhook-processor-dlq'
  | 'outbound-dlq';

/** The period every alarm of the stack evaluates. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface RunbookAlarmProps {
  /** What is measured, over ALARM_PERIOD. */
  readonly metric: IMetric;
  /** What the alarm means, first in its description. */
  readonly summary: string;
  readonly runbook: Runbook;
  /**
   * Fires at this value or above.
   *
   * @default 1
   */
  readonly threshold?: number;
  /**
   * Whom it notifies.
   *
   * @default - nobody: the alarm only changes state
   */
  readonly action?: IAlarmAction;
}

/** An alarm on one evaluation period, quiet when there is no data, with its runbook in its description. */
export class RunbookAlarm extends Alarm {
  constructor(scope: Construct, id: string, props: RunbookAlarmProps) {
    super(scope, id, {
      alarmDescription: `${props.summary} (runbook: docs/runbooks/${props.runbook}.md)`,
      metric: props.metric,
      threshold: props.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.action) this.addAlarmAction(props.action);
  }
}
