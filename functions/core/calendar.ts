/**
 * The change calendar (docs/process.md "Change calendar"; seed "Change Calendar"): blackouts, preferred windows,
 * conflicts, free slots and the open/closed state, all evaluated in the organisation's IANA time
 * zone with luxon (DST-correct), public holidays from date-holidays, recurring events from rrule.
 *
 * Pure: no I/O and no clock — every function takes the instants it reasons about. Instants in are
 * ISO 8601 with an offset; instants out are UTC (`...Z`), with local renderings where people read
 * them. Windows are half-open `[start, end)`.
 */
export type {
  Blackout,
  BlackoutKind,
  BusyInterval,
  CalendarConfig,
  CalendarEvent,
  CalendarEventKind,
  CalendarState,
  Conflict,
  TimeWindow,
} from './calendar/types.js';
export { CALENDAR_EVENT_KINDS } from './calendar/types.js';
export { calendarConfigProblems, defaultCalendarConfig, DEFAULT_FRIDAY_CUTOFF, DEFAULT_HOLIDAY_COUNTRY } from './calendar/config.js';
export { blackoutsBetween, blackoutsTouching, calendarState, MAX_RANGE_DAYS } from './calendar/blackouts.js';
export { occurrencesBetween, parseRrule } from './calendar/recurrence.js';
export { preferredWindowWarnings } from './calendar/preferred.js';
export { COMMITTED_STATES, componentsOf, conflictsFor, sharedComponents } from './calendar/conflicts.js';
export { nextFreeSlots, type NextFreeSlotsArgs } from './calendar/slots.js';
