/**
 * Preferred windows (docs/process.md "Change calendar"; seed "Change Calendar → Preferred Windows"):
 * - standard and emergency: any time;
 * - normal: Tuesday to Thursday, 10:00–16:00 local, the whole window inside one such day's slot;
 * - major: Tuesday to Wednesday (the window starts on a Tuesday or Wednesday and ends by Thursday
 *   00:00 local) and inside one occurrence of a declared maintenance-window event.
 * Outside them a change is not refused; it carries a warning that approvers see.
 *
 * The same definitions drive both the warnings and the slot search, so a suggested slot never
 * draws a warning.
 */
import type { Category } from '../change-request.js';
import { resolveConfig } from './config.js';
import { occurrences } from './recurrence.js';
import { TUESDAY, WEDNESDAY, THURSDAY, contains, describeWindow, inZone, localDays, merge, nextLocalMidnight, toInterval, type Interval } from './time.js';
import type { CalendarConfig, CalendarEvent } from './types.js';

export const NORMAL_DAYS = [TUESDAY, WEDNESDAY, THURSDAY];
export const NORMAL_HOURS = { from: 10, to: 16 };
export const MAJOR_DAYS = [TUESDAY, WEDNESDAY];

/** The local day slots normal changes prefer, for every day touching `range`. */
export function normalSlots(range: Interval, zone: string): Interval[] {
  return localDays(range, zone)
    .filter((day) => NORMAL_DAYS.includes(day.weekday))
    .map((day) => ({ start: day.set({ hour: NORMAL_HOURS.from }).toMillis(), end: day.set({ hour: NORMAL_HOURS.to }).toMillis() }));
}

/** Occurrences of declared maintenance windows touching `range`. */
export function maintenanceWindows(range: Interval, events: CalendarEvent[], zone: string): Interval[] {
  return events.filter((e) => e.kind === 'maintenance-window').flatMap((e) => occurrences(e, range, zone));
}

/**
 * The parts of each maintenance window that fall on Tuesday or Wednesday local, a Tuesday part and
 * the Wednesday part right after it joined: the spans a major change may be planned into.
 */
export function majorSlots(range: Interval, events: CalendarEvent[], zone: string): Interval[] {
  return maintenanceWindows(range, events, zone).flatMap((mw) =>
    merge(
      localDays(mw, zone)
        .filter((day) => MAJOR_DAYS.includes(day.weekday))
        .map((day) => ({ start: Math.max(mw.start, day.toMillis()), end: Math.min(mw.end, nextLocalMidnight(day).toMillis()) })),
    ),
  );
}

function insideNormalSlot(window: Interval, zone: string): boolean {
  return normalSlots({ start: window.start, end: window.start + 1 }, zone).some((slot) => contains(slot, window));
}

function onMajorDays(window: Interval, zone: string): boolean {
  const start = inZone(window.start, zone);
  if (!MAJOR_DAYS.includes(start.weekday)) return false;
  let thursday = start.startOf('day');
  while (thursday.weekday !== THURSDAY) thursday = nextLocalMidnight(thursday);
  return window.end <= thursday.toMillis();
}

/** Warnings for a planned window outside its category's preferred windows; `[]` when inside. */
export function preferredWindowWarnings(category: Category, window: { start: string; end: string }, events: CalendarEvent[], config: CalendarConfig): string[] {
  const { zone } = resolveConfig(config);
  const planned = toInterval(window);
  const when = describeWindow(planned, zone);
  switch (category) {
    case 'standard':
    case 'emergency':
      return [];
    case 'normal':
      return insideNormalSlot(planned, zone)
        ? []
        : [`Outside the preferred window for normal changes (Tuesday to Thursday, 10:00–16:00 local time): planned ${when}.`];
    case 'major': {
      const warnings: string[] = [];
      if (!onMajorDays(planned, zone)) warnings.push(`Outside the preferred days for major changes (Tuesday to Wednesday, local time): planned ${when}.`);
      if (!maintenanceWindows(planned, events, zone).some((mw) => contains(mw, planned))) {
        warnings.push(`Not inside a declared maintenance window, where major changes belong: planned ${when}.`);
      }
      return warnings;
    }
  }
}
