/**
 * The Jira/Linear mirror (docs/webhooks.md "The Jira/Linear mirror"): a team that tracks its work
 * in Jira or Linear sees each of its change requests there as an issue, created when the change is
 * filed, its title, state and link kept in step with the change's domain events. One way only:
 * nothing done to the issue changes the change request (a decision is ChangeFlow's, under its
 * rules); the next event puts the issue back in the change's state.
 *
 * Pure: what an event asks of the issue. The outbound consumer (functions/outbound/mirror.ts) does
 * it, once per event, with the trackers' adapters.
 */
import { createHash } from 'node:crypto';
import type { ChangeRequest, State } from './change-request.js';
import { type DomainEvent, eventSeq } from './events.js';

export const TRACKERS = ['jira', 'linear'] as const;
export type Tracker = (typeof TRACKERS)[number];

/** Which tracker a team mirrors to, and where (TRACKER_MIRRORS). */
export type TeamMirror = { tracker: 'jira'; project: string; issueType?: string | undefined } | { tracker: 'linear'; team: string };

/** The issue a change is mirrored as. */
export interface IssueRef {
  id: string;
  /** Jira's `CHG-123`, Linear's `ENG-123`. */
  key: string;
  url: string;
}

/** What is kept of a change's mirror: its issue, and what the issue says now (for the next event to compare with). */
export interface MirrorLink {
  changeId: string;
  tracker: Tracker;
  issue: IssueRef;
  /** The audit seq of the last event mirrored: an older event delivered late changes nothing. */
  seq: number;
  state: State;
  title: string;
  updatedAt: string;
}

/** Each ChangeFlow state as the trackers' default workflows name their statuses (TRACKER_STATES overrides them). */
export const DEFAULT_STATUSES: Record<Tracker, Record<State, string>> = {
  // Jira's default workflow: To Do, In Progress, Done
  jira: {
    draft: 'To Do',
    submitted: 'To Do',
    pending_approval: 'To Do',
    approved: 'To Do',
    scheduled: 'To Do',
    in_progress: 'In Progress',
    monitoring: 'In Progress',
    rolling_back: 'In Progress',
    completed: 'Done',
    rolled_back: 'Done',
    failed: 'Done',
    rejected: 'Done',
    cancelled: 'Done',
  },
  // a Linear team's default states: Backlog, Todo, In Progress, In Review, Done, Canceled
  linear: {
    draft: 'Backlog',
    submitted: 'In Review',
    pending_approval: 'In Review',
    approved: 'Todo',
    scheduled: 'Todo',
    in_progress: 'In Progress',
    monitoring: 'In Progress',
    rolling_back: 'In Progress',
    completed: 'Done',
    rolled_back: 'Done',
    failed: 'Done',
    rejected: 'Canceled',
    cancelled: 'Canceled',
  },
};

export const issueTitle = (cr: Pick<ChangeRequest, 'id' | 'content'>) => `${cr.id} ${cr.content.title}`.slice(0, 250);

/** The issue's description: what the change is, and that ChangeFlow decides it. */
export function issueDescription(cr: Pick<ChangeRequest, 'id' | 'content' | 'riskLevel' | 'requestor'>, baseUrl: string): string[] {
  const w = cr.content.plannedWindow;
  return [
    `Change request ${cr.id}: ${baseUrl}/changes/${cr.id}`,
    `Category: ${cr.content.category}. Risk: ${cr.riskLevel ?? 'not assessed'}. Window: ${w ? `${w.start} – ${w.end}` : 'none yet'}. Requestor: ${cr.requestor.name}.`,
    (cr.content.description?.summary ?? '').slice(0, 2000),
    'Mirrored by ChangeFlow: approve, reject and move it there (its approvals follow the change-management process); this issue follows it.',
  ].filter(Boolean);
}

/** The comment an event adds to the issue: a decision or a move of the change, in words; nothing for the rest. */
export function mirrorComment(event: Pick<DomainEvent, 'type' | 'from' | 'to' | 'actor' | 'reason'>): string | undefined {
  const decided = ['ApprovalGiven', 'ChangeApproved', 'ChangeRejected', 'ChangePostApproved'].includes(event.type);
  if (!decided && (event.from === event.to || event.from === null)) return undefined;
  const moved = event.from !== event.to && event.from !== null ? `${event.from.replace('_', ' ')} → ${event.to.replace('_', ' ')}` : event.type;
  return `ChangeFlow: ${moved} by ${event.actor.name}${event.reason ? `: ${event.reason.slice(0, 500)}` : ''}`;
}

/**
 * What one event asks of the mirror: nothing if an event at least as recent was mirrored already;
 * else the issue created if there is none, then its title and status brought to the change's, and
 * the event's comment.
 */
export function mirrorPlan(
  event: Pick<DomainEvent, 'id' | 'type' | 'from' | 'to' | 'actor' | 'reason'> & { change: Pick<ChangeRequest, 'id' | 'content' | 'state'> },
  link: MirrorLink | null,
  statuses: Record<State, string>,
): { skip: true } | { skip: false; create: boolean; status: string; title?: string | undefined; comment?: string | undefined } {
  const seq = eventSeq(event.id);
  if (link && seq <= link.seq) return { skip: true };
  const title = issueTitle(event.change);
  return {
    skip: false,
    create: !link,
    // every time: an issue moved by hand in the tracker goes back to the change's state
    status: statuses[event.change.state],
    title: link && link.title !== title ? title : undefined,
    comment: mirrorComment(event),
  };
}

/** Linear takes the new issue's id from the client: one UUID per change, so that a retried create finds the issue it made. */
export function linearIssueId(changeId: string): string {
  const h = createHash('sha256').update(`changeflow:${changeId}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
