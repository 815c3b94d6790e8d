/**
 * The decisions taken on a change — approvals, a rejection, a post-approval — in one list, with
 * where each was taken. Read by the change store for its meeting index, so it imports nothing
 * (every function that writes a change loads it), and by the change board's agenda.
 */
import type { ApproverRole, ChangeRequest, DecisionChannel } from './change-request.js';

export interface Decided {
  decision: 'approved' | 'rejected' | 'post-approved';
  by: string;
  name: string;
  at: string;
  /** The revision it was taken on (a post-approval: the current one). */
  revision: number;
  slot?: ApproverRole | undefined;
  comment?: string | undefined;
  /** Where (absent on decisions recorded before channels were kept: the API). */
  channel: DecisionChannel;
  meeting?: string | undefined;
}

/** Every decision on the change, any revision, oldest first. */
export function allDecisions(cr: Pick<ChangeRequest, 'approvals' | 'rejection' | 'postApproval' | 'revision'>): Decided[] {
  const out: Decided[] = cr.approvals.map((a) => ({
    decision: 'approved',
    by: a.by,
    name: a.name,
    at: a.at,
    revision: a.revision,
    slot: a.slot,
    comment: a.comment,
    channel: a.channel ?? 'api',
    meeting: a.meeting,
  }));
  const r = cr.rejection;
  if (r) out.push({ decision: 'rejected', by: r.by, name: r.name, at: r.at, revision: r.revision, comment: r.comment, channel: r.channel, meeting: r.meeting });
  const pa = cr.postApproval;
  if (pa?.approvedBy && pa.approvedAt) {
    out.push({
      decision: 'post-approved',
      by: pa.approvedBy,
      name: pa.approvedByName ?? pa.approvedBy,
      at: pa.approvedAt,
      revision: cr.revision,
      slot: pa.minRole,
      comment: pa.comment,
      channel: pa.channel ?? 'api',
      meeting: pa.meeting,
    });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** The last meeting the change was decided in, and when (any revision): what the meeting index keeps. */
export function lastMeetingDecision(cr: ChangeRequest): { meeting: string; at: string } | undefined {
  const last = allDecisions(cr)
    .filter((d) => d.meeting)
    .at(-1);
  return last ? { meeting: last.meeting!, at: last.at } : undefined;
}
