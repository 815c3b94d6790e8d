/**
 * The change advisory board's agenda: read the changes that may be on it, ask the calendar about
 * each one's window, and let the core (core/cab-agenda.ts) say what is on it and in what order.
 */
import { AGENDA_DAYS, AGENDA_MAX_DAYS, buildAgenda, type Agenda } from '../core/cab-agenda.js';
import type { CalendarFindings } from '../core/calendar-findings.js';
import type { Actor, ChangeRequest } from '../core/change-request.js';
import { allowedActions, type RulesConfig } from '../core/lifecycle.js';
import { ValidationError } from '../core/errors.js';
import { checkSchedule } from '../core/schedule-check.js';
import { allChanges, allChangesInState } from './read-changes.js';
import type { CalendarDeps } from './calendar.js';

const DAY = 86_400_000;
/** Emergencies filed this long ago or less are read for a post-approval the board still has to review. */
const EMERGENCY_LOOKBACK_DAYS = 30;

export async function cabAgenda(
  deps: CalendarDeps,
  q: { from?: string | undefined; to?: string | undefined; meeting?: string | undefined },
  /** Who reads it, for the decisions they may take on each change. */
  viewer?: { actor: Actor; rules: Pick<RulesConfig, 'emergencyRoles'> },
): Promise<Agenda> {
  const now = deps.clock.now().toISOString();
  const from = q.from ?? now;
  const to = q.to ?? new Date(Date.parse(from) + AGENDA_DAYS * DAY).toISOString();
  if (Date.parse(to) <= Date.parse(from)) throw new ValidationError([{ path: 'query.to', message: `must be after from (${from})` }]);
  if (Date.parse(to) - Date.parse(from) > AGENDA_MAX_DAYS * DAY) {
    throw new ValidationError([{ path: 'query.to', message: `an agenda covers at most ${AGENDA_MAX_DAYS} days` }]);
  }
  // each read is bounded by what is open: pending changes, committed ones in the period, recent emergencies, one meeting
  const [pending, due, emergencies, decided, events] = await Promise.all([
    allChangesInState(deps, 'pending_approval'),
    deps.calendarStore.committedChanges(from, to),
    allChanges(deps, { category: 'emergency', from: new Date(Date.parse(now) - EMERGENCY_LOOKBACK_DAYS * DAY).toISOString() }),
    q.meeting ? deps.store.decidedInMeeting(q.meeting) : Promise.resolve([]),
    deps.calendarStore.events(),
  ]);
  const changes = [...pending, ...due, ...emergencies, ...decided];
  const findings = new Map<string, CalendarFindings | undefined>();
  // the calendar's answer for each window, as a submit would get it (committed changes around it, the declared events)
  await Promise.all(
    [...new Map(changes.map((cr) => [cr.id, cr])).values()].map(async (cr) => {
      const window = cr.content.plannedWindow;
      if (!window) return;
      const committed = await deps.calendarStore.committedChanges(window.start, window.end);
      findings.set(cr.id, checkSchedule({ change: cr, events, committed, config: deps.config, now }));
    }),
  );
  const actionsOf = viewer ? (cr: ChangeRequest) => allowedActions(cr, viewer.actor, viewer.rules) : undefined;
  return buildAgenda({ changes, findings, from, to, meeting: q.meeting, timeZone: deps.config.timeZone, now, actionsOf });
}
