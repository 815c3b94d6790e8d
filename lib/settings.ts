/**
 * What a deployer may set, grouped by what it is about, and SETTINGS: the one table that says, for
 * each setting, the context key lib/app.ts reads (`cdk.json` or `-c key=value`), where it sits in the
 * stack's props and which variable of functions/config.ts carries it to the functions. The stack
 * builds the functions' environment from the table, and a bad value stops the synth with a message
 * that names the setting all three ways. Defaults are ConfigSchema's, unless the table says AWS needs another.
 */
import { Duration, RemovalPolicy, type StackProps, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { ConfigSchema } from '../functions/config.js';

/** A variable the functions parse at start (functions/config.ts). */
export type EnvVar = keyof typeof ConfigSchema.shape;

/** Issuer used when none is configured: synth works, but no real token will ever match it. */
export const PLACEHOLDER_JWT_ISSUER = 'https://replace-me.example.invalid/';
/** Audience used when none is configured. */
export const PLACEHOLDER_JWT_AUDIENCE = 'changeflow-api';
/** From address used when none is configured (must be a verified SES identity to send); locally it is ConfigSchema's. */
export const DEFAULT_MAIL_FROM = 'ChangeFlow <changeflow@example.com>';
/** Name of the domain event bus when none is configured. */
export const DEFAULT_EVENT_BUS_NAME = 'changeflow';

/** Who may call the API: the identity provider's tokens and the claims ChangeFlow reads from them. */
export interface IdentitySettings {
  /**
   * Issuer (`iss`) of the JWTs the API accepts: the identity provider's issuer URL (a Cognito user
   * pool, Okta, Auth0, Entra ID, ...). Must be https.
   *
   * @default PLACEHOLDER_JWT_ISSUER - synthesises, but rejects every token until replaced
   */
  readonly issuer?: string;
  /**
   * Accepted audiences (`aud`, or `client_id` for Cognito access tokens) of those JWTs.
   *
   * @default [PLACEHOLDER_JWT_AUDIENCE]
   */
  readonly audiences?: string[];
  /**
   * The OIDC client the web console signs in with (authorization code with PKCE, no secret): its
   * ID tokens' audience must be one of `audiences`.
   *
   * @default the first of `audiences`
   */
  readonly consoleClientId?: string;
  /**
   * Which email-link decisions need the approver signed in (LINK_SIGN_IN): `high-risk` (major
   * changes and high or critical risk) or `always`.
   *
   * @default 'high-risk'
   */
  readonly linkSignIn?: 'high-risk' | 'always';
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
}

/** The change calendar: the organisation's zone and what counts as a blackout. */
export interface CalendarSettings {
  /**
   * The organisation's IANA time zone: change ids, every calendar rule and the job schedules use it (ORG_TIMEZONE).
   *
   * @default 'America/New_York'
   */
  readonly timeZone?: string;
  /**
   * Country whose public holidays are blackouts, an ISO 3166 code (HOLIDAY_COUNTRY).
   *
   * @default 'US'
   */
  readonly holidayCountry?: string;
  /**
   * Region of that country whose holidays also count, a date-holidays code such as `CA` (HOLIDAY_REGION).
   *
   * @default - the country's national holidays only
   */
  readonly holidayRegion?: string;
  /**
   * Local time (HH:MM) from which Friday is a blackout until midnight (FRIDAY_CUTOFF).
   *
   * @default '14:00'
   */
  readonly fridayCutoff?: string;
}

/** Email: who it comes from, as which SES identity, and where the stakeholder channels are reached. */
export interface MailSettings {
  /**
   * The From address of every email (MAIL_FROM), `Name <address>` or a bare address. It must be a
   * verified SES identity, or an address of a verified domain identity.
   *
   * @default DEFAULT_MAIL_FROM
   */
  readonly from?: string;
  /**
   * The SES identity the functions may send as: a domain (`example.com`) or an address. Their
   * `ses:SendEmail` permission is scoped to this identity's ARN.
   *
   * @default - the address of `from`
   */
  readonly sesIdentity?: string;
  /**
   * An SES configuration set every email goes through (SES_CONFIGURATION_SET), for bounce and
   * complaint events; the senders may then also use it.
   *
   * @default - none
   */
  readonly configurationSet?: string;
  /**
   * Where each stakeholder channel is reached, `channel=address` pairs separated by commas (STAKEHOLDER_EMAILS).
   *
   * @default - the example.com addresses of STAKEHOLDER_EMAILS in functions/config.ts
   */
  readonly stakeholderEmails?: string;
  /**
   * Who receives the monthly report's email, comma-separated (REPORT_RECIPIENTS).
   *
   * @default - the leadership address of stakeholderEmails
   */
  readonly reportRecipients?: string;
}

/** How long an approval waits before a reminder, an escalation and its expiry. */
export interface ApprovalTimerSettings {
  /**
   * Hours between reminders while an approval is pending (REMIND_EVERY_HOURS).
   *
   * @default 24
   */
  readonly remindEveryHours?: number;
  /**
   * Hours without a decision after which a request escalates to the next role up (ESCALATE_AFTER_HOURS).
   *
   * @default 48
   */
  readonly escalateAfterHours?: number;
  /**
   * Hours after which a pending approval expires (EXPIRE_AFTER_HOURS).
   *
   * @default 168 (7 days)
   */
  readonly expireAfterHours?: number;
}

/** The monitoring period after each deployment (docs/process.md, section 5). */
export interface MonitoringPeriodSettings {
  /**
   * Length by category in minutes, `category=minutes` pairs separated by commas (MONITORING_MINUTES).
   *
   * @default 'standard=15,normal=60,major=240,emergency=30'
   */
  readonly minutes?: string;
  /**
   * Seconds between two judgements (MONITORING_INTERVAL_SECONDS).
   *
   * @default 60
   */
  readonly intervalSeconds?: number;
  /**
   * Requests an interval needs before its error rate or latency is judged (MONITORING_MIN_REQUESTS).
   *
   * @default 50
   */
  readonly minRequests?: number;
  /**
   * p95 latency SLA per component in ms, `component=ms` pairs (COMPONENT_SLA_MS).
   *
   * @default - 10 ms for every component
   */
  readonly componentSlaMs?: string;
  /**
   * Minutes a requested rollback may go unreported before it is escalated (ROLLBACK_REPORT_TIMEOUT_MINUTES).
   *
   * @default 30
   */
  readonly rollbackReportMinutes?: number;
  /**
   * A Prometheus-compatible HTTP API the flow queries each interval (PROMETHEUS_URL). The functions
   * run outside a VPC: the server must be reachable from the internet, over https.
   *
   * @default - none: only pushed evidence counts
   */
  readonly prometheusUrl?: string;
  /**
   * Its instant queries per component, JSON (PROMETHEUS_QUERIES).
   *
   * @default - none
   */
  readonly prometheusQueries?: string;
  /**
   * CloudWatch metrics per component and the alarms that count as critical alerts, JSON
   * (CLOUDWATCH_METRICS). The task function is then allowed cloudwatch:GetMetricData, and
   * cloudwatch:DescribeAlarms on exactly the alarms named.
   *
   * @default - none
   */
  readonly cloudwatchMetrics?: string;
}

/** How webhooks are read (docs/webhooks.md). The secrets are not settings: they are in the WebhookSecrets secret. */
export interface IntegrationSettings {
  /**
   * Environment names that count as production when the provider does not say, comma-separated (PRODUCTION_ENVIRONMENTS).
   *
   * @default 'production,prod'
   */
  readonly productionEnvironments?: string;
  /**
   * A GitHub workflow whose name matches this regular expression deploys: its runs are deployments (GITHUB_DEPLOY_WORKFLOWS).
   *
   * @default 'deploy|release'
   */
  readonly githubDeployWorkflows?: string;
  /**
   * PagerDuty services and the components they cover, `PF9KMXH=API Server;Database,…` (PAGERDUTY_SERVICES).
   *
   * @default - none: an incident's emergency change leaves its components for on-call to fill
   */
  readonly pagerDutyServices?: string;
  /**
   * The Jira/Linear mirror per team, JSON (TRACKER_MIRRORS): `{"payments": {"tracker": "jira", "project": "PAY"}}`.
   * The Jira token and the Linear key go in the OutboundSecrets secret (docs/webhooks.md).
   *
   * @default - none: no team is mirrored
   */
  readonly trackerMirrors?: string;
  /**
   * Each state's status name in the tracker where the project names them otherwise, JSON (TRACKER_STATES).
   *
   * @default - Jira's and Linear's default workflows
   */
  readonly trackerStates?: string;
  /**
   * Jira Cloud's address (JIRA_URL), `https://<site>.atlassian.net`; the account and its token are `jira` of OutboundSecrets.
   *
   * @default - none
   */
  readonly jiraUrl?: string;
  /**
   * Answer GitHub's custom deployment protection rules as a GitHub App: the stack creates the
   * secret GitHubAppCredentials (`{"appId": "…", "privateKey": "…"}`, set by the team) and lets the
   * webhook processor read it (docs/webhooks.md).
   *
   * @default false
   */
  readonly githubApp?: boolean;
  /**
   * Ask approvers in Slack and take their decisions there (docs/webhooks.md "Slack"): the stack
   * creates the secret SlackAppCredentials (`{"botToken": "xoxb-…"}`, set by the team) and lets the
   * webhooks function (the reason dialog), the webhook processor (the decisions) and Notifications
   * (the approval messages) read it. The app's signing secret goes in the webhook secrets, as "slack".
   *
   * @default false
   */
  readonly slackApp?: boolean;
  /**
   * The GitHub API the App calls (GITHUB_API_URL): GitHub Enterprise Server's `https://<host>/api/v3`.
   *
   * @default 'https://api.github.com'
   */
  readonly githubApiUrl?: string;
}

/** Request limits of the API's `$default` stage, per route. */
export interface ThrottleSettings {
  /**
   * Steady-state rate of each route (the stage's default route settings), requests per second.
   *
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Burst limit of each route, requests.
   *
   * @default 100
   */
  readonly burstLimit?: number;
  /**
   * Steady-state rate of each public route (PUBLIC_ROUTE_REASONS in lib/constructs/api.ts): anyone
   * may call them without a token, so they get less than the others. At most rateLimit.
   *
   * @default 10
   */
  readonly publicRateLimit?: number;
  /**
   * Burst limit of each public route. At most burstLimit.
   *
   * @default 20
   */
  readonly publicBurstLimit?: number;
}

/** What every function of the stack is given. */
export interface FunctionSettings {
  /**
   * Memory of each function, in MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout of each route function (the HTTP API gives up on an integration after 30 s).
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Timeout of each scheduled job's function and of the two functions nobody waits on over HTTP
   * (WorkflowTasks, Notifications): they are not bound by the API's 30 s and may send several
   * emails per run.
   *
   * @default Duration.minutes(1)
   */
  readonly jobTimeout?: Duration;
}

/** The log groups: functions, API access logs, state machines. */
export interface LogSettings {
  /**
   * How long logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly retention?: RetentionDays;
  /**
   * What happens to the log groups when the stack is deleted.
   *
   * @default RemovalPolicy.DESTROY - logs are operational data with a retention anyway
   */
  readonly removalPolicy?: RemovalPolicy;
}

export interface ChangeflowStackProps extends StackProps {
  /** @default - see IdentitySettings */
  readonly identity?: IdentitySettings;
  /** @default - see CalendarSettings */
  readonly calendar?: CalendarSettings;
  /** @default - see MailSettings */
  readonly mail?: MailSettings;
  /** @default - see ApprovalTimerSettings */
  readonly approvalTimers?: ApprovalTimerSettings;
  /** @default - see MonitoringPeriodSettings */
  readonly monitoring?: MonitoringPeriodSettings;
  /** @default - see IntegrationSettings */
  readonly integrations?: IntegrationSettings;
  /** @default - see ThrottleSettings */
  readonly throttling?: ThrottleSettings;
  /** @default - see FunctionSettings */
  readonly functions?: FunctionSettings;
  /** @default - see LogSettings */
  readonly logs?: LogSettings;
  /**
   * Name of the EventBridge bus the domain events go to (EVENT_BUS_NAME). Give each copy of the
   * stack in one account and region its own.
   *
   * @default DEFAULT_EVENT_BUS_NAME ('changeflow')
   */
  readonly eventBusName?: string;
  /**
   * Where people reach the API, e.g. `https://changes.example.com` on a custom domain: the links
   * in emails point here (PUBLIC_BASE_URL, read by the Notifications function only). Must be https
   * and the root of the host (no base path): the confirmation page posts to `/approvals/decide`.
   *
   * @default - the URL of the API's `$default` stage
   */
  readonly publicBaseUrl?: string;
  /**
   * What happens to the table when it leaves the stack (or the stack is deleted).
   *
   * @default RemovalPolicy.RETAIN - change requests and their audit trails outlive the stack
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * ARN of an SNS topic that the alarms notify (e.g. one the on-call rotation subscribes to).
   *
   * @default - alarms are created without actions
   */
  readonly alarmTopicArn?: string;
}

type Group = 'identity' | 'calendar' | 'mail' | 'approvalTimers' | 'monitoring' | 'integrations';
type Place =
  | { [G in Group]: { readonly group: G; readonly prop: keyof NonNullable<ChangeflowStackProps[G]> & string } }[Group]
  | { readonly group?: undefined; readonly prop: 'eventBusName' | 'publicBaseUrl' | 'tableRemovalPolicy' | 'alarmTopicArn' };

/** One row of SETTINGS. */
export type Setting = Place & {
  /** The variable of functions/config.ts that carries it, if the functions read it. */
  readonly env?: EnvVar;
  /** False for a variable only some functions are told (the grant that needs it sets it); the others go to every function. */
  readonly everyFunction?: false;
  /** How a context value is read: as a comma-separated list, a positive number of hours, or retain|destroy; as text otherwise. */
  readonly read?: 'list' | 'hours' | 'removal-policy' | 'boolean';
  /** The value when neither the props nor the context set it. */
  readonly default?: string | readonly string[];
};

/** ConfigSchema's own default of a variable, as the text the environment carries (input side, before any transform). */
const CONFIG_DEFAULTS = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }).properties as Record<string, { default?: unknown }>;

/** A setting that is a variable of functions/config.ts, with that variable's default. */
function fromConfig<E extends EnvVar>(env: E): { env: E; default: string | undefined } {
  const value = CONFIG_DEFAULTS[env]?.default;
  return { env, default: value === undefined ? undefined : String(value) };
}

/** Every setting, by the context key lib/app.ts reads it from. */
export const SETTINGS = {
  // the functions get them too: the public email-link route checks a signed-in approver's token itself
  jwtIssuer: { group: 'identity', prop: 'issuer', env: 'JWT_ISSUER', default: PLACEHOLDER_JWT_ISSUER },
  /** One audience, or several separated by commas (a JSON array in cdk.json also works). */
  jwtAudience: { group: 'identity', prop: 'audiences', read: 'list', env: 'JWT_AUDIENCES', default: [PLACEHOLDER_JWT_AUDIENCE] },
  /** The console's OIDC client id; the first audience when not set. */
  consoleClientId: { group: 'identity', prop: 'consoleClientId', default: undefined },
  linkSignIn: { group: 'identity', prop: 'linkSignIn', ...fromConfig('LINK_SIGN_IN') },
  rolesClaim: { group: 'identity', prop: 'rolesClaim', ...fromConfig('ROLES_CLAIM') },
  teamClaim: { group: 'identity', prop: 'teamClaim', ...fromConfig('TEAM_CLAIM') },
  orgTimezone: { group: 'calendar', prop: 'timeZone', ...fromConfig('ORG_TIMEZONE') },
  holidayCountry: { group: 'calendar', prop: 'holidayCountry', ...fromConfig('HOLIDAY_COUNTRY') },
  holidayRegion: { group: 'calendar', prop: 'holidayRegion', ...fromConfig('HOLIDAY_REGION') },
  fridayCutoff: { group: 'calendar', prop: 'fridayCutoff', ...fromConfig('FRIDAY_CUTOFF') },
  // ConfigSchema's default is a localhost address, for the local mail catcher
  mailFrom: { group: 'mail', prop: 'from', env: 'MAIL_FROM', default: DEFAULT_MAIL_FROM },
  sesIdentity: { group: 'mail', prop: 'sesIdentity' },
  sesConfigurationSet: { group: 'mail', prop: 'configurationSet', ...fromConfig('SES_CONFIGURATION_SET') },
  stakeholderEmails: { group: 'mail', prop: 'stakeholderEmails', ...fromConfig('STAKEHOLDER_EMAILS') },
  reportRecipients: { group: 'mail', prop: 'reportRecipients', ...fromConfig('REPORT_RECIPIENTS') },
  remindEveryHours: { group: 'approvalTimers', prop: 'remindEveryHours', read: 'hours', ...fromConfig('REMIND_EVERY_HOURS') },
  escalateAfterHours: { group: 'approvalTimers', prop: 'escalateAfterHours', read: 'hours', ...fromConfig('ESCALATE_AFTER_HOURS') },
  expireAfterHours: { group: 'approvalTimers', prop: 'expireAfterHours', read: 'hours', ...fromConfig('EXPIRE_AFTER_HOURS') },
  monitoringMinutes: { group: 'monitoring', prop: 'minutes', ...fromConfig('MONITORING_MINUTES') },
  monitoringIntervalSeconds: { group: 'monitoring', prop: 'intervalSeconds', ...fromConfig('MONITORING_INTERVAL_SECONDS') },
  monitoringMinRequests: { group: 'monitoring', prop: 'minRequests', ...fromConfig('MONITORING_MIN_REQUESTS') },
  componentSlaMs: { group: 'monitoring', prop: 'componentSlaMs', ...fromConfig('COMPONENT_SLA_MS') },
  rollbackReportMinutes: { group: 'monitoring', prop: 'rollbackReportMinutes', ...fromConfig('ROLLBACK_REPORT_TIMEOUT_MINUTES') },
  prometheusUrl: { group: 'monitoring', prop: 'prometheusUrl', ...fromConfig('PROMETHEUS_URL') },
  prometheusQueries: { group: 'monitoring', prop: 'prometheusQueries', ...fromConfig('PROMETHEUS_QUERIES') },
  cloudwatchMetrics: { group: 'monitoring', prop: 'cloudwatchMetrics', ...fromConfig('CLOUDWATCH_METRICS') },
  productionEnvironments: { group: 'integrations', prop: 'productionEnvironments', ...fromConfig('PRODUCTION_ENVIRONMENTS') },
  githubDeployWorkflows: { group: 'integrations', prop: 'githubDeployWorkflows', ...fromConfig('GITHUB_DEPLOY_WORKFLOWS') },
  pagerDutyServices: { group: 'integrations', prop: 'pagerDutyServices', ...fromConfig('PAGERDUTY_SERVICES') },
  trackerMirrors: { group: 'integrations', prop: 'trackerMirrors', ...fromConfig('TRACKER_MIRRORS') },
  trackerStates: { group: 'integrations', prop: 'trackerStates', ...fromConfig('TRACKER_STATES') },
  jiraUrl: { group: 'integrations', prop: 'jiraUrl', ...fromConfig('JIRA_URL') },
  githubApp: { group: 'integrations', prop: 'githubApp', read: 'boolean' },
  slackApp: { group: 'integrations', prop: 'slackApp', read: 'boolean' },
  githubApiUrl: { group: 'integrations', prop: 'githubApiUrl', ...fromConfig('GITHUB_API_URL') },
  // told only to the functions that publish (ChangeflowEvents.grantPublish)
  eventBusName: { prop: 'eventBusName', env: 'EVENT_BUS_NAME', everyFunction: false, default: DEFAULT_EVENT_BUS_NAME },
  // told only to Notifications, which writes the links; ConfigSchema's localhost default is not AWS's (the stage URL)
  publicBaseUrl: { prop: 'publicBaseUrl', env: 'PUBLIC_BASE_URL', everyFunction: false },
  tableRemovalPolicy: { prop: 'tableRemovalPolicy', read: 'removal-policy' },
  alarmTopicArn: { prop: 'alarmTopicArn' },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;
const ROWS = Object.entries(SETTINGS) as [SettingKey, Setting][];

/** How messages name a setting: where it sits in the props, then its context key and its variable. */
export function settingName(key: SettingKey): string {
  const s: Setting = SETTINGS[key];
  const path = s.group === undefined ? s.prop : `${s.group}.${s.prop}`;
  const aliases = [...(path === key ? [] : [`-c ${key}`]), ...(s.env ? [s.env] : [])];
  return aliases.length > 0 ? `${path} (${aliases.join(', ')})` : path;
}

/** A setting's value in the props, or its default. */
function settingValue(props: ChangeflowStackProps, key: SettingKey): unknown {
  const s: Setting = SETTINGS[key];
  const holder: object = s.group === undefined ? props : (props[s.group] ?? {});
  return (holder as Record<string, unknown>)[s.prop] ?? s.default;
}

/** The props the context sets; a key left unset keeps its default. */
export function propsFromContext(tryGetContext: (key: string) => unknown): ChangeflowStackProps {
  const props: Record<string, unknown> = {};
  for (const [key, s] of ROWS) {
    const raw = tryGetContext(key);
    if (raw === undefined || raw === null || raw === '') continue;
    const text = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
    const value = readContext(key, s, text);
    if (s.group === undefined) props[s.prop] = value;
    else props[s.group] = { ...(props[s.group] as object | undefined), [s.prop]: value };
  }
  return props as ChangeflowStackProps;
}

function readContext(key: SettingKey, s: Setting, text: string): unknown {
  switch (s.read) {
    case 'list':
      return text
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    case 'hours': {
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${settingName(key)}: must be a positive number of hours, got ${JSON.stringify(text)}`);
      return n;
    }
    case 'boolean': {
      if (text !== 'true' && text !== 'false') throw new Error(`${settingName(key)}: must be true or false, got ${JSON.stringify(text)}`);
      return text === 'true';
    }
    case 'removal-policy': {
      const policy = text.toLowerCase();
      if (policy !== 'retain' && policy !== 'destroy') throw new Error(`${settingName(key)}: must be retain or destroy, got ${JSON.stringify(text)}`);
      return policy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    }
    default:
      return text;
  }
}

/** The settings with their defaults applied, checked. */
export interface Settings {
  readonly identity: {
    readonly issuer: string;
    readonly audiences: string[];
    readonly consoleClientId: string;
    readonly rolesClaim: string;
    readonly teamClaim: string;
  };
  /** The organisation's zone (ORG_TIMEZONE), which the job schedules carry too. */
  readonly timeZone: string;
  readonly mail: { readonly from: string; readonly sesIdentity: string; readonly configurationSet?: string };
  readonly eventBusName: string;
  readonly publicBaseUrl?: string;
  readonly throttling: Required<ThrottleSettings>;
  /** Whether the stack answers GitHub's deployment protection rules as a GitHub App. */
  readonly githubApp: boolean;
  /** Whether approvers are asked, and decide, in Slack. */
  readonly slackApp: boolean;
  readonly functions: Required<FunctionSettings>;
  readonly logs: Required<LogSettings>;
  /** The variables of SETTINGS that every function gets (TABLE_NAME and the Powertools ones are the stack's). */
  readonly environment: Readonly<Record<string, string>>;
}

/** Applies the defaults and stops the synth on a value the stack or the functions would refuse. */
export function resolveSettings(props: ChangeflowStackProps): Settings {
  const text = (key: SettingKey) => settingValue(props, key) as string | undefined;
  const identity = {
    issuer: text('jwtIssuer')!,
    audiences: [...(settingValue(props, 'jwtAudience') as readonly string[])],
    consoleClientId: '',
    rolesClaim: text('rolesClaim')!,
    teamClaim: text('teamClaim')!,
  };
  identity.consoleClientId = text('consoleClientId') ?? identity.audiences[0]!;
  validateIdentity(identity);

  const environment: Record<string, string> = {};
  for (const [key, s] of ROWS) {
    const value = settingValue(props, key);
    if (s.env !== undefined && s.everyFunction !== false && value !== undefined) environment[s.env] = String(value);
  }
  // The functions parse the same variables with the same schema at start: a bad value stops the
  // synth here instead of every cold start after the deploy.
  validateEnvironment(environment);

  const from = text('mailFrom')!;
  const mail = { from, sesIdentity: text('sesIdentity') ?? mailAddressOf(from), configurationSet: text('sesConfigurationSet') };
  validateSesIdentity(mail.sesIdentity);
  const eventBusName = text('eventBusName')!;
  validateEventBusName(eventBusName);
  const publicBaseUrl = text('publicBaseUrl');
  if (publicBaseUrl !== undefined) validatePublicBaseUrl(publicBaseUrl);

  const throttling = {
    rateLimit: props.throttling?.rateLimit ?? 50,
    burstLimit: props.throttling?.burstLimit ?? 100,
    publicRateLimit: props.throttling?.publicRateLimit ?? 10,
    publicBurstLimit: props.throttling?.publicBurstLimit ?? 20,
  };
  validateThrottling(throttling);

  return {
    identity,
    timeZone: environment.ORG_TIMEZONE!,
    mail,
    eventBusName,
    publicBaseUrl,
    throttling,
    githubApp: settingValue(props, 'githubApp') === true,
    slackApp: settingValue(props, 'slackApp') === true,
    functions: {
      memorySize: props.functions?.memorySize ?? 512,
      timeout: props.functions?.timeout ?? Duration.seconds(10),
      jobTimeout: props.functions?.jobTimeout ?? Duration.minutes(1),
    },
    logs: { retention: props.logs?.retention ?? RetentionDays.ONE_MONTH, removalPolicy: props.logs?.removalPolicy ?? RemovalPolicy.DESTROY },
    environment,
  };
}

/** Checks the literal variables with the schema the functions parse them with at start (functions/config.ts). */
export function validateEnvironment(environment: Readonly<Record<string, string>>): void {
  const literal = Object.fromEntries(Object.entries(environment).filter(([, v]) => !Token.isUnresolved(v)));
  const parsed = ConfigSchema.safeParse(literal);
  if (parsed.success) return;
  const problems = parsed.error.issues.map((i) => {
    const variable = String(i.path[0]);
    const row = ROWS.find(([, s]) => s.env === variable);
    return `${row ? settingName(row[0]) : variable}: ${i.message}, got ${JSON.stringify(literal[variable])}`;
  });
  throw new Error(`bad function settings: ${problems.join('; ')}`);
}

function validateIdentity(identity: Settings['identity']): void {
  let issuer: URL | undefined;
  try {
    issuer = new URL(identity.issuer);
  } catch {
    issuer = undefined;
  }
  if (issuer?.protocol !== 'https:') {
    throw new Error(
      `${settingName('jwtIssuer')}: must be an https URL such as https://cognito-idp.<region>.amazonaws.com/<pool id>, got ${JSON.stringify(identity.issuer)}`,
    );
  }
  if (identity.audiences.length === 0 || identity.audiences.some((a) => a.trim() === '')) {
    throw new Error(`${settingName('jwtAudience')}: must list at least one non-empty audience, got ${JSON.stringify(identity.audiences)}`);
  }
  // ConfigSchema takes any non-empty claim name; blanks would never match a claim either
  for (const key of ['rolesClaim', 'teamClaim'] as const) {
    const claim = key === 'rolesClaim' ? identity.rolesClaim : identity.teamClaim;
    if (claim.trim() === '') throw new Error(`${settingName(key)}: must name a JWT claim, got ${JSON.stringify(claim)}`);
  }
}

/** The address of `Name <address>` or of a bare address. */
export function mailAddressOf(mailFrom: string): string {
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailFrom) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(mailFrom);
  if (!match?.[1]) throw new Error(`${settingName('mailFrom')}: must be an address or "Name <address>", got ${JSON.stringify(mailFrom)}`);
  return match[1];
}

/** A domain or an address; never a wildcard, which would let the senders send as any identity. */
function validateSesIdentity(identity: string): void {
  if (!/^([^@\s*]+@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(identity)) {
    throw new Error(
      `${settingName('sesIdentity')}: must be a domain such as example.com or an address such as changeflow@example.com, got ${JSON.stringify(identity)}`,
    );
  }
}

/** A custom bus name EventBridge accepts; `default` is the account's own bus, which the stack cannot create. */
function validateEventBusName(name: string): void {
  if (Token.isUnresolved(name)) return;
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(name) || name === 'default') {
    throw new Error(
      `${settingName('eventBusName')}: must be 1-256 letters, digits, dots, dashes or underscores, and not "default", got ${JSON.stringify(name)}`,
    );
  }
}

/**
 * The links in emails must reach people over https, at the root of a host: the confirmation page
 * posts to the absolute path /approvals/decide, which a base path would miss.
 */
function validatePublicBaseUrl(url: string): void {
  if (Token.isUnresolved(url)) return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'https:' || parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw new Error(
      `${settingName('publicBaseUrl')}: must be an https URL with no path, query or fragment (the API mapped at the root of the host), such as https://changes.example.com, got ${JSON.stringify(url)}`,
    );
  }
}

/** Positive limits, and none of a public route above the others': the public routes are the ones anyone can call. */
function validateThrottling(t: Required<ThrottleSettings>): void {
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`throttling.${name}: must be a positive number, got ${JSON.stringify(value)}`);
  }
  for (const [limit, publicLimit] of [
    ['rateLimit', 'publicRateLimit'],
    ['burstLimit', 'publicBurstLimit'],
  ] as const) {
    if (t[publicLimit] > t[limit]) {
      throw new Error(
        `throttling.${publicLimit}: must not exceed throttling.${limit} (${t[limit]}), since anyone may call the public routes without a token, got ${t[publicLimit]}; lower it, or raise ${limit}`,
      );
    }
  }
}
