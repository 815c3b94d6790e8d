/**
 * The holiday table a deployment carries (functions/core/calendar/holiday-table.ts): the configured
 * country's public holidays, computed here with date-holidays when the stack is synthesised, from
 * the year before the synth to ten years after it. A deploy in a later year moves the window on.
 */
import Holidays from 'date-holidays';
import { type HolidayTable, packHoliday } from '../functions/core/calendar/holiday-table.js';

/** Years on either side of the synth's year the table covers. */
export const HOLIDAY_YEARS = { before: 1, after: 10 } as const;

export function holidayTable(country: string, region: string | undefined, year = new Date().getUTCFullYear()): HolidayTable {
  const calendar = region === undefined ? new Holidays(country) : new Holidays(country, region);
  const from = year - HOLIDAY_YEARS.before;
  const to = year + HOLIDAY_YEARS.after;
  const years: HolidayTable['years'] = {};
  const names: string[] = [];
  for (let y = from; y <= to; y++) {
    years[String(y)] = calendar
      .getHolidays(y, 'en')
      .filter((h) => h.type === 'public')
      .map((h) => packHoliday(h, names));
  }
  return { country, ...(region === undefined ? {} : { region }), from, to, names, years };
}

/**
 * What a Lambda bundle is built with beyond its code: the holiday table in place of date-holidays,
 * and the credentials from Lambda's environment in place of the SDK's whole provider chain
 * (functions/adapters/aws/lambda-credentials.ts).
 */
export function lambdaBundling(table: HolidayTable, repoRoot: string) {
  return {
    define: { __CHANGEFLOW_HOLIDAYS__: JSON.stringify(table) },
    alias: {
      'date-holidays': `${repoRoot}/functions/core/calendar/holiday-table.ts`,
      '@aws-sdk/credential-provider-node': `${repoRoot}/functions/adapters/aws/lambda-credentials.ts`,
    },
  };
}
