/**
 * The ChangeFlow stack, composed of one construct per concern (lib/constructs/): ChangeflowData
 * holds the table, ChangeflowKeys the calendar feed key and the approval link key, ChangeflowEvents
 * the domain event bus and its archive, ChangeflowWorkflows the approval and emergency state
 * machines of lib/workflows with their log groups and failed alarms, ChangeflowApi the HTTP API, its
 * stage, JWT authorizer, routes and 5xx alarm, ScheduledJobs the jobs of functions/jobs/schedules.ts
 * with their schedules, scheduler roles and dead-letter queues, ChangeflowNotifications the rule on
 * the bus, the Notifications function and their dead-letter queue, and ChangeflowMail the SES
 * identity senders may use. Every function is a ChangeflowFunction (its own role, log group and
 * errors alarm), every dead-letter queue a MonitoredQueue. The stack itself creates one function per
 * route group of functions/routes.ts and the WorkflowTasks function, and grants each exactly what
 * its group declares; the settings and their defaults are in lib/settings.ts. The stateful resources
 * are children of the stack itself, so their logical IDs are those of test/infra/logical-ids.test.ts.
 */
import { Annotations, CfnOutput, Stack } from 'aws-cdk-lib';
import type { HttpApi, HttpRoute, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { loadConfig } from '../functions/config.js';
import { workflowDurations } from '../functions/core/durations.js';
import { SCHEDULED_JOBS } from '../functions/jobs/schedules.js';
import type { WorkflowName } from '../functions/ports.js';
import { ROUTE_GROUPS, type RouteGroup } from '../functions/routes.js';
import { APPROVAL_LINKS_PATH, CALENDAR_FEED_PATH, ChangeflowApi } from './constructs/api.js';
import { ChangeflowData } from './constructs/data.js';
import { ChangeflowEvents } from './constructs/events.js';
import { ChangeflowFunction, type FunctionDefaults, WORKER_FUNCTIONS, type WorkerName } from './constructs/function.js';
import { type ChangeflowJob, ScheduledJobs } from './constructs/jobs.js';
import { ChangeflowKeys } from './constructs/keys.js';
import { ChangeflowMail } from './constructs/mail.js';
import { ChangeflowNotifications } from './constructs/notifications.js';
import { type ChangeflowWorkflow, ChangeflowWorkflows } from './constructs/workflows.js';
import { type ChangeflowStackProps, PLACEHOLDER_JWT_ISSUER, resolveSettings } from './settings.js';

export type { ChangeflowStackProps } from './settings.js';

/** A route group's function and its routes. */
export interface RouteFunction {
  readonly group: RouteGroup;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly routes: HttpRoute[];
}

/** A function that serves no route and runs on no schedule (WORKER_FUNCTIONS). */
export interface ChangeflowWorker {
  readonly name: WorkerName;
  readonly fn: NodejsFunction;
  readonly role: Role;
}

export class ChangeflowStack extends Stack {
  public readonly table: Table;
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly functions: ReadonlyMap<string, RouteFunction>;
  public readonly jobs: ReadonlyMap<string, ChangeflowJob>;
  /** The key that unlocks the iCalendar feed (`<ApiUrl>/calendar.ics?key=<value>`). */
  public readonly calendarFeedSecret: Secret;
  /** The key that signs and verifies approval links (HMAC), base64. */
  public readonly approvalLinkSecret: Secret;
  /** The bus every change-request write publishes its domain events to. */
  public readonly eventBus: EventBus;
  /** The approval and emergency state machines. */
  public readonly workflows: ReadonlyMap<WorkflowName, ChangeflowWorkflow>;
  /** WorkflowTasks and Notifications. */
  public readonly workers: ReadonlyMap<WorkerName, ChangeflowWorker>;
  /** The rule that sends the notified event types to the Notifications function. */
  public readonly notificationsRule: Rule;
  /** Where a notification that could not be delivered or failed in the function lands. */
  public readonly notificationsDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ChangeflowStackProps = {}) {
    super(scope, id, props);
    const settings = resolveSettings(props);
    if (settings.identity.issuer === PLACEHOLDER_JWT_ISSUER) {
      Annotations.of(this).addWarningV2(
        'changeflow:placeholder-jwt-issuer',
        `jwtIssuer is the placeholder ${PLACEHOLDER_JWT_ISSUER}: every protected route will answer 401; set -c jwtIssuer=<your IdP issuer> (see docs/deploy.md)`,
      );
    }
    const alarmAction = props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)) : undefined;

    const data = new ChangeflowData(this, 'Data', { removalPolicy: props.tableRemovalPolicy });
    const keys = new ChangeflowKeys(this, 'Keys');
    const events = new ChangeflowEvents(this, 'Events', { busName: settings.eventBusName });
    const mail = new ChangeflowMail(this, 'Mail', settings.mail);
    const api = new ChangeflowApi(this, 'Api', { identity: settings.identity, throttling: settings.throttling, logs: settings.logs, alarmAction });
    const defaults: FunctionDefaults = {
      environment: {
        TABLE_NAME: data.table.tableName,
        ...settings.environment,
        POWERTOOLS_SERVICE_NAME: 'changeflow',
        POWERTOOLS_METRICS_NAMESPACE: 'ChangeFlow',
        NODE_OPTIONS: '--enable-source-maps',
      },
      memorySize: settings.functions.memorySize,
      logs: settings.logs,
      alarmAction,
    };

    // The function every task state of both workflows invokes: it writes change requests (and so
    // publishes their events), and knows no state machine ARN (the state machines reference it).
    const workflowTasks = new ChangeflowFunction(this, 'WorkflowTasks', {
      ...WORKER_FUNCTIONS.WorkflowTasks,
      timeout: settings.functions.jobTimeout,
      runbook: 'workflow-failed',
      defaults,
    });
    data.grantChanges(workflowTasks, 'read-write');
    events.grantPublish(workflowTasks);
    const workflows = new ChangeflowWorkflows(this, 'Workflows', {
      tasks: workflowTasks,
      durations: workflowDurations(loadConfig(settings.environment).timers),
      logs: settings.logs,
      alarmAction,
    });

    // One function per route group, holding what the group declares (functions/routes.ts).
    const functions = new Map<string, RouteFunction>();
    for (const group of ROUTE_GROUPS) {
      const fn = new ChangeflowFunction(this, group.name, {
        entry: group.entry,
        timeout: settings.functions.timeout,
        description: `ChangeFlow ${group.name}: ${group.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`,
        runbook: 'api-5xx',
        defaults,
      });
      if (group.tableAccess !== 'none') data.grantChanges(fn, group.tableAccess, { deleteItems: group.tableDelete });
      if (group.routes.some((r) => r.path === CALENDAR_FEED_PATH)) keys.grantReadFeedKey(fn);
      if (group.routes.some((r) => r.path === APPROVAL_LINKS_PATH)) keys.grantReadLinkKey(fn);
      if (group.publishesEvents) events.grantPublish(fn);
      workflows.grant(fn, group.workflows);
      functions.set(group.name, { group, fn: fn.fn, role: fn.role, routes: api.addRoutes(group, fn) });
    }

    const jobs = new ScheduledJobs(this, 'Jobs', {
      jobs: SCHEDULED_JOBS,
      timeZone: settings.timeZone,
      timeout: settings.functions.jobTimeout,
      defaults,
      data,
      events,
      workflows,
      mail,
    });
    const publicBaseUrl = settings.publicBaseUrl ?? api.stage.url;
    const notifications = new ChangeflowNotifications(this, 'Notifications', {
      events,
      publicBaseUrl,
      timeout: settings.functions.jobTimeout,
      defaults,
      data,
      keys,
      mail,
    });

    this.table = data.table;
    this.api = api.httpApi;
    this.stage = api.stage;
    this.functions = functions;
    this.jobs = jobs.all;
    this.calendarFeedSecret = keys.calendarFeedKey;
    this.approvalLinkSecret = keys.approvalLinkKey;
    this.eventBus = events.bus;
    this.workflows = workflows.all;
    this.workers = new Map<WorkerName, ChangeflowWorker>([
      ['WorkflowTasks', { name: 'WorkflowTasks', fn: workflowTasks.fn, role: workflowTasks.role }],
      ['Notifications', { name: 'Notifications', fn: notifications.function.fn, role: notifications.function.role }],
    ]);
    this.notificationsRule = notifications.rule;
    this.notificationsDeadLetterQueue = notifications.deadLetterQueue.queue;

    const output = (outputId: string, description: string, value: string) => new CfnOutput(this, outputId, { description, value });
    output('ApiUrl', 'Base URL of the HTTP API', api.stage.url);
    output('TableName', 'The DynamoDB table (seed the directory here)', data.table.tableName);
    output('JwtIssuer', 'Issuer the JWT authorizer accepts', settings.identity.issuer);
    output(
      'CalendarFeedSecretName',
      'Secret holding the iCalendar feed key: the feed is <ApiUrl>/calendar.ics?key=<its value> (aws secretsmanager get-secret-value)',
      keys.calendarFeedKey.secretName,
    );
    output(
      'ApprovalLinkSecretName',
      'Secret holding the key that signs approval links (rotate by hand: docs/runbooks/approval-link-key.md)',
      keys.approvalLinkKey.secretName,
    );
    output('PublicBaseUrl', 'Where the links in emails point', publicBaseUrl);
    output('EventBusName', 'The bus the domain events go to', events.bus.eventBusName);
    output('ApprovalStateMachineArn', 'The approval workflow', workflows.all.get('approval')!.stateMachine.stateMachineArn);
    output('EmergencyStateMachineArn', 'The emergency workflow', workflows.all.get('emergency')!.stateMachine.stateMachineArn);
    output('NotificationsDeadLetterQueueUrl', 'Notifications that failed (docs/runbooks/notifications-dlq.md)', notifications.deadLetterQueue.queue.queueUrl);
  }
}
