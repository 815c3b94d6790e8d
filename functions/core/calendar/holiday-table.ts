/**
 * What the deployed functions use in place of the `date-holidays` package: the configured country's
 * public holidays, computed with date-holidays when the stack was synthesised (lib/holidays.ts) and
 * written into the bundle (esbuild `define` of `__CHANGEFLOW_HOLIDAYS__`, the package aliased to
 * this module). It answers the part of date-holidays' API that functions/core/calendar/ calls, for
 * that one country and region and the years the table covers: the rules, moment-timezone and
 * astronomia (about 1.3 MB of the bundle, most of a cold start) stay out of Lambda. The local runtime
 * and the tests run date-holidays itself; test/core/holiday-table.test.ts holds the two to the same answers.
 */
import { ValidationError } from '../errors.js';

/**
 * One public holiday, packed (the table is written into every bundle): its date as date-holidays
 * gives it (`YYYY-MM-DD`, with ` hh:mm:ss` only when it does not start at midnight), its start in
 * minutes since the epoch, its length in minutes, and its name as an index into `names`.
 */
export type TableHoliday = [date: string, startMinutes: number, lengthMinutes: number, name: number];

export interface HolidayTable {
  country: string;
  region?: string | undefined;
  /** First and last year the table covers. */
  from: number;
  to: number;
  /** Every holiday name, once. */
  names: string[];
  /** The public holidays of each year, as date-holidays lists them. */
  years: Record<string, TableHoliday[]>;
}

/** A holiday as date-holidays gives it, packed for the table (lib/holidays.ts). */
export function packHoliday(h: { date: string; start: Date; end: Date; name: string }, names: string[]): TableHoliday {
  let index = names.indexOf(h.name);
  if (index < 0) index = names.push(h.name) - 1;
  const date = h.date.endsWith(' 00:00:00') ? h.date.slice(0, 10) : h.date;
  return [date, h.start.getTime() / MINUTE, (h.end.getTime() - h.start.getTime()) / MINUTE, index];
}

const MINUTE = 60_000;

declare const __CHANGEFLOW_HOLIDAYS__: HolidayTable | undefined;

function table(): HolidayTable {
  if (typeof __CHANGEFLOW_HOLIDAYS__ === 'undefined') {
    throw new Error('this bundle was built without its holiday table (__CHANGEFLOW_HOLIDAYS__): build it with the stack (lib/constructs/function.ts)');
  }
  return __CHANGEFLOW_HOLIDAYS__;
}

const where = (t: HolidayTable) => `${t.country}${t.region ? `-${t.region}` : ''}`;

/** date-holidays' `Holidays`, for the one country and region of the table. */
export default class Holidays {
  constructor(country?: string, region?: string) {
    if (country === undefined) return;
    const t = table();
    if (country !== t.country || (region ?? undefined) !== t.region) {
      throw new Error(
        `this deployment carries the public holidays of ${where(t)} only, not of ${country}${region ? `-${region}` : ''}: set HOLIDAY_COUNTRY and HOLIDAY_REGION and deploy again`,
      );
    }
  }

  getCountries(): Record<string, string> {
    const t = table();
    return { [t.country]: t.country };
  }

  getStates(country: string): Record<string, string> | undefined {
    const t = table();
    return country === t.country && t.region ? { [t.region]: t.region } : undefined;
  }

  getHolidays(year: number, _language?: string): { date: string; start: Date; end: Date; name: string; type: 'public' }[] {
    const t = table();
    const list = t.years[String(year)];
    if (!list) {
      throw new ValidationError([
        {
          path: 'calendar',
          message: `this deployment knows the public holidays of ${t.from} to ${t.to}, not of ${year}: ask about a date inside them, or deploy again to move the years on`,
        },
      ]);
    }
    return list.map(([date, start, length, name]) => ({
      date: date.length === 10 ? `${date} 00:00:00` : date,
      start: new Date(start * MINUTE),
      end: new Date((start + length) * MINUTE),
      name: t.names[name] ?? '',
      type: 'public',
    }));
  }
}
