/**
 * The HTTP API, route by route, and which handler entry serves each. One table for both runtimes:
 * the CDK stack creates a route and a function per entry from it, and the local server dispatches
 * with it, so what runs locally is what deploys.
 */
import type { WorkflowName } from './ports.js';

/**
 * The Step Functions calls a function's code makes (functions/use-cases/changes.ts `afterTransition`
 * and `reviseChange`, approval-flow.ts `sweepApprovals`). Declarative only: the local runtime runs
 * the workflows in-process and ignores it; the stack grants exactly this, and gives a function with
 * any of it both state machine ARNs (APPROVAL_STATE_MACHINE_ARN, EMERGENCY_STATE_MACHINE_ARN: the
 * Step Functions adapter is built from the two together).
 */
export interface WorkflowAccess {
  /** Workflows whose executions the function starts: `states:StartExecution` on those state machines. */
  start?: WorkflowName[];
  /**
   * Workflows whose running executions the function stops: `states:StopExecution` and
   * `states:DescribeExecution` (to tell an execution that already ended) on their executions.
   */
  stop?: WorkflowName[];
  /**
   * Whether the function completes approval callback tasks with a decision
   * (`states:SendTaskSuccess` / `states:SendTaskFailure`). Only the decision handlers may.
   */
  decide?: boolean;
}

export interface RouteGroup {
  /** Construct id of the function in the stack and key of the local dispatcher. */
  name: string;
  /** Handler entry, relative to the repository root; it exports `handler`. */
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
   * Whether the function writes change requests. Every such write publishes its domain events, so
   * the stack gives it the event bus (EVENT_BUS_NAME) and `events:PutEvents` on that bus only.
   *
   * @default false
   */
  publishesEvents?: boolean;
  /**
   * The Step Functions calls the function makes (see WorkflowAccess).
   *
   * @default - none: no Step Functions permission and no state machine ARN
   */
  workflows?: WorkflowAccess;
  routes: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; public?: boolean }[];
}

export const ROUTE_GROUPS: RouteGroup[] = [
  {
    name: 'Meta',
    entry: 'functions/handlers/meta.ts',
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
    entry: 'functions/handlers/changes-read.ts',
    tableAccess: 'read',
    routes: [
      { method: 'GET', path: '/changes' },
      // `{id}` also matches `CR-….md`: the handler answers with Markdown then (HTTP API path
      // parameters must be whole segments, so `/changes/{id}.md` cannot be its own route).
      { method: 'GET', path: '/changes/{id}' },
    ],
  },
  {
    // Its own function: the calendar rules bring the holiday tables (~1.5 MB), which plain reads
    // of change requests should not load on a cold start.
    name: 'DeployGate',
    entry: 'functions/handlers/deploy-gate.ts',
    tableAccess: 'read',
    routes: [
      { method: 'GET', path: '/changes/{id}/gate' },
      { method: 'GET', path: '/changes/{id}/slots' },
    ],
  },
  {
    name: 'ApprovalLinks',
    entry: 'functions/handlers/approval-links.ts',
    tableAccess: 'read-write',
    publishesEvents: true,
    // POST decides: completes the slot's callback task (approve) or fails it (reject)
    workflows: { decide: true },
    routes: [
      // public at the gateway: the signed, expiring token in the link is the credential
      { method: 'GET', path: '/approvals/decide', public: true },
      { method: 'POST', path: '/approvals/decide', public: true },
    ],
  },
  {
    name: 'Calendar',
    entry: 'functions/handlers/calendar.ts',
    tableAccess: 'read-write',
    // DELETE /calendar/events/{id} removes the event's item
    tableDelete: true,
    routes: [
      { method: 'GET', path: '/calendar' },
      { method: 'GET', path: '/calendar/state' },
      // public at the gateway: calendar apps subscribe by URL; the handler checks the feed key
      { method: 'GET', path: '/calendar.ics', public: true },
      { method: 'POST', path: '/calendar/events' },
      { method: 'DELETE', path: '/calendar/events/{id}' },
    ],
  },
  {
    name: 'ChangesWrite',
    entry: 'functions/handlers/changes-write.ts',
    tableAccess: 'read-write',
    publishesEvents: true,
    // POST of an emergency change starts the emergency flow; PATCH (a new revision) stops the running approval
    workflows: { start: ['emergency'], stop: ['approval'] },
    routes: [
      { method: 'POST', path: '/changes' },
      { method: 'PATCH', path: '/changes/{id}' },
    ],
  },
  {
    name: 'ChangesTransition',
    entry: 'functions/handlers/changes-transition.ts',
    tableAccess: 'read-write',
    publishesEvents: true,
    // submit starts the approval flow, start of an emergency change the emergency flow; cancel stops
    // the approval; approve and reject complete or fail the slot's callback task
    workflows: { start: ['approval', 'emergency'], stop: ['approval'], decide: true },
    routes: [{ method: 'POST', path: '/changes/{id}/{action}' }],
  },
];
