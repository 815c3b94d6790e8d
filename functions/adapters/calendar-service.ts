/**
 * CalendarService on the calendar store and the core's calendar rules: the one place the change
 * use cases reach the holiday tables, recurrences and conflicts through.
 */
import { calendarState, type CalendarConfig } from '../core/calendar.js';
import type { ChangeRequest } from '../core/change-request.js';
import { gateDecision } from '../core/deploy-gate.js';
import { checkSchedule } from '../core/schedule-check.js';
import type { CalendarService, CalendarStore, FreezeStore } from '../ports.js';

export class StoreCalendarService implements CalendarService {
  constructor(
    private readonly store: CalendarStore,
    private readonly config: CalendarConfig,
    /** The gate refuses a change held by a freeze inside it. */
    private readonly freezes: Pick<FreezeStore, 'freezes'>,
  ) {}

  /** Reads the calendar around a planned window and asks the core what it says (two reads, in parallel). */
  async findings(change: Parameters<CalendarService['findings']>[0], now: string) {
    const window = change.content.plannedWindow;
    if (!window) return undefined;
    const [events, committed] = await Promise.all([this.store.events(), this.store.committedChanges(window.start, window.end)]);
    return checkSchedule({ change, events, committed, config: this.config, now });
  }

  async gate(cr: ChangeRequest, at: string, revision?: number) {
    const window = cr.content.plannedWindow;
    const [events, committed, freezes] = await Promise.all([
      this.store.events(),
      window ? this.store.committedChanges(window.start, window.end) : Promise.resolve([]),
      this.freezes.freezes(),
    ]);
    return gateDecision({ cr, revision, at, events, committed, freezes, config: this.config });
  }

  async blackoutsAt(at: string) {
    const state = calendarState(new Date(at).toISOString(), await this.store.events(), this.config);
    return state.reasons.map((b) => ({ name: b.name, kind: b.kind, start: b.start, end: b.end }));
  }
}
