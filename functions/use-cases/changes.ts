/**
 * Use cases for change requests: each reads as its steps — load, apply the rule from the core,
 * persist in one conditional write. No HTTP here and no SDK: only ports.
 */
import type { Actor, ChangeContent } from '../core/change-request.js';
import { formatChangeId, localDay } from '../core/change-id.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../core/errors.js';
import { applyAction, createChange, editChange, parseContent, type Action, type RulesConfig, type TransitionInput } from '../core/lifecycle.js';
import type { ChangeStore, ChangeWithAudit, Clock, ListPage, ListQuery } from '../ports.js';

export interface ChangeDeps {
  store: ChangeStore;
  clock: Clock;
  timeZone: string;
  rules: RulesConfig;
}

/** 1. number the change in the org's day 2. apply the create rule 3. write CR and audit together. */
export async function fileChange(deps: ChangeDeps, actor: Actor, content: ChangeContent): Promise<ChangeWithAudit> {
  const now = deps.clock.now().toISOString();
  const day = localDay(now, deps.timeZone);
  const id = formatChangeId(day, await deps.store.nextSequence(day));
  const { next, audit } = createChange({ id, content, actor, now, config: deps.rules });
  await deps.store.create(next, audit);
  return { cr: next, audit };
}

export async function getChange(deps: Pick<ChangeDeps, 'store'>, id: string): Promise<ChangeWithAudit> {
  const found = await deps.store.get(id);
  if (!found) throw new NotFoundError(`change request ${id} does not exist`);
  return found;
}

export function listChanges(deps: Pick<ChangeDeps, 'store'>, query: ListQuery): Promise<ListPage> {
  return deps.store.list(query);
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
  const decision = editChange(cr, actor, content, deps.clock.now().toISOString(), deps.rules);
  await deps.store.save(cr.version, decision.next, decision.audit);
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
): Promise<ChangeWithAudit> {
  const { cr, audit } = await getChange(deps, id);
  checkExpectedVersion(cr.version, expectedVersion);
  const decision = applyAction(cr, action, actor, input, deps.clock.now().toISOString(), deps.rules);
  await deps.store.save(cr.version, decision.next, decision.audit);
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
