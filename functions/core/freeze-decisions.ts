/**
 * What a freeze writes on the changes it touches (core/freezes.ts has the rules): a hold and its
 * release, an exception asked for, decided and reviewed, and the owner's reminders. Each is one
 * audit entry, so one domain event that tells the people concerned (the notifications consumer);
 * each returns undefined when there is nothing to write (a hold already there, a reminder sent),
 * so a job or a retried request may call it twice.
 */
import { type Actor, type ChangeRequest, SYSTEM } from './change-request.js';
import { ValidationError } from './errors.js';
import {
  activeHold,
  changeOver,
  exceptionAskRefusal,
  exceptionDecisionRefusal,
  exceptionReviewRefusal,
  type Freeze,
  type FreezeHold,
  type HoldEnd,
  notHeldBecause,
  reviewDueAt,
} from './freezes.js';
import { componentsOf } from './calendar/conflicts.js';
import { type Decision, Writer } from './lifecycle.js';

const about = (freeze: Freeze) => ({ freeze: { id: freeze.id, title: freeze.title, owner: freeze.owner.name } });
const named = (freeze: Freeze) => `the freeze "${freeze.title}" (${freeze.id}, ${freeze.start} – ${freeze.end}, owner ${freeze.owner.name})`;

/** Puts the change on hold for an enforced freeze that hits it, unless already held or let through by an exception. */
export function holdForFreeze(cr: ChangeRequest, freeze: Freeze, now: string): Decision | undefined {
  if (activeHold(cr, freeze.id) || notHeldBecause(cr, freeze, now)) return undefined;
  const w = new Writer(cr, SYSTEM, now);
  const hold: FreezeHold = {
    freezeId: freeze.id,
    title: freeze.title,
    owner: freeze.owner,
    start: freeze.start,
    end: freeze.end,
    since: now,
  };
  w.cr.holds = [...(cr.holds ?? []).filter((h) => h.freezeId !== freeze.id), hold];
  w.transition('hold', cr.state, cr.state, `on hold: ${named(freeze)} covers its window and components (${freeze.reason})`, about(freeze));
  return w.done();
}

const RELEASED: Record<HoldEnd, string> = {
  lifted: 'the freeze was lifted',
  ended: 'the freeze is over',
  exception: "its owner approved an exception for this change's window",
  'out-of-scope': "the change's window or components no longer fall in it",
};

/** Releases the change's hold when it no longer applies (core/freezes.ts `notHeldBecause`). */
export function releaseHold(cr: ChangeRequest, freeze: Freeze, now: string, actor: Actor = SYSTEM): Decision | undefined {
  const why = activeHold(cr, freeze.id) ? notHeldBecause(cr, freeze, now) : undefined;
  if (!why) return undefined;
  const w = new Writer(cr, actor, now);
  release(w, freeze, why);
  return w.done();
}

function release(w: Writer, freeze: Freeze, why: HoldEnd): void {
  w.cr.holds = (w.cr.holds ?? []).map((h) => (h.freezeId === freeze.id && !h.releasedAt ? { ...h, releasedAt: w.now, released: why } : h));
  const said = why === 'lifted' && freeze.liftComment ? ` (${freeze.liftComment})` : '';
  w.transition('release', w.cr.state, w.cr.state, `released from ${named(freeze)}: ${RELEASED[why]}${said}`, about(freeze));
}

/** The requestor asks the freeze owner to let this change through, for its window and components as they stand. */
export function askException(cr: ChangeRequest, freeze: Freeze, actor: Actor, reason: string, now: string): Decision {
  exceptionAskRefusal(freeze, cr, actor, reason);
  const w = new Writer(cr, actor, now);
  const window = cr.content.plannedWindow!;
  // an approved exception the change has outgrown (a revised window or scope) gives way to the new one; the audit keeps it
  w.cr.freezeExceptions = [
    ...(cr.freezeExceptions ?? []).filter((e) => !(e.freezeId === freeze.id && e.state === 'approved')),
    {
      freezeId: freeze.id,
      freezeTitle: freeze.title,
      owner: freeze.owner,
      reason: reason.trim(),
      askedBy: { id: actor.id, name: actor.name },
      askedAt: now,
      revision: cr.revision,
      window: { start: window.start, end: window.end },
      components: componentsOf(cr.content),
      state: 'requested',
    },
  ];
  w.transition('exception-requested', cr.state, cr.state, `exception to ${named(freeze)} asked for: ${reason.trim()}`, about(freeze));
  return w.done();
}

/** The freeze owner approves or rejects the exception asked for; an approval releases the change's hold. */
export function decideException(
  cr: ChangeRequest,
  freeze: Freeze,
  actor: Actor,
  decision: 'approve' | 'reject',
  comment: string | undefined,
  now: string,
): Decision {
  const asked = exceptionDecisionRefusal(freeze, cr, actor);
  if (decision === 'reject' && !comment?.trim()) {
    throw new ValidationError([{ path: 'body.comment', message: 'is required to reject an exception: say why the change must wait for the freeze to lift' }]);
  }
  const w = new Writer(cr, actor, now);
  const state = decision === 'approve' ? 'approved' : 'rejected';
  w.cr.freezeExceptions = (cr.freezeExceptions ?? []).map((e) =>
    e === asked ? { ...e, state, decidedAt: now, ...(comment?.trim() ? { comment: comment.trim() } : {}) } : e,
  );
  const scope = `${asked.window.start} – ${asked.window.end} on ${asked.components.join(', ') || 'no component'}`;
  w.transition(
    `exception-${state}`,
    cr.state,
    cr.state,
    decision === 'approve'
      ? `exception to ${named(freeze)} approved for ${scope}${comment?.trim() ? `: ${comment.trim()}` : ''}`
      : `exception to ${named(freeze)} rejected: ${comment!.trim()}`,
    about(freeze),
  );
  if (decision === 'approve' && activeHold(w.cr, freeze.id)) release(w, freeze, 'exception');
  return w.done();
}

/** The owner's review of an approved exception, once the change is over. */
export function reviewException(cr: ChangeRequest, freeze: Freeze, actor: Actor, comment: string, now: string): Decision {
  const approved = exceptionReviewRefusal(freeze, cr, actor, now);
  if (!comment.trim()) throw new ValidationError([{ path: 'body.comment', message: 'is required: how did the change go inside the freeze?' }]);
  const dueAt = reviewDueAt(cr, approved)!;
  const w = new Writer(cr, actor, now);
  w.cr.freezeExceptions = (cr.freezeExceptions ?? []).map((e) =>
    e === approved ? { ...e, review: { by: actor.id, name: actor.name, at: now, comment: comment.trim() } } : e,
  );
  const late = Date.parse(now) > Date.parse(dueAt) ? ` (late: it was due ${dueAt})` : '';
  w.transition('exception-reviewed', cr.state, cr.state, `exception to ${named(freeze)} reviewed${late}: ${comment.trim()}`, {
    ...about(freeze),
    dueAt,
  });
  return w.done();
}

/**
 * The owner is asked for the review once the change is over, and told once more when it is
 * overdue (24 h after the change); nothing when reviewed, not due yet, or already said.
 */
export function remindExceptionReview(cr: ChangeRequest, freeze: Freeze, now: string): Decision | undefined {
  const approved = (cr.freezeExceptions ?? []).find((e) => e.freezeId === freeze.id && e.state === 'approved' && !e.review);
  if (!approved || !changeOver(cr, approved, now)) return undefined;
  const dueAt = reviewDueAt(cr, approved)!;
  const overdue = Date.parse(now) >= Date.parse(dueAt);
  if (overdue ? approved.reviewOverdueAt : approved.reviewAskedAt) return undefined;
  const w = new Writer(cr, SYSTEM, now);
  w.cr.freezeExceptions = (cr.freezeExceptions ?? []).map((e) =>
    e === approved ? { ...e, ...(overdue ? { reviewOverdueAt: now } : {}), reviewAskedAt: e.reviewAskedAt ?? now } : e,
  );
  w.transition(
    overdue ? 'exception-review-overdue' : 'exception-review-due',
    cr.state,
    cr.state,
    overdue
      ? `the review of the exception to ${named(freeze)} is overdue: it was due ${dueAt}`
      : `${cr.id} is over: review its exception to ${named(freeze)} by ${dueAt}`,
    { ...about(freeze), dueAt },
  );
  return w.done();
}
