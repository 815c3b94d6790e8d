/** A rule applied to the latest state of one change, for the scheduled jobs and the freezes. */
import type { ChangeRequest } from '../core/change-request.js';
import { VersionConflictError } from '../core/errors.js';
import type { Decision } from '../core/lifecycle.js';
import type { ChangeStore, ChangeWithAudit } from '../ports.js';

/**
 * Read, decide, write conditioned on the version read; a lost race decides again on the fresh
 * read. The change as written, or undefined when there was nothing to write (no change, or the
 * rule said so). What `decide` throws (a refusal) reaches the caller.
 */
export async function updateChange(
  deps: { store: ChangeStore },
  id: string,
  decide: (cr: ChangeRequest) => Decision | undefined,
  /** The change as the caller just read it: the first attempt decides on it (the write is still conditioned on its version). */
  loaded?: ChangeWithAudit,
): Promise<ChangeRequest | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && loaded ? loaded : await deps.store.get(id);
    if (!current) return undefined;
    const decision = decide(current.cr);
    if (!decision || decision.audit.length === 0) return undefined;
    try {
      await deps.store.save(current.cr.version, decision.next, decision.audit);
      return decision.next;
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
    }
  }
}
