/**
 * The calendar's scheduled jobs. Both are safe to run twice, late, or at the same time: every
 * notice goes through `Once`, keyed by what it is about, and every CR write is conditional.
 */
import { blackoutsTouching, calendarState, conflictsFor, COMMITTED_STATES } from '../core/calendar.js';
import type { ChangeRequest, Person } from '../core/change-request.js';
import { VersionConflictError } from '../core/errors.js';
import { recordCalendarFindings, type Decision } from '../core/lifecycle.js';
import { checkSchedule } from '../core/schedule-check.js';
import { dueMilestone, recordTimelineNotice, TIMELINE_GRACE } from '../core/timeline.js';
import { blackoutFlagNotice, blackoutInProgressNotice } from '../email/calendar-notices.js';
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

/** Read, decide, write conditioned on the version read; a lost race decides again on the fresh read. True when it wrote. */
async function updateChange(deps: Pick<CalendarJobDeps, 'store'>, id: string, decide: (cr: ChangeRequest) => Decision | undefined): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.get(id);
    if (!current) return false;
    const decision = decide(current.cr);
    if (!decision) return false;
    try {
      await deps.store.save(current.cr.version, decision.next, decision.audit);
      return true;
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
    }
  }
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

async function emailsOf(deps: CalendarJobDeps, ids: string[], cr: ChangeRequest): Promise<string[]> {
  const people = await Promise.all([...new Set(ids)].map((id) => deps.directory.get(id)));
  const emails = people.filter((p): p is Person => Boolean(p)).map((p) => p.email);
  if (cr.requestor.email) emails.push(cr.requestor.email);
  return [...new Set(emails.filter(Boolean))];
}
