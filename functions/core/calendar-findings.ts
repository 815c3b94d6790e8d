/**
 * What the calendar said about a change's planned window, as carried on the CR and shown to
 * approvers, and the rule that refuses a blackout. Types only from the calendar, so the lifecycle
 * (and every function that merely reads a CR) does not pull in the holiday tables.
 */
import type { Blackout, Conflict, TimeWindow } from './calendar/types.js';
import type { ChangeContent } from './change-request.js';
import { IncompleteError } from './errors.js';

export interface CalendarFindings {
  checkedAt: string;
  blackouts: Blackout[];
  warnings: string[];
  conflicts: Conflict[];
  /** The next free slot for this change's duration, offered when there is a conflict or a blackout. */
  suggestedSlot?: TimeWindow | undefined;
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
