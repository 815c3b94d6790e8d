/**
 * The communication timeline (seed: "Communication Timeline"): which notice is due for a change
 * starting at `start`, at `now`.
 */
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
