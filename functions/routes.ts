/**
 * The HTTP API, route by route, and which Lambda entry serves each. One table for both runtimes:
 * the CDK stack creates a route and a function per entry from it, and the local server dispatches
 * with it, so what runs locally is what deploys.
 */
import type { WorkflowName } from './ports.js';

/**
 * The Step Functions calls a function makes. Declarative only: the local runtime runs the workflows
 * in-process and ignores it; the stack grants exactly this, and gives a function that starts or
 * stops executions both state machine ARNs (APPROVAL_STATE_MACHINE_ARN, EMERGENCY_STATE_MACHINE_ARN:
 * the Step Functions adapter is built from the two together). No request handler makes any: the
 * workflows follow the domain events (functions/use-cases/workflow-driver.ts).
 */
export interface WorkflowAccess {
  /** Workflows whose executions the function starts (`states:StartExecution`) and looks up (`states:DescribeExecution`). */
  start?: WorkflowName[];
  /**
   * Workflows whose running executions the function stops: `states:StopExecution` and
   * `states:DescribeExecution` (to tell an execution that already ended) on their executions.
   */
  stop?: WorkflowName[];
  /** Whether the function completes callback tasks (`states:SendTaskSuccess` / `states:SendTaskFailure`). */
  decide?: boolean;
}

/** The keys a function may read (lib/constructs/keys.ts): each a secret in AWS, a setting locally. */
export type KeyName = 'calendar-feed' | 'approval-link' | 'list-cursor' | 'webhook-secrets';

export interface RouteGroup {
  /** Construct id of the function in the stack and key of the local dispatcher. */
  name: string;
  /**
   * Lambda entry, relative to the repository root: the composition root under functions/lambda/
   * that builds this group's adapters from the configuration and exports `handler`.
   */
  entry: string;
  /** What the function may do with the table: least privilege per function. */
  tableAccess: 'none' | 'read' | 'read-write';
  /**
   * Whether the function may also delete items (`dynamodb:DeleteItem`). Only a group whose routes
   * remove items needs it; every other function is refused deletes.
   *
   * @default false
   */
  tableDelete?: boolean;
  /**
   * The keys the function reads.
   *
   * @default - none
   */
  keys?: KeyName[];
  /**
   * Whether the function reads the monthly reports (`read`) or also writes them (`read-write`).
   *
   * @default - none
   */
  reports?: 'read' | 'read-write';
  /**
   * Whether the function calls the Slack app's Web API when the stack has one (integrations.slackApp):
   * it then reads the app's credentials (SLACK_APP_SECRET_ID).
   *
   * @default false
   */
  slackApp?: boolean;
  routes: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; public?: boolean }[];
}

export const ROUTE_GROUPS: RouteGroup[] = [
  {
    name: 'Meta',
    entry: 'functions/lambda/meta.ts',
    tableAccess: 'none',
    routes: [
      { method: 'GET', path: '/health', public: true },
      { method: 'GET', path: '/templates/change-request.md', public: true },
      { method: 'GET', path: '/templates/emergency-change.md', public: true },
      { method: 'GET', path: '/templates/risk-assessment.md', public: true },
      { method: 'GET', path: '/templates/change-notification.md', public: true },
      { method: 'GET', path: '/openapi.json', public: true },
    ],
  },
  {
    name: 'ChangesRead',
    entry: 'functions/lambda/changes-read.ts',
    tableAccess: 'read',
    // the list's cursors are sealed (functions/http/cursor.ts)
    keys: ['list-cursor'],
    routes: [
      { method: 'GET', path: '/changes' },
      // `{id}` also matches `CR-….md`: the handler answers with Markdown then (HTTP API path
      // parameters must be whole segments, so `/changes/{id}.md` cannot be its own route).
      { method: 'GET', path: '/changes/{id}' },
      // the monitoring period: its criteria, measurements and verdict
      { method: 'GET', path: '/changes/{id}/monitoring' },
    ],
  },
  {
    // Its own function: the calendar rules bring the holiday tables (~1.5 MB), which plain reads
    // of change requests should not load on a cold start.
    name: 'DeployGate',
    entry: 'functions/lambda/deploy-gate.ts',
    tableAccess: 'read',
    routes: [
      { method: 'GET', path: '/changes/{id}/gate' },
      { method: 'GET', path: '/changes/{id}/slots' },
    ],
  },
  {
    name: 'ApprovalLinks',
    entry: 'functions/lambda/approval-links.ts',
    tableAccess: 'read-write',
    keys: ['approval-link'],
    routes: [
      // public at the gateway: the signed, expiring token in the link is the credential
      { method: 'GET', path: '/approvals/decide', public: true },
      { method: 'POST', path: '/approvals/decide', public: true },
    ],
  },
  {
    name: 'Calendar',
    entry: 'functions/lambda/calendar.ts',
    tableAccess: 'read-write',
    // DELETE /calendar/events/{id} removes the event's item
    tableDelete: true,
    // GET /calendar.ics compares the feed key in the URL with it
    keys: ['calendar-feed'],
    routes: [
      { method: 'GET', path: '/calendar' },
      { method: 'GET', path: '/calendar/state' },
      // the change board's agenda (JSON, and Markdown for the minutes): the calendar's findings for each change on it
      { method: 'GET', path: '/cab/agenda' },
      { method: 'GET', path: '/cab/agenda.md' },
      // public at the gateway: calendar apps subscribe by URL; the handler checks the feed key
      { method: 'GET', path: '/calendar.ics', public: true },
      { method: 'POST', path: '/calendar/events' },
      { method: 'DELETE', path: '/calendar/events/{id}' },
    ],
  },
  {
    // Freezes (core/freezes.ts): declared, enforced and lifted by admins, exceptions asked and
    // decided on the changes they hold. Its own function: holding a change writes it under the
    // lifecycle's rules, which the Calendar function's reads should not load.
    name: 'Freezes',
    entry: 'functions/lambda/freezes.ts',
    tableAccess: 'read-write',
    routes: [
      { method: 'GET', path: '/freezes' },
      { method: 'POST', path: '/freezes' },
      { method: 'GET', path: '/freezes/{id}' },
      { method: 'PATCH', path: '/freezes/{id}' },
      { method: 'POST', path: '/freezes/{id}/enforce' },
      { method: 'POST', path: '/freezes/{id}/lift' },
      { method: 'POST', path: '/freezes/{id}/exceptions' },
      { method: 'POST', path: '/freezes/{id}/exceptions/{change}/decision' },
      { method: 'POST', path: '/freezes/{id}/exceptions/{change}/review' },
    ],
  },
  {
    // Pipelines and PagerDuty: verify, deduplicate, keep, answer 202; the work runs from the bus
    // (WebhookProcessor), so the answer never waits on it.
    name: 'Webhooks',
    entry: 'functions/lambda/webhooks.ts',
    tableAccess: 'read-write',
    keys: ['webhook-secrets'],
    // Slack's Reject opens the reason dialog from here, within the 3 s of its trigger
    slackApp: true,
    routes: [
      // public at the gateway: the signature over the body is the credential (docs/webhooks.md)
      { method: 'POST', path: '/webhooks/github', public: true },
      { method: 'POST', path: '/webhooks/gitlab', public: true },
      { method: 'POST', path: '/webhooks/pagerduty', public: true },
      { method: 'POST', path: '/webhooks/ci', public: true },
      // the Slack app's interactivity request URL: Slack's signing secret over the body is the credential
      { method: 'POST', path: '/webhooks/slack', public: true },
      { method: 'GET', path: '/webhooks/deliveries' },
      // production deployments no approved change covered, for the reports (ServiceNow's headline KPI)
      { method: 'GET', path: '/webhooks/unauthorized' },
    ],
  },
  {
    // Where ChangeFlow's events go out to, signed (docs/webhooks.md, "Out"): admins only
    name: 'Subscriptions',
    entry: 'functions/lambda/subscriptions.ts',
    tableAccess: 'read-write',
    // DELETE /subscriptions/{id} removes the subscription's item
    tableDelete: true,
    routes: [
      { method: 'POST', path: '/subscriptions' },
      { method: 'GET', path: '/subscriptions' },
      { method: 'DELETE', path: '/subscriptions/{id}' },
      { method: 'GET', path: '/subscriptions/{id}/deliveries' },
      { method: 'POST', path: '/subscriptions/{id}/redeliver' },
    ],
  },
  {
    // The monthly report (docs/reports.md): the files in S3 (REPORTS_BUCKET), locally in the data folder
    name: 'Reports',
    entry: 'functions/lambda/reports.ts',
    tableAccess: 'read',
    reports: 'read-write',
    // GET /report-links/{token} verifies the signed links of the report's email
    keys: ['approval-link'],
    routes: [
      // public at the gateway: the signed, expiring token in the emailed link is the credential
      { method: 'GET', path: '/report-links/{token}', public: true },
      { method: 'POST', path: '/reports/{month}' },
      { method: 'GET', path: '/reports' },
      { method: 'GET', path: '/reports/{month}/{file}' },
      // the same figures over any period, grouped, drillable to the changes behind them
      { method: 'GET', path: '/metrics' },
      // DORA's five metrics per service, rolling 30 days or a calendar month
      { method: 'GET', path: '/metrics/dora' },
    ],
  },
  {
    name: 'ChangesWrite',
    entry: 'functions/lambda/changes-write.ts',
    tableAccess: 'read-write',
    routes: [
      { method: 'POST', path: '/changes' },
      { method: 'PATCH', path: '/changes/{id}' },
    ],
  },
  {
    name: 'ChangesTransition',
    entry: 'functions/lambda/changes-transition.ts',
    tableAccess: 'read-write',
    routes: [
      // evidence for the monitoring period (samples, smoke tests, people's confirmations)
      { method: 'POST', path: '/changes/{id}/metrics' },
      // the implementation record: implementation notes, issues encountered, lessons learned
      { method: 'POST', path: '/changes/{id}/notes' },
      // a person's word on an incident suggested as caused by the change (reports count it confirmed)
      { method: 'POST', path: '/changes/{id}/incidents/{incident}' },
      { method: 'POST', path: '/changes/{id}/{action}' },
    ],
  },
];
