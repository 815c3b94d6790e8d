/**
 * Deciding from an email link. Opening the link (GET) only looks: it checks the token and shows a
 * confirmation page. Only the POST from that page decides, as the approver the token names, through
 * the same transition (and separation-of-duties rules) as the API.
 */
import { verifyDecisionToken, type DecisionClaims } from '../core/approval-link.js';
import type { ChangeRequest, Person } from '../core/change-request.js';
import { ForbiddenError, IllegalTransitionError, ValidationError, VersionConflictError } from '../core/errors.js';
import type { Outcome, OutcomeContext } from '../email/pages.js';
import type { ChangeWithAudit, Directory } from '../ports.js';
import { transitionChange, type ChangeDeps } from './changes.js';

export interface LinkDeps {
  changes: ChangeDeps;
  directory: Directory;
  linkKey: () => Promise<Uint8Array>;
}

export type LinkResult =
  | { kind: 'confirm'; cr: ChangeRequest; claims: DecisionClaims; approver: Person | undefined }
  | { kind: 'outcome'; outcome: Outcome; ctx: OutcomeContext };

type Refusal = Extract<LinkResult, { kind: 'outcome' }>;
const result = (outcome: Outcome, ctx: OutcomeContext = {}): Refusal => ({ kind: 'outcome', outcome, ctx });

/** GET: may this link still decide? Side-effect free, for people and link scanners alike. */
export async function openLink(deps: LinkDeps, token: string | undefined): Promise<LinkResult> {
  const checked = await check(deps, token);
  if (checked.kind === 'outcome') return checked;
  return { kind: 'confirm', cr: checked.loaded.cr, claims: checked.claims, approver: checked.approver };
}

/** POST: decide, as the approver named by the token. */
export async function decideByLink(deps: LinkDeps, token: string | undefined, comment: string | undefined): Promise<LinkResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const checked = await check(deps, token);
    if (checked.kind === 'outcome') return checked;
    const { loaded, claims, approver } = checked;
    const cr = loaded.cr;
    const ctx = { changeId: cr.id, revision: claims.revision, currentRevision: cr.revision, state: cr.state };
    if (!approver) return result('not-eligible', { ...ctx, detail: 'Your account is no longer in the directory.' });
    try {
      // the change read for the token check is the one decided on: the write is conditioned on its version
      await transitionChange(deps.changes, approver, cr.id, claims.decision, { comment, revision: claims.revision }, undefined, loaded);
      return result(claims.decision === 'approve' ? 'approved' : 'rejected', ctx);
    } catch (err) {
      if (err instanceof VersionConflictError) continue; // someone decided at the same moment: look again
      if (err instanceof ForbiddenError) {
        return result(/separation of duties|counts once/.test(err.message) ? 'separation-of-duties' : 'not-eligible', { ...ctx, detail: err.message });
      }
      if (err instanceof ValidationError) return result('not-eligible', { ...ctx, detail: err.issues.map((i) => `${i.path} ${i.message}`).join('; ') });
      if (err instanceof IllegalTransitionError) return result('closed', { ...ctx, detail: err.message });
      throw err;
    }
  }
  return result('closed', { detail: 'The change request kept changing; open the link again.' });
}

async function check(
  deps: LinkDeps,
  token: string | undefined,
): Promise<Refusal | { kind: 'ok'; loaded: ChangeWithAudit; claims: DecisionClaims; approver: Person | undefined }> {
  const verified = verifyDecisionToken(token ?? '', await deps.linkKey(), deps.changes.clock.now().toISOString());
  if (!verified.ok) return result(verified.reason);
  const claims = verified.claims;
  // the change and the approver, read side by side
  const [found, approver] = await Promise.all([deps.changes.store.get(claims.changeId), deps.directory.get(claims.approver)]);
  if (!found) return result('closed', { changeId: claims.changeId, detail: 'It does not exist.' });
  const cr = found.cr;
  const ctx = { changeId: cr.id, revision: claims.revision, currentRevision: cr.revision, state: cr.state };
  if (cr.revision !== claims.revision) return result('superseded', ctx);
  const filled = cr.approvals.find((a) => a.slot === claims.slot);
  if (filled || (cr.state === 'rejected' && cr.revision === claims.revision)) {
    return filled?.by === claims.approver || cr.state === 'rejected'
      ? result('already-used', ctx)
      : result('closed', { ...ctx, detail: `The approval was given by ${filled?.name}.` });
  }
  if (cr.state !== 'pending_approval') return result('closed', ctx);
  return { kind: 'ok', loaded: found, claims, approver: approver ?? undefined };
}
