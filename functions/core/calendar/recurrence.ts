/**
 * Declared events and their recurrences.
 *
 * Recurrences are expanded on "floating" wall-clock time: the first occurrence's local date and time
 * in the org zone are written as if they were UTC, rrule (which does all its arithmetic in UTC, so
 * never sees a DST change) steps through them, and each occurrence's wall-clock fields are then read
 * back in the org zone by luxon. A weekly 02:00 local window therefore stays 02:00 local, and its end
 * keeps its local time too. A local time that does not exist on a spring-forward day moves forward
 * by the gap (luxon's rule); an ambiguous one on a fall-back day takes the earlier offset.
 *
 * Expansion is bounded by the range asked about: `between` walks from the first occurrence to the
 * end of the range, and only DAILY or coarser frequencies are accepted, so even an endless rule
 * costs at most one step per day between its start and the range.
 */
import * as rruleModule from 'rrule';
import { DateTime } from 'luxon';
import type { CalendarEvent } from './types.js';
import { DAY, overlaps, toInterval, toIso, toMillis, type Interval } from './time.js';

// rrule publishes CommonJS as `main` and ESM only as `module`: Node's ESM loader (vitest, tsx) sees a
// single default export, bundlers (esbuild for Lambda) see named exports. Take whichever is there.
const { RRule } = (rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule;
type RRuleOptions = ConstructorParameters<typeof RRule>[0];

const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'] as const;
const WEEKDAY = '(?:MO|TU|WE|TH|FR|SA|SU)';
const intList = (min: number, max: number, signed: boolean) => (value: string) =>
  value.split(',').every((part) => {
    if (!/^[+-]?\d{1,3}$/.test(part)) return false;
    const n = Number(part);
    if (!signed && /^[+-]/.test(part)) return false;
    return Math.abs(n) >= min && Math.abs(n) <= max;
  });

/** What each RRULE part may hold (RFC 5545 §3.3.10), so that typos are refused rather than ignored. */
const PARTS: Record<string, { test: (value: string) => boolean; expect: string }> = {
  FREQ: { test: (v) => (FREQUENCIES as readonly string[]).includes(v), expect: `one of ${FREQUENCIES.join(', ')}` },
  INTERVAL: { test: (v) => /^[1-9]\d{0,3}$/.test(v), expect: 'a positive whole number' },
  COUNT: { test: (v) => /^[1-9]\d{0,4}$/.test(v), expect: 'a positive whole number' },
  UNTIL: { test: (v) => /^\d{8}(?:T\d{6}Z?)?$/.test(v), expect: 'a date YYYYMMDD or a date-time YYYYMMDDTHHMMSSZ' },
  BYDAY: {
    test: (v) => new RegExp(`^[+-]?(?:[1-9]|[1-4]\\d|5[0-3])?${WEEKDAY}(?:,[+-]?(?:[1-9]|[1-4]\\d|5[0-3])?${WEEKDAY})*$`).test(v),
    expect: 'weekdays such as TU or 1MO,-1FR',
  },
  BYMONTH: { test: intList(1, 12, false), expect: 'months 1–12' },
  BYMONTHDAY: { test: intList(1, 31, true), expect: 'days ±1–31' },
  BYYEARDAY: { test: intList(1, 366, true), expect: 'days ±1–366' },
  BYWEEKNO: { test: intList(1, 53, true), expect: 'weeks ±1–53' },
  BYSETPOS: { test: intList(1, 366, true), expect: 'positions ±1–366' },
  BYHOUR: { test: (v) => v.split(',').every((p) => /^\d{1,2}$/.test(p) && Number(p) <= 23), expect: 'hours 0–23' },
  BYMINUTE: { test: (v) => v.split(',').every((p) => /^\d{1,2}$/.test(p) && Number(p) <= 59), expect: 'minutes 0–59' },
  BYSECOND: { test: (v) => v.split(',').every((p) => /^\d{1,2}$/.test(p) && Number(p) <= 59), expect: 'seconds 0–59' },
  WKST: { test: (v) => new RegExp(`^${WEEKDAY}$`).test(v), expect: 'a weekday such as MO' },
};

/** Occurrences of one event within a day, at most: blackouts and windows, not a metronome. */
export const MAX_OCCURRENCES_PER_DAY = 4;
/** Occurrences one expansion returns at most, whatever the range: a stored rule can never make a read unbounded. */
export const MAX_OCCURRENCES_PER_EXPANSION = 2_000;

/** The RRULE body without an optional leading `RRULE:`. */
const body = (rrule: string) => rrule.trim().replace(/^RRULE:/i, '');

/**
 * Checks an RRULE body for the API edge: a message naming the part and what it should be, or ok.
 * The first occurrence comes from the event, so DTSTART/TZID are refused, as are frequencies finer
 * than daily (they would make expansion unbounded in cost and make no sense for calendar events).
 */
export function parseRrule(rrule: string): { ok: true } | { ok: false; message: string } {
  if (typeof rrule !== 'string' || body(rrule) === '') return { ok: false, message: 'rrule must be a non-empty RRULE body such as FREQ=WEEKLY;BYDAY=TU' };
  if (/[\r\n]/.test(rrule)) return { ok: false, message: 'rrule must be a single RRULE body without DTSTART or other lines' };
  const seen = new Set<string>();
  for (const part of body(rrule).toUpperCase().split(';')) {
    const [name = '', value, ...extra] = part.split('=');
    if (value === undefined || value === '' || extra.length > 0) return { ok: false, message: `rrule part ${JSON.stringify(part)} must look like NAME=VALUE` };
    const rule = PARTS[name];
    if (!rule) return { ok: false, message: `rrule part ${name} is not supported (allowed: ${Object.keys(PARTS).join(', ')})` };
    if (seen.has(name)) return { ok: false, message: `rrule part ${name} is given twice` };
    seen.add(name);
    if (!rule.test(value)) return { ok: false, message: `rrule ${name} must be ${rule.expect}, got ${JSON.stringify(value)}` };
  }
  if (!seen.has('FREQ')) return { ok: false, message: `rrule must have FREQ (one of ${FREQUENCIES.join(', ')})` };
  // BYHOUR × BYMINUTE × BYSECOND repeat an event within one day: a few times is a calendar, thousands a load test
  const values = (name: string) => new RegExp(`(?:^|;)${name}=([^;]*)`).exec(body(rrule).toUpperCase())?.[1]?.split(',').length ?? 1;
  const perDay = values('BYHOUR') * values('BYMINUTE') * values('BYSECOND');
  if (perDay > MAX_OCCURRENCES_PER_DAY) {
    return {
      ok: false,
      message: `rrule repeats the event ${perDay} times a day (BYHOUR × BYMINUTE × BYSECOND); at most ${MAX_OCCURRENCES_PER_DAY} occurrences a day are allowed`,
    };
  }
  if (seen.has('COUNT') && seen.has('UNTIL')) return { ok: false, message: 'rrule may have COUNT or UNTIL, not both' };
  try {
    new RRule(RRule.parseString(body(rrule).toUpperCase()));
  } catch (error) {
    return { ok: false, message: `rrule is not valid: ${(error as Error).message}` };
  }
  return { ok: true };
}

/** Wall-clock fields of an instant in `zone`, as a floating (fake-UTC) millisecond value. */
function toFloating(ms: number, zone: string): number {
  const local = DateTime.fromMillis(ms, { zone });
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
}

/** The real instant at which `zone`'s clocks show the floating value's wall-clock time. */
function fromFloating(floating: number, zone: string): number {
  const d = new Date(floating);
  return DateTime.fromObject(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds(),
    },
    { zone },
  ).toMillis();
}

function ruleFor(event: CalendarEvent, first: Interval, zone: string) {
  const text = body(event.rrule ?? '').toUpperCase();
  const checked = parseRrule(text);
  if (!checked.ok) throw new RangeError(`calendar event ${event.id}: ${checked.message}`);
  const options: Partial<RRuleOptions> = { ...RRule.parseString(text), dtstart: new Date(toFloating(first.start, zone)) };
  // rrule reads UNTIL's digits as UTC. A `Z` UNTIL is a real instant, so move it to local wall-clock;
  // a floating or date-only one already is local wall-clock (a bare date includes that whole day).
  const until = /UNTIL=([0-9TZ]+)/.exec(text)?.[1];
  if (options.until && until) {
    if (until.endsWith('Z')) options.until = new Date(toFloating(options.until.getTime(), zone));
    else if (until.length === 8) options.until = new Date(options.until.getTime() + DAY - 1);
  }
  return new RRule(options);
}

/** Every occurrence of the event that touches `range`, in time order. */
export function occurrences(event: CalendarEvent, range: Interval, zone: string): Interval[] {
  const first = toInterval(event, `calendar event ${event.id}`);
  if (event.rrule === undefined || body(event.rrule) === '') return overlaps(first, range) ? [first] : [];

  const floatingLength = toFloating(first.end, zone) - toFloating(first.start, zone);
  const realLength = first.end - first.start;
  // Search a little wider in floating time than asked: zone offsets are under a day, and an
  // occurrence that starts before the range may still run into it.
  const from = new Date(range.start - Math.max(floatingLength, realLength) - 2 * DAY);
  const to = new Date(range.end + 2 * DAY);
  return ruleFor(event, first, zone)
    .between(from, to, true, (_date, taken) => taken < MAX_OCCURRENCES_PER_EXPANSION)
    .map((date) => {
      const start = fromFloating(date.getTime(), zone);
      const end = fromFloating(date.getTime() + floatingLength, zone);
      // A DST change inside a very short occurrence could fold it to nothing; keep its real length then.
      return { start, end: end > start ? end : start + realLength };
    })
    .filter((occurrence) => overlaps(occurrence, range));
}

/** The public, ISO form of `occurrences`: every occurrence of `event` touching `[from, to)`, UTC ISO. */
export function occurrencesBetween(event: CalendarEvent, from: string, to: string, timeZone: string): { start: string; end: string }[] {
  if (!DateTime.fromMillis(0, { zone: timeZone }).isValid) throw new RangeError(`not an IANA time zone: ${timeZone}`);
  const range = { start: toMillis(from, 'from'), end: toMillis(to, 'to') };
  return occurrences(event, range, timeZone).map((o) => ({ start: toIso(o.start), end: toIso(o.end) }));
}
