/**
 * The scheduled jobs of functions/jobs/schedules.ts: per job a function holding what its `needs`
 * declare, an EventBridge Scheduler schedule with a role of its own, and one dead-letter queue with
 * its alarm for every run that failed, whether the invoke failed or the function did.
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduledJob } from '../../functions/jobs/schedules.js';
import type { ChangeflowReports } from './reports.js';
import type { ChangeflowData } from './data.js';
import { ChangeflowFunction, type FunctionDefaults } from './function.js';
import type { ChangeflowMail } from './mail.js';
import { MonitoredQueue } from './monitored-queue.js';
import { acknowledge } from './nag.js';
import type { ChangeflowWorkflows } from './workflows.js';

/** A scheduled job: its function, its schedule and where failed runs go. */
export interface ChangeflowJob {
  readonly job: ScheduledJob;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly schedule: Schedule;
  /** The role EventBridge Scheduler assumes to invoke the function (and only that). */
  readonly schedulerRole: Role;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
}

export interface ScheduledJobsProps {
  readonly jobs: readonly ScheduledJob[];
  /** The zone each schedule carries: the organisation's, as for the calendar rules. */
  readonly timeZone: string;
  readonly timeout: Duration;
  readonly defaults: FunctionDefaults;
  /** Where the jobs' grants come from. */
  readonly data: ChangeflowData;
  readonly workflows: ChangeflowWorkflows;
  readonly mail: ChangeflowMail;
  readonly reports: ChangeflowReports;
}

export class ScheduledJobs extends Construct {
  readonly all: ReadonlyMap<string, ChangeflowJob>;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    this.all = new Map(props.jobs.map((job) => [job.name, this.newJob(job, props)]));
  }

  private newJob(job: ScheduledJob, props: ScheduledJobsProps): ChangeflowJob {
    // A child of the stack, not of this construct: the queue keeps the logical ID it had before the
    // constructs, so a deploy does not replace it and drop the failed runs waiting in it.
    const deadLetter = new MonitoredQueue(Stack.of(this), `${job.name}DeadLetterQueue`, {
      deadLetterQueueOf: `the ${job.name} schedule and function`,
      alarmSummary: `ChangeFlow ${job.name}: a run failed and landed in its dead-letter queue`,
      runbook: 'scheduled-job-dlq',
      alarmAction: props.defaults.alarmAction,
    });
    const fn = new ChangeflowFunction(this, job.name, {
      entry: job.entry,
      timeout: job.size ? Duration.minutes(job.size.timeoutMinutes) : props.timeout,
      memorySize: job.size?.memorySize,
      description: `ChangeFlow ${job.name}: scheduled job, ${job.schedule}`,
      runbook: 'scheduled-job-dlq',
      defaults: props.defaults,
      // EventBridge Scheduler invokes Lambda asynchronously: its retry policy and dead-letter
      // queue (below) cover only the delivery of the invoke (throttling, permissions, a deleted
      // function). A run that fails inside the function is Lambda's to retry, and after those
      // retries it goes to the same queue, so one queue and one alarm hold every failed run.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: deadLetter.queue,
    });

    props.data.grantChanges(fn, job.needs.writeTable ? 'read-write' : 'read');
    if (job.needs.sendEmail) props.mail.grantSend(fn);
    if (job.needs.reports) props.reports.grant(fn, 'read-write');
    props.workflows.grant(fn, job.needs.workflows);

    // One role per schedule, allowed to invoke this job's function and to drop into its queue.
    const schedulerRole = new Role(this, `${job.name}SchedulerRole`, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `EventBridge Scheduler: invokes the ChangeFlow ${job.name} function`,
    });
    acknowledge(
      schedulerRole,
      `IAM5[Resource::<${Stack.of(this).getLogicalId(fn.fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      'The wildcard covers only the versions and aliases of this one function, which grantInvoke adds next to its unqualified ARN.',
    );

    // EventBridge Scheduler rather than an EventBridge rule: rules evaluate in UTC only, Scheduler
    // in a time zone with DST handled. A rate needs no zone (every N minutes is the same in every
    // zone), but the schedule carries the org zone anyway, so that whoever reads it, or turns a
    // rate into a cron, sees the zone the calendar rules use.
    const schedule = new Schedule(this, `${job.name}Schedule`, {
      description: `ChangeFlow ${job.name} (${job.schedule}, ${props.timeZone})`,
      schedule: ScheduleExpression.expression(job.schedule, TimeZone.of(props.timeZone)),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(fn.fn, {
        role: schedulerRole,
        input: ScheduleTargetInput.fromObject({ job: job.name, scheduledTime: ContextAttribute.scheduledTime }),
        deadLetterQueue: deadLetter.queue,
        // a run is worth retrying for an hour at most: after that the next runs have done its work
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });

    return {
      job,
      fn: fn.fn,
      role: fn.role,
      schedule,
      schedulerRole,
      deadLetterQueue: deadLetter.queue,
      deadLetterAlarm: deadLetter.alarm,
    };
  }
}
