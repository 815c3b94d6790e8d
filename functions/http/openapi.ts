/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (zod's own
 * JSON Schema output; OpenAPI 3.1 speaks JSON Schema 2020-12). `ROUTE_DOCS` says, for every route of
 * the route table, what it takes (path and query parameters, bodies) and every answer it can give;
 * a test fails when a route, a parameter or an answer is missing.
 */
import * as z from 'zod';
import { CalendarQuerySchema, AgendaQuerySchema, StateQuerySchema, FeedQuerySchema, CalendarEventSchema, CalendarEventIdSchema } from './calendar-schemas.js';
import {
  FreezeExceptionDecisionSchema,
  FreezeExceptionSchema,
  FreezeIdSchema,
  FreezeListQuerySchema,
  FreezePatchSchema,
  FreezeReviewSchema,
  FreezeSchema,
  FreezeStepSchema,
} from './freeze-schemas.js';
import { ChangeContentSchema } from '../core/change-request.js';
import { ROUTE_GROUPS } from '../routes.js';
import { CiBodySchema, WEBHOOK_SOURCES } from '../core/webhooks.js';
import {
  ActionSchema,
  ChangeIdSchema,
  ErrorSchema,
  GateQuerySchema,
  LinkFormSchema,
  LinkQuerySchema,
  ListQuerySchema,
  MarkdownQuerySchema,
  PatchBodySchema,
  SlotsQuerySchema,
  TransitionBodySchema,
  MetricsBodySchema,
  NoteBodySchema,
  DeliveriesLimitSchema,
  RedeliverBodySchema,
  SubscriptionBodySchema,
  SubscriptionIdSchema,
  DoraQuerySchema,
  PeriodSchema,
  ReviewFileSchema,
  ReportFileSchema,
  MetricsQuerySchema,
  IncidentDecisionSchema,
  IncidentIdSchema,
} from './schemas.js';

type JsonSchema = Record<string, unknown>;

const schema = (s: z.ZodType): JsonSchema => {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `issues` names each field (and its template heading) and why',
  401: 'No bearer token, or one without a subject',
  403: 'Role missing, not in the directory, or separation of duties',
  404: 'No such change request, calendar event or action',
  409: 'Illegal transition, stale revision, or version conflict (`currentVersion`)',
  410: 'The approval link has expired',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Not allowed in this state yet: incomplete for submit (`issues` lists every missing field), a window that ended, or a start the deploy gate denies (`issues` gives each reason)',
};

export interface RouteDoc {
  summary: string;
  /** More than the summary says: rules a caller needs (OpenAPI's operation description). */
  description?: string;
  /** Path parameters' schemas, by name (every `{name}` of the path). */
  path?: Record<string, z.ZodType>;
  query?: z.ZodType;
  body?: { required: boolean; content: Record<string, z.ZodType | { type: 'string' }> };
  /** The success answer: status, what it is, its media type. */
  ok: { status: number; description: string; type?: string };
  /** Every error status the route can answer. */
  errors: number[];
}

const changeId = { id: ChangeIdSchema };
const markdown = { type: 'string' as const };
const JSON_TYPE = 'application/json';

/** What each route takes and answers; keyed by `METHOD /path` as in the route table. */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /health': { summary: 'Liveness', ok: { status: 200, description: 'OK' }, errors: [] },
  'GET /templates/change-request.md': {
    summary: "The seed's change request template, blank (Markdown)",
    ok: { status: 200, description: 'The template', type: 'text/markdown' },
    errors: [],
  },
  'GET /templates/emergency-change.md': {
    summary: "The seed's emergency change template, blank (Markdown)",
    ok: { status: 200, description: 'The template', type: 'text/markdown' },
    errors: [],
  },
  'GET /templates/risk-assessment.md': {
    summary: 'The risk assessment: likelihood, impact, the matrix, the levels and who approves at each (Markdown)',
    ok: { status: 200, description: 'The template', type: 'text/markdown' },
    errors: [],
  },
  'GET /templates/change-notification.md': {
    summary: 'What each notice of the communication timeline says, with placeholders (Markdown)',
    ok: { status: 200, description: 'The template', type: 'text/markdown' },
    errors: [],
  },
  'GET /openapi.json': { summary: 'This document', ok: { status: 200, description: 'OpenAPI 3.1' }, errors: [] },
  'GET /changes': {
    summary: 'List change requests, newest first, a page at a time',
    query: ListQuerySchema,
    ok: { status: 200, description: 'A page of change requests and the opaque cursor of the next (null on the last)' },
    errors: [400, 401],
  },
  'GET /changes/{id}': {
    summary: 'A change request with its audit trail, checklist and what the caller may do next; `CR-….md` gives it as Markdown',
    path: { id: z.string().regex(/^CR-\d{4}-\d{2}-\d{2}-\d{3,}(\.md)?$/, 'must be a change id, or one ending in .md') },
    query: MarkdownQuerySchema,
    ok: { status: 200, description: 'The change request (JSON), or its Markdown on the template it was filed on' },
    errors: [400, 401, 404],
  },
  'GET /changes/{id}/gate': {
    summary: 'The deploy gate: may this change deploy now (or at `at`)? allow or deny, with every reason',
    path: changeId,
    query: GateQuerySchema,
    ok: { status: 200, description: '{decision, reasons, notes}' },
    errors: [400, 401, 404],
  },
  'GET /changes/{id}/slots': {
    summary: 'The next free slots for this change, in its preferred windows',
    path: changeId,
    query: SlotsQuerySchema,
    ok: { status: 200, description: 'The slots, in UTC and local time' },
    errors: [400, 401, 404],
  },
  'GET /approvals/decide': {
    summary: 'An email link: a confirmation page that decides nothing',
    description:
      'A major change or one of high or critical risk (every change with LINK_SIGN_IN=always) answers 401 with a link to sign in to the console (`/#/decide?token=…`); with a bearer token of the person the link names it answers as usual, of anyone else 403. `Accept: application/json` answers `{outcome, title, message, changeId}` instead of a page.',
    query: LinkQuerySchema,
    ok: { status: 200, description: 'The confirmation page, or a page saying why the link cannot decide', type: 'text/html' },
    errors: [400, 401, 403, 409, 410],
  },
  'POST /approvals/decide': {
    summary: "The confirmation page's form: decides as the approver the link names",
    description:
      'A major change or one of high or critical risk decides only with the bearer token of the person the link names (401 without a sign-in, 403 signed in as anyone else). `Accept: application/json` answers `{outcome, title, message, changeId}` instead of the page.',
    body: { required: true, content: { 'application/x-www-form-urlencoded': LinkFormSchema } },
    ok: { status: 200, description: 'The outcome page', type: 'text/html' },
    errors: [400, 401, 403, 409, 410, 413],
  },
  'GET /calendar': {
    summary: 'Blackouts, maintenance windows, committed changes and conflicts in [from, to)',
    query: CalendarQuerySchema,
    ok: { status: 200, description: 'The calendar, local and UTC times' },
    errors: [400, 401],
  },
  'GET /calendar/state': {
    summary: 'Open or closed for changes at `at`, why, and when that next changes',
    query: StateQuerySchema,
    ok: { status: 200, description: 'The calendar state' },
    errors: [400, 401],
  },
  'GET /cab/agenda': {
    summary: 'The change board agenda: changes awaiting a decision, and medium risk or above due in [from, to) (seven days from now by default)',
    description:
      'Ordered by window, each with its risk and reasons, the approvals awaited and given, conflicts and blackouts, and the rollback plan. `meeting` adds the changes last decided in that meeting (for the minutes). Decide in the meeting with `POST /changes/{id}/approve` or `reject` and `meeting` in the body: the same rules as every channel.',
    query: AgendaQuerySchema,
    ok: { status: 200, description: 'The agenda' },
    errors: [400, 401],
  },
  'GET /cab/agenda.md': {
    summary: 'The same agenda as Markdown, for the minutes',
    query: AgendaQuerySchema,
    ok: { status: 200, description: 'The agenda in Markdown', type: 'text/markdown' },
    errors: [400, 401],
  },
  'GET /calendar.ics': {
    summary: 'The iCalendar feed of blackouts and committed changes; the key in the URL is the credential',
    query: FeedQuerySchema,
    ok: { status: 200, description: 'An iCalendar feed', type: 'text/calendar' },
    errors: [401, 404],
  },
  'POST /calendar/events': {
    summary: 'Admin: declare a high-traffic event, maintenance window or blackout, one-off or with an RRULE',
    body: { required: true, content: { [JSON_TYPE]: CalendarEventSchema } },
    ok: { status: 201, description: 'The event' },
    errors: [400, 401, 403, 413, 415],
  },
  'DELETE /calendar/events/{id}': {
    summary: 'Admin: remove a calendar event',
    path: { id: CalendarEventIdSchema },
    ok: { status: 204, description: 'Removed' },
    errors: [400, 401, 403, 404],
  },
  'GET /freezes': {
    summary: 'Declared freezes (drafts, enforced and lifted), by start',
    query: FreezeListQuerySchema,
    ok: { status: 200, description: 'The freezes, each with `inForce`' },
    errors: [400, 401],
  },
  'POST /freezes': {
    summary: 'Admin: declare a freeze as a draft: a window, an owner (who decides its exceptions), the components it covers (`["*"]` for all) and why',
    body: { required: true, content: { [JSON_TYPE]: FreezeSchema } },
    ok: { status: 201, description: 'The freeze, a draft: preview it with GET /freezes/{id}, then enforce it' },
    errors: [400, 401, 403, 413, 415],
  },
  'GET /freezes/{id}': {
    summary: 'A freeze, the planned and in-flight changes it hits (a preview while a draft), and its exceptions with their reviews',
    path: { id: FreezeIdSchema },
    ok: { status: 200, description: 'The freeze, `hits` and `exceptions`' },
    errors: [400, 401, 404],
  },
  'PATCH /freezes/{id}': {
    summary:
      'Admin: change a draft or enforced freeze (its window, scope, reason or owner); an enforced one holds and releases changes at once to match. `If-Match` with the version read guards against a lost update',
    path: { id: FreezeIdSchema },
    body: { required: true, content: { [JSON_TYPE]: FreezePatchSchema } },
    ok: { status: 200, description: 'The freeze, and for an enforced one the changes held and released' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /freezes/{id}/enforce': {
    summary: 'Admin: enforce a draft freeze: every change it hits goes on hold, and its requestor is told',
    path: { id: FreezeIdSchema },
    body: { required: false, content: { [JSON_TYPE]: FreezeStepSchema } },
    ok: { status: 200, description: 'The freeze, and the changes held (`failed` ones are retried by the blackout check)' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /freezes/{id}/lift': {
    summary: 'Admin: lift a freeze: every change it holds is released, and its requestor is told',
    path: { id: FreezeIdSchema },
    body: { required: false, content: { [JSON_TYPE]: FreezeStepSchema } },
    ok: { status: 200, description: 'The freeze, and the changes released' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /freezes/{id}/exceptions': {
    summary:
      "The change's requestor asks the freeze owner for an exception, with a reason of at least a sentence; it covers the change's window and components as they stand",
    path: { id: FreezeIdSchema },
    body: { required: true, content: { [JSON_TYPE]: FreezeExceptionSchema } },
    ok: { status: 201, description: 'The exception, requested' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /freezes/{id}/exceptions/{change}/decision': {
    summary:
      'The freeze owner approves or rejects (with a comment) an exception; never the requestor nor the person who asked. An approval releases the hold, and the gate and `start` name it',
    path: { id: FreezeIdSchema, change: ChangeIdSchema },
    body: { required: true, content: { [JSON_TYPE]: FreezeExceptionDecisionSchema } },
    ok: { status: 200, description: 'The exception, decided' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /freezes/{id}/exceptions/{change}/review': {
    summary: 'The freeze owner reviews an approved exception once its change is over (due within 24 hours)',
    path: { id: FreezeIdSchema, change: ChangeIdSchema },
    body: { required: true, content: { [JSON_TYPE]: FreezeReviewSchema } },
    ok: { status: 200, description: 'The exception, reviewed' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /changes': {
    summary: 'File a change request: JSON, or a seed template filled in (change request or emergency change, as text/markdown)',
    body: { required: true, content: { [JSON_TYPE]: ChangeContentSchema, 'text/markdown': markdown } },
    ok: { status: 201, description: 'Filed: id, state, risk level, required approvals, warnings (including parts of the template that were ignored)' },
    errors: [400, 401, 403, 413, 415, 422],
  },
  'PATCH /changes/{id}': {
    summary: 'Edit the content (JSON merge patch): a new revision, approvals and checklist ticks cleared',
    path: changeId,
    body: { required: true, content: { 'application/merge-patch+json': PatchBodySchema, [JSON_TYPE]: PatchBodySchema } },
    ok: { status: 200, description: 'The revised change request' },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
  },
  'GET /changes/{id}/monitoring': {
    summary:
      'The monitoring period: its criteria (rollback triggers and success criteria), every measurement per interval (PASS, BREACH, NO_DATA, LOW_VOLUME, ERROR) with its reason, the verdict and why',
    path: changeId,
    ok: { status: 200, description: 'The period as judged so far (monitoring is null before the deployment)' },
    errors: [400, 401, 404],
  },
  'POST /changes/{id}/metrics': {
    summary:
      'Evidence for the monitoring period from a pipeline, a monitoring tool or a person: samples per component (requests, error rate, p95 latency, database errors, critical alerts), smoke tests, and named criteria confirmed or fired. Judged as each interval ends',
    path: changeId,
    body: { required: true, content: { [JSON_TYPE]: MetricsBodySchema } },
    ok: { status: 202, description: 'Kept; the receipt says how many samples and reports, and the verdict so far' },
    errors: [400, 401, 404, 409, 413, 415],
  },
  'POST /changes/{id}/notes': {
    summary:
      'A note on the implementation record: an implementation note or an issue encountered (once approved), or the lessons learned (once closed, at least a sentence; closing takes them too, as `lessonsLearned`)',
    path: changeId,
    body: { required: true, content: { [JSON_TYPE]: NoteBodySchema } },
    ok: { status: 201, description: 'The change with its record and the note in its trail' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /webhooks/github': {
    summary:
      'GitHub deliveries (deployment, deployment_status, workflow_run, ping), signed with X-Hub-Signature-256 and deduplicated on X-GitHub-Delivery. A redelivery gets the first answer. docs/webhooks.md',
    body: { required: true, content: { [JSON_TYPE]: z.looseObject({}) } },
    ok: { status: 202, description: 'Kept; the work runs from the event bus (200 for an event ChangeFlow does not act on, kept as ignored)' },
    errors: [400, 401, 413],
  },
  'POST /webhooks/gitlab': {
    summary:
      'GitLab Deployment Hook and Pipeline Hook, with the X-Gitlab-Token; deduplicated on Idempotency-Key (else X-Gitlab-Event-UUID). Every other event is answered 200 and ignored, so GitLab does not disable the hook',
    body: { required: true, content: { [JSON_TYPE]: z.looseObject({}) } },
    ok: { status: 202, description: 'Kept; the work runs from the event bus (200 when ignored)' },
    errors: [400, 401, 413],
  },
  'POST /webhooks/pagerduty': {
    summary:
      'PagerDuty v3 webhooks (incident.triggered, incident.resolved), signed with X-PagerDuty-Signature (one v1= per active secret), deduplicated on X-Webhook-Id',
    body: { required: true, content: { [JSON_TYPE]: z.looseObject({}) } },
    ok: { status: 202, description: 'Kept; the work runs from the event bus (200 when ignored)' },
    errors: [400, 401, 413],
  },
  'POST /webhooks/ci': {
    summary:
      "Any CI: ChangeFlow's small deployment body, signed with Standard Webhooks (webhook-id, webhook-timestamp within 5 minutes, webhook-signature with a whsec_ secret)",
    body: { required: true, content: { [JSON_TYPE]: CiBodySchema } },
    ok: { status: 202, description: 'Kept; the work runs from the event bus' },
    errors: [400, 401, 413],
  },
  'POST /webhooks/slack': {
    summary:
      "The Slack app's interactivity: Approve and Reject on an approval message, and the reason dialog a rejection opens; signed with the app's signing secret (X-Slack-Signature v0, X-Slack-Request-Timestamp within 5 minutes)",
    description:
      'Form-encoded, its `payload` field the interaction (block_actions or view_submission). Answered at once with an empty 200 (a dialog with a reason too short gets its field error); the decision runs from the event bus under the same rules as every channel, and the message is updated in place.',
    body: { required: true, content: { 'application/x-www-form-urlencoded': z.object({ payload: z.string() }) } },
    ok: { status: 200, description: 'Taken (Slack wants a 200 within 3 s)' },
    errors: [400, 401, 413],
  },
  'GET /webhooks/unauthorized': {
    summary:
      'Unauthorized changes of [from, to) (default the last 30 days): production deployments no approved change covered, once per deployment, with the change they named and why it did not cover them',
    query: z.object({ from: z.string().optional(), to: z.string().optional() }),
    ok: { status: 200, description: '{from, to, count, items}' },
    errors: [400, 401, 403],
  },
  'GET /webhooks/deliveries': {
    summary: 'The latest webhook deliveries of the last 7 days, newest first, with what came of each (admins)',
    query: z.object({ limit: z.number().int().min(1).max(200).optional(), source: z.enum(WEBHOOK_SOURCES).optional() }),
    ok: {
      status: 200,
      description: 'Deliveries: source, id, event, summary, status (accepted, ignored, processed, refused, unauthorized, failed), outcome, the change',
    },
    errors: [400, 401, 403],
  },
  'POST /reports/{month}': {
    summary:
      "Make the month's report now (admins): the seed's Markdown, JSON with every figure's n and ids, CSV of the changes, HTML with charts, DORA per service. The same the 1st of each month makes for the month before; regenerating keeps the earlier version. A quarter (2026-Q4) makes its quarterly review: success-rate trend, root causes, standard-catalogue candidates, the automation goals",
    path: { month: PeriodSchema },
    body: { required: false, content: { [JSON_TYPE]: z.object({}).strict() } },
    ok: { status: 201, description: 'Written (200 when nothing changed since the last one): the files and the summary' },
    errors: [400, 401, 403],
  },
  'GET /metrics': {
    summary:
      "The report's figures (docs/reports.md) over [from, to) (default the last 30 days, at most 400), overall and by week, month, team, category or component: changes, success and rollback rates, time to deploy and approval wait (mean, p50, p90), emergency share, post-approvals overdue, changes in blackouts, incidents (confirmed and suggested), unauthorized changes; each with its n. ids=true adds the ids behind each figure",
    query: MetricsQuerySchema,
    ok: { status: 200, description: '{from, to, groupBy, definitionsVersion, overall, groups}' },
    errors: [400, 401],
  },
  'GET /metrics/dora': {
    summary:
      "DORA's five metrics per service in production (docs/reports.md): deployment frequency, change lead time (first commit → deployed; approval wait beside it), change fail rate and failed deployment recovery time (confirmed, and with suggested incidents), deployment rework rate; over the last 30 days or a calendar month; each with its n. Never one number across services. ids=true adds the deployments behind each figure",
    query: DoraQuerySchema,
    ok: { status: 200, description: '{definitionsVersion, from, to, label, environment, services}' },
    errors: [400, 401, 404],
  },
  'GET /report-links/{token}': {
    summary:
      "A report email's signed link (no sign-in): the one file it names while it is in date; in AWS a redirect to a presigned URL of five minutes. Words, not JSON, when it is not a link ChangeFlow made (400) or has expired (410)",
    path: { token: z.string().max(1000) },
    ok: { status: 200, description: 'The file (AWS: 302 to it)', type: 'text/html' },
    errors: [400, 404, 410],
  },
  'GET /reports': {
    summary: 'The months with a report and the quarters with a review, newest first',
    ok: { status: 200, description: '{months, quarters}' },
    errors: [401],
  },
  'GET /reports/{month}/{file}': {
    summary:
      "One file of a month's report (report.md, report.json, changes.csv, report.html) or of a quarter's review (2026-Q4: review.md, review.json, review.html)",
    path: { month: PeriodSchema, file: z.union([ReportFileSchema, ReviewFileSchema]) },
    ok: { status: 200, description: 'The file, in its media type', type: 'text/markdown' },
    errors: [400, 401, 404],
  },
  'POST /subscriptions': {
    summary:
      "Register an endpoint for ChangeFlow's events (admins): the event types, or * for all. Each event is POSTed as {type, timestamp, data}, signed with Standard Webhooks; the answer carries the signing secret, shown this once",
    body: { required: true, content: { [JSON_TYPE]: SubscriptionBodySchema } },
    ok: { status: 201, description: 'The subscription with its secret (whsec_…)' },
    errors: [400, 401, 403, 413, 415],
  },
  'GET /subscriptions': {
    summary: 'The webhook subscriptions, without their secrets (admins)',
    ok: { status: 200, description: 'The subscriptions' },
    errors: [401, 403],
  },
  'DELETE /subscriptions/{id}': {
    summary: 'Remove a webhook subscription (admins)',
    path: { id: SubscriptionIdSchema },
    ok: { status: 204, description: 'Removed' },
    errors: [400, 401, 403, 404],
  },
  'GET /subscriptions/{id}/deliveries': {
    summary: "A subscription's latest deliveries, newest first: event, status (delivered, retrying, failed), attempts, the last HTTP status and error (admins)",
    path: { id: SubscriptionIdSchema },
    query: DeliveriesLimitSchema,
    ok: { status: 200, description: 'The deliveries' },
    errors: [400, 401, 403, 404],
  },
  'POST /subscriptions/{id}/redeliver': {
    summary: 'Send one delivery again now, signed afresh (the delivery key from the list)',
    path: { id: SubscriptionIdSchema },
    body: { required: true, content: { [JSON_TYPE]: RedeliverBodySchema } },
    ok: { status: 200, description: 'The delivery after the attempt: delivered, retrying or failed, with the HTTP status' },
    errors: [400, 401, 403, 404, 413, 415],
  },
  'POST /changes/{id}/incidents/{incident}': {
    summary:
      'Confirm or dismiss an incident suggested as caused by the change (a PagerDuty incident during its monitoring period on a service it touches), with a reason: the requestor, on-call, an approver or an admin. The reports count a confirmed one as confirmed and a dismissed one not at all',
    path: { id: ChangeIdSchema, incident: IncidentIdSchema },
    body: { required: true, content: { [JSON_TYPE]: IncidentDecisionSchema } },
    ok: { status: 200, description: 'The change, its incident decided' },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  'POST /changes/{id}/{action}': {
    summary:
      'A guarded transition from the lifecycle table: submit, approve, reject, cancel, schedule, start, deployed, complete, verdict (pass, fail, extend or acknowledge the monitoring period), rollback, fail, checklist. approve and reject name the revision (body) or version (If-Match) they were decided on',
    path: { ...changeId, action: ActionSchema },
    body: { required: false, content: { [JSON_TYPE]: TransitionBodySchema } },
    ok: { status: 200, description: 'The change request after the transition' },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
  },
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const group of ROUTE_GROUPS) {
    for (const route of group.routes) {
      const key = `${route.method} ${route.path}`;
      const doc = ROUTE_DOCS[key];
      if (!doc) throw new Error(`${key} is in the route table but not in ROUTE_DOCS (functions/http/openapi.ts)`);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1]!,
        in: 'path',
        required: true,
        schema: doc.path?.[m[1]!] ? schema(doc.path[m[1]!]!) : { type: 'string' },
      }));
      const queryProps = doc.query ? ((schema(doc.query).properties ?? {}) as Record<string, JsonSchema>) : {};
      const required = doc.query ? ((schema(doc.query).required ?? []) as string[]) : [];
      const queryParams = Object.entries(queryProps).map(([name, s]) => ({ name, in: 'query', required: required.includes(name), schema: s }));
      const headers =
        route.path === '/changes/{id}' || route.path === '/changes/{id}/{action}'
          ? [
              {
                name: 'If-Match',
                in: 'header',
                required: false,
                description: 'The version you read: the write happens only if it is still current',
                schema: { type: 'string' },
              },
            ]
          : [];
      paths[route.path] ??= {};
      paths[route.path]![route.method.toLowerCase()] = {
        summary: doc.summary,
        ...(doc.description ? { description: doc.description } : {}),
        operationId: operationId(key),
        parameters: [...pathParams, ...queryParams, ...(route.method === 'GET' ? [] : headers)],
        ...(doc.body
          ? {
              requestBody: {
                required: doc.body.required,
                content: Object.fromEntries(Object.entries(doc.body.content).map(([type, s]) => [type, { schema: s instanceof z.ZodType ? schema(s) : s }])),
              },
            }
          : {}),
        responses: {
          [doc.ok.status]: { description: doc.ok.description, ...(doc.ok.status === 204 ? {} : { content: { [doc.ok.type ?? JSON_TYPE]: {} } }) },
          ...Object.fromEntries(doc.errors.map((c) => [String(c), { description: ERROR_TEXT[c], content: { [JSON_TYPE]: { schema: ref('Error') } } }])),
        },
        security: route.public ? [] : [{ bearer: [] }],
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ChangeFlow', version: '0.2.0', description: 'Change management: the written process, enforced.' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: schema(ErrorSchema) },
    },
  };
}

function operationId(key: string): string {
  return key
    .replace(/[{}]/g, '')
    .split(/[\s/.-]+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
}
