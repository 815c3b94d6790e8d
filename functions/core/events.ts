/**
 * Domain events: every audit entry is one event, so each transition is published exactly as it is
 * recorded. The schema is versioned (`schemaVersion`) and documented in docs/events.md; consumers
 * match on `type`.
 */
import type { AuditEntry, ChangeRequest } from './change-request.js';

export const EVENT_SCHEMA_VERSION = '1';
export const EVENT_SOURCE = 'changeflow';

export interface DomainEvent {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  /** Unique and stable: `<changeId>#<audit seq>` — a consumer can drop a redelivery by it. */
  id: string;
  type: string;
  time: string;
  changeId: string;
  revision: number;
  category: ChangeRequest['content']['category'];
  from: AuditEntry['from'];
  to: AuditEntry['to'];
  actor: AuditEntry['actor'];
  reason?: string | undefined;
  /** What the entry is about as fields (the slot, the milestone, the items): consumers read these, not `reason`. */
  detail?: AuditEntry['detail'];
  /** The CR after the transition, so a consumer needs no read to act (e.g. to write an email). */
  change: ChangeRequest;
}

/** Audit action → event type. Actions whose type depends on the change are resolved in `eventType`. */
const TYPES: Record<string, string> = {
  create: 'ChangeCreated',
  edit: 'ChangeRevised',
  submit: 'ChangeSubmitted',
  'auto-approve': 'ChangeApproved',
  'await-approval': 'ChangePendingApproval',
  'request-approval': 'ApprovalRequested',
  remind: 'ApprovalReminder',
  escalate: 'ApprovalEscalated',
  expire: 'ChangeExpired',
  reject: 'ChangeRejected',
  cancel: 'ChangeCancelled',
  schedule: 'ChangeScheduled',
  deployed: 'ChangeDeployed',
  complete: 'ChangeCompleted',
  fail: 'ChangeFailed',
  rollback: 'ChangeRolledBack',
  'post-approve': 'ChangePostApproved',
  note: 'ChangeNoted',
  'post-approval-overdue': 'PostApprovalOverdue',
  'calendar-flag': 'ChangeCalendarFlagged',
  notice: 'TimelineNotice',
  'blackout-under-way': 'BlackoutUnderWay',
  checklist: 'ChecklistTicked',
  'rollback-requested': 'RollbackRequested',
  'rollback-overdue': 'RollbackOverdue',
  'baseline-unhealthy': 'BaselineUnhealthy',
  'monitoring-verdict': 'MonitoringVerdict',
  'unauthorized-deployment': 'UnauthorizedDeployment',
  'incident-linked': 'IncidentLinked',
  'incident-resolved': 'IncidentResolved',
  'incident-confirmed': 'IncidentConfirmed',
  'incident-dismissed': 'IncidentDismissed',
  verdict: 'MonitoringDecided',
  // freezes (core/freeze-decisions.ts)
  hold: 'ChangeHeld',
  release: 'ChangeReleased',
  'exception-requested': 'FreezeExceptionRequested',
  'exception-approved': 'FreezeExceptionApproved',
  'exception-rejected': 'FreezeExceptionRejected',
  'exception-reviewed': 'FreezeExceptionReviewed',
  'exception-review-due': 'FreezeExceptionReviewDue',
  'exception-review-overdue': 'FreezeExceptionReviewOverdue',
};

export function eventType(entry: AuditEntry, cr: ChangeRequest): string {
  if (entry.action === 'approve') return entry.to === 'approved' ? 'ChangeApproved' : 'ApprovalGiven';
  if (entry.action === 'start') return cr.content.category === 'emergency' ? 'EmergencyStarted' : 'ChangeStarted';
  if (entry.action === 'remind' && cr.postApproval && !cr.postApproval.approvedBy && cr.content.category === 'emergency') return 'PostApprovalReminder';
  return TYPES[entry.action] ?? `Change${entry.action.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;
}

/** The audit seq of a domain event (its id is `<changeId>#<seq>`): later events of a change have higher ones. */
export const eventSeq = (eventId: string): number => Number(eventId.slice(eventId.lastIndexOf('#') + 1));

export function toDomainEvents(cr: ChangeRequest, audit: AuditEntry[]): DomainEvent[] {
  return audit.map((entry) => ({
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: `${cr.id}#${entry.seq}`,
    type: eventType(entry, cr),
    time: entry.at,
    changeId: cr.id,
    revision: entry.revision,
    category: cr.content.category,
    from: entry.from,
    to: entry.to,
    actor: entry.actor,
    reason: entry.reason,
    ...(entry.detail ? { detail: entry.detail } : {}),
    change: eventView(cr),
  }));
}

/** Longest text an event carries per field: the full change is one GET away, and EventBridge takes 256 KB a request. */
export const EVENT_TEXT_LIMIT = 1000;

/**
 * The change as events carry it: callback task tokens removed (they stay inside the service) and
 * long free text cut to EVENT_TEXT_LIMIT characters.
 */
export function eventView(cr: ChangeRequest): ChangeRequest {
  const view = structuredClone(cr);
  if (view.approvalRequests) view.approvalRequests = view.approvalRequests.map(({ taskToken: _token, ...r }) => r);
  const trim = (value: unknown): unknown => {
    if (typeof value === 'string') return value.length > EVENT_TEXT_LIMIT ? `${value.slice(0, EVENT_TEXT_LIMIT - 1)}…` : value;
    if (Array.isArray(value)) return value.map(trim);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v)]));
    return value;
  };
  view.content = trim(view.content) as ChangeRequest['content'];
  return view;
}

/** Every event type the service publishes, for docs and for the stack's rules. */
export const EVENT_TYPES = [...new Set([...Object.values(TYPES), 'ApprovalGiven', 'EmergencyStarted', 'ChangeStarted', 'PostApprovalReminder'])].sort();

/**
 * An event about something that is not a change request's transition: a webhook delivery to
 * process, an unauthorized change with no change request behind it. It travels the same way (an
 * outbox item written with what it is about, the stream, the bus), and carries `changeId` only
 * when a change is named.
 */
export interface ServiceEvent {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  /** Unique and stable, e.g. `WH#github#<delivery id>`: consumers drop a redelivery by it. */
  id: string;
  type: (typeof SERVICE_EVENT_TYPES)[number];
  time: string;
  changeId?: string | undefined;
  detail: Record<string, unknown>;
}

export const SERVICE_EVENT_TYPES = ['WebhookReceived', 'UnauthorizedChange', 'MonthlyReportReady'] as const;

/** What the bus carries. */
export type BusEvent = DomainEvent | ServiceEvent;

export const isDomainEvent = (event: BusEvent): event is DomainEvent => 'change' in event;
