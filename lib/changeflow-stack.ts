/**
 * The ChangeFlow stack: one DynamoDB table, one HTTP API with a JWT authorizer, and one Lambda
 * function per route group of `functions/routes.ts` (the single source of routes, shared with the
 * local server), each with its own role holding only the table access its group declares.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, type CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../functions/adapters/dynamodb/table.js';
import { ROUTE_GROUPS, type RouteGroup } from '../functions/routes.js';

/** The repository root: handler entries in ROUTE_GROUPS are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Issuer used when none is configured: synth works, but no real token will ever match it. */
export const PLACEHOLDER_JWT_ISSUER = 'https://replace-me.example.invalid/';
/** Audience used when none is configured. */
export const PLACEHOLDER_JWT_AUDIENCE = 'changeflow-api';

/** The three global secondary indexes of docs/data-model.md (all projected in full). */
export const GSI_NAMES = TABLE_KEYS.indexes.map((i) => i.name);

/** ESM bundles have no `require`; some dependencies still call it. Aliased to avoid clashing with bundled imports. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __changeflowCreateRequire } from 'node:module'; const require = __changeflowCreateRequire(import.meta.url);";

/** cdk-nag rule id as the CDK validation framework expects it (plugin namespace, then the rule). */
const nag = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

export interface ChangeflowStackProps extends StackProps {
  /**
   * Issuer (`iss`) of the JWTs the API accepts: the identity provider's issuer URL
   * (a Cognito user pool, Okta, Auth0, Entra ID, ...). Must be https.
   *
   * @default PLACEHOLDER_JWT_ISSUER - synthesises, but rejects every token until replaced
   */
  readonly jwtIssuer?: string;
  /**
   * Accepted audiences (`aud`, or `client_id` for Cognito access tokens) of those JWTs.
   *
   * @default [PLACEHOLDER_JWT_AUDIENCE]
   */
  readonly jwtAudience?: string[];
  /**
   * The organisation's IANA time zone; change ids and every calendar rule use it (ORG_TIMEZONE).
   *
   * @default 'America/New_York'
   */
  readonly orgTimezone?: string;
  /**
   * JWT claim that carries a person's roles (ROLES_CLAIM).
   *
   * @default 'roles'
   */
  readonly rolesClaim?: string;
  /**
   * JWT claim that carries a person's team (TEAM_CLAIM).
   *
   * @default 'team'
   */
  readonly teamClaim?: string;
  /**
   * What happens to the table when it leaves the stack (or the stack is deleted).
   *
   * @default RemovalPolicy.RETAIN - change requests and their audit trails outlive the stack
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * What happens to the log groups (functions and API access logs) when the stack is deleted.
   *
   * @default RemovalPolicy.DESTROY - logs are operational data with a retention anyway
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * How long function and access logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Memory of each function, in MB.
   *
   * @default 512
   */
  readonly functionMemorySize?: number;
  /**
   * Timeout of each function (the HTTP API gives up on an integration after 30 s).
   *
   * @default Duration.seconds(10)
   */
  readonly functionTimeout?: Duration;
  /**
   * Steady-state request rate of the default stage, requests per second.
   *
   * @default 50
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst limit of the default stage, requests.
   *
   * @default 100
   */
  readonly throttleBurstLimit?: number;
  /**
   * ARN of an SNS topic that the alarms notify (e.g. one the on-call rotation subscribes to).
   *
   * @default - alarms are created without actions
   */
  readonly alarmTopicArn?: string;
}

/** What the stack hands to tests and to other stacks. */
export interface ChangeflowFunction {
  readonly group: RouteGroup;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly routes: HttpRoute[];
}

export class ChangeflowStack extends Stack {
  public readonly table: Table;
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly functions: ReadonlyMap<string, ChangeflowFunction>;

  constructor(scope: Construct, id: string, props: ChangeflowStackProps = {}) {
    super(scope, id, props);

    const jwtIssuer = props.jwtIssuer ?? PLACEHOLDER_JWT_ISSUER;
    const jwtAudience = props.jwtAudience ?? [PLACEHOLDER_JWT_AUDIENCE];
    const orgTimezone = props.orgTimezone ?? 'America/New_York';
    const rolesClaim = props.rolesClaim ?? 'roles';
    const teamClaim = props.teamClaim ?? 'team';
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;
    validateSettings({ jwtIssuer, jwtAudience, orgTimezone, rolesClaim, teamClaim });
    if (jwtIssuer === PLACEHOLDER_JWT_ISSUER) {
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
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 50, burstLimit: props.throttleBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwtIssuer, {
      authorizerName: 'jwt',
      jwtAudience,
      identitySource: ['$request.header.Authorization'],
    });

    // --- one function per route group ---
    const environment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ORG_TIMEZONE: orgTimezone,
      ROLES_CLAIM: rolesClaim,
      TEAM_CLAIM: teamClaim,
      POWERTOOLS_SERVICE_NAME: 'changeflow',
      POWERTOOLS_METRICS_NAMESPACE: 'ChangeFlow',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const alarmAction: IAlarmAction | undefined = props.alarmTopicArn
      ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn))
      : undefined;
    const functions = new Map<string, ChangeflowFunction>();

    for (const group of ROUTE_GROUPS) {
      const logGroup = new LogGroup(this, `${group.name}Logs`, { retention: logRetention, removalPolicy: logRemovalPolicy });
      // Our own role, not the AWS-managed basic execution role (cdk-nag IAM4): it may write to
      // this function's log group only.
      const role = new Role(this, `${group.name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `ChangeFlow ${group.name} function`,
      });
      logGroup.grantWrite(role);

      const fn = new NodejsFunction(this, group.name, {
        // the handler entry bundled with the local esbuild (no Docker)
        entry: path.join(REPO_ROOT, group.entry),
        handler: 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        bundling: {
          format: OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          banner: ESM_REQUIRE_SHIM,
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          // bundle the SDK too: the version that runs is the one the lockfile pins and the tests use
          bundleAwsSDK: true,
          externalModules: [],
        },
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: props.functionMemorySize ?? 512,
        timeout: props.functionTimeout ?? Duration.seconds(10),
        tracing: Tracing.ACTIVE,
        role,
        logGroup,
        environment,
        description: `ChangeFlow ${group.name}: ${group.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      });

      // Exactly the calls the store makes (docs/data-model.md): grantReadData would also allow
      // Scan, which no request path may use. Transactions need the per-item actions.
      if (group.tableAccess !== 'none') this.table.grant(role, ...TABLE_ACTIONS[group.tableAccess]);

      Validations.of(fn).acknowledge({
        id: nag('L1'),
        reason: 'Node.js 22 is the runtime the project targets and tests on; moving to a newer runtime is a deliberate, tested upgrade.',
      });
      Validations.of(role).acknowledge({
        id: nag('IAM5[Resource::*]'),
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, so active tracing needs Resource "*".',
      });
      if (group.tableAccess !== 'none') {
        Validations.of(role).acknowledge({
          id: nag(`IAM5[${indexWildcardFinding}]`),
          reason: 'The wildcard is limited to the indexes of this one table, which the list queries read (gsi1..gsi3 of docs/data-model.md).',
        });
      }

      const integration = new HttpLambdaIntegration(`${group.name}Integration`, fn);
      const routes: HttpRoute[] = [];
      for (const route of group.routes) {
        const added = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.public ? new HttpNoneAuthorizer() : authorizer,
        });
        if (route.public) {
          for (const r of added) {
            Validations.of(r).acknowledge({
              id: nag('APIG4'),
              reason: `${route.method} ${route.path} is public by design (health check, blank template, API description) and returns no change data.`,
            });
          }
        }
        routes.push(...added);
      }

      new Alarm(this, `${group.name}ErrorsAlarm`, {
        alarmDescription: `ChangeFlow ${group.name} function errors (runbook: docs/runbooks/api-5xx.md)`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(...(alarmAction ? [alarmAction] : []));

      functions.set(group.name, { group, fn, role, routes });
    }
    this.functions = functions;

    new Alarm(this, 'Api5xxAlarm', {
      alarmDescription: 'ChangeFlow API answered 5xx (runbook: docs/runbooks/api-5xx.md)',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(...(alarmAction ? [alarmAction] : []));

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the HTTP API', value: this.stage.url });
    new CfnOutput(this, 'TableName', { description: 'The DynamoDB table (seed the directory here)', value: this.table.tableName });
    new CfnOutput(this, 'JwtIssuer', { description: 'Issuer the JWT authorizer accepts', value: jwtIssuer });
  }
}

/** DynamoDB actions per tableAccess of a route group: no Scan, no table-wide deletes. */
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

function validateSettings(s: { jwtIssuer: string; jwtAudience: string[]; orgTimezone: string; rolesClaim: string; teamClaim: string }): void {
  let issuer: URL | undefined;
  try {
    issuer = new URL(s.jwtIssuer);
  } catch {
    issuer = undefined;
  }
  if (issuer?.protocol !== 'https:') {
    throw new Error(`jwtIssuer must be an https URL such as https://cognito-idp.<region>.amazonaws.com/<pool id>, got ${JSON.stringify(s.jwtIssuer)}`);
  }
  if (s.jwtAudience.length === 0 || s.jwtAudience.some((a) => a.trim() === '')) {
    throw new Error(`jwtAudience must list at least one non-empty audience, got ${JSON.stringify(s.jwtAudience)}`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s.orgTimezone });
  } catch {
    throw new Error(`orgTimezone must be an IANA time zone such as America/New_York, got ${JSON.stringify(s.orgTimezone)}`);
  }
  for (const [name, value] of [['rolesClaim', s.rolesClaim], ['teamClaim', s.teamClaim]] as const) {
    if (value.trim() === '') throw new Error(`${name} must name a JWT claim, got an empty string`);
  }
}
