/**
 * Use cases for change requests: each reads as its steps — load, apply the rule from the core,
 * persist in one conditional write. No HTTP here and no SDK: only ports.
 */
import type { Actor, AuditEntry, ChangeContent, ChangeRequest, WorkflowRef } from '../core/change-request.js';
import { formatChangeId, localDay } from '../core/change-id.js';
import { ForbiddenError, ValidationError, VersionConflictError } from '../core/errors.js';
import { decideIncidentLink } from '../core/deployments.js';
import {
  addNote,
  applyAction,
  createChange,
  editChange,
  mayEdit,
  parseContent,
  whoRefuses,
  workflowRef,
  type Action,
  type Decision,
  type RulesConfig,
  type TransitionContext,
  type TransitionInput,
} from '../core/lifecycle.js';
import type { NoteKind } from '../core/implementation-record.js';
import { derivePlannedWindow } from '../core/planned-window.js';
import type { CalendarService, ChangeStore, ChangeWithAudit, Clock } from '../ports.js';
import { getChange } from './read-changes.js';

export { getChange, listChanges } from './read-changes.js';

export interface ChangeDeps {
  store: ChangeStore;
  clock: Clock;
  timeZone: string;
  rules: RulesConfig;
  /** The change calendar; without it no calendar rule is applied (the decision links need none). */
  calendar?: CalendarService | undefined;
}

/**
 * 1. apply the create rule (the calendar read first) 2. only then number the change in the org's
 * day, so that a refused change takes no number 3. write CR, audit and events together.
 */
export async function fileChange(
  deps: ChangeDeps,
  actor: Actor,
  content: ChangeContent,
  template?: ChangeRequest['template'],
  options: { keepDraft?: boolean } = {},
): Promise<ChangeWithAudit> {
  const now = deps.clock.now().toISOString();
  const provisional = 'CR-0000-00-00-000';
  const calendar = await deps.calendar?.findings({ id: provisional, content: withDerivedWindow(content, deps, now) }, now);
  const blackoutsAtStart = content.category === 'emergency' ? await deps.calendar?.blackoutsAt(content.incident?.implementedAt ?? now) : undefined;
  const decided = createChange({
    id: provisional,
    content,
    actor,
    now,
    config: deps.rules,
    calendar,
    template,
    blackoutsAtStart,
    keepDraft: options.keepDraft,
  });
  const day = localDay(now, deps.timeZone);
  const id = formatChangeId(day, await deps.store.nextSequence(day));
  const next = renumbered(decided.next, id);
  await deps.store.create(next, decided.audit);
  return { cr: next, audit: decided.audit };
}

/** The decided change under its real number: the id, and the conflicts and flow that name it. */
function renumbered(cr: ChangeRequest, id: string): ChangeRequest {
  const next = { ...cr, id };
  if (next.calendar) next.calendar = { ...next.calendar, conflicts: next.calendar.conflicts.map((c) => ({ ...c, changeId: id })) };
  if (next.workflow) next.workflow = workflowRef(next.workflow.name, next);
  return next;
}

/** The content with the window the core would store, to ask the calendar about it before the create. */
function withDerivedWindow(content: ChangeContent, deps: ChangeDeps, now: string): ChangeContent {
  const window = derivePlannedWindow(content, deps.rules.timeZone, now).window;
  return window ? { ...content, plannedWindow: window } : content;
}

/** What a start needs to know: the deploy gate's answer now (planned), or the blackouts it runs through (emergency). */
async function startContext(deps: ChangeDeps, cr: ChangeRequest, now: string): Promise<TransitionContext> {
  if (cr.content.category === 'emergency') return { blackoutsAtStart: await deps.calendar?.blackoutsAt(cr.content.incident?.implementedAt ?? now) };
  if (!deps.calendar) throw new Error('a start needs the change calendar: compose ChangeDeps with a CalendarService');
  return { gate: await deps.calendar.gate(cr, now) };
}

/**
 * Edit with a JSON merge patch (RFC 7396) on the content: the merged content is validated whole,
 * makes a new revision and clears approvals.
 */
export async function reviseChange(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  patch: Record<string, unknown>,
  expectedVersion?: number,
): Promise<ChangeWithAudit> {
  const { decision, audit } = await writeLatest(deps, id, expectedVersion, undefined, async (cr) => {
    // who may edit is decided before the patch is even merged: a stranger's patch costs nothing
    mayEdit(cr, actor);
    const merged = mergePatch(cr.content, patch) as Record<string, unknown>;
    // a window written in the patch is the person's own, even over one ChangeFlow derived
    const patched = patch.plannedWindow;
    if (patched && typeof patched === 'object' && !('derivedFrom' in patched) && merged.plannedWindow && typeof merged.plannedWindow === 'object') {
      delete (merged.plannedWindow as Record<string, unknown>).derivedFrom;
    }
    const content = parseContent(merged);
    const now = deps.clock.now().toISOString();
    return editChange(cr, actor, content, now, deps.rules, await deps.calendar?.findings({ id, content }, now));
  });
  return { cr: decision.next, audit: [...audit, ...decision.audit] };
}

/**
 * 1. load 2. apply the guarded transition 3. write CR and audit conditioned on the version read.
 * A decision (approve, reject) is bound to what the approver read: the revision in the body, or
 * the version in If-Match.
 */
export async function transitionChange(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  action: Action,
  input: TransitionInput,
  expectedVersion?: number,
  /** The change as the caller just read it (saves a read; the write is still conditioned on its version). */
  loaded?: ChangeWithAudit,
): Promise<ChangeWithAudit> {
  if ((action === 'approve' || action === 'reject') && input.revision === undefined && expectedVersion === undefined) {
    throw new ValidationError([
      { path: 'body.revision', message: `is required: name the revision you read (or send If-Match with its version), so that your decision is bound to it` },
    ]);
  }
  const { decision, audit } = await writeLatest(deps, id, expectedVersion, loaded, async (cr) => {
    const now = deps.clock.now().toISOString();
    // submitting (re)checks the calendar: blackouts declared since the draft was written count
    const calendar = action === 'submit' ? await deps.calendar?.findings(cr, now) : undefined;
    // the flow itself is started by the workflow driver when the submit's event is delivered
    const workflow: WorkflowRef | undefined = action === 'submit' ? workflowRef('approval', cr) : undefined;
    const started = action === 'start' ? await startContext(deps, cr, now) : {};
    // If-Match read the current version: the revision the approver saw is the current one
    const bound = expectedVersion !== undefined && input.revision === undefined ? { ...input, revision: cr.revision } : input;
    return applyAction(cr, action, actor, bound, now, deps.rules, { calendar, workflow, ...started });
  });
  return { cr: decision.next, audit: [...audit, ...decision.audit] };
}

/** Attempts of a write without If-Match before its conflict is the caller's 409. */
export const WRITE_ATTEMPTS = 8;

/**
 * Read, decide, write conditioned on the version read. Without If-Match a write means "apply the
 * rule to the latest state": a lost race re-reads and re-decides (the core checks authority,
 * separation of duties, revision and state again on the fresh read), after a jittered backoff.
 * With If-Match the version must be the one read, and a lost race is a 409 with `currentVersion`.
 */
async function writeLatest(
  deps: ChangeDeps,
  id: string,
  expectedVersion: number | undefined,
  loaded: ChangeWithAudit | undefined,
  decide: (cr: ChangeRequest, audit: AuditEntry[]) => Promise<Decision>,
): Promise<{ before: ChangeRequest; decision: Decision; audit: AuditEntry[] }> {
  for (let attempt = 1; ; attempt++) {
    const { cr, audit } = attempt === 1 && loaded ? loaded : await getChange(deps, id);
    checkExpectedVersion(cr.version, expectedVersion);
    const decision = await decide(cr, audit);
    // nothing to record (a checklist tick already there): no write
    if (decision.audit.length === 0) return { before: cr, decision, audit };
    try {
      await deps.store.save(cr.version, decision.next, decision.audit);
      return { before: cr, decision, audit };
    } catch (err) {
      if (!(err instanceof VersionConflictError) || expectedVersion !== undefined || attempt >= WRITE_ATTEMPTS) throw err;
      await backoff(attempt);
    }
  }
}

/** Full jitter: a random wait up to 10 ms × 2^attempt, at most 320 ms. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(320, 10 * 2 ** attempt)));
}

function checkExpectedVersion(current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new VersionConflictError(current, `the change request is at version ${current}, not ${expected}; re-read it and try again`);
  }
}

/** RFC 7396 JSON merge patch: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new ValidationError([{ path: `content.${key}`, message: 'is not an allowed field name' }]);
    }
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * A rule of the core that is not an action of the lifecycle table (a refused deployment, a linked
 * incident), applied to the latest state and written like every action: conditioned on the
 * version read, re-read and re-decided on a lost race.
 */
export async function recordOnChange(deps: ChangeDeps, id: string, decide: (cr: ChangeRequest, audit: AuditEntry[]) => Decision): Promise<ChangeWithAudit> {
  const { decision, audit } = await writeLatest(deps, id, undefined, undefined, async (cr, trail) => decide(cr, trail));
  return { cr: decision.next, audit: [...audit, ...decision.audit] };
}

/** A person confirms or dismisses an incident suggested as caused by the change (the lifecycle's implementer-or-approver may). */
export async function decideIncident(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  incidentId: string,
  decision: 'confirm' | 'dismiss',
  reason: string,
): Promise<ChangeWithAudit> {
  return recordOnChange(deps, id, (cr) => {
    const refusal = whoRefuses('implementer-or-approver', cr, actor, deps.rules, `${decision} an incident of`);
    if (refusal) throw new ForbiddenError(refusal);
    return decideIncidentLink(cr, actor, incidentId, decision, reason, deps.clock.now().toISOString());
  });
}

/** A note on the implementation record (implementation note, issue encountered, lessons learned): core/lifecycle.ts `addNote`. */
export async function noteChange(deps: ChangeDeps, actor: Actor, id: string, note: { kind: NoteKind; text: string }): Promise<ChangeWithAudit> {
  return recordOnChange(deps, id, (cr) => addNote(cr, actor, note, deps.clock.now().toISOString(), deps.rules));
}
