/**
 * Where a change was decided: read by the change store for its meeting index, so it imports
 * nothing (every function that writes a change loads it).
 */
import type { ChangeRequest } from './change-request.js';

/** The last meeting the change was decided in, and when (any revision): what the meeting index keeps. */
export function lastMeetingDecision(cr: ChangeRequest): { meeting: string; at: string } | undefined {
  const all = [
    ...cr.approvals.map((a) => ({ meeting: a.meeting, at: a.at })),
    { meeting: cr.rejection?.meeting, at: cr.rejection?.at ?? '' },
    { meeting: cr.postApproval?.meeting, at: cr.postApproval?.approvedAt ?? '' },
  ].filter((d): d is { meeting: string; at: string } => Boolean(d.meeting && d.at));
  return all.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
}
