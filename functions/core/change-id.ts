/**
 * Change IDs `CR-YYYY-MM-DD-NNN`: the creation date in the organisation's time zone, then a per-day
 * sequence from 001 (the thousandth change of a day gets 1000). The sequence itself is allocated
 * atomically by the store; this module only names days and formats ids.
 */
import { DateTime } from 'luxon';

/** The organisation-local calendar day an instant falls on, as `YYYY-MM-DD`. */
export function localDay(instant: string | Date, timeZone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : DateTime.fromJSDate(instant, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`not an instant: ${String(instant)}`);
  const local = dt.setZone(timeZone);
  if (!local.isValid) throw new RangeError(`not an IANA time zone: ${timeZone}`);
  return local.toFormat('yyyy-MM-dd');
}

export function formatChangeId(day: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  return `CR-${day}-${String(sequence).padStart(3, '0')}`;
}

export const CHANGE_ID_PATTERN = /^CR-\d{4}-\d{2}-\d{2}-\d{3,}$/;
