/**
 * The change calendar as the API and the deploy gate use it: read the events and the committed
 * changes, ask the pure core, answer with local and UTC times.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  blackoutsBetween,
  calendarState,
  componentsOf,
  conflictsFor,
  nextFreeSlots,
  parseRrule,
  type CalendarConfig,
  type Conflict,
} from '../core/calendar.js';
import { occurrences } from '../core/calendar/recurrence.js';
import { gateDecision } from '../core/deploy-gate.js';
import type { Actor, ChangeRequest } from '../core/change-request.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../core/errors.js';
import { mustBeAdmin } from '../core/roles.js';
import { getChange } from './read-changes.js';
import type { CalendarStore, ChangeStore, Clock, FreezeStore, StoredCalendarEvent } from '../ports.js';

export interface CalendarDeps {
  store: ChangeStore;
  calendarStore: CalendarStore;
  clock: Clock;
  config: CalendarConfig;
}

const local = (iso: string, zone: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toISO({ suppressMilliseconds: true })!;
const withLocal = <T extends { start: string; end: string }>(w: T, zone: string) => ({ ...w, localStart: local(w.start, zone), localEnd: local(w.end, zone) });

/** Everything on the calendar in [from, to): blackouts, maintenance windows, committed changes and their conflicts. */
export async function calendarBetween(deps: CalendarDeps, from: string, to: string) {
  const zone = deps.config.timeZone;
  const [events, committed] = await Promise.all([deps.calendarStore.events(), deps.calendarStore.committedChanges(from, to)]);
  const range = { start: Date.parse(from), end: Date.parse(to) };
  const maintenanceWindows = events
    .filter((e) => e.kind === 'maintenance-window')
    .flatMap((e) =>
      occurrences(e, range, zone).map((o) =>
        withLocal({ eventId: e.id, title: e.title, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString() }, zone),
      ),
    );
  const conflicts = uniqueConflicts(committed.flatMap((cr) => conflictsFor(cr, committed)));
  return {
    timeZone: zone,
    from,
    to,
    blackouts: blackoutsBetween(from, to, events, deps.config),
    maintenanceWindows,
    changes: committed.map((cr) => ({
      id: cr.id,
      title: cr.content.title,
      category: cr.content.category,
      state: cr.state,
      components: componentsOf(cr.content),
      ...withLocal(cr.content.plannedWindow!, zone),
    })),
    conflicts,
    events,
  };
}

export async function calendarStateAt(deps: CalendarDeps, at: string) {
  const state = calendarState(at, await deps.calendarStore.events(), deps.config);
  return { at, timeZone: deps.config.timeZone, ...state, localChangesAt: local(state.changesAt, deps.config.timeZone) };
}

export interface EventInput {
  kind: StoredCalendarEvent['kind'];
  title: string;
  start: string;
  end: string;
  rrule?: string | undefined;
}

export async function declareEvent(deps: CalendarDeps, actor: Actor, input: EventInput): Promise<StoredCalendarEvent> {
  mustBeAdmin(actor, 'declare or remove calendar events');
  if (input.rrule !== undefined) {
    const check = parseRrule(input.rrule);
    if (!check.ok) throw new ValidationError([{ path: 'body.rrule', message: check.message }]);
  }
  const event: StoredCalendarEvent = {
    id: `EVT-${randomUUID().slice(0, 8)}`,
    ...input,
    start: new Date(input.start).toISOString(),
    end: new Date(input.end).toISOString(),
    createdAt: deps.clock.now().toISOString(),
    createdBy: actor.id,
  };
  await deps.calendarStore.putEvent(event);
  return event;
}

export async function removeEvent(deps: CalendarDeps, actor: Actor, id: string): Promise<void> {
  mustBeAdmin(actor, 'declare or remove calendar events');
  if (!(await deps.calendarStore.deleteEvent(id))) throw new NotFoundError(`calendar event ${id} does not exist`);
}

/** The next free slots for a change's duration inside its preferred windows, clear of blackouts and conflicts. */
export async function slotsFor(deps: CalendarDeps, id: string, count: number) {
  const { cr } = await getChange(deps, id);
  const now = deps.clock.now().toISOString();
  const minutes = durationMinutes(cr);
  const horizonEnd = new Date(Date.parse(now) + 90 * 86_400_000).toISOString();
  const [events, committed] = await Promise.all([deps.calendarStore.events(), deps.calendarStore.committedChanges(now, horizonEnd)]);
  const slots = nextFreeSlots({
    category: cr.content.category,
    durationMinutes: minutes,
    after: now,
    count,
    events,
    busy: committed.filter((c) => c.id !== cr.id).map((c) => ({ ...c.content.plannedWindow!, components: componentsOf(c.content) })),
    components: componentsOf(cr.content),
    config: deps.config,
  });
  return { id, durationMinutes: minutes, timeZone: deps.config.timeZone, slots: slots.map((s) => withLocal(s, deps.config.timeZone)) };
}

/** The pull-style deploy gate: load the change and the calendar around it, and ask the core. */
export async function gate(
  deps: CalendarDeps & { freezes: Pick<FreezeStore, 'freezes'> },
  id: string,
  query: { revision?: number | undefined; at?: string | undefined },
) {
  const { cr } = await getChange(deps, id);
  const at = query.at ?? deps.clock.now().toISOString();
  const window = cr.content.plannedWindow;
  const [events, committed, freezes] = await Promise.all([
    deps.calendarStore.events(),
    window ? deps.calendarStore.committedChanges(window.start, window.end) : Promise.resolve([] as ChangeRequest[]),
    deps.freezes.freezes(),
  ]);
  return { id, revision: cr.revision, at, ...gateDecision({ cr, revision: query.revision, at, events, committed, freezes, config: deps.config }) };
}

function durationMinutes(cr: ChangeRequest): number {
  const w = cr.content.plannedWindow;
  if (w) return Math.max(1, Math.round((Date.parse(w.end) - Date.parse(w.start)) / 60_000));
  return cr.content.implementation?.maintenanceWindow?.durationMinutes ?? 60;
}

function uniqueConflicts(all: Conflict[]): Conflict[] {
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = [c.changeId, c.otherId].sort().join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the iCalendar feed lists: blackouts, maintenance windows and committed changes, from a week ago to six months ahead. */
export interface FeedEntry {
  uid: string;
  summary: string;
  start: string;
  end: string;
  description?: string;
  busy: boolean;
}

/**
 * The feed, for a caller who holds its key (compared in constant time). No key configured: the
 * feed is off (404); a wrong one: 401.
 */
export async function calendarFeed(deps: CalendarDeps & { feedKey?: (() => Promise<string>) | undefined }, given: string): Promise<FeedEntry[]> {
  if (!deps.feedKey) throw new NotFoundError('the calendar feed is off: set CALENDAR_FEED_KEY (or CALENDAR_FEED_SECRET_ID) to turn it on');
  const expected = Buffer.from(await deps.feedKey());
  const offered = Buffer.from(given);
  if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) throw new UnauthorizedError('the feed key is missing or wrong');
  const now = deps.clock.now();
  const view = await calendarBetween(deps, new Date(now.getTime() - 7 * DAY).toISOString(), new Date(now.getTime() + 180 * DAY).toISOString());
  return [
    ...view.blackouts.map((b) => ({
      uid: `blackout-${b.kind}-${b.start}@changeflow`,
      summary: `Blackout: ${b.name}`,
      start: b.start,
      end: b.end,
      description: `No changes except emergency (${b.localStart} – ${b.localEnd}, ${view.timeZone}).`,
      busy: true,
    })),
    ...view.maintenanceWindows.map((m) => ({
      uid: `maintenance-${m.eventId}-${m.start}@changeflow`,
      summary: `Maintenance window: ${m.title}`,
      start: m.start,
      end: m.end,
      busy: false,
    })),
    ...view.changes.map((c) => ({
      uid: `${c.id}@changeflow`,
      summary: `${c.id} ${c.title} (${c.category}, ${c.state})`,
      start: c.start,
      end: c.end,
      description: `Components: ${c.components.join(', ') || 'none named'}`,
      busy: true,
    })),
  ];
}

const DAY = 86_400_000;
