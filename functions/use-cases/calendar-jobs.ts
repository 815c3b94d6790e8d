/**
 * The calendar's scheduled jobs. Both are safe to run twice, late, or at the same time: every
 * notice goes through `Once`, keyed by what it is about, and every CR write is conditional.
 */
import { DateTime } from 'luxon';
import { blackoutsTouching, calendarState, conflictsFor, COMMITTED_STATES } from '../core/calendar.js';
import type { ChangeRequest, Person } from '../core/change-request.js';
import { VersionConflictError } from '../core/errors.js';
import { recordCalendarFindings } from '../core/lifecycle.js';
import { checkSchedule } from '../core/schedule-check.js';
import { dueMilestone, TIMELINE_GRACE } from '../core/timeline.js';
import { blackoutFlagNotice, blackoutInProgressNotice, timelineNotice } from '../email/calendar-notices.js';
import type { CalendarStore, ChangeStore, Clock, Directory, Mailer, Once } from '../ports.js';
import type { CalendarConfig } from '../core/calendar.js';
import { allChangesInState } from './read-changes.js';

export interface CalendarJobDeps {
  store: ChangeStore;
  calendarStore: CalendarStore;
  directory: Directory;
  mailer: Mailer;
  once: Once;
  clock: Clock;
  config: CalendarConfig;
  /** Stakeholder channel → address (STAKEHOLDER_EMAILS). */
  stakeholderEmails: Record<string, string>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export async function sendTimelineNotifications(deps: CalendarJobDeps): Promise<{ sent: string[]; skipped: number }> {
  const now = deps.clock.now().getTime();
  // changes starting within the next 24 h, or that started up to (15 min + grace) ago
  const committed = await deps.calendarStore.committedChanges(
    new Date(now - 15 * MINUTE - TIMELINE_GRACE).toISOString(),
    new Date(now + 24 * HOUR + MINUTE).toISOString(),
  );
  const sent: string[] = [];
  let skipped = 0;
  for (const cr of committed) {
    const start = Date.parse(cr.content.plannedWindow!.start);
    const milestone = dueMilestone(start, now);
    if (!milestone || cr.content.category === 'emergency') continue;
    const to = recipients(cr, deps.stakeholderEmails);
    const localStart = DateTime.fromMillis(start, { zone: deps.config.timeZone }).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
    const { ran } = await deps.once.run(
      'timeline',
      { changeId: cr.id, revision: cr.revision, milestone: milestone.id, start: cr.content.plannedWindow!.start },
      () => deps.mailer.send(timelineNotice(cr, milestone.id, localStart, to)),
    );
    if (ran) sent.push(`${cr.id} ${milestone.id}`);
    else skipped++;
  }
  return { sent, skipped };
}

/**
 * Blackout check: a committed change planned into a blackout declared after its approval is
 * flagged and its requestor and approvers told; a change still under way when a blackout begins
 * is reported. Conflicts are refreshed on every committed change, so both sides carry them.
 */
export async function checkBlackouts(deps: CalendarJobDeps): Promise<{ flagged: string[]; inProgress: string[]; conflictsUpdated: string[] }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const [events, committed] = await Promise.all([
    deps.calendarStore.events(),
    deps.calendarStore.committedChanges(nowIso, new Date(now.getTime() + 90 * 24 * HOUR).toISOString()),
  ]);
  const result = { flagged: [] as string[], inProgress: [] as string[], conflictsUpdated: [] as string[] };

  for (const cr of committed) {
    if (!COMMITTED_STATES.includes(cr.state)) continue;
    const emergency = cr.content.category === 'emergency';

    if (!emergency && (cr.state === 'approved' || cr.state === 'scheduled')) {
      for (const blackout of blackoutsTouching(cr.content.plannedWindow!, events, deps.config)) {
        const findings = checkSchedule({ change: cr, events, committed, config: deps.config, now: nowIso })!;
        const { ran } = await deps.once.run(
          'blackout-flag',
          { changeId: cr.id, revision: cr.revision, blackout: `${blackout.kind}:${blackout.start}:${blackout.name}` },
          async () => {
            await saveFindings(
              deps,
              cr.id,
              findings,
              `planned window now touches the blackout "${blackout.name}" (${blackout.localStart} – ${blackout.localEnd})`,
            );
            await deps.mailer.send(
              blackoutFlagNotice(cr, blackout, await emailsOf(deps, [cr.requestor.id, ...cr.approvals.map((a) => a.by)], cr), findings.suggestedSlot),
            );
          },
        );
        if (ran) result.flagged.push(`${cr.id} ${blackout.name}`);
      }
    }

    const conflicts = conflictsFor(cr, committed);
    if (conflictKey(conflicts) !== conflictKey(cr.calendar?.conflicts ?? [])) {
      const findings = checkSchedule({ change: cr, events, committed, config: deps.config, now: nowIso })!;
      const saved = await saveFindings(
        deps,
        cr.id,
        findings,
        conflicts.length ? `conflicts now with ${conflicts.map((c) => c.otherId).join(', ')}` : 'no longer conflicts with another change',
      );
      if (saved) result.conflictsUpdated.push(cr.id);
    }
  }
  // Changes under way are found by state, not by window: one that overran its window is the one at risk.
  const state = calendarState(nowIso, events, deps.config);
  if (!state.open) {
    const underWay = (await Promise.all((['in_progress', 'monitoring'] as const).map((s) => allChangesInState(deps, s)))).flat();
    for (const cr of underWay) {
      for (const blackout of state.reasons) {
        const { ran } = await deps.once.run(
          'blackout-in-progress',
          { changeId: cr.id, blackout: `${blackout.kind}:${blackout.start}:${blackout.name}` },
          async () => {
            const onCall = (await deps.directory.withRole('on-call')).map((p) => p.id);
            await deps.mailer.send(blackoutInProgressNotice(cr, blackout, await emailsOf(deps, [cr.requestor.id, ...onCall], cr)));
          },
        );
        if (ran) result.inProgress.push(`${cr.id} ${blackout.name}`);
      }
    }
  }
  return result;
}

/** Records findings on the CR with one conditional write; a concurrent writer wins and the next run catches up. */
async function saveFindings(deps: CalendarJobDeps, id: string, findings: NonNullable<ReturnType<typeof checkSchedule>>, reason: string): Promise<boolean> {
  const current = await deps.store.get(id);
  if (!current) return false;
  const { next, audit } = recordCalendarFindings(
    current.cr,
    { ...findings, conflicts: findings.conflicts.map((c) => ({ ...c, changeId: id })) },
    reason,
    findings.checkedAt,
  );
  try {
    await deps.store.save(current.cr.version, next, audit);
    return true;
  } catch (err) {
    if (err instanceof VersionConflictError) return false;
    throw err;
  }
}

function conflictKey(conflicts: { otherId: string; components: string[] }[]): string {
  return conflicts
    .map((c) => `${c.otherId}:${[...c.components].sort().join('+')}`)
    .sort()
    .join('|');
}

function recipients(cr: ChangeRequest, stakeholderEmails: Record<string, string>): string[] {
  const channels = (cr.content.communication?.stakeholders ?? []).map((s) => stakeholderEmails[s]).filter((a): a is string => Boolean(a));
  return [...new Set([...channels, ...(cr.requestor.email ? [cr.requestor.email] : [])])];
}

async function emailsOf(deps: CalendarJobDeps, ids: string[], cr: ChangeRequest): Promise<string[]> {
  const people = await Promise.all([...new Set(ids)].map((id) => deps.directory.get(id)));
  const emails = people.filter((p): p is Person => Boolean(p)).map((p) => p.email);
  if (cr.requestor.email) emails.push(cr.requestor.email);
  return [...new Set(emails.filter(Boolean))];
}
