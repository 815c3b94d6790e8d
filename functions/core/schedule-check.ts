/**
 * Asks the calendar about a change's planned window: blackouts it touches (refused for every
 * non-emergency change), preferred-window warnings, and conflicts with committed changes, with the
 * next free slot suggested.
 */
import { blackoutsTouching, conflictsFor, nextFreeSlots, preferredWindowWarnings, componentsOf, COMMITTED_STATES } from './calendar.js';
import type { CalendarConfig, CalendarEvent, TimeWindow } from './calendar.js';
import type { CalendarFindings } from './calendar-findings.js';
export { calendarWarnings, refuseBlackouts } from './calendar-findings.js';
import type { ChangeContent, ChangeRequest } from './change-request.js';

export type { CalendarFindings } from './calendar-findings.js';

export function checkSchedule(args: {
  change: Pick<ChangeRequest, 'id'> & { content: ChangeContent };
  events: CalendarEvent[];
  committed: Pick<ChangeRequest, 'id' | 'content' | 'state'>[];
  config: CalendarConfig;
  now: string;
}): CalendarFindings | undefined {
  const { change, events, committed, config, now } = args;
  const window = change.content.plannedWindow;
  if (!window) return undefined;
  const emergency = change.content.category === 'emergency';
  const blackouts = emergency ? [] : blackoutsTouching(window, events, config);
  const warnings = preferredWindowWarnings(change.content.category, window, events, config);
  const conflicts = conflictsFor(change, committed);
  let suggestedSlot: TimeWindow | undefined;
  if (blackouts.length || conflicts.length) {
    const durationMinutes = Math.max(1, Math.round((Date.parse(window.end) - Date.parse(window.start)) / 60_000));
    [suggestedSlot] = nextFreeSlots({
      category: change.content.category,
      durationMinutes,
      after: later(now, window.start),
      count: 1,
      events,
      busy: committed
        .filter((c) => c.id !== change.id && COMMITTED_STATES.includes(c.state) && c.content.plannedWindow)
        .map((c) => ({ ...c.content.plannedWindow!, components: componentsOf(c.content) })),
      components: componentsOf(change.content),
      config,
    });
  }
  return { checkedAt: now, blackouts, warnings, conflicts, suggestedSlot };
}

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
