/**
 * What the calendar says about a change's planned window, carried on the CR and shown to
 * approvers: blackouts it touches (refused for every non-emergency change), preferred-window
 * warnings, and conflicts with committed changes, each with the next free slot suggested.
 */
import { blackoutsTouching, conflictsFor, nextFreeSlots, preferredWindowWarnings, componentsOf, COMMITTED_STATES } from './calendar.js';
import type { Blackout, CalendarConfig, CalendarEvent, Conflict, TimeWindow } from './calendar.js';
import type { ChangeContent, ChangeRequest } from './change-request.js';
import { IncompleteError } from './errors.js';

export interface CalendarFindings {
  checkedAt: string;
  blackouts: Blackout[];
  warnings: string[];
  conflicts: Conflict[];
  /** The next free slot for this change's duration, offered when there is a conflict or a blackout. */
  suggestedSlot?: TimeWindow | undefined;
}

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

/** A non-emergency change may not be planned into a blackout: refused on every (re)schedule and submit. */
export function refuseBlackouts(content: ChangeContent, findings: CalendarFindings | undefined): void {
  if (!findings?.blackouts.length || content.category === 'emergency') return;
  const named = findings.blackouts.map((b) => `${b.name} (${b.localStart} – ${b.localEnd})`);
  throw new IncompleteError(
    findings.blackouts.map((b) => ({
      path: 'content.plannedWindow',
      message: `touches the blackout "${b.name}" from ${b.localStart} to ${b.localEnd}`,
    })),
    `The planned window touches ${named.length === 1 ? 'a blackout' : `${named.length} blackouts`}: ${named.join('; ')}.${
      findings.suggestedSlot ? ` The next free slot is ${findings.suggestedSlot.start} – ${findings.suggestedSlot.end}.` : ''
    }`,
  );
}

/** The words approvers read about the calendar. */
export function calendarWarnings(findings: CalendarFindings | undefined): string[] {
  if (!findings) return [];
  const out = [...findings.warnings];
  for (const c of findings.conflicts) {
    out.push(`conflicts with ${c.otherId} on ${c.components.join(', ')} from ${c.overlap.start} to ${c.overlap.end}`);
  }
  for (const b of findings.blackouts) out.push(`touches the blackout "${b.name}" (${b.localStart} – ${b.localEnd})`);
  if (findings.suggestedSlot && (findings.conflicts.length || findings.blackouts.length)) {
    out.push(`next free slot: ${findings.suggestedSlot.start} – ${findings.suggestedSlot.end}`);
  }
  return out;
}

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
