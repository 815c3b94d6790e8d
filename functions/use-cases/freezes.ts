/**
 * Freezes as the API and the blackout check use them (docs/process.md "Freezes"): an admin
 * declares one as a draft, previews what it hits, enforces it (each change it hits goes on hold, a
 * write on that change whose event tells its requestor) and lifts it (each released). Exceptions
 * are asked, decided and reviewed on the change, under core/freezes.ts's rules.
 *
 * Nothing lost between the freeze's write and the changes': a change is put on the freeze's lists
 * (`heldChanges`, `exceptionChanges`, idempotent sets) before its own write, and the blackout check
 * reconciles every freeze in force on each run (holds what it hits and is not held, releases what
 * it no longer holds), so a crash after either write, or a change filed or moved later, is set
 * right within one run.
 */
import { randomUUID } from 'node:crypto';
import { componentsOf, componentsOutside } from '../core/calendar/conflicts.js';
import type { Actor, ChangeRequest } from '../core/change-request.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../core/errors.js';
import { askException, decideException, holdForFreeze, releaseHold, remindExceptionReview, reviewException } from '../core/freeze-decisions.js';
import {
  activeHold,
  EVERY_COMPONENT,
  type Freeze,
  type FreezeState,
  freezeHits,
  freezeProblems,
  frozenComponents,
  mustBeState,
  notHeldBecause,
  reviewDueAt,
  validException,
} from '../core/freezes.js';
import type { ChangeWithAudit, Directory, FreezeStore } from '../ports.js';
import { mustBeAdmin } from '../core/roles.js';
import type { CalendarDeps } from './calendar.js';
import { allChangesInState, getChange } from './read-changes.js';
import { updateChange } from './update-change.js';

const DAY = 86_400_000;

/** The calendar's deps and the freezes. */
export type FreezeDeps = CalendarDeps & { freezes: FreezeStore };

export interface FreezeInput {
  title: string;
  reason: string;
  owner: string;
  components: string[];
  start: string;
  end: string;
}

/** What a freeze did to its changes in one pass: held, released, and those that failed (retried by the next blackout check). */
export interface FreezeOutcome {
  held: string[];
  released: string[];
  failed: string[];
}

/** The freeze with whether it is in force now, and the components it names that the template does not list. */
function view(freeze: Freeze, now: string, known: readonly string[]) {
  const t = Date.parse(now);
  const unlisted = componentsOutside(
    freeze.components.filter((c) => c !== EVERY_COMPONENT),
    known,
  );
  return {
    ...freeze,
    inForce: freeze.state === 'enforced' && Date.parse(freeze.start) <= t && t < Date.parse(freeze.end),
    warnings: unlisted.map((c) => `"${c}" is not a component of the template: only changes that name it under Other are frozen`),
  };
}

export async function listFreezes(deps: FreezeDeps, known: readonly string[], state?: FreezeState) {
  const now = deps.clock.now().toISOString();
  const all = (await deps.freezes.freezes()).filter((f) => !state || f.state === state).sort((a, b) => a.start.localeCompare(b.start));
  return { items: all.map((f) => view(f, now, known)) };
}

async function freezeOf(deps: FreezeDeps, id: string): Promise<Freeze> {
  const freeze = await deps.freezes.getFreeze(id);
  if (!freeze) throw new NotFoundError(`freeze ${id} does not exist`);
  return freeze;
}

/** The changes the freeze would hold as things stand: planned (awaiting a decision, approved, scheduled) or in flight, in its window and scope. */
async function changesHit(deps: FreezeDeps, freeze: Freeze): Promise<ChangeRequest[]> {
  const [committed, pending] = await Promise.all([deps.calendarStore.committedChanges(freeze.start, freeze.end), allChangesInState(deps, 'pending_approval')]);
  const byId = new Map([...committed, ...pending].map((cr) => [cr.id, cr]));
  return [...byId.values()].filter((cr) => freezeHits(freeze, cr)).sort((a, b) => a.content.plannedWindow!.start.localeCompare(b.content.plannedWindow!.start));
}

/** One freeze: what it hits (the preview of a draft, the holds of an enforced one) and its exceptions with their reviews. */
export async function getFreeze(deps: FreezeDeps, id: string, known: readonly string[]) {
  const freeze = await freezeOf(deps, id);
  const now = deps.clock.now().toISOString();
  const hits = freeze.state === 'lifted' ? [] : await changesHit(deps, freeze);
  const asked = await Promise.all((freeze.exceptionChanges ?? []).map((changeId) => deps.store.get(changeId)));
  return {
    ...view(freeze, now, known),
    hits: hits.map((cr) => ({
      id: cr.id,
      title: cr.content.title,
      state: cr.state,
      risk: cr.riskLevel,
      requestor: cr.requestor.name,
      window: cr.content.plannedWindow!,
      components: frozenComponents(freeze, componentsOf(cr.content)),
      held: Boolean(activeHold(cr, freeze.id)),
      exception: validException(cr, freeze.id) ? 'approved' : cr.freezeExceptions?.find((e) => e.freezeId === freeze.id)?.state,
    })),
    exceptions: asked.flatMap((found) => {
      if (!found) return [];
      const { cr } = found;
      return (cr.freezeExceptions ?? [])
        .filter((e) => e.freezeId === freeze.id)
        .map((e) => {
          const due = reviewDueAt(cr, e);
          return {
            change: cr.id,
            title: cr.content.title,
            changeState: cr.state,
            ...e,
            // still covering the change as it stands: false once a revised window or scope left it
            covers: e.state === 'approved' ? Boolean(validException(cr, freeze.id)) : undefined,
            reviewDueBy: due,
            reviewOverdue: due ? Date.parse(now) > Date.parse(due) : undefined,
          };
        });
    }),
  };
}

export async function declareFreeze(deps: FreezeDeps, directory: Directory, actor: Actor, input: FreezeInput): Promise<Freeze> {
  mustBeAdmin(actor, 'declare a freeze');
  const now = deps.clock.now().toISOString();
  const problems = freezeProblems(input, now);
  if (problems.length) throw new ValidationError(problems);
  const freeze: Freeze = {
    id: `FRZ-${randomUUID().slice(0, 8)}`,
    title: input.title,
    reason: input.reason,
    owner: await ownerOf(directory, input.owner),
    components: input.components,
    start: input.start,
    end: input.end,
    state: 'draft',
    createdAt: now,
    createdBy: actor.id,
    version: 1,
  };
  await deps.freezes.putFreeze(freeze);
  return freeze;
}

/**
 * Changes a freeze that is not lifted; an enforced one is reconciled at once (an extended window
 * or a wider scope holds more changes, a narrower one releases them).
 */
export async function reviseFreeze(
  deps: FreezeDeps,
  directory: Directory,
  actor: Actor,
  id: string,
  patch: Partial<FreezeInput>,
  expectedVersion?: number,
): Promise<{ freeze: Freeze; outcome?: FreezeOutcome }> {
  mustBeAdmin(actor, 'change a freeze');
  const current = await freezeOf(deps, id);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new VersionConflictError(current.version, `the freeze is at version ${current.version}, not ${expectedVersion}; re-read it and try again`);
  }
  mustBeState(current, ['draft', 'enforced'], 'changing it');
  const now = deps.clock.now().toISOString();
  const { owner, ...fields } = patch;
  const next: Freeze = { ...current, ...fields, ...(owner ? { owner: await ownerOf(directory, owner) } : {}), version: current.version + 1 };
  const problems = freezeProblems(next, now);
  if (problems.length) throw new ValidationError(problems);
  await deps.freezes.putFreeze(next, current.version);
  if (next.state !== 'enforced') return { freeze: next };
  return { freeze: next, outcome: await reconcileFreeze(deps, next, now) };
}

/** Draft → enforced: every change it hits goes on hold. */
export async function enforceFreeze(deps: FreezeDeps, actor: Actor, id: string, comment?: string) {
  mustBeAdmin(actor, 'enforce a freeze');
  const current = await freezeOf(deps, id);
  mustBeState(current, ['draft'], 'enforcing it');
  const now = deps.clock.now().toISOString();
  if (Date.parse(current.end) <= Date.parse(now))
    throw new ValidationError([{ path: 'end', message: `the freeze ended ${current.end}: nothing left to enforce` }]);
  const next: Freeze = {
    ...current,
    state: 'enforced',
    enforcedAt: now,
    enforcedBy: actor.id,
    ...(comment ? { enforceComment: comment } : {}),
    version: current.version + 1,
  };
  await deps.freezes.putFreeze(next, current.version);
  return { freeze: next, ...(await reconcileFreeze(deps, next, now)) };
}

/** Enforced (or a draft given up) → lifted: every change it holds is released. */
export async function liftFreeze(deps: FreezeDeps, actor: Actor, id: string, comment?: string) {
  mustBeAdmin(actor, 'lift a freeze');
  const current = await freezeOf(deps, id);
  mustBeState(current, ['draft', 'enforced'], 'lifting it');
  const now = deps.clock.now().toISOString();
  const next: Freeze = {
    ...current,
    state: 'lifted',
    liftedAt: now,
    liftedBy: actor.id,
    ...(comment ? { liftComment: comment } : {}),
    version: current.version + 1,
  };
  await deps.freezes.putFreeze(next, current.version);
  return { freeze: next, ...(await reconcileFreeze(deps, next, now)) };
}

/**
 * Brings the changes in line with the freeze: an enforced one holds every change it hits that is
 * neither held nor excepted; every change it held whose hold no longer applies (lifted, over,
 * excepted, moved out) is released. Each change is its own step, listed in `failed` if it fails.
 */
export async function reconcileFreeze(deps: FreezeDeps, freeze: Freeze, now: string): Promise<FreezeOutcome> {
  const outcome: FreezeOutcome = { held: [], released: [], failed: [] };
  const step = async (id: string, run: () => Promise<unknown>, done: string[]) => {
    try {
      if (await run()) done.push(id);
    } catch (err) {
      outcome.failed.push(`${id}: ${(err as Error).message}`);
    }
  };
  if (freeze.state === 'enforced' && Date.parse(freeze.end) > Date.parse(now)) {
    for (const cr of await changesHit(deps, freeze)) {
      if (activeHold(cr, freeze.id) || notHeldBecause(cr, freeze, now)) continue;
      await step(
        cr.id,
        async () => {
          // on the freeze's list first: a crash before the change's write leaves a name that lifting reads and finds nothing to release
          await deps.freezes.markFreezeChange(freeze.id, 'heldChanges', cr.id, true);
          return updateChange(deps, cr.id, (c) => holdForFreeze(c, freeze, now));
        },
        outcome.held,
      );
    }
  }
  for (const id of freeze.heldChanges ?? []) {
    if (outcome.held.includes(id)) continue;
    await step(id, () => updateChange(deps, id, (c) => releaseHold(c, freeze, now)), outcome.released);
  }
  return outcome;
}

/**
 * The blackout check's pass over the freezes: reconcile each one in force, and each lifted or
 * ended within the last day (a release a crash left undone); ask owners for the reviews due.
 */
export async function checkFreezes(deps: FreezeDeps): Promise<FreezeOutcome & { reviewsAsked: string[] }> {
  const now = deps.clock.now().toISOString();
  const t = Date.parse(now);
  const result = { held: [] as string[], released: [] as string[], failed: [] as string[], reviewsAsked: [] as string[] };
  const recent = (iso: string | undefined) => iso !== undefined && t - Date.parse(iso) < DAY;
  for (const freeze of await deps.freezes.freezes()) {
    const live = freeze.state === 'enforced' ? Date.parse(freeze.end) > t || recent(freeze.end) : freeze.state === 'lifted' && recent(freeze.liftedAt);
    if (live) {
      const outcome = await reconcileFreeze(deps, freeze, now);
      result.held.push(...outcome.held.map((id) => `${id} ${freeze.id}`));
      result.released.push(...outcome.released.map((id) => `${id} ${freeze.id}`));
      result.failed.push(...outcome.failed.map((f) => `${freeze.id} ${f}`));
    }
    // reviews: an exception is reviewed within a day of its change, so a month covers every one still open
    if (t - Date.parse(freeze.end) > 30 * DAY) continue;
    for (const id of freeze.exceptionChanges ?? []) {
      try {
        if (await updateChange(deps, id, (c) => remindExceptionReview(c, freeze, now))) result.reviewsAsked.push(`${id} ${freeze.id}`);
      } catch (err) {
        result.failed.push(`${id} ${freeze.id} review: ${(err as Error).message}`);
      }
    }
  }
  return result;
}

/** The change's requestor asks the freeze owner for an exception. */
export async function askFreezeException(deps: FreezeDeps, actor: Actor, freezeId: string, changeId: string, reason: string) {
  const freeze = await freezeOf(deps, freezeId);
  // refused here (404, 403, 409, 400) before anything is written; the change as read is written next
  const loaded = await getChange(deps, changeId);
  askException(loaded.cr, freeze, actor, reason, deps.clock.now().toISOString());
  await deps.freezes.markFreezeChange(freeze.id, 'exceptionChanges', changeId, true);
  return exceptionWritten(deps, changeId, freeze, (c) => askException(c, freeze, actor, reason, deps.clock.now().toISOString()), loaded);
}

/** The freeze owner approves or rejects it; an approval releases the change's hold. */
export async function decideFreezeException(
  deps: FreezeDeps,
  actor: Actor,
  freezeId: string,
  changeId: string,
  decision: 'approve' | 'reject',
  comment: string | undefined,
) {
  const freeze = await freezeOf(deps, freezeId);
  return exceptionWritten(deps, changeId, freeze, (c) => decideException(c, freeze, actor, decision, comment, deps.clock.now().toISOString()));
}

/** The owner's review of an approved exception, once its change is over. */
export async function reviewFreezeException(deps: FreezeDeps, actor: Actor, freezeId: string, changeId: string, comment: string) {
  const freeze = await freezeOf(deps, freezeId);
  return exceptionWritten(deps, changeId, freeze, (c) => reviewException(c, freeze, actor, comment, deps.clock.now().toISOString()));
}

async function exceptionWritten(deps: FreezeDeps, changeId: string, freeze: Freeze, decide: Parameters<typeof updateChange>[2], loaded?: ChangeWithAudit) {
  // every decision here writes (or refuses): no change is the only way to nothing
  const cr = await updateChange(deps, changeId, decide, loaded);
  if (!cr) throw new NotFoundError(`change request ${changeId} does not exist`);
  const exception = (cr.freezeExceptions ?? []).filter((e) => e.freezeId === freeze.id).at(-1)!;
  return {
    change: cr.id,
    version: cr.version,
    held: Boolean(activeHold(cr, freeze.id)),
    ...exception,
    reviewDueBy: reviewDueAt(cr, exception),
  };
}

async function ownerOf(directory: Directory, id: string): Promise<Freeze['owner']> {
  const person = await directory.get(id);
  if (!person)
    throw new ValidationError([
      { path: 'body.owner', message: `no person with id "${id}" is known to ChangeFlow: the owner must be someone who can sign in to decide exceptions` },
    ]);
  return { id: person.id, name: person.name };
}
