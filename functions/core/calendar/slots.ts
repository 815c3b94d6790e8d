/**
 * The next free slots for a change: inside its category's preferred windows (standard and
 * emergency: any time), clear of every blackout and of busy intervals that share a component.
 *
 * The search is interval arithmetic, not a minute-by-minute scan: the blackouts and relevant busy
 * intervals over the whole horizon are computed once and merged into "blocked" spans; then within
 * each preferred span candidates step on a grid (`stepMinutes`, anchored at the span's start, e.g.
 * 10:00 local), jumping straight past any blocked span they hit. Slots never overlap each other.
 */
import type { Category } from '../change-request.js';
import { collectBlackouts, MAX_RANGE_DAYS } from './blackouts.js';
import { resolveConfig } from './config.js';
import { sharedComponents } from './conflicts.js';
import { majorSlots, normalSlots } from './preferred.js';
import { DAY, MINUTE, inZone, merge, toInterval, toIso, toMillis, type Interval } from './time.js';
import type { BusyInterval, CalendarConfig, CalendarEvent, TimeWindow } from './types.js';

export interface NextFreeSlotsArgs {
  category: Category;
  durationMinutes: number;
  /** Slots start at or after this instant. */
  after: string;
  count: number;
  events: CalendarEvent[];
  /** Other changes' windows; those sharing a component with `components` block. */
  busy: BusyInterval[];
  components: string[];
  config: CalendarConfig;
  /** Slots start within this many days after `after`; default 90. */
  horizonDays?: number | undefined;
  /** Candidate start times step by this; default 30. */
  stepMinutes?: number | undefined;
}

function checkArgs(args: NextFreeSlotsArgs): { duration: number; step: number; horizonDays: number } {
  const { durationMinutes, count, horizonDays = 90, stepMinutes = 30 } = args;
  if (!Number.isFinite(durationMinutes) || durationMinutes <= 0) throw new RangeError('durationMinutes must be a positive number');
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number, zero or more');
  if (!Number.isFinite(horizonDays) || horizonDays <= 0 || horizonDays > MAX_RANGE_DAYS - 30)
    throw new RangeError(`horizonDays must be between 0 and ${MAX_RANGE_DAYS - 30}`);
  if (!Number.isInteger(stepMinutes) || stepMinutes <= 0) throw new RangeError('stepMinutes must be a positive whole number');
  return { duration: durationMinutes * MINUTE, step: stepMinutes * MINUTE, horizonDays };
}

/**
 * The first point at or after `t` on the local wall-clock grid of `step` (e.g. :00 and :30 local,
 * also in half-hour-offset zones such as Asia/Kolkata), used where no preferred window gives an anchor.
 */
function localGridCeil(t: number, step: number, zone: string): number {
  const offset = inZone(t, zone).offset * MINUTE;
  return Math.ceil((t + offset) / step) * step - offset;
}

/** The spans to search, each with the anchor its candidate grid counts from. */
function searchSpans(category: Category, range: Interval, events: CalendarEvent[], zone: string, step: number): { span: Interval; anchor: number }[] {
  switch (category) {
    case 'normal':
      return normalSlots(range, zone).map((span) => ({ span, anchor: span.start }));
    case 'major':
      return majorSlots(range, events, zone)
        .sort((a, b) => a.start - b.start)
        .map((span) => ({ span, anchor: span.start }));
    case 'standard':
    case 'emergency':
      return [{ span: range, anchor: localGridCeil(range.start, step, zone) }];
  }
}

/** The first blocked span (sorted, merged) overlapping `[start, end)`, by binary search on ends. */
function firstBlocker(blocked: Interval[], start: number, end: number): Interval | undefined {
  let lo = 0;
  let hi = blocked.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((blocked[mid]?.end ?? Infinity) <= start) lo = mid + 1;
    else hi = mid;
  }
  const candidate = blocked[lo];
  return candidate && candidate.start < end ? candidate : undefined;
}

export function nextFreeSlots(args: NextFreeSlotsArgs): TimeWindow[] {
  const config = resolveConfig(args.config);
  const { duration, step, horizonDays } = checkArgs(args);
  const after = toMillis(args.after, 'after');
  const lastStart = after + horizonDays * DAY;
  // Slots may start up to the horizon and run past it, so look one duration further.
  const range = { start: after, end: lastStart + duration };

  const busy = args.busy.filter((b) => sharedComponents(args.components, b.components).length > 0).map((b) => toInterval(b, 'busy'));
  const blocked = merge([...collectBlackouts(range, args.events, config), ...busy]);

  const slots: TimeWindow[] = [];
  let floor = after; // no slot starts before this: `after`, then the end of the last slot found
  for (const { span, anchor } of searchSpans(args.category, range, args.events, config.zone, step)) {
    const onGrid = (t: number) => (t <= anchor ? anchor : anchor + Math.ceil((t - anchor) / step) * step);
    let start = onGrid(Math.max(span.start, floor));
    while (slots.length < args.count && start < lastStart && start + duration <= span.end) {
      const blocker = firstBlocker(blocked, start, start + duration);
      if (blocker) {
        start = onGrid(blocker.end);
        continue;
      }
      slots.push({ start: toIso(start), end: toIso(start + duration) });
      floor = start + duration;
      start = onGrid(floor);
    }
    if (slots.length >= args.count) break;
  }
  return slots;
}
