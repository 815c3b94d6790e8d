/**
 * The Jira/Linear mirror, one outbound step per event (core/tracker-mirror.ts has the rules): the
 * change's issue created the first time (claimed, so two events of a new change make one issue;
 * found again by the tracker after a lost answer), then its title and status brought to the
 * change's and the event's comment added; the link kept with the event's seq, so an older event
 * delivered late changes nothing. An outage or a rate limit fails the step (the bus retries it,
 * then dead-letters it); a refusal for good is recorded and not retried.
 */
import type { State } from '../core/change-request.js';
import type { DomainEvent } from '../core/events.js';
import { eventSeq } from '../core/events.js';
import { issueDescription, issueTitle, mirrorPlan, type TeamMirror, type Tracker } from '../core/tracker-mirror.js';
import { type Clock, type IssueTracker, type MirrorStore, TrackerError } from '../ports.js';

export interface MirrorDeps {
  store: MirrorStore;
  trackers: Partial<Record<Tracker, IssueTracker>>;
  /** Team → where its changes are mirrored (TRACKER_MIRRORS). */
  teams: Record<string, TeamMirror>;
  statuses: Record<Tracker, Record<State, string>>;
  clock: Clock;
  baseUrl: string;
}

/** Where the event's change is mirrored, if its requestor's team mirrors. */
export function mirrorOf(deps: MirrorDeps, event: DomainEvent): TeamMirror | undefined {
  const team = event.change.requestor.team;
  const where = team ? deps.teams[team] : undefined;
  return where && deps.trackers[where.tracker] ? where : undefined;
}

export class MirrorRetryError extends Error {
  override name = 'MirrorRetryError';
}

export async function mirrorEvent(deps: MirrorDeps, event: DomainEvent, where: TeamMirror): Promise<'sent' | 'refused'> {
  const tracker = deps.trackers[where.tracker]!;
  try {
    const link = await deps.store.get(event.changeId);
    const plan = mirrorPlan(event, link, deps.statuses[where.tracker]);
    if (plan.skip) return 'sent';
    const cr = event.change;
    let issue = link?.issue;
    if (!issue) {
      if (!(await deps.store.claim(event.changeId, event.id, deps.clock.now()))) {
        throw new MirrorRetryError(`the issue of ${event.changeId} is being created by another delivery`);
      }
      issue =
        (await tracker.find(event.changeId, where)) ??
        (await tracker.create({ changeId: cr.id, title: issueTitle(cr), description: issueDescription(cr, deps.baseUrl) }, where));
    }
    if (plan.title) await tracker.setTitle(issue, plan.title);
    if (!(await tracker.setStatus(issue, plan.status, where)) && link?.state !== cr.state) {
      // the tracker's workflow has no such status (TRACKER_STATES names them): said once, when the change gets there
      await tracker.comment(
        issue,
        `ChangeFlow: the change is ${cr.state.replace('_', ' ')}, but this project has no status "${plan.status}" to move the issue to.`,
      );
    }
    if (plan.comment) await tracker.comment(issue, plan.comment);
    const kept = {
      changeId: cr.id,
      tracker: where.tracker,
      issue,
      seq: eventSeq(event.id),
      state: cr.state,
      title: issueTitle(cr),
      updatedAt: deps.clock.now().toISOString(),
    };
    if (!(await deps.store.put(kept))) {
      // a later event was mirrored meanwhile (the bus does not keep order): its status is the one to show
      const latest = await deps.store.get(event.changeId);
      const statuses = deps.statuses[where.tracker];
      if (latest && statuses[latest.state] !== plan.status) await tracker.setStatus(issue, statuses[latest.state], where);
    }
    return 'sent';
  } catch (err) {
    if (err instanceof TrackerError && !err.retry) return 'refused';
    throw err;
  }
}
