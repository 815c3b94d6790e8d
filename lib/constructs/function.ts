/**
 * A ChangeFlow Lambda function: the handler bundled with the local esbuild (ESM, the Node major of
 * lib/runtime.ts, the AWS SDK included), its own log group, its own role and an alarm on its errors
 * that names a runbook. The role may write to that log group and send traces; every other permission
 * comes from a grant of the construct that owns the resource (ChangeflowData.grantChanges, ...).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, Stack } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkflowAccess } from '../../functions/routes.js';
import type { HolidayTable } from '../../functions/core/calendar/holiday-table.js';
import { lambdaBundling } from '../holidays.js';
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from '../runtime.js';
import { type EnvVar, type LogSettings, validateEnvironment } from '../settings.js';
import { ALARM_PERIOD, type Runbook, RunbookAlarm } from './alarms.js';
import { acknowledge } from './nag.js';

/** The repository root: handler entries are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The functions that serve no route and run on no schedule: the task states of both workflows
 * invoke WorkflowTasks, the table's stream invokes EventRelay (the outbox's delivery), rules on the
 * bus invoke Notifications and WorkflowDriver. Declared here rather than in a table under
 * functions/, because the local runtime wires them differently (the in-process ASL interpreter,
 * the local stream relay and the in-process bus: local/composition.ts) and would not read one.
 */
export const WORKER_FUNCTIONS = {
  WorkflowTasks: {
    entry: 'functions/lambda/workflow-tasks.ts',
    description: 'ChangeFlow WorkflowTasks: the task states of the approval, emergency and monitoring workflows',
    // a slot's task whose decision came before it started completes itself
    workflows: { decide: true },
  },
  EventRelay: {
    entry: 'functions/lambda/event-relay.ts',
    description: 'ChangeFlow EventRelay: the outbox items of the table stream, published to the event bus',
  },
  Notifications: { entry: 'functions/lambda/notifications.ts', description: 'ChangeFlow Notifications: emails for the domain events of the event bus' },
  WorkflowDriver: {
    entry: 'functions/lambda/workflow-driver.ts',
    description: 'ChangeFlow WorkflowDriver: starts, decides and stops the workflows on the domain events of the event bus',
    // submitted → approval, emergency started → emergency; a decision completes or fails its slot's
    // task; an edit, cancel, rejection or expiry stops the approval it ends (functions/use-cases/workflow-driver.ts)
    workflows: { start: ['approval', 'emergency', 'monitoring'], stop: ['approval', 'monitoring'], decide: true },
  },
  Outbound: {
    entry: 'functions/lambda/outbound.ts',
    description: 'ChangeFlow Outbound: the domain events of the event bus to Slack, PagerDuty change events and signed subscriber webhooks',
  },
  WebhookProcessor: {
    entry: 'functions/lambda/webhook-processor.ts',
    description: "ChangeFlow WebhookProcessor: a webhook delivery's work (deployments, incidents) on WebhookReceived from the event bus",
  },
} as const satisfies Record<string, { entry: string; description: string; workflows?: WorkflowAccess }>;

export type WorkerName = keyof typeof WORKER_FUNCTIONS;

/** ESM bundles have no `require`; some dependencies still call it. Aliased to avoid clashing with bundled imports. */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __changeflowCreateRequire } from 'node:module'; const require = __changeflowCreateRequire(import.meta.url);";

/** What every function of the stack shares. */
export interface FunctionDefaults {
  /** The variables every function is told (functions/config.ts parses them at start). */
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly logs: Required<LogSettings>;
  /** Whom the errors alarm notifies; nobody when undefined. */
  readonly alarmAction: IAlarmAction | undefined;
  /** The configured country's public holidays, written into every bundle in place of date-holidays (lib/holidays.ts). */
  readonly holidays: HolidayTable;
}

export interface ChangeflowFunctionProps {
  /** Lambda entry (a composition root under functions/lambda/), relative to REPO_ROOT; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** MB, in place of the stack's default. */
  readonly memorySize?: number;
  /** The runbook the errors alarm points to. */
  readonly runbook: Runbook;
  readonly defaults: FunctionDefaults;
  /**
   * The function's name in descriptions and in its log group's id, `<name>Logs`.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Variables of this function only, on top of `defaults.environment`.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * How often Lambda retries an asynchronous invoke that failed.
   *
   * @default - Lambda's default (2)
   */
  readonly retryAttempts?: number;
  /**
   * How old an asynchronous invoke may get and still be retried.
   *
   * @default - Lambda's default (6 hours)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where an asynchronous invoke lands once the retries are spent.
   *
   * @default - nowhere
   */
  readonly onFailure?: IQueue;
}

export class ChangeflowFunction extends Construct implements IGrantable {
  readonly name: string;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly errorsAlarm: Alarm;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: ChangeflowFunctionProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const environment = { ...props.defaults.environment, ...props.environment };
    // the function's own settings too are parsed as the function will parse them
    validateEnvironment(environment);

    // A child of the stack, not of this construct: the log group keeps the logical ID it had
    // before the constructs (test/infra/logical-ids.test.ts) rather than starting a new, empty one.
    this.logGroup = new LogGroup(Stack.of(this), `${this.name}Logs`, {
      retention: props.defaults.logs.retention,
      removalPolicy: props.defaults.logs.removalPolicy,
    });
    // Our own role, not the AWS-managed basic execution role (cdk-nag IAM4): it may write to this
    // function's log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `ChangeFlow ${this.name} function` });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);

    // the holiday rules and the SDK's credential chain stay out of the bundle (lib/holidays.ts)
    const holidays = lambdaBundling(props.defaults.holidays, REPO_ROOT);
    // `Default`: the function is this construct's main resource (its node.defaultChild)
    this.fn = new NodejsFunction(this, 'Default', {
      // the handler entry bundled with the local esbuild (no Docker)
      entry: path.join(REPO_ROOT, props.entry),
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
        define: holidays.define,
        esbuildArgs: Object.fromEntries(Object.entries(holidays.alias).map(([from, to]) => [`--alias:${from}`, to])),
      },
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? props.defaults.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      description: props.description,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure ? new SqsDestination(props.onFailure) : undefined,
    });
    acknowledge(
      this.role,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, so active tracing needs Resource "*".',
    );

    this.errorsAlarm = new RunbookAlarm(this, 'ErrorsAlarm', {
      summary: `ChangeFlow ${this.name} function errors`,
      metric: this.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      runbook: props.runbook,
      action: props.defaults.alarmAction,
    });
  }

  /** Tells the function a variable: how a grant names the resource it gives access to. */
  addEnvironment(name: EnvVar, value: string): void {
    this.fn.addEnvironment(name, value);
  }
}
