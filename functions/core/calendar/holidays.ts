/**
 * Public holidays as blackouts: every public holiday (date-holidays type `public`, substitute days
 * included) of the configured country/region blacks out the whole organisation-local day, 00:00 to
 * 24:00 in the org zone — even when the holiday's own country runs on another clock.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { ResolvedConfig } from './config.js';
import { DAY, nextLocalMidnight, type Interval } from './time.js';

export interface HolidayDay {
  /** Local calendar date of its first day, `YYYY-MM-DD`. */
  date: string;
  /** How many whole local days it covers (nearly always 1). */
  days: number;
  name: string;
}

// date-holidays builds its rule tables on construction and computes a year at a time; both are
// deterministic, so caching them keeps the module pure while making slot searches cheap.
const calendars = new Map<string, Holidays>();
const years = new Map<string, HolidayDay[]>();

function holidayCalendar(country: string, region: string | undefined): Holidays {
  const key = `${country}|${region ?? ''}`;
  let calendar = calendars.get(key);
  if (!calendar) {
    calendar = region === undefined ? new Holidays(country) : new Holidays(country, region);
    calendars.set(key, calendar);
  }
  return calendar;
}

export function publicHolidays(country: string, region: string | undefined, year: number): HolidayDay[] {
  const key = `${country}|${region ?? ''}|${year}`;
  let days = years.get(key);
  if (!days) {
    days = holidayCalendar(country, region)
      .getHolidays(year, 'en')
      .filter((h) => h.type === 'public')
      .map((h) => ({
        date: h.date.slice(0, 10),
        // A few holidays span several days; a part-day one (from 18:00, say) still takes the whole
        // day, and a 23- or 25-hour day around a DST change still counts as one.
        days: Math.max(1, Math.ceil((h.end.getTime() - h.start.getTime()) / DAY - 0.05)),
        name: h.name,
      }));
    years.set(key, days);
  }
  return days;
}

/** Holiday blackouts, as local whole days, that may touch `range` (the caller filters exactly). */
export function holidayIntervals(range: Interval, config: ResolvedConfig): { name: string; interval: Interval }[] {
  const { zone } = config;
  // One year either side: a holiday on 31 December can still cover 1 January somewhere.
  const firstYear = DateTime.fromMillis(range.start, { zone }).year - 1;
  const lastYear = DateTime.fromMillis(range.end, { zone }).year + 1;
  const found: { name: string; interval: Interval }[] = [];
  for (let year = firstYear; year <= lastYear; year++) {
    for (const holiday of holidayYear(config, year)) {
      if (holiday.interval.start < range.end && range.start < holiday.interval.end) found.push(holiday);
    }
  }
  return found;
}

// A year's holidays as instants in the org zone, cached: the zone arithmetic (not date-holidays)
// was most of the cost of every calendar check.
const intervals = new Map<string, { name: string; interval: Interval }[]>();

function holidayYear(config: ResolvedConfig, year: number): { name: string; interval: Interval }[] {
  const key = `${config.country}|${config.region ?? ''}|${year}|${config.zone}`;
  let list = intervals.get(key);
  if (!list) {
    list = publicHolidays(config.country, config.region, year).map((holiday) => {
      const first = DateTime.fromISO(holiday.date, { zone: config.zone }).startOf('day');
      let last: DateTime = first;
      for (let i = 0; i < holiday.days; i++) last = nextLocalMidnight(last);
      return { name: holiday.name, interval: { start: first.toMillis(), end: last.toMillis() } };
    });
    intervals.set(key, list);
  }
  return list;
}
