/**
 * Use cases for change requests: each reads as its steps — load, apply the rule from the core,
 * persist in one conditional write. No HTTP here and no SDK: only ports.
 */
import type { Actor, ChangeContent } from '../core/change-request.js';
import { formatChangeId, localDay } from '../core/change-id.js';
import { ValidationError, VersionConflictError } from '../core/errors.js';
import { getChange } from './read-changes.js';
export { getChange, listChanges } from './read-changes.js';
import { applyAction, createChange, editChange, parseContent, type Action, type RulesConfig, type TransitionInput } from '../core/lifecycle.js';
import type { CalendarConfig } from '../core/calendar.js';
import { checkSchedule, refuseBlackouts, type CalendarFindings } from '../core/schedule-check.js';
import { TaskClosedError, type CalendarStore, type ChangeStore, type ChangeWithAudit, type Clock, type WorkflowEngine } from '../ports.js';
import type { ChangeRequest, WorkflowRef } from '../core/change-request.js';
import { stopWorkflow } from './approval-flow.js';

export interface ChangeDeps {
  store: ChangeStore;
  clock: Clock;
  timeZone: string;
  rules: RulesConfig;
  /** The change calendar; without it no calendar rule is applied. */
  calendar?: { store: CalendarStore; config: CalendarConfig } | undefined;
  /** The approval and emergency workflows; without them a submitted change waits for nobody. */
  workflows?: WorkflowEngine | undefined;
  /** Where a side effect that failed after the write committed is reported. */
  warn?: ((message: string, err: unknown) => void) | undefined;
}

/** Reads the calendar around a planned window and asks the core what it says (two reads, in parallel). */
export async function scheduleFindings(deps: ChangeDeps, change: { id: string; content: ChangeContent }, now: string): Promise<CalendarFindings | undefined> {
  const window = change.content.plannedWindow;
  if (!window || !deps.calendar) return undefined;
  const [events, committed] = await Promise.all([deps.calendar.store.events(), deps.calendar.store.committedChanges(window.start, window.end)]);
  return checkSchedule({ change, events, committed, config: deps.calendar.config, now });
}

/** 1. number the change in the org's day 2. apply the create rule 3. write CR and audit together. */
export async function fileChange(deps: ChangeDeps, actor: Actor, content: ChangeContent): Promise<ChangeWithAudit> {
  const now = deps.clock.now().toISOString();
  const day = localDay(now, deps.timeZone);
  // the calendar check comes first: a change refused for a blackout takes no number
  const calendar = await scheduleFindings(deps, { id: 'CR-new', content }, now);
  refuseBlackouts(content, calendar);
  const id = formatChangeId(day, await deps.store.nextSequence(day));
  const { next, audit } = createChange({
    id,
    content,
    actor,
    now,
    config: deps.rules,
    calendar: calendar && { ...calendar, conflicts: calendar.conflicts.map((c) => ({ ...c, changeId: id })) },
  });
  await deps.store.create(next, audit);
  await startWorkflowOf(deps, next);
  return { cr: next, audit };
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
  const { cr, audit } = await getChange(deps, id);
  checkExpectedVersion(cr.version, expectedVersion);
  const content = parseContent(mergePatch(cr.content, patch));
  const now = deps.clock.now().toISOString();
  const decision = editChange(cr, actor, content, now, deps.rules, await scheduleFindings(deps, { id, content }, now));
  await deps.store.save(cr.version, decision.next, decision.audit);
  // a new revision voids the running approval: its execution stops, its tokens and links die with it
  if (cr.workflow?.name === 'approval' && !decision.next.workflow)
    await sideEffect(deps, 'stop the approval workflow', () =>
      stopWorkflow(deps.workflows, cr, `revision ${decision.next.revision} supersedes revision ${cr.revision}`),
    );
  return { cr: decision.next, audit: [...audit, ...decision.audit] };
}

/** 1. load 2. apply the guarded transition 3. write CR and audit conditioned on the version read. */
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
  const { cr, audit } = loaded ?? (await getChange(deps, id));
  checkExpectedVersion(cr.version, expectedVersion);
  const now = deps.clock.now().toISOString();
  // submitting (re)checks the calendar: blackouts declared since the draft was written count
  const calendar = action === 'submit' ? await scheduleFindings(deps, cr, now) : undefined;
  const workflow: WorkflowRef | undefined =
    action === 'submit' && deps.workflows
      ? { name: 'approval', executionName: `${cr.id}-r${cr.revision}-v${cr.version + 1}`, revision: cr.revision }
      : undefined;
  const decision = applyAction(cr, action, actor, input, now, deps.rules, { calendar, workflow });
  await deps.store.save(cr.version, decision.next, decision.audit);
  await afterTransition(deps, action, cr, decision.next);
  return { cr: decision.next, audit: [...audit, ...decision.audit] };
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
 * What a committed transition sets going in the workflows: a submit starts the approval flow, a
 * decision completes its slot's callback task, a rejection or cancellation ends the flow, an
 * emergency start starts the emergency flow.
 */
async function afterTransition(deps: ChangeDeps, action: Action, before: ChangeRequest, after: ChangeRequest): Promise<void> {
  const engine = deps.workflows;
  if (!engine) return;
  if (action === 'submit' || (action === 'start' && after.content.category === 'emergency')) {
    // the start must happen: if it fails the caller is told; the change stays submitted, and an edit
    // (back to draft) or a cancel gets it out — docs/runbooks/workflow-failed.md
    await startWorkflowOf(deps, after);
    return;
  }
  if (action === 'approve' && after.content.category !== 'emergency') {
    const filled = after.approvals.find((a) => !before.approvals.some((b) => b.slot === a.slot));
    const token = filled && before.approvalRequests?.find((r) => r.slot === filled.slot)?.taskToken;
    if (token) await sideEffect(deps, 'complete the approval task', () => engine.sendTaskSuccess(token, { slot: filled.slot, by: filled.by }));
    return;
  }
  if (action === 'reject') {
    // failing one open slot fails the whole Map: the flow ends on its Rejected branch
    const open = (before.approvalRequests ?? []).find((r) => r.taskToken && !before.approvals.some((a) => a.slot === r.slot));
    if (open?.taskToken)
      await sideEffect(deps, 'fail the approval task', () => engine.sendTaskFailure(open.taskToken!, 'Rejected', after.closeReason ?? 'rejected'));
    return;
  }
  if (action === 'cancel' && before.workflow?.name === 'approval') {
    await sideEffect(deps, 'stop the approval workflow', () => stopWorkflow(engine, before, 'the change request was cancelled'));
  }
}

async function startWorkflowOf(deps: ChangeDeps, cr: ChangeRequest): Promise<void> {
  if (!deps.workflows || !cr.workflow) return;
  const input = cr.workflow.name === 'approval' ? { changeId: cr.id, revision: cr.workflow.revision } : { changeId: cr.id, startedAt: cr.startedAt };
  await deps.workflows.start(cr.workflow.name, cr.workflow.executionName, input);
}

/** A side effect after the write committed: a closed task is expected (already decided, stopped); anything else is reported. */
async function sideEffect(deps: ChangeDeps, what: string, effect: () => Promise<void>): Promise<void> {
  try {
    await effect();
  } catch (err) {
    if (err instanceof TaskClosedError) return;
    deps.warn?.(`could not ${what}`, err);
  }
}
