/**
 * Ports: what the use cases need from the outside world. Each has an AWS adapter (DynamoDB) that
 * also serves locally against DynamoDB Local; tests may give fakes.
 */
import type { Measurement, Report, Sample } from './core/monitoring.js';
import type { AuditEntry, Category, ChangeRequest, Person, RiskLevel, Role, State } from './core/change-request.js';

export interface ChangeWithAudit {
  cr: ChangeRequest;
  audit: AuditEntry[];
}

export interface ListQuery {
  state?: State | undefined;
  category?: Category | undefined;
  /** Filters read off each item (a DynamoDB filter: a page may hold fewer than `limit` and still have a cursor). */
  risk?: RiskLevel | undefined;
  component?: string | undefined;
  team?: string | undefined;
  /** Lower-case words in the id or title. */
  q?: string | undefined;
  requestor?: string | undefined;
  /** Inclusive lower bound on creation time (ISO). */
  from?: string | undefined;
  /** Exclusive upper bound on creation time (ISO). */
  to?: string | undefined;
  limit: number;
  /** Where the previous page ended (`next` of that page). */
  after?: Record<string, string> | undefined;
}

export interface ListPage {
  items: ChangeRequest[];
  /** Where this page ended; absent on the last page. The API seals it into an opaque cursor (http/cursor.ts). */
  next?: Record<string, string> | undefined;
}

export interface ChangeStore {
  /** Atomically hands out the next number of a day's sequence (1, 2, …); never the same twice. */
  nextSequence(day: string): Promise<number>;
  /** Writes a new CR with its first audit entries; fails if the id exists. */
  create(cr: ChangeRequest, audit: AuditEntry[]): Promise<void>;
  get(id: string): Promise<ChangeWithAudit | null>;
  /**
   * Writes the next state of a CR and appends its audit entries in one transaction, only if the
   * stored version is still `expectedVersion`; otherwise throws VersionConflictError.
   */
  save(expectedVersion: number, next: ChangeRequest, audit: AuditEntry[]): Promise<void>;
  list(query: ListQuery): Promise<ListPage>;
  /** Deployed changes, oldest deployment first, `from`/`to` bounding the deployment time ([from, to)). */
  listDeployed(query: Pick<ListQuery, 'from' | 'to' | 'limit' | 'after'>): Promise<ListPage>;
  /** Changes whose last decision by a change board was taken in this meeting (its exact name). */
  decidedInMeeting(meeting: string): Promise<ChangeRequest[]>;
}

/** The evidence of monitoring periods (pushed samples and reports) and the measurements judged from it. */
export interface MonitoringStore {
  /** Keeps samples and reports as they were sent (POST /changes/{id}/metrics). */
  addEvidence(changeId: string, samples: Sample[], reports: Report[]): Promise<void>;
  /** Samples with `at` in `[from, to)`, and every report made before `to`. */
  evidence(changeId: string, from: string, to: string): Promise<{ samples: Sample[]; reports: Report[] }>;
  /** Keeps one interval's measurements; writing an interval already kept (a retried task) changes nothing. */
  saveInterval(changeId: string, index: number, measurements: Measurement[]): Promise<void>;
  /** Every measurement judged so far, oldest interval first. */
  measurements(changeId: string): Promise<Measurement[]>;
}

/** What a metrics provider said about one component over one interval. */
export interface SourceReading {
  sample?: Sample | undefined;
  /** The provider could not be read, in words (the interval is ERROR for the metrics it would have given). */
  error?: string | undefined;
  /** The queries as sent, `$window` resolved: kept with the measurement. */
  queries?: Record<string, string> | undefined;
}

/** A monitoring tool the flow reads each interval (Prometheus, CloudWatch), beside what is pushed. */
export interface MetricsSource {
  /** The components it has queries for. */
  components(): string[];
  read(component: string, window: { from: string; to: string }): Promise<SourceReading>;
}

export interface Directory {
  get(id: string): Promise<Person | null>;
  /** The person whose email this is (any case), or null: how a Slack user is known (by their verified email). */
  byEmail(email: string): Promise<Person | null>;
  withRole(role: Role): Promise<Person[]>;
  put(person: Person): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Runs the approval and emergency workflows: Step Functions in AWS, the same ASL in-process locally. */
/** Completes a workflow's callback tasks by their tokens: all a task state's own function may do. */
export interface TaskCallbacks {
  /** Completes a callback task. A token that is unknown, closed or timed out throws TaskClosedError. */
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface WorkflowEngine extends TaskCallbacks {
  /** Starts a Standard workflow execution; `name` makes the start idempotent. Returns the execution id (ARN in AWS). */
  start(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<string>;
  /** The id `start` gives (or gave) the execution of that name, so a CR need only keep the name. */
  executionIdOf(workflow: WorkflowName, name: string): string;
  /** Stops a running execution; stopping one that already ended is not an error. */
  stop(executionId: string, cause: string): Promise<void>;
  /** Whether an execution of that name was ever started (the reconciler starts the ones that were not). */
  exists(workflow: WorkflowName, name: string): Promise<boolean>;
}

export type WorkflowName = 'approval' | 'emergency' | 'monitoring';

/** Another run holds the claim on this key (Once.run): retry later. */
export class ClaimHeldError extends Error {
  override name = 'ClaimHeldError';
}

/** The callback task is gone: already decided, timed out, or its execution stopped. */
export class TaskClosedError extends Error {
  override name = 'TaskClosedError';
}

export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Where the notices sent about each change are recorded (core/communication.ts). */
export interface CommunicationLog {
  /** The notices sent about a change, oldest first. */
  of(changeId: string): Promise<import('./core/communication.js').CommunicationEntry[]>;
  record(changeId: string, entry: import('./core/communication.js').CommunicationEntry): Promise<void>;
  /** Every entry with its time in [from, to) (ISO, UTC), of every change: the monthly report's. */
  between(from: string, to: string): Promise<(import('./core/communication.js').CommunicationEntry & { changeId: string })[]>;
}

/** Sends email: SES v2 in AWS, SMTP to the local mail catcher locally. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/** A calendar event as stored: the core's CalendarEvent plus who declared it and when. */
export interface StoredCalendarEvent {
  id: string;
  kind: 'high-traffic' | 'maintenance-window' | 'blackout';
  title: string;
  start: string;
  end: string;
  rrule?: string | undefined;
  createdAt: string;
  createdBy: string;
}

export interface CalendarStore {
  /** Every declared event (a small set: one Query). */
  events(): Promise<StoredCalendarEvent[]>;
  putEvent(event: StoredCalendarEvent): Promise<void>;
  /** Deletes an event; false when there was none. */
  deleteEvent(id: string): Promise<boolean>;
  /** Committed changes (approved … monitoring) whose planned window overlaps [from, to). */
  committedChanges(from: string, to: string): Promise<ChangeRequest[]>;
}

/** Declared freezes (core/freezes.ts), beside the calendar's events. */
export interface FreezeStore {
  /** Every declared freeze, drafts and lifted ones included (a small set: one Query). */
  freezes(): Promise<Freeze[]>;
  getFreeze(id: string): Promise<Freeze | null>;
  /**
   * Writes a freeze: a new one (no `expectedVersion`; fails if the id exists) or the next version of
   * one, only if the stored version is still `expectedVersion` (else VersionConflictError). The
   * lists of changes it names are kept apart and never overwritten by it.
   */
  putFreeze(freeze: Freeze, expectedVersion?: number): Promise<void>;
  /** Adds or removes a change on a freeze's list (idempotent: a set); no freeze, no write. */
  markFreezeChange(id: string, list: 'heldChanges' | 'exceptionChanges', changeId: string, present: boolean): Promise<void>;
}

type Freeze = import('./core/freezes.js').Freeze;

/**
 * Runs a side effect at most once per key, even when the caller runs twice, late, or concurrently.
 * `ran` is false when it already happened (or is happening elsewhere right now).
 */
export interface Once {
  /**
   * Runs `effect` unless it already ran for this key (`{ ran: false }`). While another run holds the
   * key, throws ClaimHeldError: that run may still fail or have died, so the caller's delivery must
   * be retried (it then finds the effect done, or the claim released), never dropped.
   */
  run(scope: string, key: Record<string, unknown>, effect: () => Promise<void>): Promise<{ ran: boolean }>;
  /** In Lambda: a claim held by an invocation that died is released when its time would have run out. */
  registerLambdaContext?(context: import('aws-lambda').Context): void;
}

/**
 * The change calendar as the change use cases ask it: what it says about a planned window, what
 * the deploy gate says now, which blackouts are in force. Only the functions that apply calendar
 * rules are composed with one (adapters/calendar-service.ts), so only they load the holiday rules.
 */
export interface CalendarService {
  findings(
    change: { id: string; content: import('./core/change-request.js').ChangeContent },
    now: string,
  ): Promise<import('./core/calendar-findings.js').CalendarFindings | undefined>;
  gate(cr: ChangeRequest, at: string, revision?: number): Promise<import('./core/lifecycle.js').GateAnswer & { notes: string[] }>;
  blackoutsAt(at: string): Promise<import('./core/change-request.js').BlackoutRunThrough[]>;
}

/** Publishes domain events: EventBridge in AWS, an in-process bus locally. */
export interface EventPublisher {
  publish(events: import('./core/events.js').BusEvent[]): Promise<void>;
}

/** A webhook delivery as kept: what came, what it said, what ChangeFlow answered and did about it. */
export interface StoredDelivery {
  /** `<source>:<delivery id>`: the provider's id for the delivery, the same across its redeliveries. */
  key: string;
  source: import('./core/webhooks.js').WebhookSource;
  deliveryId: string;
  /** The provider's event name (`deployment_status`, `Deployment Hook`, `incident.triggered`, `deployed`). */
  event: string;
  receivedAt: string;
  summary: string;
  signal: import('./core/webhooks.js').Signal;
  changeId?: string | undefined;
  /** `accepted`: the work is queued; then what came of it. */
  status: 'accepted' | 'ignored' | 'processed' | 'refused' | 'unauthorized' | 'failed';
  outcome?: string | undefined;
  processedAt?: string | undefined;
  /** The first answer, given again to every redelivery. */
  answer: { status: number; body: Record<string, unknown> };
}

/** A production deployment that no approved change request covers (ServiceNow's "unauthorized change"). */
export interface UnauthorizedChange {
  /** The deployment it is: `<source>:<deployment>` (the delivery when the source names no deployment), so its several deliveries count once. */
  key: string;
  at: string;
  source: import('./core/webhooks.js').WebhookSource;
  delivery: string;
  environment: string;
  deployment?: string | undefined;
  commit?: string | undefined;
  url?: string | undefined;
  repository?: string | undefined;
  /** The change it named, if any, and why that change did not cover it. */
  changeId?: string | undefined;
  reasons: string[];
}

export interface DeliveryStore {
  /**
   * Keeps a delivery seen for the first time, with the event that carries its work (one
   * transaction): `{ recorded: false, first }` when the same delivery was kept before, so a
   * redelivery, even several at once, has one effect and gets the first answer.
   */
  record(delivery: StoredDelivery, event?: import('./core/events.js').ServiceEvent): Promise<{ recorded: true } | { recorded: false; first: StoredDelivery }>;
  get(key: string): Promise<StoredDelivery | null>;
  /** What came of a delivery's work. */
  finish(key: string, outcome: Pick<StoredDelivery, 'status' | 'outcome' | 'changeId' | 'processedAt'>): Promise<void>;
  /** The latest deliveries, newest first, from the day partitions (`days` back from `until`). */
  recent(query: { limit: number; until: string; days: number; source?: string | undefined }): Promise<StoredDelivery[]>;
  /** Keeps an unauthorized change once per deployment, with its event; false when it was kept before. */
  recordUnauthorized(record: UnauthorizedChange, event: import('./core/events.js').ServiceEvent): Promise<boolean>;
  /** The unauthorized changes of `[from, to)` (one month partition at a time). */
  unauthorized(from: string, to: string): Promise<UnauthorizedChange[]>;
  /** Remembers that an incident is linked to a change, so its resolution reaches the change. */
  linkIncident(incidentId: string, changeId: string, at: string): Promise<void>;
  /** The changes an incident is linked to. */
  incidentChanges(incidentId: string): Promise<string[]>;
}

/** An HTTP POST to another tool (Slack, PagerDuty, a subscriber): the status and the first KB of the answer; a network failure throws. */
export interface HttpPoster {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
}

/** An admin's registration of an endpoint that receives ChangeFlow's events, signed with Standard Webhooks. */
export interface Subscription {
  id: string;
  url: string;
  /** Event types, or `*` for every one. */
  events: string[];
  description?: string | undefined;
  createdAt: string;
  createdBy: string;
  /** The signing secret (`whsec_…`): shown once, at creation. */
  secret: string;
}

/** One event's delivery to one subscriber: what was sent, and what came of it. */
export interface SubscriptionDelivery {
  /** `<at>#<event id>`: the key to redeliver it by. */
  key: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  at: string;
  status: 'delivered' | 'failed' | 'retrying';
  attempts: number;
  httpStatus?: number | undefined;
  error?: string | undefined;
  lastAttemptAt: string;
  /** The signed body, as sent (to redeliver it). */
  body: string;
}

export interface SubscriptionStore {
  list(): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | null>;
  put(subscription: Subscription): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  /** Records an attempt (the first creates the record, later ones count up). */
  recordAttempt(delivery: Omit<SubscriptionDelivery, 'attempts'>): Promise<SubscriptionDelivery>;
  deliveries(subscriptionId: string, limit: number): Promise<SubscriptionDelivery[]>;
  delivery(subscriptionId: string, key: string): Promise<SubscriptionDelivery | null>;
}

/** What GitHub asked of a deployment protection rule: where to answer, for which job's environment. */
export interface ProtectionRequest {
  installationId: number;
  callbackUrl: string;
  environment: string;
  repository: string;
  repositoryId?: number | undefined;
  sha?: string | undefined;
}

/** A protection-rule request ChangeFlow has not answered yet: the change is not allowed now, and may be later. */
export interface PendingGate {
  /** The run's callback URL, environment and commit: GitHub asks once per job, and each is answered. */
  key: string;
  changeId: string;
  request: ProtectionRequest;
  delivery: string;
  requestedAt: string;
  /** Status reports posted so far (GitHub keeps 10 per deployment). */
  reports: number;
  lastComment?: string | undefined;
}

/** Answers GitHub's deployment protection rules as a GitHub App (`@octokit/app`). */
export interface GitHubDeployments {
  /** With `state`, the answer; without, a status report (the job keeps waiting). */
  review(request: ProtectionRequest, answer: { state?: 'approved' | 'rejected' | undefined; comment: string }): Promise<void>;
}

export interface GateStore {
  putGate(gate: PendingGate): Promise<void>;
  gatesOf(changeId: string): Promise<PendingGate[]>;
  removeGate(changeId: string, key: string): Promise<void>;
}

/** A report's file as written: its name in the month's folder, its media type, its text. */
export interface ReportFile {
  name: string;
  contentType: string;
  body: string;
}

/** Where monthly reports are kept: S3 in AWS (versioned), the data folder locally. */
export interface ReportStore {
  /**
   * Writes a month's files. Identical files are not written again (`unchanged`); changed ones
   * replace the current ones and the earlier version is kept (S3 versioning, or a dated folder).
   */
  put(period: string, files: ReportFile[]): Promise<{ unchanged: boolean }>;
  get(period: string, name: string): Promise<ReportFile | null>;
  /**
   * A short-lived URL to the file in the store itself (S3: presigned), for files a function's answer
   * could not carry; null when the file is not there. Stores without one (the data folder) omit it,
   * and the file is served from `get`.
   */
  downloadUrl?(period: string, name: string, seconds: number): Promise<string | null>;
  /** The periods with a report (months such as 2026-11, quarters such as 2026-Q4), newest first. */
  periods(): Promise<string[]>;
}

/** Events about no change request, written alone as outbox items (a report made): each id once. */
export interface ServiceEvents {
  /** False when an event of that id was written before. */
  publishOnce(event: import('./core/events.js').ServiceEvent): Promise<boolean>;
}

/**
 * A Slack app's Web API, as the approval messages and the decisions from Slack use it
 * (adapters/slack/slack-app.ts on @slack/web-api; a local HTTP server in Slack's shapes in tests).
 */
export interface SlackApp {
  /** `users.lookupByEmail`: the Slack user with this email, or null. */
  userByEmail(email: string): Promise<{ id: string } | null>;
  /** `users.info`: the user's email and whether Slack verified it (`is_email_confirmed`), or null. */
  userInfo(userId: string): Promise<{ email?: string | undefined; emailConfirmed: boolean; deleted: boolean; name?: string | undefined } | null>;
  /** `chat.postMessage`: to a channel, or to a user id (a direct message from the app). */
  postMessage(channel: string, message: import('./core/outbound.js').SlackMessage): Promise<{ channel: string; ts: string }>;
  /** `chat.update`: the message, in place. */
  updateMessage(channel: string, ts: string, message: import('./core/outbound.js').SlackMessage): Promise<void>;
  /** `chat.postEphemeral`: seen by this user only. */
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
  /** `views.open`: a dialog, within 3 s of the click that asked for it. */
  openView(triggerId: string, view: Record<string, unknown>): Promise<void>;
}

/**
 * An issue tracker a team mirrors its change requests to (adapters/trackers/: Jira Cloud's REST
 * API, Linear's GraphQL API). Throws TrackerError, `retry` saying whether trying later may help.
 */
export interface IssueTracker {
  readonly tracker: import('./core/tracker-mirror.js').Tracker;
  /** The issue already made for this change (a retried create finds it), or null. */
  find(changeId: string, where: import('./core/tracker-mirror.js').TeamMirror): Promise<import('./core/tracker-mirror.js').IssueRef | null>;
  create(
    input: { changeId: string; title: string; description: string[] },
    where: import('./core/tracker-mirror.js').TeamMirror,
  ): Promise<import('./core/tracker-mirror.js').IssueRef>;
  /** Moves the issue to the status of this name; false when the tracker has no way to it (the name is not in its workflow). */
  setStatus(issue: import('./core/tracker-mirror.js').IssueRef, status: string, where: import('./core/tracker-mirror.js').TeamMirror): Promise<boolean>;
  setTitle(issue: import('./core/tracker-mirror.js').IssueRef, title: string): Promise<void>;
  comment(issue: import('./core/tracker-mirror.js').IssueRef, text: string): Promise<void>;
}

/** A tracker's refusal or outage, in its words. */
export class TrackerError extends Error {
  override name = 'TrackerError';
  constructor(
    message: string,
    /** An outage, a rate limit, a timeout: the event is retried. Otherwise refused for good. */
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** Each change's mirror: its issue and what the issue says now. */
export interface MirrorStore {
  get(changeId: string): Promise<import('./core/tracker-mirror.js').MirrorLink | null>;
  /**
   * Claims the creation of the change's issue for one event: true for it alone (two events of a new
   * change delivered at once make one issue), and again for its own retries; a claim older than five
   * minutes, whose holder died, may be taken by another.
   */
  claim(changeId: string, eventId: string, now: Date): Promise<boolean>;
  /** Keeps the link, unless one of a later event is kept already (false then). */
  put(link: import('./core/tracker-mirror.js').MirrorLink): Promise<boolean>;
}
