/**
 * The shapes the change calendar speaks in. Every instant that goes in or comes out is an ISO 8601
 * string; what comes out is UTC (`...Z`), plus the organisation-local rendering where people read it.
 * Every window is half-open, `[start, end)`: a window that ends exactly when a blackout begins does
 * not touch it.
 */

export interface CalendarConfig {
  /** The organisation's IANA time zone; every calendar rule is evaluated in it. */
  timeZone: string;
  /** ISO 3166 country whose public holidays are blackouts (date-holidays codes), e.g. `US`. */
  holidayCountry: string;
  /** Optional state/region inside the country (date-holidays "state" codes), e.g. `CA`, `ENG`. */
  holidayRegion?: string | undefined;
  /** Local `HH:MM` from which Friday is blacked out until midnight; the seed says 14:00. */
  fridayCutoff: string;
}

export const CALENDAR_EVENT_KINDS = ['high-traffic', 'maintenance-window', 'blackout'] as const;
export type CalendarEventKind = (typeof CALENDAR_EVENT_KINDS)[number];

/** Something an admin declared on the calendar: one-off, or recurring by an RRULE. */
export interface CalendarEvent {
  id: string;
  kind: CalendarEventKind;
  title: string;
  /** First occurrence, `[start, end)`, UTC ISO. */
  start: string;
  end: string;
  /**
   * RFC 5545 RRULE body such as `FREQ=WEEKLY;BYDAY=TU;COUNT=10`. Occurrences repeat the first one's
   * wall-clock time in the organisation's zone, so a weekly 02:00 local window stays 02:00 local
   * across DST changes.
   */
  rrule?: string | undefined;
}

export type BlackoutKind = 'holiday' | 'friday-afternoon' | 'weekend' | 'high-traffic' | 'declared';

export interface Blackout {
  kind: BlackoutKind;
  /** What people call it: the holiday's name, the event's title, "Weekend", ... */
  name: string;
  start: string;
  end: string;
  /** The same instants in the organisation's zone, ISO with offset, e.g. `2027-03-12T14:00:00-05:00`. */
  localStart: string;
  localEnd: string;
  /** For declared blackouts and high-traffic events: the event it comes from. */
  eventId?: string | undefined;
}

export interface TimeWindow {
  start: string;
  end: string;
}

export interface Conflict {
  changeId: string;
  otherId: string;
  /** The components both changes touch, spelled as the asking change spells them. */
  components: string[];
  /** Where the two planned windows overlap. */
  overlap: TimeWindow;
}

export interface CalendarState {
  /** True when no blackout covers the instant asked about. */
  open: boolean;
  /** Every blackout covering that instant; empty when open. */
  reasons: Blackout[];
  /** The next instant at which `open` flips. */
  changesAt: string;
}

export interface BusyInterval {
  start: string;
  end: string;
  components: string[];
}
