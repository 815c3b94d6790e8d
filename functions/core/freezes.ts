/**
 * Change freezes and their exceptions (docs/process.md "Freezes"): a blackout with an owner, a
 * scope of components and a reason, declared as a draft, previewed, enforced and lifted. While it
 * is enforced, every planned or in-flight change whose window overlaps it on a component in its
 * scope is on hold: the deploy gate and `start` refuse it inside the freeze, naming the freeze,
 * unless the freeze owner approved an exception for that change. An exception is asked per change,
 * with a reason of at least a sentence, by the change's requestor; it is decided by the freeze
 * owner, never by the person who asked nor the change's requestor; it covers the window and the
 * components it was asked for (a revised change that leaves them needs a new one); and the owner
 * reviews it within 24 hours after the change.
 *
 * Pure: the instants are arguments. Emergency changes are not held (like blackouts, seed:
 * Emergency Changes); the gate notes the freeze they go through.
 */
import { componentsOf, componentsOutside, sharedComponents } from './calendar/conflicts.js';
import { contains, type Interval, overlaps } from './calendar/time.js';
import { type Actor, type ChangeRequest, CLOSED_STATES, type State } from './change-request.js';
import { ForbiddenError, IllegalTransitionError, ValidationError } from './errors.js';

export const FREEZE_STATES = ['draft', 'enforced', 'lifted'] as const;
export type FreezeState = (typeof FREEZE_STATES)[number];

/** A freeze's scope that covers every component. */
export const EVERY_COMPONENT = '*';

export interface Freeze {
  id: string;
  title: string;
  /** Why the freeze: what it protects (a launch, the quarter's close, an audit). */
  reason: string;
  /** Who decides its exceptions and reviews them afterwards. */
  owner: { id: string; name: string };
  /** The components it freezes, as the template names them; `["*"]` freezes every one. */
  components: string[];
  /** `[start, end)`, UTC ISO. */
  start: string;
  end: string;
  state: FreezeState;
  createdAt: string;
  createdBy: string;
  enforcedAt?: string | undefined;
  enforcedBy?: string | undefined;
  liftedAt?: string | undefined;
  liftedBy?: string | undefined;
  /** What the admin said on enforcing and on lifting it, if anything. */
  enforceComment?: string | undefined;
  liftComment?: string | undefined;
  /** The changes that asked for an exception (their exceptions are kept on them). */
  exceptionChanges?: string[] | undefined;
  /** The changes it put on hold, released or not: lifting it releases them wherever their windows went since. */
  heldChanges?: string[] | undefined;
  /** Bumped by every write; each write is conditioned on the version read. */
  version: number;
}

/** A freeze keeps a change on hold while it is enforced (the entry on the change that says so). */
export interface FreezeHold {
  freezeId: string;
  title: string;
  owner: { id: string; name: string };
  /** The freeze's window. */
  start: string;
  end: string;
  since: string;
  releasedAt?: string | undefined;
  /** Why it ended: the freeze was lifted, an exception was approved, the change left its scope. */
  released?: HoldEnd | undefined;
}

/** Why a hold ended: the freeze was lifted or is over, an exception was approved, the change left its scope. */
export type HoldEnd = 'lifted' | 'ended' | 'exception' | 'out-of-scope';

export interface FreezeException {
  freezeId: string;
  freezeTitle: string;
  owner: { id: string; name: string };
  reason: string;
  askedBy: { id: string; name: string };
  askedAt: string;
  /** What it covers: the change's revision, window and components when it was asked for. */
  revision: number;
  window: { start: string; end: string };
  components: string[];
  state: 'requested' | 'approved' | 'rejected';
  decidedAt?: string | undefined;
  comment?: string | undefined;
  review?: { by: string; name: string; at: string; comment: string } | undefined;
  /** When the owner was asked for the review, and told it is overdue (each once). */
  reviewAskedAt?: string | undefined;
  reviewOverdueAt?: string | undefined;
}

/** The states of a change a freeze holds: planned (awaiting a decision, approved, scheduled) and in flight. */
export const HELD_STATES: readonly State[] = ['pending_approval', 'approved', 'scheduled', 'in_progress', 'monitoring'];
/** An exception's reason is at least a sentence. */
export const MIN_EXCEPTION_REASON = 20;
/** The longest freeze (a quarter): a longer one is a policy, not a freeze. */
export const FREEZE_MAX_DAYS = 92;
/** The owner reviews an exception within this long after the change. */
export const EXCEPTION_REVIEW_HOURS = 24;
const HOUR = 3_600_000;
/** A `[start, end)` window in milliseconds (the windows here are checked ISO instants already). */
const span = (w: { start: string; end: string }): Interval => ({ start: Date.parse(w.start), end: Date.parse(w.end) });

/** The components of `components` the freeze covers (all of them for `*`), spelled as given. */
export function frozenComponents(freeze: Pick<Freeze, 'components'>, components: readonly string[]): string[] {
  if (freeze.components.includes(EVERY_COMPONENT)) return [...components];
  return sharedComponents(components, freeze.components);
}

/** Whether the freeze (whatever its state) would hold this change: what a preview lists and enforcing holds. */
export function freezeHits(freeze: Freeze, cr: Pick<ChangeRequest, 'state' | 'content'>): boolean {
  const window = cr.content.plannedWindow;
  if (!window || cr.content.category === 'emergency' || !HELD_STATES.includes(cr.state)) return false;
  return overlaps(span(window), span(freeze)) && frozenComponents(freeze, componentsOf(cr.content)).length > 0;
}

/** The approved exception that lets this change through this freeze as it stands now, if any. */
export function validException(cr: Pick<ChangeRequest, 'content' | 'freezeExceptions'>, freezeId: string): FreezeException | undefined {
  const exception = (cr.freezeExceptions ?? []).find((e) => e.freezeId === freezeId && e.state === 'approved');
  const window = cr.content.plannedWindow;
  if (!exception || !window) return undefined;
  const inWindow = contains(span(exception.window), span(window));
  const inScope = componentsOutside(componentsOf(cr.content), exception.components).length === 0;
  return inWindow && inScope ? exception : undefined;
}

/**
 * Why the freeze does not hold the change now, or undefined when it does: the one rule behind
 * putting a change on hold and releasing it. Not held: a freeze not (or no longer) enforced, one
 * that is over, a change let through by an approved exception, or one it does not hit.
 */
export function notHeldBecause(cr: Pick<ChangeRequest, 'state' | 'content' | 'freezeExceptions'>, freeze: Freeze, now: string): HoldEnd | undefined {
  if (freeze.state === 'lifted') return 'lifted';
  if (freeze.state !== 'enforced') return 'out-of-scope';
  if (Date.parse(freeze.end) <= Date.parse(now)) return 'ended';
  if (validException(cr, freeze.id)) return 'exception';
  if (!freezeHits(freeze, cr)) return 'out-of-scope';
  return undefined;
}

/** The active hold of this freeze on the change, if any. */
export const activeHold = (cr: Pick<ChangeRequest, 'holds'>, freezeId: string) => (cr.holds ?? []).find((h) => h.freezeId === freezeId && !h.releasedAt);

/**
 * What the enforced freezes say about a deployment of `cr` at `at` (the gate and `start`): a reason
 * per freeze in force there that covers one of its components, or a note naming the exception
 * that lets it through (or the freeze an emergency change goes through).
 */
export function freezeFindings(
  cr: Pick<ChangeRequest, 'content' | 'freezeExceptions'>,
  at: string,
  freezes: readonly Freeze[],
): { reasons: { code: 'freeze'; message: string }[]; notes: string[]; exceptions: { freezeId: string; title: string; owner: string }[] } {
  const out = {
    reasons: [] as { code: 'freeze'; message: string }[],
    notes: [] as string[],
    exceptions: [] as { freezeId: string; title: string; owner: string }[],
  };
  const t = Date.parse(at);
  for (const freeze of freezes) {
    if (freeze.state !== 'enforced' || !(Date.parse(freeze.start) <= t && t < Date.parse(freeze.end))) continue;
    const frozen = frozenComponents(freeze, componentsOf(cr.content));
    if (frozen.length === 0) continue;
    const what = `the freeze "${freeze.title}" (${freeze.id}, owner ${freeze.owner.name}, until ${freeze.end}) on ${frozen.join(', ')}`;
    if (cr.content.category === 'emergency') {
      out.notes.push(`emergency change: allowed through ${what}`);
      continue;
    }
    const exception = validException(cr, freeze.id);
    if (exception) {
      out.notes.push(`freeze exception: ${freeze.owner.name} let it through ${what} ("${exception.reason}")`);
      out.exceptions.push({ freezeId: freeze.id, title: freeze.title, owner: freeze.owner.name });
    } else out.reasons.push({ code: 'freeze', message: `in ${what}: ask its owner for an exception (POST /freezes/${freeze.id}/exceptions)` });
  }
  return out;
}

/** When the owner's review of an approved exception is due: 24 h after the change is over (closed, or its window ended). */
export function reviewDueAt(cr: Pick<ChangeRequest, 'state' | 'closedAt' | 'content'>, exception: FreezeException): string | undefined {
  if (exception.state !== 'approved' || exception.review) return undefined;
  const windowEnd = cr.content.plannedWindow?.end ?? exception.window.end;
  const over = CLOSED_STATES.includes(cr.state) && cr.closedAt ? cr.closedAt : windowEnd;
  return new Date(Date.parse(over) + EXCEPTION_REVIEW_HOURS * HOUR).toISOString();
}

/** Whether the change is over, so that its exception can be reviewed. */
export function changeOver(cr: Pick<ChangeRequest, 'state' | 'content'>, exception: FreezeException, now: string): boolean {
  if (CLOSED_STATES.includes(cr.state)) return true;
  const end = cr.content.plannedWindow?.end ?? exception.window.end;
  return Date.parse(end) <= Date.parse(now) && cr.state !== 'in_progress' && cr.state !== 'monitoring';
}

// ---- the rules of each action, each refusing in words (the writes are lifecycle.ts's) ----

/** A freeze as declared: the window and the scope checked. */
export function freezeProblems(input: { start: string; end: string; components: string[] }, now: string): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (Date.parse(input.end) <= Date.parse(input.start)) problems.push({ path: 'body.end', message: 'must be after start' });
  else if (Date.parse(input.end) - Date.parse(input.start) > FREEZE_MAX_DAYS * 24 * HOUR) {
    problems.push({ path: 'body.end', message: `a freeze lasts at most ${FREEZE_MAX_DAYS} days` });
  } else if (Date.parse(input.end) <= Date.parse(now))
    problems.push({ path: 'body.end', message: 'has passed: a freeze is declared for what is still to come' });
  if (input.components.includes(EVERY_COMPONENT) && input.components.length > 1) {
    problems.push({ path: 'body.components', message: `"${EVERY_COMPONENT}" freezes every component and stands alone` });
  }
  return problems;
}

export function mustBeState(freeze: Freeze, states: readonly FreezeState[], doing: string): void {
  if (!states.includes(freeze.state)) {
    throw new IllegalTransitionError(`the freeze ${freeze.id} is ${freeze.state}: ${doing} needs it ${states.join(' or ')}`, freeze.state);
  }
}

/** Who may ask for an exception for a change, and with what reason. */
export function exceptionAskRefusal(freeze: Freeze, cr: ChangeRequest, actor: Actor, reason: string): void {
  mustBeState(freeze, ['draft', 'enforced'], 'asking for an exception');
  if (actor.id !== cr.requestor.id) {
    throw new ForbiddenError(`only the change's requestor (${cr.requestor.name}) asks for an exception to a freeze for it`);
  }
  if (!freezeHits(freeze, cr)) {
    throw new IllegalTransitionError(
      `the freeze ${freeze.id} does not cover ${cr.id} (${cr.state.replace('_', ' ')}, ${cr.content.plannedWindow ? `window ${cr.content.plannedWindow.start} – ${cr.content.plannedWindow.end}` : 'no window'}, components ${componentsOf(cr.content).join(', ') || 'none'}): it needs no exception`,
      cr.state,
    );
  }
  const words = reason.trim();
  if (words.length < MIN_EXCEPTION_REASON || !/\s/.test(words)) {
    throw new ValidationError([
      {
        path: 'body.reason',
        message: `say why this change cannot wait for the freeze to lift, in at least a sentence (${MIN_EXCEPTION_REASON} characters or more)`,
      },
    ]);
  }
  const open = (cr.freezeExceptions ?? []).find((e) => e.freezeId === freeze.id && e.state !== 'rejected');
  if (open && (open.state === 'requested' || validException(cr, freeze.id))) {
    throw new IllegalTransitionError(`${cr.id} already has an exception ${open.state} for the freeze ${freeze.id}`, cr.state);
  }
}

/** The freeze owner decides; neither the person who asked nor the change's requestor ever does. */
export function exceptionDecisionRefusal(freeze: Freeze, cr: ChangeRequest, actor: Actor): FreezeException {
  const exception = (cr.freezeExceptions ?? []).find((e) => e.freezeId === freeze.id && e.state === 'requested');
  if (actor.id === cr.requestor.id || (exception && actor.id === exception.askedBy.id)) {
    throw new ForbiddenError(
      `you asked for this exception (or requested ${cr.id}): the freeze owner decides it, never the requestor${actor.id === freeze.owner.id ? '; an admin must name another owner of the freeze' : ''}`,
      'separation-of-duties',
    );
  }
  if (actor.id !== freeze.owner.id) throw new ForbiddenError(`only the freeze's owner (${freeze.owner.name}) decides its exceptions`);
  if (!exception) throw new IllegalTransitionError(`${cr.id} has no exception awaiting a decision for the freeze ${freeze.id}`, cr.state);
  return exception;
}

/** The owner reviews an approved exception once the change is over. */
export function exceptionReviewRefusal(freeze: Freeze, cr: ChangeRequest, actor: Actor, now: string): FreezeException {
  if (actor.id !== freeze.owner.id) throw new ForbiddenError(`only the freeze's owner (${freeze.owner.name}) reviews its exceptions`);
  const exception = (cr.freezeExceptions ?? []).find((e) => e.freezeId === freeze.id && e.state === 'approved');
  if (!exception) throw new IllegalTransitionError(`${cr.id} has no approved exception to the freeze ${freeze.id} to review`, cr.state);
  if (exception.review)
    throw new IllegalTransitionError(`the exception of ${cr.id} to the freeze ${freeze.id} was reviewed on ${exception.review.at}`, cr.state);
  if (!changeOver(cr, exception, now)) {
    throw new IllegalTransitionError(`${cr.id} is ${cr.state.replace('_', ' ')}: its exception is reviewed once the change is over`, cr.state);
  }
  return exception;
}
