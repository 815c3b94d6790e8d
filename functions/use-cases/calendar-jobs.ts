/**
 * The calendar's scheduled jobs. Both are safe to run twice, late, or at the same time: every
 * notice and flag is a conditional write on its change, recorded once, whose event sends the
 * email (the notifications consumer); no job sends anything itself.
 */
import { blackoutsTouching, calendarState, conflictsFor, COMMITTED_STATES } from '../core/calendar.js';
import { recordBlackoutUnderWay, recordCalendarFindings } from '../core/lifecycle.js';
import { checkSchedule } from '../core/schedule-check.js';
import { dueMilestone, recordTimelineNotice, TIMELINE_GRACE } from '../core/timeline.js';
import type { CalendarStore, ChangeStore, Clock } from '../ports.js';
import type { CalendarConfig } from '../core/calendar.js';
import { allChangesInState } from './read-changes.js';
import { updateChange } from './update-change.js';

export interface CalendarJobDeps {
  store: ChangeStore;
  calendarStore: CalendarStore;
  clock: Clock;
  config: CalendarConfig;
  /** Stakeholder channel → address (STAKEHOLDER_EMAILS): a timeline notice names the channels that have one. */
  stakeholderEmails: Record<string, string>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The communication timeline: for each committed change whose milestone (T-24h, T-1h, T-0, T+15m)
 * is due, record the notice on the change (one conditional write, once per milestone and
 * revision); its event makes the notifications consumer email the stakeholders. Each change is its
 * own step: one that fails is reported and the rest go on; the next run retries it.
 */
export async function sendTimelineNotifications(deps: CalendarJobDeps): Promise<{ sent: string[]; skipped: number; failed: string[] }> {
  const now = deps.clock.now().getTime();
  // changes starting within the next 24 h, or that started up to (15 min + grace) ago
  const committed = await deps.calendarStore.committedChanges(
    new Date(now - 15 * MINUTE - TIMELINE_GRACE).toISOString(),
    new Date(now + 24 * HOUR + MINUTE).toISOString(),
  );
  const result = { sent: [] as string[], skipped: 0, failed: [] as string[] };
  for (const cr of committed) {
    const milestone = dueMilestone(Date.parse(cr.content.plannedWindow!.start), now);
    if (!milestone || cr.content.category === 'emergency') continue;
    const channels = (cr.content.communication?.stakeholders ?? []).filter((s) => deps.stakeholderEmails[s]);
    try {
      const recorded = await updateChange(deps, cr.id, (c) => recordTimelineNotice(c, milestone.id, channels, new Date(now).toISOString()));
      if (recorded) result.sent.push(`${cr.id} ${milestone.id}`);
      else result.skipped++;
    } catch (err) {
      result.failed.push(`${cr.id} ${milestone.id}: ${(err as Error).message}`);
    }
  }
  return result;
}

/**
 * Blackout check: a committed change planned into a blackout declared after its approval is
 * flagged; a change still under way when a blackout begins is reported; conflicts are refreshed
 * on every committed change, so both sides carry them. Each is one conditional write on its change,
 * recorded once; its event tells the people (the notifications consumer). Each change is its own
 * step: one that fails is listed and the rest go on.
 */
export async function checkBlackouts(
  deps: CalendarJobDeps,
): Promise<{ flagged: string[]; inProgress: string[]; conflictsUpdated: string[]; failed: string[] }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const [events, committed] = await Promise.all([
    deps.calendarStore.events(),
    deps.calendarStore.committedChanges(nowIso, new Date(now.getTime() + 90 * 24 * HOUR).toISOString()),
  ]);
  const result = { flagged: [] as string[], inProgress: [] as string[], conflictsUpdated: [] as string[], failed: [] as string[] };
  const step = async (what: string, run: () => Promise<unknown>, done: string[]) => {
    try {
      if (await run()) done.push(what);
    } catch (err) {
      result.failed.push(`${what}: ${(err as Error).message}`);
    }
  };

  for (const cr of committed) {
    if (!COMMITTED_STATES.includes(cr.state)) continue;
    if (cr.content.category !== 'emergency' && (cr.state === 'approved' || cr.state === 'scheduled')) {
      for (const blackout of blackoutsTouching(cr.content.plannedWindow!, events, deps.config)) {
        await step(
          `${cr.id} ${blackout.name}`,
          () =>
            updateChange(deps, cr.id, (c) => {
              const findings = withId(checkSchedule({ change: c, events, committed, config: deps.config, now: nowIso })!, c.id);
              const reason = `planned window now touches the blackout "${blackout.name}" (${blackout.localStart} – ${blackout.localEnd})`;
              return recordCalendarFindings(c, findings, reason, nowIso, blackout);
            }),
          result.flagged,
        );
      }
    }
    const conflicts = conflictsFor(cr, committed);
    if (conflictKey(conflicts) !== conflictKey(cr.calendar?.conflicts ?? [])) {
      await step(
        cr.id,
        () =>
          updateChange(deps, cr.id, (c) => {
            const now = conflictsFor(c, committed);
            if (conflictKey(now) === conflictKey(c.calendar?.conflicts ?? [])) return undefined;
            const reason = now.length ? `conflicts now with ${now.map((x) => x.otherId).join(', ')}` : 'no longer conflicts with another change';
            return recordCalendarFindings(c, withId(checkSchedule({ change: c, events, committed, config: deps.config, now: nowIso })!, c.id), reason, nowIso);
          }),
        result.conflictsUpdated,
      );
    }
  }
  // Changes under way are found by state, not by window: one that overran its window is the one at risk.
  const state = calendarState(nowIso, events, deps.config);
  if (!state.open) {
    const underWay = (await Promise.all((['in_progress', 'monitoring'] as const).map((s) => allChangesInState(deps, s)))).flat();
    for (const cr of underWay) {
      for (const blackout of state.reasons) {
        await step(`${cr.id} ${blackout.name}`, () => updateChange(deps, cr.id, (c) => recordBlackoutUnderWay(c, blackout, nowIso)), result.inProgress);
      }
    }
  }
  return result;
}

function withId(findings: NonNullable<ReturnType<typeof checkSchedule>>, id: string) {
  return { ...findings, conflicts: findings.conflicts.map((c) => ({ ...c, changeId: id })) };
}

function conflictKey(conflicts: { otherId: string; components: string[] }[]): string {
  return conflicts
    .map((c) => `${c.otherId}:${[...c.components].sort().join('+')}`)
    .sort()
    .join('|');
}
