/**
 * The ChangeFlow stack: one DynamoDB table, one HTTP API with a JWT authorizer, one Lambda function
 * per route group of `functions/routes.ts` (the single source of routes, shared with the local
 * server) and one per scheduled job of `functions/jobs/schedules.ts`, each with its own role
 * holding only the access its group or job declares, and an EventBridge Scheduler schedule with a
 * dead-letter queue per job. Then the approvals: the approval and emergency state machines (the ASL
 * files of lib/workflows) and the one function their task states invoke, the domain event bus with
 * the rule that feeds the notifications function (dead-letter queue on both hops), and the key that
 * signs approval links.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, type CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType, type CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../functions/adapters/dynamodb/table.js';
import { EVENT_SOURCE } from '../functions/core/events.js';
import { SCHEDULED_JOBS, type ScheduledJob } from '../functions/jobs/schedules.js';
import type { WorkflowName } from '../functions/ports.js';
import { ROUTE_GROUPS, type RouteGroup, type WorkflowAccess } from '../functions/routes.js';
import { NOTIFIED_EVENTS } from '../functions/use-cases/notifications.js';
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from './runtime.js';
import { PLACEHOLDER_JWT_ISSUER, resolveSettings, validateEnvironment, type ChangeflowStackProps } from './settings.js';
import { definitionText, placeholders, WORKFLOW_NAMES } from './workflows/definitions.js';

/** The repository root: handler entries in ROUTE_GROUPS are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The global secondary indexes of docs/data-model.md (all projected in full), from TABLE_KEYS. */
export const GSI_NAMES = TABLE_KEYS.indexes.map((i) => i.name);

/** ESM bundles have no `require`; some dependencies still call it. Aliased to avoid clashing with bundled imports. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __changeflowCreateRequire } from 'node:module'; const require = __changeflowCreateRequire(import.meta.url);";

/** The route that serves the iCalendar feed: the group serving it gets the feed key secret. */
export const CALENDAR_FEED_PATH = '/calendar.ics';

/** The route of the email approval links: the group serving it gets the link signing key (it verifies links). */
export const APPROVAL_LINKS_PATH = '/approvals/decide';

/**
 * The functions that serve no route and run on no schedule: the task states of both workflows
 * invoke WorkflowTasks, the event bus's rule invokes Notifications. Declared here rather than in a
 * table under functions/, because the local runtime wires both differently (the in-process ASL
 * interpreter calls `runWorkflowTask`, the in-process bus calls `notify`) and would not read one.
 */
export const WORKER_FUNCTIONS = {
  WorkflowTasks: { entry: 'functions/workflows/tasks.ts', description: 'ChangeFlow WorkflowTasks: the task states of the approval and emergency workflows' },
  Notifications: { entry: 'functions/notifications/handler.ts', description: 'ChangeFlow Notifications: emails for the domain events of the event bus' },
} as const;
export type WorkerName = keyof typeof WORKER_FUNCTIONS;

/**
 * Why each public route may skip the JWT authorizer (cdk-nag APIG4). A public route without an
 * entry here stops the synth: opening a route is a decision that needs its reason written down.
 */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'GET /health': 'GET /health is public by design (a health check) and returns no change data.',
  'GET /templates/change-request.md': 'GET /templates/change-request.md is public by design (the blank template) and returns no change data.',
  'GET /openapi.json': 'GET /openapi.json is public by design (the API description) and returns no change data.',
  // email approval links (functions/handlers/approval-links.ts): mail clients open them without a token
  'GET /approvals/decide':
    'An approval email link cannot carry a bearer token, so the signed, expiring token in the link is the credential, and this page only asks the approver to confirm and decides nothing.',
  'POST /approvals/decide':
    'The confirmation page posts the signed, expiring link token, bound to one approver, change, revision and decision, which the handler verifies instead of a bearer token.',
  [`GET ${CALENDAR_FEED_PATH}`]:
    'Calendar apps subscribe to the feed by URL and cannot send a bearer token, so the handler itself requires the secret feed key in the URL and compares it in constant time.',
};

/** Partition keys of the idempotency records the jobs' `Once` writes (functions/adapters/dynamodb/once.ts). */
export const IDEMPOTENCY_KEY_PREFIX = 'IDEMPOTENCY#';

/** cdk-nag rule id as the CDK validation framework expects it (plugin namespace, then the rule). */
const nag = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

export type { ChangeflowStackProps } from './settings.js';

/** What the stack hands to tests and to other stacks. */
export interface ChangeflowFunction {
  readonly group: RouteGroup;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly routes: HttpRoute[];
}

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

/** A function that serves no route and runs on no schedule (WORKER_FUNCTIONS). */
export interface ChangeflowWorker {
  readonly name: WorkerName;
  readonly fn: NodejsFunction;
  readonly role: Role;
}

/** A workflow's state machine and what watches it. */
export interface ChangeflowWorkflow {
  readonly name: WorkflowName;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly failedAlarm: Alarm;
}

/** Settings every function of the stack shares. */
interface FunctionDefaults {
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly memorySize: number;
  /** How cdk-nag names the table's index wildcard that a table grant adds. */
  readonly indexWildcardFinding: string;
  readonly alarmAction: IAlarmAction | undefined;
}

export class ChangeflowStack extends Stack {
  public readonly table: Table;
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly functions: ReadonlyMap<string, ChangeflowFunction>;
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
    const { logs } = settings;
    if (settings.identity.issuer === PLACEHOLDER_JWT_ISSUER) {
      Annotations.of(this).addWarningV2(
        'changeflow:placeholder-jwt-issuer',
        `jwtIssuer is the placeholder ${PLACEHOLDER_JWT_ISSUER}: every protected route will answer 401; set -c jwtIssuer=<your IdP issuer> (see docs/deploy.md)`,
      );
    }

    // --- table (docs/data-model.md) ---
    this.table = new Table(this, 'Table', {
      // the same key schema DynamoDB Local gets from ensureTable(): one definition for both runtimes
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const gsi of TABLE_KEYS.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    // How cdk-nag names the table's index wildcard that grantReadData/grantReadWriteData add.
    const tableLogicalId = this.getLogicalId(this.table.node.defaultChild as CfnTable);
    const indexWildcardFinding = `Resource::<${tableLogicalId}.Arn>/index/*`;

    // --- HTTP API with a JWT authorizer, access logs and throttling on the default stage ---
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'ChangeFlow: change requests, approvals and deployment gates',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logs.retention, removalPolicy: logs.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttling.rateLimit, burstLimit: settings.throttling.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', settings.identity.issuer, {
      authorizerName: 'jwt',
      jwtAudience: settings.identity.audiences,
      identitySource: ['$request.header.Authorization'],
    });

    // --- settings every function reads (functions/config.ts) ---
    const environment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ...settings.environment,
      POWERTOOLS_SERVICE_NAME: 'changeflow',
      POWERTOOLS_METRICS_NAMESPACE: 'ChangeFlow',
      NODE_OPTIONS: '--enable-source-maps',
    };

    const defaults: FunctionDefaults = {
      environment,
      logRetention: logs.retention,
      logRemovalPolicy: logs.removalPolicy,
      memorySize: settings.functions.memorySize,
      indexWildcardFinding,
      alarmAction: props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)) : undefined,
    };

    // --- the iCalendar feed key (read by the function serving the feed, and only by it) ---
    this.calendarFeedSecret = new Secret(this, 'CalendarFeedKey', {
      description: 'ChangeFlow: the key of the iCalendar feed URL (<ApiUrl>/calendar.ics?key=<this value>)',
      // letters and digits only, so the key goes into a URL unescaped
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.calendarFeedSecret).acknowledge({
      id: nag('SMG4'),
      reason:
        'Rotating the feed key would break every subscribed calendar URL at once, so it is rotated by hand when it leaks (docs/runbooks/calendar-feed-key.md).',
    });

    // --- the approval link key (signed by Notifications, verified by ApprovalLinks, read by nobody else) ---
    this.approvalLinkSecret = new Secret(this, 'ApprovalLinkKey', {
      description: 'ChangeFlow: the HMAC key of the email approval links (base64; 64 letters and digits decode to 48 bytes)',
      // The functions decode the value as base64 (functions/handlers/deps.ts) and need at least 32
      // bytes. Letters and digits are all base64 characters: 64 of them decode to 48 random bytes.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.approvalLinkSecret).acknowledge({
      id: nag('SMG4'),
      reason:
        'Rotating the link key voids every approval link already in a mailbox, so it is rotated by hand when it leaks and the next reminders carry new links (docs/runbooks/approval-link-key.md).',
    });

    // --- the domain event bus: every change-request write publishes its events here ---
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: settings.eventBusName,
      description: 'ChangeFlow domain events (functions/core/events.ts)',
    });
    // Fourteen days of every event, to replay into a consumer (a new one, or one that was broken
    // for longer than its dead-letter queue shows): as long as the notifications' dedupe records
    // live (functions/adapters/dynamodb/once.ts), so a replay inside the archive never emails twice.
    new Archive(this, 'EventArchive', {
      sourceEventBus: this.eventBus,
      description: 'ChangeFlow domain events, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(14),
    });

    // --- the function both workflows' task states invoke (no state machine ARN: it starts and stops nothing) ---
    const workers = new Map<WorkerName, ChangeflowWorker>();
    const workflowTasks = this.newFunction('WorkflowTasks', defaults, {
      entry: WORKER_FUNCTIONS.WorkflowTasks.entry,
      timeout: settings.functions.jobTimeout,
      description: WORKER_FUNCTIONS.WorkflowTasks.description,
      environment: { EVENT_BUS_NAME: this.eventBus.eventBusName },
    });
    this.grantTable(workflowTasks.role, defaults, TABLE_ACTIONS['read-write']);
    this.eventBus.grantPutEventsTo(workflowTasks.role);
    this.errorsAlarm('WorkflowTasks', workflowTasks.fn, 'docs/runbooks/workflow-failed.md', defaults);
    workers.set('WorkflowTasks', { name: 'WorkflowTasks', ...workflowTasks });

    // --- the approval and emergency state machines, from the ASL files of lib/workflows ---
    const workflows = new Map<WorkflowName, ChangeflowWorkflow>();
    for (const name of WORKFLOW_NAMES) {
      workflows.set(name, this.newWorkflow(name, workflowTasks.fn, defaults));
    }
    this.workflows = workflows;
    // What a function with any Step Functions permission is told: the adapter needs both ARNs.
    const stateMachineArns = {
      APPROVAL_STATE_MACHINE_ARN: workflows.get('approval')!.stateMachine.stateMachineArn,
      EMERGENCY_STATE_MACHINE_ARN: workflows.get('emergency')!.stateMachine.stateMachineArn,
    };
    const workflowEnvironment = (access: WorkflowAccess | undefined): Record<string, string> => (hasWorkflowAccess(access) ? stateMachineArns : {});
    const eventsEnvironment = (publishes: boolean | undefined): Record<string, string> => (publishes ? { EVENT_BUS_NAME: this.eventBus.eventBusName } : {});

    // --- one function per route group ---
    const functions = new Map<string, ChangeflowFunction>();
    for (const group of ROUTE_GROUPS) {
      const servesFeed = group.routes.some((r) => r.path === CALENDAR_FEED_PATH);
      const servesLinks = group.routes.some((r) => r.path === APPROVAL_LINKS_PATH);
      const { fn, role } = this.newFunction(group.name, defaults, {
        entry: group.entry,
        timeout: settings.functions.timeout,
        description: `ChangeFlow ${group.name}: ${group.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`,
        environment: {
          ...(servesFeed ? { CALENDAR_FEED_SECRET_ID: this.calendarFeedSecret.secretArn } : {}),
          ...(servesLinks ? { APPROVAL_LINK_SECRET_ID: this.approvalLinkSecret.secretArn } : {}),
          ...eventsEnvironment(group.publishesEvents),
          ...workflowEnvironment(group.workflows),
        },
      });

      // Exactly the calls the store makes (docs/data-model.md): grantReadData would also allow
      // Scan, which no request path may use. Transactions need the per-item actions.
      if (group.tableAccess !== 'none') {
        this.grantTable(role, defaults, [...TABLE_ACTIONS[group.tableAccess], ...(group.tableDelete ? TABLE_DELETE_ACTIONS : [])]);
      }
      if (servesFeed) this.calendarFeedSecret.grantRead(role);
      if (servesLinks) this.approvalLinkSecret.grantRead(role);
      if (group.publishesEvents) this.eventBus.grantPutEventsTo(role);
      this.grantWorkflows(group.name, role, group.workflows);

      const integration = new HttpLambdaIntegration(`${group.name}Integration`, fn);
      const routes: HttpRoute[] = [];
      for (const route of group.routes) {
        const key = `${route.method} ${route.path}`;
        const publicReason = PUBLIC_ROUTE_REASONS[key];
        if (route.public && publicReason === undefined) {
          throw new Error(`${key} is public but PUBLIC_ROUTE_REASONS in lib/changeflow-stack.ts gives no reason for it to skip the JWT authorizer`);
        }
        const added = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.public ? new HttpNoneAuthorizer() : authorizer,
        });
        if (route.public) {
          for (const r of added) Validations.of(r).acknowledge({ id: nag('APIG4'), reason: publicReason! });
        }
        routes.push(...added);
      }

      this.errorsAlarm(group.name, fn, 'docs/runbooks/api-5xx.md', defaults);
      functions.set(group.name, { group, fn, role, routes });
    }
    this.functions = functions;

    // --- one function, schedule and dead-letter queue per scheduled job ---
    const sesSendResources = [
      this.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.mail.sesIdentity, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      ...(settings.mail.configurationSet !== undefined
        ? [
            this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: settings.mail.configurationSet,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ]
        : []),
    ];
    const jobs = new Map<string, ChangeflowJob>();
    for (const job of SCHEDULED_JOBS) {
      const deadLetterQueue = new Queue(this, `${job.name}DeadLetterQueue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // the longest SQS keeps a message: time to notice, inspect and replay
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetterQueue).acknowledge({
        id: nag('SQS3'),
        reason: `This queue is the dead-letter queue of the ${job.name} schedule and function, so it needs no dead-letter queue of its own.`,
      });

      const { fn, role } = this.newFunction(job.name, defaults, {
        entry: job.entry,
        timeout: settings.functions.jobTimeout,
        description: `ChangeFlow ${job.name}: scheduled job, ${job.schedule}`,
        environment: { ...eventsEnvironment(job.needs.publishEvents), ...workflowEnvironment(job.needs.workflows) },
        // EventBridge Scheduler invokes Lambda asynchronously: its retry policy and dead-letter
        // queue (below) cover only the delivery of the invoke (throttling, permissions, a deleted
        // function). A run that fails inside the function is Lambda's to retry, and after those
        // retries it goes to the same queue, so one queue and one alarm hold every failed run.
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        onFailure: new SqsDestination(deadLetterQueue),
      });

      if (job.needs.writeTable) {
        this.grantTable(role, defaults, TABLE_ACTIONS['read-write']);
        // Once (Powertools idempotency) deletes its own claim when the effect fails, so the next
        // run retries it; that is the only delete a job makes, so it is the only one it may make.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: [...TABLE_DELETE_ACTIONS],
            resources: [this.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${IDEMPOTENCY_KEY_PREFIX}*`] } },
          }),
        );
      } else {
        this.grantTable(role, defaults, TABLE_ACTIONS.read);
      }
      if (job.needs.sendEmail) {
        role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: sesSendResources }));
      }
      if (job.needs.publishEvents) this.eventBus.grantPutEventsTo(role);
      this.grantWorkflows(job.name, role, job.needs.workflows);

      // One role per schedule, allowed to invoke this job's function and to drop into its queue.
      const schedulerRole = new Role(this, `${job.name}SchedulerRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
        description: `EventBridge Scheduler: invokes the ChangeFlow ${job.name} function`,
      });
      const fnLogicalId = this.getLogicalId(fn.node.defaultChild as CfnFunction);
      Validations.of(schedulerRole).acknowledge({
        id: nag(`IAM5[Resource::<${fnLogicalId}.Arn>:*]`),
        reason: 'The wildcard covers only the versions and aliases of this one function, which grantInvoke adds next to its unqualified ARN.',
      });

      // EventBridge Scheduler rather than an EventBridge rule: rules evaluate in UTC only, Scheduler
      // in a time zone with DST handled. A rate needs no zone (every N minutes is the same in every
      // zone), but the schedule carries the org zone anyway, so that whoever reads it, or turns a
      // rate into a cron, sees the zone the calendar rules use.
      const schedule = new Schedule(this, `${job.name}Schedule`, {
        description: `ChangeFlow ${job.name} (${job.schedule}, ${settings.timeZone})`,
        schedule: ScheduleExpression.expression(job.schedule, TimeZone.of(settings.timeZone)),
        timeWindow: TimeWindow.off(),
        target: new LambdaInvoke(fn, {
          role: schedulerRole,
          input: ScheduleTargetInput.fromObject({ job: job.name, scheduledTime: ContextAttribute.scheduledTime }),
          deadLetterQueue,
          // a run is worth retrying for an hour at most: after that the next runs have done its work
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      });

      const deadLetterAlarm = new Alarm(this, `${job.name}DeadLetterAlarm`, {
        alarmDescription: `ChangeFlow ${job.name}: a run failed and landed in its dead-letter queue (runbook: docs/runbooks/scheduled-job-dlq.md)`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      deadLetterAlarm.addAlarmAction(...(defaults.alarmAction ? [defaults.alarmAction] : []));
      this.errorsAlarm(job.name, fn, 'docs/runbooks/scheduled-job-dlq.md', defaults);

      jobs.set(job.name, { job, fn, role, schedule, schedulerRole, deadLetterQueue, deadLetterAlarm });
    }
    this.jobs = jobs;

    // --- notifications: a rule on the bus for the notified event types → the Notifications function ---
    // One dead-letter queue for both hops, as for the jobs: EventBridge's target DLQ takes an event
    // it could not hand to Lambda; Lambda's on-failure destination takes one the function failed on
    // after Lambda's own retries (EventBridge invokes asynchronously). One queue, one alarm, one runbook.
    this.notificationsDeadLetterQueue = new Queue(this, 'NotificationsDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.notificationsDeadLetterQueue).acknowledge({
      id: nag('SQS3'),
      reason:
        'This queue is the dead-letter queue of the notifications rule target and of the Notifications function, so it needs no dead-letter queue of its own.',
    });
    const publicBaseUrl = settings.publicBaseUrl ?? this.stage.url;
    const notifications = this.newFunction('Notifications', defaults, {
      entry: WORKER_FUNCTIONS.Notifications.entry,
      timeout: settings.functions.jobTimeout,
      description: WORKER_FUNCTIONS.Notifications.description,
      // No cycle: the stage URL is built from the API id, and this function is behind no route.
      environment: { APPROVAL_LINK_SECRET_ID: this.approvalLinkSecret.secretArn, PUBLIC_BASE_URL: publicBaseUrl },
      // An email more than two hours late needs a person (the queue's alarm), not more retries.
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      onFailure: new SqsDestination(this.notificationsDeadLetterQueue),
    });
    // It reads the directory (people by id and by role) and writes only its dedupe records.
    this.grantTable(notifications.role, defaults, ['dynamodb:GetItem', 'dynamodb:Query']);
    notifications.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${IDEMPOTENCY_KEY_PREFIX}*`] } },
      }),
    );
    notifications.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: sesSendResources }));
    this.approvalLinkSecret.grantRead(notifications.role);
    this.errorsAlarm('Notifications', notifications.fn, 'docs/runbooks/notifications-dlq.md', defaults);
    workers.set('Notifications', { name: 'Notifications', ...notifications });
    this.workers = workers;

    this.notificationsRule = new Rule(this, 'NotificationsRule', {
      description: 'ChangeFlow: the domain events that send email, to the Notifications function',
      eventBus: this.eventBus,
      // the publisher sets DetailType to the event type (functions/adapters/aws/eventbridge-publisher.ts)
      eventPattern: { source: [EVENT_SOURCE], detailType: [...NOTIFIED_EVENTS] },
      targets: [
        new LambdaFunction(notifications.fn, {
          deadLetterQueue: this.notificationsDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    new Alarm(this, 'NotificationsDeadLetterAlarm', {
      alarmDescription: 'ChangeFlow notifications: an event was not emailed and landed in the dead-letter queue (runbook: docs/runbooks/notifications-dlq.md)',
      metric: this.notificationsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(...(defaults.alarmAction ? [defaults.alarmAction] : []));

    new Alarm(this, 'Api5xxAlarm', {
      alarmDescription: 'ChangeFlow API answered 5xx (runbook: docs/runbooks/api-5xx.md)',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(...(defaults.alarmAction ? [defaults.alarmAction] : []));

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the HTTP API', value: this.stage.url });
    new CfnOutput(this, 'TableName', { description: 'The DynamoDB table (seed the directory here)', value: this.table.tableName });
    new CfnOutput(this, 'JwtIssuer', { description: 'Issuer the JWT authorizer accepts', value: settings.identity.issuer });
    new CfnOutput(this, 'CalendarFeedSecretName', {
      description: 'Secret holding the iCalendar feed key: the feed is <ApiUrl>/calendar.ics?key=<its value> (aws secretsmanager get-secret-value)',
      value: this.calendarFeedSecret.secretName,
    });
    new CfnOutput(this, 'ApprovalLinkSecretName', {
      description: 'Secret holding the key that signs approval links (rotate by hand: docs/runbooks/approval-link-key.md)',
      value: this.approvalLinkSecret.secretName,
    });
    new CfnOutput(this, 'PublicBaseUrl', { description: 'Where the links in emails point', value: publicBaseUrl });
    new CfnOutput(this, 'EventBusName', { description: 'The bus the domain events go to', value: this.eventBus.eventBusName });
    new CfnOutput(this, 'ApprovalStateMachineArn', { description: 'The approval workflow', value: stateMachineArns.APPROVAL_STATE_MACHINE_ARN });
    new CfnOutput(this, 'EmergencyStateMachineArn', { description: 'The emergency workflow', value: stateMachineArns.EMERGENCY_STATE_MACHINE_ARN });
    new CfnOutput(this, 'NotificationsDeadLetterQueueUrl', {
      description: 'Notifications that failed (docs/runbooks/notifications-dlq.md)',
      value: this.notificationsDeadLetterQueue.queueUrl,
    });
  }

  /**
   * One Standard state machine from its ASL file: every event logged with its data to a log group
   * with a retention, X-Ray tracing on, and a role that may invoke the WorkflowTasks function only
   * (besides the log delivery and tracing calls that logging and X-Ray need).
   */
  private newWorkflow(name: WorkflowName, tasks: NodejsFunction, defaults: FunctionDefaults): ChangeflowWorkflow {
    const id = `${name[0]!.toUpperCase()}${name.slice(1)}Workflow`;
    const substitutions: Record<string, string> = { WorkflowTasksFunctionArn: tasks.functionArn };
    // every placeholder of the file has its substitution, and every substitution a placeholder
    const wanted = placeholders(name);
    if (JSON.stringify(wanted) !== JSON.stringify(Object.keys(substitutions).sort())) {
      throw new Error(
        `lib/workflows/${name}.asl.json uses the placeholders ${wanted.join(', ')}, the stack substitutes ${Object.keys(substitutions).join(', ')}`,
      );
    }

    // Step Functions adds a log group to the account's CloudWatch Logs resource policy, which has
    // a size limit; under /aws/vendedlogs/ it adds one wildcard instead of one entry per group.
    const logGroup = new LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-${name}`,
      retention: defaults.logRetention,
      removalPolicy: defaults.logRemovalPolicy,
    });
    const stateMachine = new StateMachine(this, id, {
      stateMachineType: StateMachineType.STANDARD, // callbacks (waitForTaskToken) need Standard
      // fromString, not fromFile: fromFile uploads the file as an S3 asset and the template only
      // points at it, while fromString inlines the text, so the template carries the definition
      // and the infra tests can compare it with the ASL file. The placeholders stay as they are
      // in the file; CloudFormation substitutes them (DefinitionSubstitutions).
      definitionBody: DefinitionBody.fromString(definitionText(name)),
      definitionSubstitutions: substitutions,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    tasks.grantInvoke(stateMachine.role);

    const taskFnId = this.getLogicalId(tasks.node.defaultChild as CfnFunction);
    Validations.of(stateMachine.role).acknowledge({
      id: nag(`IAM5[Resource::<${taskFnId}.Arn>:*]`),
      reason: 'The wildcard covers only the versions and aliases of the WorkflowTasks function, which grantInvoke adds next to its unqualified ARN.',
    });
    Validations.of(stateMachine.role).acknowledge({
      id: nag('IAM5[Resource::*]'),
      reason:
        'The CloudWatch Logs delivery calls that execution logging needs and the X-Ray PutTraceSegments and PutTelemetryRecords calls of tracing do not support resource-level permissions, so they need Resource "*".',
    });

    const failedAlarm = new Alarm(this, `${id}FailedAlarm`, {
      alarmDescription: `ChangeFlow ${name} workflow: an execution failed (runbook: docs/runbooks/workflow-failed.md)`,
      metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    failedAlarm.addAlarmAction(...(defaults.alarmAction ? [defaults.alarmAction] : []));
    return { name, stateMachine, logGroup, failedAlarm };
  }

  /**
   * Exactly the Step Functions calls a function declares (WorkflowAccess): start on the state
   * machine, stop (and describe) on its executions, and the task responses on "*" in a policy of
   * their own, so that their acknowledgement carries their own reason.
   */
  private grantWorkflows(id: string, role: Role, access: WorkflowAccess | undefined): void {
    if (!hasWorkflowAccess(access)) return;
    for (const name of new Set(access?.start ?? [])) {
      this.workflows.get(name)!.stateMachine.grantStartExecution(role);
    }
    for (const name of new Set(access?.stop ?? [])) {
      const stateMachine = this.workflows.get(name)!.stateMachine;
      // `arn:…:execution:<state machine name>:*`: the executions of this one state machine
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:StopExecution', 'states:DescribeExecution'],
          resources: [
            this.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${stateMachine.stateMachineName}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
      const smId = this.getLogicalId(stateMachine.node.defaultChild as CfnStateMachine);
      // how cdk-nag writes the ARN: a pseudo parameter as <AWS::Name>, a known value (env given) as is
      const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
      const arnPrefix = `arn:${pseudo(this.partition, 'Partition')}:states:${pseudo(this.region, 'Region')}:${pseudo(this.account, 'AccountId')}`;
      Validations.of(role).acknowledge({
        id: nag(`IAM5[Resource::${arnPrefix}:execution:<${smId}.Name>:*]`),
        reason: `The wildcard covers only the executions of the ${name} state machine, whose names (one per change and revision) are not known in advance.`,
      });
    }
    if (access?.decide) {
      const policy = new Policy(this, `${id}TaskResponsePolicy`, {
        roles: [role],
        statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] })],
      });
      Validations.of(policy).acknowledge({
        id: nag('IAM5[Resource::*]'),
        reason:
          'SendTaskSuccess and SendTaskFailure take a task token and support no resource-level permissions (Service Authorization Reference for Step Functions), so only the decision handlers hold them, on Resource "*".',
      });
    }
  }

  /**
   * A function with its own role and its own log group: the role may write to that log group and
   * send traces, nothing else until the caller grants more.
   */
  private newFunction(
    id: string,
    defaults: FunctionDefaults,
    spec: {
      entry: string;
      timeout: Duration;
      description: string;
      environment: Record<string, string>;
      retryAttempts?: number;
      maxEventAge?: Duration;
      onFailure?: SqsDestination;
    },
  ): { fn: NodejsFunction; role: Role } {
    // the function's own settings too are parsed as the function will parse them
    validateEnvironment({ ...defaults.environment, ...spec.environment });
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: defaults.logRetention, removalPolicy: defaults.logRemovalPolicy });
    // Our own role, not the AWS-managed basic execution role (cdk-nag IAM4): it may write to
    // this function's log group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ChangeFlow ${id} function`,
    });
    logGroup.grantWrite(role);

    const fn = new NodejsFunction(this, id, {
      // the handler entry bundled with the local esbuild (no Docker)
      entry: path.join(REPO_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // bundle the SDK too: the version that runs is the one the lockfile pins and the tests use
        bundleAwsSDK: true,
        externalModules: [],
      },
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: defaults.memorySize,
      timeout: spec.timeout,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { ...defaults.environment, ...spec.environment },
      description: spec.description,
      ...(spec.retryAttempts !== undefined ? { retryAttempts: spec.retryAttempts } : {}),
      ...(spec.maxEventAge !== undefined ? { maxEventAge: spec.maxEventAge } : {}),
      ...(spec.onFailure !== undefined ? { onFailure: spec.onFailure } : {}),
    });

    Validations.of(role).acknowledge({
      id: nag('IAM5[Resource::*]'),
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, so active tracing needs Resource "*".',
    });
    return { fn, role };
  }

  /** Grants exactly these actions on the table and its indexes (queries read the indexes). */
  private grantTable(role: Role, defaults: FunctionDefaults, actions: readonly string[]): void {
    this.table.grant(role, ...actions);
    Validations.of(role).acknowledge({
      id: nag(`IAM5[${defaults.indexWildcardFinding}]`),
      reason: `The wildcard is limited to the indexes of this one table, which the list queries read (${GSI_NAMES.join(', ')} of docs/data-model.md).`,
    });
  }

  /** At least one error in 5 minutes, pointing to the runbook that says what to do. */
  private errorsAlarm(id: string, fn: NodejsFunction, runbook: string, defaults: FunctionDefaults): Alarm {
    const alarm = new Alarm(this, `${id}ErrorsAlarm`, {
      alarmDescription: `ChangeFlow ${id} function errors (runbook: ${runbook})`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(...(defaults.alarmAction ? [defaults.alarmAction] : []));
    return alarm;
  }
}

/** DynamoDB actions per tableAccess of a route group: no Scan, no deletes (see TABLE_DELETE_ACTIONS). */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
} as const;

/** Added for a route group with `tableDelete` only: deleting items is not part of read-write. */
export const TABLE_DELETE_ACTIONS = ['dynamodb:DeleteItem'] as const;

/** Fields of one access log line (JSON): enough to find a request, its caller and what failed. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
} as const;

/** Whether a function makes any Step Functions call (and so needs both state machine ARNs). */
export function hasWorkflowAccess(access: WorkflowAccess | undefined): boolean {
  return Boolean(access && ((access.start?.length ?? 0) > 0 || (access.stop?.length ?? 0) > 0 || access.decide));
}
