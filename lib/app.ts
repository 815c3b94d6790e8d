/**
 * Builds the ChangeFlow CDK app from context: used by `bin/app.ts` and by the infra tests, so the
 * tests check the app exactly as `cdk synth` builds it (cdk-nag included).
 */
import { type App, RemovalPolicy, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChangeflowStack } from './changeflow-stack.js';

/**
 * Context keys the app reads (`-c key=value` or `cdk.json`). Unset keys fall back to the stack's
 * defaults (see ChangeflowStackProps).
 */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  jwtIssuer: 'jwtIssuer',
  /** One audience, or several separated by commas (a JSON array in cdk.json also works). */
  jwtAudience: 'jwtAudience',
  orgTimezone: 'orgTimezone',
  rolesClaim: 'rolesClaim',
  teamClaim: 'teamClaim',
  /** `retain` (default) or `destroy`: what deleting the stack does to the table. */
  tableRemovalPolicy: 'tableRemovalPolicy',
  /** ARN of an SNS topic the alarms notify. */
  alarmTopicArn: 'alarmTopicArn',
  /** From address of every email, `Name <address>` or an address; a verified SES identity. */
  mailFrom: 'mailFrom',
  /** SES identity (domain or address) the jobs may send as; the address of mailFrom by default. */
  sesIdentity: 'sesIdentity',
  /** SES configuration set for bounce and complaint events. */
  sesConfigurationSet: 'sesConfigurationSet',
  /** `channel=address` pairs separated by commas. */
  stakeholderEmails: 'stakeholderEmails',
  /** ISO 3166 country whose public holidays are blackouts. */
  holidayCountry: 'holidayCountry',
  /** Region of that country (date-holidays code) whose holidays also count. */
  holidayRegion: 'holidayRegion',
  /** HH:MM from which Friday is a blackout. */
  fridayCutoff: 'fridayCutoff',
  /** Name of the domain event bus; `changeflow` by default (give a second copy of the stack its own). */
  eventBusName: 'eventBusName',
  /** https URL the links in emails point to (a custom domain); the API's own URL by default. */
  publicBaseUrl: 'publicBaseUrl',
  /** Hours between reminders of a pending approval (24 by default). */
  remindEveryHours: 'remindEveryHours',
  /** Hours without a decision before a request escalates to the next role up (48 by default). */
  escalateAfterHours: 'escalateAfterHours',
  /** Hours after which a pending approval expires (168 by default). */
  expireAfterHours: 'expireAfterHours',
} as const;

export function buildChangeflowApp(app: App, env?: Environment): ChangeflowStack {
  const ctx = (key: string): string | undefined => {
    const v: unknown = app.node.tryGetContext(key);
    if (v === undefined || v === null || v === '') return undefined;
    if (Array.isArray(v)) return v.map(String).join(',');
    return String(v);
  };

  const hours = (key: string): number | undefined => {
    const v = ctx(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`context ${key} must be a positive number of hours, got ${JSON.stringify(v)}`);
    return n;
  };

  const removal = ctx(CONTEXT_KEYS.tableRemovalPolicy)?.toLowerCase();
  if (removal !== undefined && removal !== 'retain' && removal !== 'destroy') {
    throw new Error(`context tableRemovalPolicy must be retain or destroy, got ${JSON.stringify(removal)}`);
  }

  const stack = new ChangeflowStack(app, ctx(CONTEXT_KEYS.stackName) ?? 'ChangeFlow', {
    env,
    description: 'ChangeFlow: change management as a service (API, functions, scheduled jobs, workflows, event bus, table)',
    jwtIssuer: ctx(CONTEXT_KEYS.jwtIssuer),
    jwtAudience: ctx(CONTEXT_KEYS.jwtAudience)
      ?.split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    orgTimezone: ctx(CONTEXT_KEYS.orgTimezone),
    rolesClaim: ctx(CONTEXT_KEYS.rolesClaim),
    teamClaim: ctx(CONTEXT_KEYS.teamClaim),
    tableRemovalPolicy: removal === 'destroy' ? RemovalPolicy.DESTROY : removal === 'retain' ? RemovalPolicy.RETAIN : undefined,
    alarmTopicArn: ctx(CONTEXT_KEYS.alarmTopicArn),
    mailFrom: ctx(CONTEXT_KEYS.mailFrom),
    sesIdentity: ctx(CONTEXT_KEYS.sesIdentity),
    sesConfigurationSet: ctx(CONTEXT_KEYS.sesConfigurationSet),
    stakeholderEmails: ctx(CONTEXT_KEYS.stakeholderEmails),
    holidayCountry: ctx(CONTEXT_KEYS.holidayCountry),
    holidayRegion: ctx(CONTEXT_KEYS.holidayRegion),
    fridayCutoff: ctx(CONTEXT_KEYS.fridayCutoff),
    eventBusName: ctx(CONTEXT_KEYS.eventBusName),
    publicBaseUrl: ctx(CONTEXT_KEYS.publicBaseUrl),
    remindEveryHours: hours(CONTEXT_KEYS.remindEveryHours),
    escalateAfterHours: hours(CONTEXT_KEYS.escalateAfterHours),
    expireAfterHours: hours(CONTEXT_KEYS.expireAfterHours),
  });

  // AWS Solutions checks: any unacknowledged error stops the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
