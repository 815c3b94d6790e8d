/**
 * The communication timeline (seed: "Communication Timeline"): which notice is due for a change
 * starting at `start`, at `now`, and the record that it went out.
 */
import { SYSTEM, type ChangeRequest } from './change-request.js';
import { Writer, type Decision } from './lifecycle.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The seed's communication timeline, by offset from the planned start. */
export const MILESTONES = [
  { id: 'T-24h', offset: -24 * HOUR },
  { id: 'T-1h', offset: -HOUR },
  { id: 'T-0', offset: 0 },
  { id: 'T+15m', offset: 15 * MINUTE },
] as const;
/** After this long past the last milestone, a change's timeline is over: a job that was down does not send stale news. */
export const TIMELINE_GRACE = HOUR;

/**
 * The milestone due at `now` for a change starting at `start`: the latest one already reached. An
 * earlier one that was missed (the job was down) is superseded by it rather than sent late.
 */
export function dueMilestone(start: number, now: number): (typeof MILESTONES)[number] | undefined {
  const reached = MILESTONES.filter((m) => start + m.offset <= now);
  const last = reached.at(-1);
  if (!last) return undefined;
  if (last.id === 'T+15m' && now >= start + last.offset + TIMELINE_GRACE) return undefined;
  return last;
}

/**
 * Record that a milestone's notice goes out to the change's stakeholders, once per milestone and
 * revision: the write is the promise, its event sends the email (the notifications consumer), and
 * "stakeholders notified" on the checklist reads it. Undefined when it was recorded already.
 */
export function recordTimelineNotice(cr: ChangeRequest, milestone: string, channels: string[], now: string): Decision | undefined {
  if ((cr.notices ?? []).some((n) => n.milestone === milestone && n.revision === cr.revision)) return undefined;
  const w = new Writer(cr, SYSTEM, now);
  w.cr.notices = [...(cr.notices ?? []), { milestone, at: now, revision: cr.revision, channels }];
  w.transition('notice', cr.state, cr.state, `${milestone} notice to ${channels.length ? channels.join(', ') : 'the requestor'}`, { milestone, channels });
  return w.done();
}
