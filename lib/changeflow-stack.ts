/**
 * The ChangeFlow stack, composed of one construct per concern (lib/constructs/): ChangeflowData
 * holds the table and its stream, ChangeflowKeys the calendar feed, approval link and list cursor
 * keys, ChangeflowEvents the domain event bus and its archive, ChangeflowWorkflows the approval and
 * emergency state machines of lib/workflows with their log groups and failed alarms, ChangeflowApi
 * the HTTP API, its stage, JWT authorizer, routes and 5xx alarm, ScheduledJobs the jobs of
 * functions/jobs/schedules.ts with their schedules, scheduler roles and dead-letter queues,
 * OutboxRelay the table's stream into the EventRelay function (the outbox's delivery to the bus),
 * two BusConsumers (Notifications, the emails; WorkflowDriver, the workflows) each with its rule
 * and dead-letter queue, and ChangeflowMail the SES identity senders may use. Every function is a
 * ChangeflowFunction (its own role, log group and errors alarm) whose entry is a composition root
 * under functions/lambda/, every dead-letter queue a MonitoredQueue. The stack creates one function
 * per route group of functions/routes.ts and grants each exactly what its group declares; the
 * settings and their defaults are in lib/settings.ts. The stateful resources are children of the
 * stack itself, so their logical IDs are those of test/infra/logical-ids.test.ts.
 */
import { Annotations, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
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
import { NOTIFIED_EVENTS } from '../functions/notifications/notify.js';
import { DRIVEN_EVENTS } from '../functions/use-cases/workflow-driver.js';
import { PROCESSED_EVENTS } from '../functions/webhooks/processor.js';
import { OUTBOUND_EVENTS } from '../functions/core/outbound.js';
import { ChangeflowApi } from './constructs/api.js';
import { ChangeflowData } from './constructs/data.js';
import { ChangeflowEvents } from './constructs/events.js';
import { ChangeflowFunction, type FunctionDefaults, WORKER_FUNCTIONS, type WorkerName } from './constructs/function.js';
import { type ChangeflowJob, ScheduledJobs } from './constructs/jobs.js';
import { ChangeflowKeys } from './constructs/keys.js';
import { grantMonitoringReads } from './constructs/monitoring-reads.js';
import { ChangeflowMail } from './constructs/mail.js';
import { ChangeflowReports } from './constructs/reports.js';
import { BusConsumer } from './constructs/bus-consumer.js';
import { OutboxRelay } from './constructs/outbox-relay.js';
import { type ChangeflowWorkflow, ChangeflowWorkflows } from './constructs/workflows.js';
import { holidayTable } from './holidays.js';
import type { HolidayTable } from '../functions/core/calendar/holiday-table.js';
import { type ChangeflowStackProps, PLACEHOLDER_JWT_ISSUER, resolveSettings } from './settings.js';
import { DEFAULT_HOLIDAY_COUNTRY } from '../functions/core/calendar/config.js';

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
  /** The public holidays every bundle carries, computed at synth for the configured country (lib/holidays.ts). */
  public readonly holidayTable: HolidayTable;
  public readonly jobs: ReadonlyMap<string, ChangeflowJob>;
  /** The key that unlocks the iCalendar feed (`<ApiUrl>/calendar.ics?key=<value>`). */
  public readonly calendarFeedSecret: Secret;
  /** The key that signs and verifies approval links (HMAC), base64. */
  public readonly approvalLinkSecret: Secret;
  /** The bus the outbox's events are published to (by EventRelay). */
  public readonly eventBus: EventBus;
  /** The approval and emergency state machines. */
  public readonly workflows: ReadonlyMap<WorkflowName, ChangeflowWorkflow>;
  /** WorkflowTasks, EventRelay, Notifications and WorkflowDriver. */
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
    const reports = new ChangeflowReports(this, 'ReportStorage');
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
      holidays: holidayTable(settings.environment.HOLIDAY_COUNTRY ?? DEFAULT_HOLIDAY_COUNTRY, settings.environment.HOLIDAY_REGION),
    };
    this.holidayTable = defaults.holidays;

    // The function every task state of both workflows invokes: it writes change requests (their
    // events go out through the outbox) and completes a slot's task whose decision came first. It
    // knows no state machine ARN (the state machines reference it).
    const workflowTasks = new ChangeflowFunction(this, 'WorkflowTasks', {
      entry: WORKER_FUNCTIONS.WorkflowTasks.entry,
      description: WORKER_FUNCTIONS.WorkflowTasks.description,
      timeout: settings.functions.jobTimeout,
      runbook: 'workflow-failed',
      defaults,
    });
    data.grantChanges(workflowTasks, 'read-write');
    // the monitoring flow's CloudWatch reads, only when the settings name metrics to read
    const cloudwatch = loadConfig(settings.environment).CLOUDWATCH_METRICS;
    if (cloudwatch) grantMonitoringReads(workflowTasks, cloudwatch);
    const workflows = new ChangeflowWorkflows(this, 'Workflows', {
      tasks: workflowTasks,
      durations: workflowDurations(loadConfig(settings.environment).timers, {
        intervalSeconds: loadConfig(settings.environment).MONITORING_INTERVAL_SECONDS,
        rollbackReportMinutes: loadConfig(settings.environment).ROLLBACK_REPORT_TIMEOUT_MINUTES,
      }),
      logs: settings.logs,
      alarmAction,
    });
    workflows.grant(workflowTasks, WORKER_FUNCTIONS.WorkflowTasks.workflows);

    // One function per route group, holding what the group declares (functions/routes.ts). None
    // publishes or calls Step Functions: a write's events are in the outbox of its transaction.
    const functions = new Map<string, RouteFunction>();
    for (const group of ROUTE_GROUPS) {
      const fn = new ChangeflowFunction(this, group.name, {
        entry: group.entry,
        timeout: settings.functions.timeout,
        description: routesDescription(group),
        runbook: 'api-5xx',
        defaults,
      });
      if (group.tableAccess !== 'none') data.grantChanges(fn, group.tableAccess, { deleteItems: group.tableDelete });
      for (const key of group.keys ?? []) keys.grantRead(fn, key);
      if (group.reports) reports.grant(fn, group.reports);
      if (group.slackApp && settings.slackApp) keys.grantReadSlackApp(fn);
      functions.set(group.name, { group, fn: fn.fn, role: fn.role, routes: api.addRoutes(group, fn) });
    }

    const jobs = new ScheduledJobs(this, 'Jobs', {
      jobs: SCHEDULED_JOBS,
      timeZone: settings.timeZone,
      timeout: settings.functions.jobTimeout,
      defaults,
      data,
      workflows,
      mail,
      reports,
    });

    // The outbox's delivery: the table's stream to the bus (docs/events.md).
    const relay = new OutboxRelay(this, 'EventRelay', { data, events, timeout: settings.functions.jobTimeout, defaults });

    const publicBaseUrl = settings.publicBaseUrl ?? api.stage.url;
    const notifications = new BusConsumer(this, 'Notifications', {
      worker: 'Notifications',
      events,
      eventTypes: NOTIFIED_EVENTS,
      timeout: settings.functions.jobTimeout,
      defaults,
      runbook: 'notifications-dlq',
      alarmSummary: 'ChangeFlow notifications: an event was not emailed and landed in the dead-letter queue',
      // an email more than two hours late needs a person (the queue's alarm), not more retries
      maxEventAge: Duration.hours(2),
      // No cycle: the stage URL is built from the API id, and this function is behind no route.
      environment: { PUBLIC_BASE_URL: publicBaseUrl },
    });
    // It reads the directory (people by id and by role), writes only its dedupe records and the
    // communication log's entries, signs links.
    data.grantReadDirectory(notifications.function);
    data.grantIdempotencyRecords(notifications.function);
    data.grantWriteCommunicationLog(notifications.function);
    mail.grantSend(notifications.function);
    keys.grantReadLinkKey(notifications.function);
    // the approval messages in Slack
    if (settings.slackApp) keys.grantReadSlackApp(notifications.function);

    const driver = new BusConsumer(this, 'WorkflowDriver', {
      worker: 'WorkflowDriver',
      events,
      eventTypes: DRIVEN_EVENTS,
      timeout: settings.functions.jobTimeout,
      defaults,
      runbook: 'workflow-driver-dlq',
      alarmSummary: 'ChangeFlow workflow driver: an event did not reach its workflow and landed in the dead-letter queue',
      // past six hours the reconciler (every 15 minutes) has started any flow that was missed
      maxEventAge: Duration.hours(6),
    });
    // It reads the change the event is about, starts both flows, stops the approval flow an edit,
    // cancel, rejection or expiry ends, and completes or fails a slot's task.
    data.grantChanges(driver.function, 'read');
    workflows.grant(driver.function, WORKER_FUNCTIONS.WorkflowDriver.workflows);

    const webhookProcessor = new BusConsumer(this, 'WebhookProcessor', {
      worker: 'WebhookProcessor',
      events,
      eventTypes: PROCESSED_EVENTS,
      timeout: settings.functions.jobTimeout,
      defaults,
      runbook: 'webhook-processor-dlq',
      alarmSummary: 'ChangeFlow webhooks: a delivery was accepted but its work failed and landed in the dead-letter queue',
      // a deployment reported six hours late still belongs on its change; later, a person looks
      maxEventAge: Duration.hours(6),
      // the links in GitHub's comments
      environment: { PUBLIC_BASE_URL: publicBaseUrl },
    });
    // It moves changes (and drafts emergency changes) as the deliveries say, keeps the monitoring
    // evidence of incidents, and records the deliveries' outcomes.
    data.grantChanges(webhookProcessor.function, 'read-write');
    const githubAppSecret = settings.githubApp ? keys.grantReadGitHubApp(webhookProcessor.function) : undefined;
    // decisions from Slack: who clicked (users.info), the message updated, a refusal said
    if (settings.slackApp) keys.grantReadSlackApp(webhookProcessor.function);

    const outbound = new BusConsumer(this, 'Outbound', {
      worker: 'Outbound',
      events,
      eventTypes: OUTBOUND_EVENTS,
      timeout: settings.functions.jobTimeout,
      defaults,
      runbook: 'outbound-dlq',
      alarmSummary: 'ChangeFlow outbound: an event did not reach Slack, PagerDuty or a subscriber and landed in the dead-letter queue',
      // Lambda's longest: past six hours a person looks (and redelivers a subscriber's event by hand)
      maxEventAge: Duration.hours(6),
      environment: { PUBLIC_BASE_URL: publicBaseUrl },
    });
    // It reads the subscriptions, records each delivery to them, its dedupe records and the
    // communication log's entries, and reads the Slack and PagerDuty credentials.
    data.grantChanges(outbound.function, 'read-write');
    keys.grantReadOutboundSecrets(outbound.function);

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
      ['EventRelay', { name: 'EventRelay', fn: relay.function.fn, role: relay.function.role }],
      ['Notifications', { name: 'Notifications', fn: notifications.function.fn, role: notifications.function.role }],
      ['WorkflowDriver', { name: 'WorkflowDriver', fn: driver.function.fn, role: driver.function.role }],
      ['WebhookProcessor', { name: 'WebhookProcessor', fn: webhookProcessor.function.fn, role: webhookProcessor.function.role }],
      ['Outbound', { name: 'Outbound', fn: outbound.function.fn, role: outbound.function.role }],
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
    output('MonitoringStateMachineArn', 'The monitoring-period workflow', workflows.all.get('monitoring')!.stateMachine.stateMachineArn);
    output('NotificationsDeadLetterQueueUrl', 'Notifications that failed (docs/runbooks/notifications-dlq.md)', notifications.deadLetterQueue.queue.queueUrl);
    output(
      'WorkflowDriverDeadLetterQueueUrl',
      'Events that did not reach their workflow (docs/runbooks/workflow-driver-dlq.md)',
      driver.deadLetterQueue.queue.queueUrl,
    );
    output('EventRelayDeadLetterQueueUrl', 'Outbox records not published (docs/runbooks/event-relay-dlq.md)', relay.deadLetterQueue.queue.queueUrl);
    output('ReportsBucketName', 'The monthly reports, versioned (docs/reports.md)', reports.bucket.bucketName);
    output('CursorKeySecretName', 'Secret holding the key that seals list cursors', keys.cursorKey.secretName);
    output('WebhookSecretsName', 'Secret holding the webhook secrets per source, JSON (docs/webhooks.md)', keys.webhookSecrets.secretName);
    if (settings.slackApp) output('SlackAppSecretName', "Secret holding the Slack app's bot token, JSON (docs/webhooks.md)", keys.slackAppSecret().secretName);
    if (githubAppSecret) output('GitHubAppSecretName', 'Secret holding the GitHub App id and private key, JSON (docs/webhooks.md)', githubAppSecret.secretName);
    output(
      'OutboundSecretsName',
      'Secret holding the Slack incoming webhooks and the PagerDuty routing key, JSON (docs/webhooks.md)',
      keys.outboundSecrets.secretName,
    );
    output('OutboundDeadLetterQueueUrl', 'Events that did not go out (docs/runbooks/outbound-dlq.md)', outbound.deadLetterQueue.queue.queueUrl);
    output(
      'WebhookProcessorDeadLetterQueueUrl',
      'Webhook deliveries whose work failed (docs/runbooks/webhook-processor-dlq.md)',
      webhookProcessor.deadLetterQueue.queue.queueUrl,
    );
  }
}

/** `ChangeFlow <group>: <its routes>`, within Lambda's 256 characters: the routes that fit, then how many more. */
function routesDescription(group: RouteGroup): string {
  const head = `ChangeFlow ${group.name}: `;
  const routes = group.routes.map((r) => `${r.method} ${r.path}`);
  for (let shown = routes.length; shown > 0; shown--) {
    const text = head + routes.slice(0, shown).join(', ') + (shown < routes.length ? ` and ${routes.length - shown} more` : '');
    if (text.length <= 256) return text;
  }
  return head.slice(0, 256);
}
