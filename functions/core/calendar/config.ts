/**
 * Checking a CalendarConfig once, turning it into what the rules need (a zone luxon accepts, the
 * Friday cutoff as hour and minute, a holiday calendar that exists).
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { CalendarConfig } from './types.js';

export const DEFAULT_HOLIDAY_COUNTRY = 'US';
export const DEFAULT_FRIDAY_CUTOFF = '14:00';

export function defaultCalendarConfig(timeZone: string): CalendarConfig {
  return { timeZone, holidayCountry: DEFAULT_HOLIDAY_COUNTRY, fridayCutoff: DEFAULT_FRIDAY_CUTOFF };
}

export interface ResolvedConfig {
  zone: string;
  cutoff: { hour: number; minute: number };
  country: string;
  region: string | undefined;
}

const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Every problem with a config, each naming its field; empty when it is usable. */
export function calendarConfigProblems(config: CalendarConfig): string[] {
  const problems: string[] = [];
  if (!DateTime.fromMillis(0).setZone(config.timeZone).isValid)
    problems.push(`timeZone must be an IANA time zone such as America/New_York, got ${JSON.stringify(config.timeZone)}`);
  if (!CUTOFF.test(config.fridayCutoff)) problems.push(`fridayCutoff must be a local time HH:MM such as 14:00, got ${JSON.stringify(config.fridayCutoff)}`);
  const countries = new Holidays().getCountries();
  if (!Object.hasOwn(countries, config.holidayCountry)) {
    problems.push(`holidayCountry must be a country code known to date-holidays such as US, got ${JSON.stringify(config.holidayCountry)}`);
  } else if (config.holidayRegion !== undefined && !Object.hasOwn(new Holidays().getStates(config.holidayCountry) ?? {}, config.holidayRegion)) {
    problems.push(`holidayRegion must be a region of ${config.holidayCountry} known to date-holidays, got ${JSON.stringify(config.holidayRegion)}`);
  }
  return problems;
}

// Configs are few and long-lived; checking each object once keeps the hot paths (slot search) cheap.
// The key guards against a config object edited after its first use.
const resolved = new WeakMap<CalendarConfig, { key: string; value: ResolvedConfig }>();

export function resolveConfig(config: CalendarConfig): ResolvedConfig {
  const key = [config.timeZone, config.fridayCutoff, config.holidayCountry, config.holidayRegion ?? ''].join('|');
  const known = resolved.get(config);
  if (known?.key === key) return known.value;
  const problems = calendarConfigProblems(config);
  if (problems.length > 0) throw new RangeError(`Invalid calendar configuration: ${problems.join('; ')}`);
  const [, hour = '14', minute = '00'] = CUTOFF.exec(config.fridayCutoff) ?? [];
  const result: ResolvedConfig = {
    zone: config.timeZone,
    cutoff: { hour: Number(hour), minute: Number(minute) },
    country: config.holidayCountry,
    region: config.holidayRegion,
  };
  resolved.set(config, { key, value: result });
  return result;
}
