import Holidays from 'date-holidays';
import { afterEach, describe, expect, it } from 'vitest';
import TableHolidays, { type HolidayTable } from '../../functions/core/calendar/holiday-table.js';
import { ValidationError } from '../../functions/core/errors.js';
import { HOLIDAY_YEARS, holidayTable } from '../../lib/holidays.js';

// The deployed functions answer holiday questions from a table computed at synth (lib/holidays.ts)
// in place of date-holidays; these rules hold the table to the library's own answers.
const global = globalThis as { __CHANGEFLOW_HOLIDAYS__?: HolidayTable };
const install = (table: HolidayTable) => {
  global.__CHANGEFLOW_HOLIDAYS__ = table;
};
afterEach(() => {
  delete global.__CHANGEFLOW_HOLIDAYS__;
});

const publicOf = (
  calendar: { getHolidays(year: number, lang?: string): { date: string; start: Date; end: Date; name: string; type: string }[] },
  year: number,
) =>
  calendar
    .getHolidays(year, 'en')
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date, start: h.start.toISOString(), end: h.end.toISOString(), name: h.name }));

describe('Rule: the holiday table answers as date-holidays does for its country and every year it covers', () => {
  it.each([
    ['US', undefined],
    ['GB', 'ENG'],
    ['IN', undefined],
    ['DE', 'BY'],
  ])('%s %s: the public holidays of each year from the year before the synth to ten after it are the same', (country, region) => {
    // Prepare: a table built in 2026, as a stack synthesised this year would carry it
    const table = holidayTable(country, region, 2026);
    install(table);
    const library = region === undefined ? new Holidays(country) : new Holidays(country, region);
    const shim = new TableHolidays(country, region);
    // Verify: the window is 2025..2036 and each year matches the library
    expect([table.from, table.to]).toEqual([2025, 2036]);
    expect(HOLIDAY_YEARS).toEqual({ before: 1, after: 10 });
    for (let year = 2025; year <= 2036; year++) expect(publicOf(shim, year)).toEqual(publicOf(library, year));
  });

  it('hand-checked US 2027: Thanksgiving on Thursday 25 November and Juneteenth observed on Friday 18 June', () => {
    install(holidayTable('US', undefined, 2026));
    const names = new TableHolidays('US').getHolidays(2027).map((h) => `${h.date.slice(0, 10)} ${h.name}`);
    expect(names).toContain('2027-11-25 Thanksgiving Day');
    expect(names).toContain('2027-06-18 Juneteenth (substitute day)');
    expect(names).not.toContain('2027-11-26 Day after Thanksgiving Day');
  });

  it('hand-checked England 2028: Good Friday is 14 April and Easter Monday 17 April', () => {
    install(holidayTable('GB', 'ENG', 2026));
    const dates = new TableHolidays('GB', 'ENG').getHolidays(2028).map((h) => `${h.date.slice(0, 10)} ${h.name}`);
    expect(dates).toEqual(expect.arrayContaining(['2028-04-14 Good Friday', '2028-04-17 Easter Monday']));
  });
});

describe('Rule: a deployed function asked outside its table says so and how to fix it', () => {
  it('a year outside the table is a 400 naming the years it covers and what to do', () => {
    install(holidayTable('US', undefined, 2026));
    expect(() => new TableHolidays('US').getHolidays(2040)).toThrow(ValidationError);
    expect(() => new TableHolidays('US').getHolidays(2040)).toThrow(/public holidays of 2025 to 2036, not of 2040: ask about a date inside them/);
  });

  it('another country than the one deployed names HOLIDAY_COUNTRY', () => {
    install(holidayTable('US', undefined, 2026));
    expect(() => new TableHolidays('GB', 'ENG')).toThrow(/holidays of US only, not of GB-ENG: set HOLIDAY_COUNTRY/);
  });

  it('a bundle built without its table fails with a message naming the missing define', () => {
    expect(() => new TableHolidays('US')).toThrow(/__CHANGEFLOW_HOLIDAYS__/);
  });

  it('configuration checks see the deployed country and its region only', () => {
    install(holidayTable('GB', 'ENG', 2026));
    const shim = new TableHolidays();
    expect(shim.getCountries()).toEqual({ GB: 'GB' });
    expect(shim.getStates('GB')).toEqual({ ENG: 'ENG' });
    expect(shim.getStates('US')).toBeUndefined();
  });
});
