/**
 * The HTTP API: its `$default` stage with access logs and throttling, the JWT authorizer, one
 * route per entry of functions/routes.ts (public only with a written reason, and throttled lower
 * than the others), and its 5xx alarm.
 */
import { Lazy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnRoute,
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteGroup } from '../../functions/routes.js';
import type { LogSettings, Settings, ThrottleSettings } from '../settings.js';
import { ALARM_PERIOD, RunbookAlarm } from './alarms.js';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

/** The route that serves the iCalendar feed: the group serving it gets the feed key secret. */
export const CALENDAR_FEED_PATH = '/calendar.ics';

/** The route of the email approval links: the group serving it gets the link signing key (it verifies links). */
export const APPROVAL_LINKS_PATH = '/approvals/decide';

/**
 * Why each public route may skip the JWT authorizer (cdk-nag APIG4). A public route without an
 * entry here stops the synth: opening a route is a decision that needs its reason written down.
 */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'GET /health': 'GET /health is public by design (a health check) and returns no change data.',
  'GET /templates/change-request.md': 'GET /templates/change-request.md is public by design (the blank template) and returns no change data.',
  'GET /templates/emergency-change.md': 'GET /templates/emergency-change.md is public by design (the blank template) and returns no change data.',
  'GET /templates/risk-assessment.md': 'GET /templates/risk-assessment.md is public by design (the risk matrix and levels) and returns no change data.',
  'GET /templates/change-notification.md':
    'GET /templates/change-notification.md is public by design (the notice texts with placeholders) and returns no change data.',
  'GET /openapi.json': 'GET /openapi.json is public by design (the API description) and returns no change data.',
  // email approval links (functions/handlers/approval-links.ts): mail clients open them without a token
  'GET /approvals/decide':
    'An approval email link cannot carry a bearer token, so the signed, expiring token in the link is the credential, and this page only asks the approver to confirm and decides nothing.',
  'POST /approvals/decide':
    'The confirmation page posts the signed, expiring link token, bound to one approver, change, revision and decision, which the handler verifies instead of a bearer token.',
  // the report's email (functions/handlers/reports.ts): a mail client opens the link without a token
  'GET /report-links/{token}':
    'A report email link cannot carry a bearer token, so the signed, expiring token naming one report file is the credential; the handler verifies it and answers with that file or a presigned URL of a few minutes, nothing else.',
  // webhooks (functions/handlers/webhooks.ts): providers sign the body, they send no bearer token
  'POST /webhooks/github':
    'GitHub signs each delivery with the webhook secret (X-Hub-Signature-256), which the handler verifies over the raw body in constant time before anything else.',
  'POST /webhooks/gitlab': 'GitLab sends the configured secret token (X-Gitlab-Token), which the handler compares in constant time before anything else.',
  'POST /webhooks/pagerduty':
    'PagerDuty signs each delivery with the subscription secret (X-PagerDuty-Signature), which the handler verifies over the raw body in constant time before anything else.',
  'POST /webhooks/ci':
    'Pipelines sign each delivery with Standard Webhooks (webhook-signature over the id, a timestamp within five minutes and the body), which the handler verifies before anything else.',
  'POST /webhooks/slack':
    "Slack signs each interaction with the app's signing secret (X-Slack-Signature over a timestamp within five minutes and the body), which the handler verifies before anything else; the person is then the one whose email Slack verified.",
  [`GET ${CALENDAR_FEED_PATH}`]:
    'Calendar apps subscribe to the feed by URL and cannot send a bearer token, so the handler itself requires the secret feed key in the URL and compares it in constant time.',
};

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

export interface ChangeflowApiProps {
  /** Whose tokens the authorizer accepts. */
  readonly identity: Settings['identity'];
  readonly throttling: Required<ThrottleSettings>;
  readonly logs: Required<LogSettings>;
  /**
   * Whom the 5xx alarm notifies.
   *
   * @default - nobody
   */
  readonly alarmAction?: IAlarmAction;
}

export class ChangeflowApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly serverErrorsAlarm: Alarm;
  private readonly authorizer: HttpJwtAuthorizer;
  private readonly throttling: Required<ThrottleSettings>;
  /** The stage's route settings, by route key: the public routes' own throttling. */
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: ChangeflowApiProps) {
    super(scope, id);
    this.throttling = props.throttling;
    const stack = Stack.of(this);
    // The API, its stage and access logs are children of the stack, not of this construct: they keep
    // the logical IDs they had before the constructs (test/infra/logical-ids.test.ts), so the API
    // keeps its URL and its routes their keys.
    this.httpApi = new HttpApi(stack, 'HttpApi', { description: 'ChangeFlow: change requests, approvals and deployment gates', createDefaultStage: false });
    this.accessLogs = new LogGroup(stack, 'ApiAccessLogs', { retention: props.logs.retention, removalPolicy: props.logs.removalPolicy });
    this.stage = new HttpStage(stack, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });
    // HttpStage has no per-route settings: they go on the CloudFormation stage, filled as routes are added
    (this.stage.node.defaultChild as CfnStage).routeSettings = Lazy.any({
      produce: () => (Object.keys(this.routeSettings).length > 0 ? this.routeSettings : undefined),
    });
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.identity.issuer, {
      authorizerName: 'jwt',
      jwtAudience: props.identity.audiences,
      identitySource: ['$request.header.Authorization'],
    });
    this.serverErrorsAlarm = new RunbookAlarm(this, '5xxAlarm', {
      summary: 'ChangeFlow API answered 5xx',
      metric: this.httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 5,
      runbook: 'api-5xx',
      action: props.alarmAction,
    });
  }

  /** The group's routes, all to its function: behind the JWT authorizer unless public with a reason in PUBLIC_ROUTE_REASONS. */
  addRoutes(group: RouteGroup, fn: ChangeflowFunction): HttpRoute[] {
    const integration = new HttpLambdaIntegration(`${group.name}Integration`, fn.fn);
    return group.routes.flatMap((route) => {
      const key = `${route.method} ${route.path}`;
      const publicReason = PUBLIC_ROUTE_REASONS[key];
      if (route.public && publicReason === undefined) {
        throw new Error(`${key} is public but PUBLIC_ROUTE_REASONS in lib/constructs/api.ts gives no reason for it to skip the JWT authorizer`);
      }
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.public ? new HttpNoneAuthorizer() : this.authorizer,
      });
      if (route.public) {
        for (const r of added) acknowledge(r, 'APIG4', publicReason!);
        // Every route gets the stage's limits on its own; a public one, which anyone may call without
        // a token, gets lower ones, so that anonymous traffic cannot take the functions, the table
        // and the account's request rate away from the people signed in.
        this.routeSettings[key] = { ThrottlingRateLimit: this.throttling.publicRateLimit, ThrottlingBurstLimit: this.throttling.publicBurstLimit };
        // CloudFormation refuses route settings for a route key that does not exist yet
        for (const r of added) (this.stage.node.defaultChild as CfnStage).addResourceDependency(r.node.defaultChild as CfnRoute);
      }
      return added;
    });
  }
}
