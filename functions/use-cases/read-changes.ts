/** Reading change requests: a module of its own so the read path loads no rule it does not use. */
import { NotFoundError } from '../core/errors.js';
import type { ChangeRequest, State } from '../core/change-request.js';
import type { ChangeStore, ChangeWithAudit, ListPage, ListQuery } from '../ports.js';

export async function getChange(deps: { store: ChangeStore }, id: string): Promise<ChangeWithAudit> {
  const found = await deps.store.get(id);
  if (!found) throw new NotFoundError(`change request ${id} does not exist`);
  return found;
}

export function listChanges(deps: { store: ChangeStore }, query: ListQuery): Promise<ListPage> {
  return deps.store.list(query);
}

/** Every change in a state, page by page on the state index (the scheduled jobs' read). */
export function allChangesInState(deps: { store: ChangeStore }, state: State): Promise<ChangeRequest[]> {
  return allChanges(deps, { state });
}

/** Every change a list query matches, page by page. */
export async function allChanges(deps: { store: ChangeStore }, query: Omit<ListQuery, 'limit' | 'after'>): Promise<ChangeRequest[]> {
  const out: ChangeRequest[] = [];
  let after: Record<string, string> | undefined;
  do {
    const page = await deps.store.list({ ...query, limit: 100, after });
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
}
