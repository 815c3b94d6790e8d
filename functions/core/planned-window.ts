/**
 * When a change will be carried out, as the seed's template says it (Change Request Template →
 * Implementation Details): the Maintenance Window's proposed time, lasting the maintenance window's
 * duration (else the Estimated Duration). A window written out explicitly (`plannedWindow`, the
 * extended template's "## Planned Window") always wins.
 *
 * A derived window is stored on the content with `derivedFrom`, so every calendar rule reads one
 * field; it is derived again whenever what it came from changes. A proposed time without an offset
 * is read in the organisation's time zone ("2026-12-08 10:00", "Tuesday 10am", "Dec 8 14:30"); one
 * with an offset or a zone abbreviation is taken as written. Durations read "90 minutes", "1h30m",
 * "2 hours", "an hour", or a range such as "2-3 hours" (the longer end: a window should not end
 * before the work does).
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import parseDuration from 'parse-duration';
import type { ChangeContent } from './change-request.js';
import type { FieldIssue } from './errors.js';

export type WindowSource = 'maintenance-window' | 'estimated-duration';
type Window = NonNullable<ChangeContent['plannedWindow']>;

export interface WindowDerivation {
  /** The window to store: the explicit one, a derived one, or none. */
  window?: Window | undefined;
  /** Why no window could be derived from what was written (reported on submit, not on a draft). */
  problems: FieldIssue[];
}

const PROPOSED_TIME = 'content.implementation.maintenanceWindow.proposedTime';

/**
 * Reads a date and time a person wrote as an instant; relative words ("Tuesday", "tomorrow") count
 * from `now`, forward for a time proposed, backward (`forward: false`) for one that already passed.
 */
export function readProposedTime(text: string, zone: string, now: string, forward = true): string | undefined {
  const local = DateTime.fromISO(now, { zone: 'utc' }).setZone(zone);
  // chrono reasons in one offset: give it the organisation's wall clock as if it were UTC
  const reference = { instant: new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute)), timezone: 0 };
  const found = chrono.parse(text, reference, { forwardDate: forward })[0];
  if (!found?.start.isCertain('hour')) return undefined;
  if (found.start.isCertain('timezoneOffset')) return found.start.date().toISOString();
  const at = DateTime.fromObject(
    {
      year: found.start.get('year') ?? local.year,
      month: found.start.get('month') ?? local.month,
      day: found.start.get('day') ?? local.day,
      hour: found.start.get('hour') ?? 0,
      minute: found.start.get('minute') ?? 0,
    },
    { zone },
  );
  return at.isValid ? at.toUTC().toISO()! : undefined;
}

/** Reads a duration written by a person, in whole minutes. */
export function readDurationMinutes(text: string): number | undefined {
  const cleaned = text
    .toLowerCase()
    .replace(/\bhalf an? hour\b/g, '30 minutes')
    .replace(/\ban? (hour|minute|day)\b/g, '1 $1')
    // a range counts as its longer end
    .replace(/(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)/g, '$2');
  const minutes = parseDuration(/^\s*\d+(?:\.\d+)?\s*$/.test(cleaned) ? `${cleaned}m` : cleaned, 'm');
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes <= 0) return undefined;
  return Math.ceil(minutes);
}

/** The window a change request's content gives, explicitly or through its maintenance window. */
export function derivePlannedWindow(content: ChangeContent, zone: string, now: string): WindowDerivation {
  const explicit = content.plannedWindow;
  if (explicit && !explicit.derivedFrom) return { window: explicit, problems: [] };
  const mw = content.implementation?.maintenanceWindow;
  if (!mw?.proposedTime) return { problems: [] };
  const problems: FieldIssue[] = [];
  const start = readProposedTime(mw.proposedTime, zone, now);
  if (!start) {
    problems.push({
      path: PROPOSED_TIME,
      message: `"${mw.proposedTime}" is not a date and time ChangeFlow can read: write it like 2026-12-08 10:00 (read in ${zone}) or 2026-12-08T15:00:00Z`,
    });
  }
  const estimated = content.implementation?.estimatedDuration;
  const minutes = mw.durationMinutes ?? (estimated ? readDurationMinutes(estimated) : undefined);
  const derivedFrom: WindowSource = mw.durationMinutes ? 'maintenance-window' : 'estimated-duration';
  if (!minutes) {
    problems.push(
      estimated
        ? {
            path: 'content.implementation.estimatedDuration',
            message: `"${estimated}" is not a duration ChangeFlow can read: write it like 90 minutes, 1h30m or 2 hours (or give the maintenance window's duration)`,
          }
        : {
            path: 'content.implementation.maintenanceWindow.durationMinutes',
            message: 'is required with a proposed time: how many minutes the window lasts (or write an Estimated Duration)',
          },
    );
  }
  if (!start || !minutes) return { problems };
  const end = DateTime.fromISO(start, { zone: 'utc' }).plus({ minutes }).toISO()!;
  return { window: { start, end, derivedFrom }, problems: [] };
}

/**
 * The window to store after an edit: derived windows are derived again only when what they came
 * from changed, so "tomorrow 10:00" keeps meaning the day it was written.
 */
export function windowAfterEdit(before: ChangeContent, after: ChangeContent, zone: string, now: string): WindowDerivation {
  const source = (c: ChangeContent) => JSON.stringify([c.implementation?.maintenanceWindow ?? null, c.implementation?.estimatedDuration ?? null]);
  const kept = before.plannedWindow;
  if (kept?.derivedFrom && after.plannedWindow?.derivedFrom && source(before) === source(after)) return { window: kept, problems: [] };
  return derivePlannedWindow(after, zone, now);
}
