/**
 * Instants and organisation-local days. Internally the calendar works on epoch milliseconds and
 * half-open intervals; luxon does every step that needs the time zone (day boundaries, weekdays,
 * wall-clock times), so DST is handled by the tz database and never by hand-made offsets.
 */
import { DateTime } from 'luxon';

/** A half-open span of time `[start, end)` in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** luxon weekday numbers (ISO: Monday = 1 ... Sunday = 7). */
export const TUESDAY = 2;
export const WEDNESDAY = 3;
export const THURSDAY = 4;
export const FRIDAY = 5;
export const SATURDAY = 6;

/**
 * A string without an offset would be read in the server's own zone, which is exactly the mistake
 * the calendar exists to avoid; so an explicit `Z` or `±hh:mm` is required.
 */
const ENDS_WITH_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function toMillis(iso: string, what = 'instant'): number {
  if (typeof iso !== 'string' || !ENDS_WITH_OFFSET.test(iso)) {
    throw new RangeError(`${what} must be an ISO 8601 date-time with an offset, e.g. 2026-11-24T15:00:00Z; got ${JSON.stringify(iso)}`);
  }
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new RangeError(`${what} is not a valid ISO 8601 date-time: ${JSON.stringify(iso)}`);
  return dt.toMillis();
}

/** A `[start, end)` window from its ISO ends; refuses an empty or inverted one. */
export function toInterval(window: { start: string; end: string }, what = 'window'): Interval {
  const start = toMillis(window.start, `${what}.start`);
  const end = toMillis(window.end, `${what}.end`);
  if (end <= start) throw new RangeError(`${what}.end must be after ${what}.start`);
  return { start, end };
}

export const toIso = (ms: number): string => new Date(ms).toISOString();

/** An instant in the zone; the fixed English locale keeps weekday names in messages independent of the server. */
export const inZone = (ms: number, zone: string): DateTime => DateTime.fromMillis(ms, { zone, locale: 'en-US', numberingSystem: 'latn' });

export const toLocalIso = (ms: number, zone: string): string => inZone(ms, zone).toISO({ suppressMilliseconds: true }) ?? toIso(ms);

/** Half-open intervals touch only when each starts before the other ends. */
export const overlaps = (a: Interval, b: Interval): boolean => a.start < b.end && b.start < a.end;

export const contains = (outer: Interval, inner: Interval): boolean => outer.start <= inner.start && inner.end <= outer.end;

/**
 * The start of every organisation-local day that intersects `[from, to)`, with `daysBefore` extra
 * days in front (weekend blackouts begin on the Saturday before a Sunday `from`). `startOf('day')`
 * after `plus({ days: 1 })` keeps days right in zones whose DST change happens at midnight.
 */
export function localDays(range: Interval, zone: string, daysBefore = 0): DateTime[] {
  const days: DateTime[] = [];
  let day = inZone(range.start, zone).startOf('day').minus({ days: daysBefore }).startOf('day');
  while (day.toMillis() < range.end) {
    days.push(day);
    day = day.plus({ days: 1 }).startOf('day');
  }
  return days;
}

export const nextLocalMidnight = (day: DateTime): DateTime => day.plus({ days: 1 }).startOf('day');

/** Sorted union of intervals; intervals that touch end-to-start become one (no gap between them). */
export function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged[merged.length - 1];
    if (last && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else merged.push({ ...next });
  }
  return merged;
}

/** How a window reads to a person in the organisation: "Tuesday 2026-11-24 11:00–12:00 (America/New_York)". */
export function describeWindow(window: Interval, zone: string): string {
  const start = inZone(window.start, zone);
  const end = inZone(window.end, zone);
  const day = (dt: DateTime) => dt.toFormat('cccc yyyy-MM-dd');
  const clock = (dt: DateTime) => dt.toFormat('HH:mm');
  const span = start.hasSame(end, 'day') ? `${day(start)} ${clock(start)}–${clock(end)}` : `${day(start)} ${clock(start)} – ${day(end)} ${clock(end)}`;
  return `${span} (${zone})`;
}
