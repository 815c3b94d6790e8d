/**
 * Blackouts (docs/process.md "Change calendar"): public holidays, Friday afternoons, weekends, declared
 * high-traffic events and declared blackouts. Each is kept as its own named entry, even where they
 * overlap, so a refusal can name every one of them. Emergency exemption is the caller's business.
 */
import { resolveConfig, type ResolvedConfig } from './config.js';
import { holidayIntervals } from './holidays.js';
import { occurrences } from './recurrence.js';
import { DAY, FRIDAY, SATURDAY, localDays, merge, nextLocalMidnight, overlaps, toInterval, toIso, toLocalIso, toMillis, type Interval } from './time.js';
import type { Blackout, BlackoutKind, CalendarConfig, CalendarEvent, CalendarState } from './types.js';

interface RawBlackout extends Interval {
  kind: BlackoutKind;
  name: string;
  eventId?: string | undefined;
}

/** Guard against ranges that would make a request walk centuries of days. */
export const MAX_RANGE_DAYS = 3_660;

/** Friday afternoons and weekends: the blackouts that repeat every week on local wall-clock time. */
function weeklyBlackouts(range: Interval, config: ResolvedConfig): RawBlackout[] {
  const found: RawBlackout[] = [];
  const cutoff = `${String(config.cutoff.hour).padStart(2, '0')}:${String(config.cutoff.minute).padStart(2, '0')}`;
  // Two days of lead-in so a weekend that began on the Saturday before `range` is seen.
  for (const day of localDays(range, config.zone, 2)) {
    if (day.weekday === FRIDAY) {
      const start = day.set({ hour: config.cutoff.hour, minute: config.cutoff.minute });
      found.push({ kind: 'friday-afternoon', name: `Friday afternoon (from ${cutoff})`, start: start.toMillis(), end: nextLocalMidnight(day).toMillis() });
    } else if (day.weekday === SATURDAY) {
      found.push({ kind: 'weekend', name: 'Weekend', start: day.toMillis(), end: nextLocalMidnight(nextLocalMidnight(day)).toMillis() });
    }
  }
  return found;
}

function holidayBlackouts(range: Interval, config: ResolvedConfig): RawBlackout[] {
  return holidayIntervals(range, config).map(({ name, interval }) => ({ kind: 'holiday', name, ...interval }));
}

/** Declared `high-traffic` and `blackout` events, every occurrence; maintenance windows are not blackouts. */
function declaredBlackouts(range: Interval, events: CalendarEvent[], config: ResolvedConfig): RawBlackout[] {
  return events.flatMap((event): RawBlackout[] => {
    if (event.kind === 'maintenance-window') return [];
    const kind: BlackoutKind = event.kind === 'high-traffic' ? 'high-traffic' : 'declared';
    return occurrences(event, range, config.zone).map((o) => ({ kind, name: event.title, eventId: event.id, ...o }));
  });
}

const KIND_ORDER: BlackoutKind[] = ['holiday', 'friday-afternoon', 'weekend', 'high-traffic', 'declared'];

/** Every blackout touching `range`, sorted by start (then end, kind, name), duplicates dropped. */
export function collectBlackouts(range: Interval, events: CalendarEvent[], config: ResolvedConfig): RawBlackout[] {
  if (range.end - range.start > MAX_RANGE_DAYS * DAY) throw new RangeError(`a calendar range may span at most ${MAX_RANGE_DAYS} days`);
  const all = [...holidayBlackouts(range, config), ...weeklyBlackouts(range, config), ...declaredBlackouts(range, events, config)]
    .filter((b) => overlaps(b, range))
    .sort((a, b) => a.start - b.start || a.end - b.end || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
  const seen = new Set<string>();
  return all.filter((b) => {
    const key = `${b.kind}|${b.name}|${b.eventId ?? ''}|${b.start}|${b.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function present(b: RawBlackout, zone: string): Blackout {
  const out: Blackout = {
    kind: b.kind,
    name: b.name,
    start: toIso(b.start),
    end: toIso(b.end),
    localStart: toLocalIso(b.start, zone),
    localEnd: toLocalIso(b.end, zone),
  };
  if (b.eventId !== undefined) out.eventId = b.eventId;
  return out;
}

/** Every blackout touching `[from, to)`, each named separately (not merged), sorted by start. Whole blackouts, not clipped. */
export function blackoutsBetween(from: string, to: string, events: CalendarEvent[], config: CalendarConfig): Blackout[] {
  const resolved = resolveConfig(config);
  const range = { start: toMillis(from, 'from'), end: toMillis(to, 'to') };
  if (range.end < range.start) throw new RangeError('to must not be before from');
  return collectBlackouts(range, events, resolved).map((b) => present(b, resolved.zone));
}

/** The blackouts a planned window `[start, end)` touches; `[]` when it is clear. Ending exactly at a blackout's start is clear. */
export function blackoutsTouching(window: { start: string; end: string }, events: CalendarEvent[], config: CalendarConfig): Blackout[] {
  const resolved = resolveConfig(config);
  return collectBlackouts(toInterval(window), events, resolved).map((b) => present(b, resolved.zone));
}

/**
 * Open or closed at `at`, why, and when that flips. The flip is found on the union of blackouts
 * (touching ones chained: Friday afternoon runs into the weekend, a weekend into a holiday Monday):
 * closed → the end of the chain covering `at`; open → the start of the next blackout. The search
 * looks a week ahead first and widens eightfold until it finds the flip, up to MAX_RANGE_DAYS; if
 * nothing flips by then (a declared blackout lasting years), that horizon is returned.
 */
export function calendarState(at: string, events: CalendarEvent[], config: CalendarConfig): CalendarState {
  const resolved = resolveConfig(config);
  const t = toMillis(at, 'at');
  const reasons = collectBlackouts({ start: t, end: t + 1 }, events, resolved);
  const open = reasons.length === 0;
  return { open, reasons: reasons.map((b) => present(b, resolved.zone)), changesAt: toIso(nextFlip(t, open, events, resolved)) };
}

function nextFlip(t: number, open: boolean, events: CalendarEvent[], config: ResolvedConfig): number {
  for (let days = 8; ; days = Math.min(days * 8, MAX_RANGE_DAYS)) {
    const horizon = t + days * DAY;
    const chains = merge(collectBlackouts({ start: t, end: horizon }, events, config));
    const flip = open ? chains.find((c) => c.start > t)?.start : chains.find((c) => c.start <= t && t < c.end)?.end;
    if (flip !== undefined && flip < horizon) return flip;
    if (days >= MAX_RANGE_DAYS) return horizon;
  }
}
