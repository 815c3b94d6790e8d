/**
 * The one typed configuration object, parsed from the environment at start with defaults that run
 * locally. A bad setting stops the start with a message naming it.
 */
import * as z from 'zod';
import type { ApprovalTimers } from './core/approval-flow.js';
import { MONITORING_MINUTES } from './core/durations.js';
import { DEFAULT_MONITORING_SETTINGS, type MonitoringSettings } from './core/monitoring.js';
import { CloudWatchMetricsSchema } from './adapters/aws/cloudwatch-metrics.js';
import { type ComponentQueries, QUERY_FIELDS } from './adapters/prometheus/queries.js';
import type { CalendarConfig } from './core/calendar/types.js';
import { CATEGORIES, type Category, DEFAULT_COMPONENTS, ROLES, type Role, STATES } from './core/change-request.js';
import { APPROVAL_TIMER_DEFAULTS } from './core/durations.js';

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1, 'must list at least one entry'));

/** Secrets, comma-separated: none may be shorter than 16 characters (a guessable secret is no secret). */
const secretList = list.refine((l) => l.every((s) => s.length >= 16), 'each secret must be at least 16 characters');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/New_York');

/** A setting written as JSON: it must parse, then match `shape`; each refusal says what the setting looks like. */
function jsonSetting<T>(shape: z.ZodType<T>, example: string, mismatch: (issue: z.core.$ZodIssue) => string) {
  return z
    .string()
    .optional()
    .transform((text, ctx): T | undefined => {
      if (text === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON: ${example}` });
        return z.NEVER;
      }
      const checked = shape.safeParse(parsed);
      if (!checked.success) {
        ctx.addIssue({ code: 'custom', message: mismatch(checked.error.issues[0]!) });
        return z.NEVER;
      }
      return checked.data;
    });
}

export const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(3).default('changeflow'),
  /** The organisation's IANA time zone: change ids and every calendar rule use it. */
  ORG_TIMEZONE: timeZone.default('America/New_York'),
  /** Components a change may affect (comma-separated); the seed's six by default. */
  COMPONENTS: list.default([...DEFAULT_COMPONENTS]),
  /**
   * Who says what roles and team a person has: `directory` (default) looks the token's subject up in
   * the directory, and a subject that is not there may read but not act; `token` takes them from the
   * token's claims (ROLES_CLAIM, TEAM_CLAIM).
   */
  IDENTITY_SOURCE: z.enum(['directory', 'token']).default('directory'),
  /** The JWT claim that carries a person's roles (IDENTITY_SOURCE=token). */
  ROLES_CLAIM: z.string().min(1).default('roles'),
  /**
   * When the roles claim is one string rather than an array: the character between roles (none by
   * default: the whole string is one role). API Gateway's flattened arrays ("[a b]") are read as arrays.
   */
  ROLES_CLAIM_SEPARATOR: z.string().min(1).max(1, 'must be one character, such as , or a space').optional(),
  /** Who may declare an emergency change (roles, comma-separated); an approver role includes the roles above it. */
  EMERGENCY_ROLES: list.pipe(z.array(z.enum(ROLES, { message: `must be roles from ${ROLES.join(', ')}` }))).default(['on-call', 'eng-manager']),
  /** The JWT claim that carries a person's team. */
  TEAM_CLAIM: z.string().min(1).default('team'),
  /**
   * The identity provider the API's JWT authorizer trusts (the stack's jwtIssuer and jwtAudience):
   * the public email-link route checks a signed-in approver's token against them itself. Unset
   * locally, where the development key signs the tokens.
   */
  JWT_ISSUER: z.url({ protocol: /^https$/, error: 'must be the https URL of the identity provider (its issuer)' }).optional(),
  JWT_AUDIENCES: list.optional(),
  /**
   * Which email-link decisions ask the approver to sign in first, so a forwarded email or a shared
   * mailbox cannot decide: `high-risk` (major changes and high or critical risk; the default), or
   * `always`.
   */
  LINK_SIGN_IN: z.enum(['high-risk', 'always'], { error: 'must be high-risk or always' }).default('high-risk'),
  /** Largest request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Country (and optional region) whose public holidays are blackouts, as date-holidays codes. */
  HOLIDAY_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as US')
    .default('US'),
  HOLIDAY_REGION: z.string().min(1).optional(),
  /** Local time from which Friday is a blackout until midnight. */
  FRIDAY_CUTOFF: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
    .default('14:00'),
  /**
   * Where each stakeholder channel of the template is reached by email, as `channel=address`
   * pairs (comma-separated); channels without an address are skipped.
   */
  STAKEHOLDER_EMAILS: z
    .string()
    .default(
      'engineering=engineering@example.com,product=product@example.com,support=support@example.com,leadership=leadership@example.com,customers=status-page@example.com,incidents=incidents@example.com',
    )
    .transform((s, ctx) => {
      const map: Record<string, string> = {};
      for (const pair of s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [channel, address] = pair.split('=').map((x) => x?.trim());
        if (!channel || !address || !/^[^@\s]+@[^@\s]+$/.test(address)) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not channel=address` });
          return z.NEVER;
        }
        map[channel] = address;
      }
      return map;
    }),
  /** Key that unlocks the iCalendar feed (`/calendar.ics?key=…`); the feed is off without one. */
  CALENDAR_FEED_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The From address of every email; in AWS a verified SES identity. */
  MAIL_FROM: z.string().min(3).default('ChangeFlow <changeflow@localhost>'),
  /** An SES configuration set (bounces, complaints), optional. */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** In AWS: the Secrets Manager secret holding the feed key (read at run time, cached for 5 minutes). */
  CALENDAR_FEED_SECRET_ID: z.string().min(1).optional(),
  /** Where people reach the API: the links in emails point here. */
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  /** Key that signs approval links (base64, ≥ 32 bytes); locally a file, in AWS from the secret below. */
  APPROVAL_LINK_KEY: z.string().min(43, 'must be at least 32 bytes, base64').optional(),
  APPROVAL_LINK_SECRET_ID: z.string().min(1).optional(),
  /** Key that seals list cursors (base64, ≥ 32 bytes); locally derived from the development key, in AWS from the secret below. */
  CURSOR_KEY: z.string().min(43, 'must be at least 32 bytes, base64').optional(),
  CURSOR_SECRET_ID: z.string().min(1).optional(),
  /** Approval timers: remind, escalate to the next role up, expire. */
  REMIND_EVERY_HOURS: z.coerce.number().positive().default(APPROVAL_TIMER_DEFAULTS.remindEveryHours),
  ESCALATE_AFTER_HOURS: z.coerce.number().positive().default(APPROVAL_TIMER_DEFAULTS.escalateAfterHours),
  EXPIRE_AFTER_HOURS: z.coerce.number().positive().default(APPROVAL_TIMER_DEFAULTS.expireAfterHours),
  /** The monitoring period's length by category, in minutes (`standard=15,normal=60,major=240,emergency=30`). */
  MONITORING_MINUTES: z
    .string()
    .default(
      Object.entries(MONITORING_MINUTES)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    )
    .transform((text, ctx) => {
      const out: Record<string, number> = { ...MONITORING_MINUTES };
      for (const pair of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [category, minutes] = pair.split('=').map((x) => x?.trim());
        const value = Number(minutes);
        if (!category || !(CATEGORIES as readonly string[]).includes(category) || !Number.isFinite(value) || value <= 0 || value > 7 * 24 * 60) {
          ctx.addIssue({
            code: 'custom',
            message: `"${pair}" is not category=minutes (categories: ${CATEGORIES.join(', ')}; minutes above 0, at most a week)`,
          });
          return z.NEVER;
        }
        out[category] = value;
      }
      return out as Record<Category, number>;
    }),
  /** Seconds between two judgements of a monitoring period. */
  MONITORING_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(DEFAULT_MONITORING_SETTINGS.intervalSeconds),
  /** Requests an interval needs before its error rate or latency is judged. */
  MONITORING_MIN_REQUESTS: z.coerce.number().int().min(1).default(DEFAULT_MONITORING_SETTINGS.minRequests),
  /** p95 latency SLA per component in ms (`API Server=10,Database=25`); others get 10 ms. */
  COMPONENT_SLA_MS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const out: Record<string, number> = {};
      for (const pair of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const at = pair.lastIndexOf('=');
        const value = Number(pair.slice(at + 1));
        if (at <= 0 || !Number.isFinite(value) || value <= 0) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not component=milliseconds` });
          return z.NEVER;
        }
        out[pair.slice(0, at).trim()] = value;
      }
      return out;
    }),
  /** A Prometheus-compatible HTTP API the monitoring flow queries each interval (Prometheus, Thanos, Mimir, VictoriaMetrics). */
  PROMETHEUS_URL: z.url().optional(),
  /**
   * Its instant queries per component and field, JSON:
   * `{"API Server":{"requests":"sum(increase(http_requests_total{job=\"api\"}[$window]))","errorRatePercent":"…","p95LatencyMs":"…"}}`;
   * `$window` stands for the interval (`60s`).
   */
  PROMETHEUS_QUERIES: jsonSetting(
    z.record(z.string().min(1), z.strictObject(Object.fromEntries(QUERY_FIELDS.map((f) => [f, z.string().min(1).optional()])))),
    '{"<component>": {"requests": "<PromQL>", "errorRatePercent": "<PromQL>", …}}',
    (issue) => `must map components to queries of ${QUERY_FIELDS.join(', ')}: ${issue.message}`,
  ).transform((q) => q as ComponentQueries | undefined),
  /**
   * CloudWatch metrics per component, JSON: `{"API Server":{"fields":{"requests":{"namespace":"AWS/ApplicationELB",
   * "metricName":"RequestCount","dimensions":{"LoadBalancer":"app/…"},"stat":"Sum"},"errorRatePercent":{"expression":
   * "100*e/r","metrics":{"e":{…},"r":{…}}}},"criticalAlarms":["payments-5xx"]}}`.
   */
  CLOUDWATCH_METRICS: jsonSetting(
    CloudWatchMetricsSchema,
    '{"<component>": {"fields": {"requests": {"namespace", "metricName", "stat"}, …}, "criticalAlarms": […]}}',
    (issue) => `must map components to CloudWatch metrics: ${issue.path.join('.')} ${issue.message}`.trim(),
  ),
  /** Minutes a requested rollback may go unreported before it is escalated. */
  ROLLBACK_REPORT_TIMEOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  /**
   * Webhook secrets, comma-separated, several at once while one is rotated (any one valid is
   * enough). Locally `npm start` generates what is unset into the data folder; in AWS they are the
   * JSON secret WEBHOOK_SECRETS_SECRET_ID (`{"github":"…","gitlab":"…","pagerduty":"…","ci":"whsec_…"}`).
   */
  GITHUB_WEBHOOK_SECRETS: secretList.optional(),
  GITLAB_WEBHOOK_TOKENS: secretList.optional(),
  PAGERDUTY_WEBHOOK_SECRETS: secretList.optional(),
  /** Standard Webhooks secrets: `whsec_` and the base64 of at least 24 random bytes. */
  CI_WEBHOOK_SECRETS: secretList
    .refine(
      (l) => l.every((s) => /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(s)),
      'must be Standard Webhooks secrets: whsec_ and at least 24 random bytes in base64',
    )
    .optional(),
  /** The Slack app's signing secret(s) (Basic Information → App Credentials): its interactivity requests are checked with it. */
  SLACK_SIGNING_SECRETS: secretList.optional(),
  WEBHOOK_SECRETS_SECRET_ID: z.string().min(1).optional(),
  /** Environment names that count as production when the provider does not say (GitHub's production_environment, GitLab's tier). */
  PRODUCTION_ENVIRONMENTS: list.default(['production', 'prod']).transform((l) => l.map((e) => e.toLowerCase())),
  /** A GitHub workflow whose name matches this (a regular expression, case-insensitive) deploys: its runs are deployments. */
  GITHUB_DEPLOY_WORKFLOWS: z
    .string()
    .default('deploy|release')
    .transform((text, ctx) => {
      try {
        return new RegExp(text, 'i');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be a regular expression: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  /** PagerDuty services and the components they cover: `PF9KMXH=API Server;Database,P2ABCDE=Frontend`. */
  PAGERDUTY_SERVICES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const out: Record<string, string[]> = {};
      for (const pair of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const at = pair.indexOf('=');
        const components = pair
          .slice(at + 1)
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean);
        if (at <= 0 || components.length === 0) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not <service id>=<component>;<component>` });
          return z.NEVER;
        }
        out[pair.slice(0, at).trim()] = components;
      }
      return out;
    }),
  /**
   * Slack incoming webhooks per stakeholder channel, JSON: `{"engineering": "https://hooks.slack.com/services/…",
   * "incidents": "…"}` (channels: engineering, product, support, leadership, incidents). In AWS the
   * URLs are secrets: OUTBOUND_SECRETS_SECRET_ID.
   */
  SLACK_WEBHOOKS: jsonSetting(
    z.partialRecord(z.enum(['engineering', 'product', 'support', 'leadership', 'incidents']), z.url()),
    '{"engineering": "https://hooks.slack.com/services/…", "incidents": "…"}',
    (issue) => `must map channels (engineering, product, support, leadership, incidents) to webhook URLs: ${issue.path.join('.')} ${issue.message}`.trim(),
  ),
  /**
   * The Slack app that asks approvers in Slack and takes their decisions (docs/webhooks.md "Slack"):
   * its bot token (`xoxb-…`, scopes chat:write, users:read, users:read.email). In AWS the JSON secret
   * SLACK_APP_SECRET_ID (`{"botToken": "xoxb-…"}`); the signing secret is the webhook secrets' "slack".
   */
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[bp]-[A-Za-z0-9-]{10,}$/, "must be the Slack app's bot token (xoxb-…)")
    .optional(),
  SLACK_APP_SECRET_ID: z.string().min(1).optional(),
  /** Slack's Web API (tests point it at a local server). */
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
  /**
   * The Jira/Linear mirror (docs/webhooks.md "The Jira/Linear mirror"), per team of the directory:
   * `{"payments": {"tracker": "jira", "project": "PAY"}, "platform": {"tracker": "linear", "team": "<Linear team id>"}}`.
   * A team not named is not mirrored.
   */
  TRACKER_MIRRORS: jsonSetting(
    z.record(
      z.string().min(1),
      z.union([
        z
          .object({
            tracker: z.literal('jira'),
            project: z.string().regex(/^[A-Z][A-Z0-9_]{0,9}$/, 'must be a Jira project key (CHG)'),
            issueType: z.string().min(1).max(60).optional(),
          })
          .strict(),
        z.object({ tracker: z.literal('linear'), team: z.string().min(1).max(100) }).strict(),
      ]),
    ),
    '{"payments": {"tracker": "jira", "project": "PAY"}, "platform": {"tracker": "linear", "team": "…"}}',
    (issue) =>
      `must map teams to {"tracker": "jira", "project": "KEY"} or {"tracker": "linear", "team": "<team id>"}: ${issue.path.join('.')} ${issue.message}`.trim(),
  ),
  /** Each state's status name in the tracker, where its workflow names them otherwise: `{"jira": {"approved": "Approved"}}`. */
  TRACKER_STATES: jsonSetting(
    z.partialRecord(z.enum(['jira', 'linear']), z.partialRecord(z.enum(STATES), z.string().min(1))),
    '{"jira": {"approved": "Approved", "in_progress": "Deploying"}}',
    (issue) => `must map jira and/or linear to {"<state>": "<status name>"}: ${issue.path.join('.')} ${issue.message}`.trim(),
  ),
  /** Jira Cloud (`https://<site>.atlassian.net`) and the account the mirror writes as; in AWS the token is `jira` of OUTBOUND_SECRETS. */
  JIRA_URL: z.url().optional(),
  JIRA_EMAIL: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, 'must be the email of the Jira account the mirror writes as')
    .optional(),
  JIRA_API_TOKEN: z.string().min(10).optional(),
  /** A Linear API key (in AWS `linearApiKey` of OUTBOUND_SECRETS) and Linear's GraphQL API (tests point it at a local server). */
  LINEAR_API_KEY: z.string().min(10).optional(),
  LINEAR_API_URL: z.url().default('https://api.linear.app/graphql'),
  /** The PagerDuty Events API v2 integration key that receives change events (a deployment, a rollback). */
  PAGERDUTY_ROUTING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{20,64}$/, 'must be an Events API v2 integration key (32 letters and digits)')
    .optional(),
  /** Where change events go (tests point it at a local receiver). */
  PAGERDUTY_EVENTS_URL: z.url().default('https://events.pagerduty.com/v2/change/enqueue'),
  /** In AWS: the secret with `{"slack": {"engineering": "…"}, "pagerDutyRoutingKey": "…"}`. */
  OUTBOUND_SECRETS_SECRET_ID: z.string().min(1).optional(),
  /** Subscriber URLs may be plain http (locally); in AWS only https is accepted. */
  OUTBOUND_ALLOW_HTTP: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * The GitHub App that answers deployment protection rules (docs/webhooks.md): its id and private
   * key (PEM; `\n` for line breaks in one line). In AWS the JSON secret GITHUB_APP_SECRET_ID
   * (`{"appId": "…", "privateKey": "-----BEGIN RSA PRIVATE KEY-----…"}`).
   */
  GITHUB_APP_ID: z
    .string()
    .regex(/^\d{1,12}$/, 'must be the GitHub App id (digits)')
    .optional(),
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    .transform((key) => key.replaceAll('\\n', '\n'))
    .refine((key) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(key), 'must be the PEM private key GitHub generated for the App')
    .optional(),
  GITHUB_APP_SECRET_ID: z.string().min(1).optional(),
  /** The GitHub API: https://api.github.com, or GitHub Enterprise Server's https://<host>/api/v3. */
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  /** Who receives the monthly report's email, comma-separated; without, the leadership address of STAKEHOLDER_EMAILS. */
  REPORT_RECIPIENTS: list.pipe(z.array(z.email({ error: 'must be email addresses' }))).optional(),
  /** In AWS: the S3 bucket of the monthly reports (versioned). Locally they are files under the data folder. */
  REPORTS_BUCKET: z.string().min(3).optional(),
  /** In AWS: the state machines and the event bus. */
  APPROVAL_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  EMERGENCY_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  MONITORING_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  /** DynamoDB endpoint override: set locally to DynamoDB Local; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});

export type Config = z.infer<typeof ConfigSchema> & {
  rules: { components: readonly string[]; timeZone: string; emergencyRoles: readonly Role[]; monitoring: MonitoringSettings };

  calendar: CalendarConfig;
  timers: ApprovalTimers;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])])})`);
    throw new ConfigError(`bad configuration: ${lines.join('; ')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    rules: {
      components: c.COMPONENTS,
      timeZone: c.ORG_TIMEZONE,
      emergencyRoles: c.EMERGENCY_ROLES,
      monitoring: {
        minutes: c.MONITORING_MINUTES,
        intervalSeconds: c.MONITORING_INTERVAL_SECONDS,
        slaMs: c.COMPONENT_SLA_MS,
        defaultSlaMs: DEFAULT_MONITORING_SETTINGS.defaultSlaMs,
        minRequests: c.MONITORING_MIN_REQUESTS,
      },
    },
    timers: { remindEveryHours: c.REMIND_EVERY_HOURS, escalateAfterHours: c.ESCALATE_AFTER_HOURS, expireAfterHours: c.EXPIRE_AFTER_HOURS },
    calendar: { timeZone: c.ORG_TIMEZONE, holidayCountry: c.HOLIDAY_COUNTRY, holidayRegion: c.HOLIDAY_REGION, fridayCutoff: c.FRIDAY_CUTOFF },
  };
}

/**
 * A function declared with a capability (workflows, events, mail, a secret) fails at cold start
 * when its setting is missing, naming it: nothing is silently switched off.
 */
export function requireSettings<K extends keyof Config>(config: Config, names: readonly K[], why: string): { [P in K]-?: NonNullable<Config[P]> } {
  const missing = names.filter((n) => config[n] === undefined || config[n] === '');
  if (missing.length) throw new ConfigError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set, and ${why}`);
  return Object.fromEntries(names.map((n) => [n, config[n]])) as { [P in K]-?: NonNullable<Config[P]> };
}
