/**
 * Deciding from an email link. Opening the link (GET) only looks: it checks the token and shows a
 * confirmation page. Only the POST from that page decides, as the approver the token names, through
 * the same transition (and separation-of-duties rules) as the API.
 *
 * A link decides the slot it was minted for, or, when someone else filled that one, the slot its
 * holder may still fill (a second CTO on a major change), never a slot its holder does not
 * qualify for. A link to an emergency change post-approves it.
 */
import { linkSignInReason, verifyDecisionToken, type DecisionClaims, type LinkSignIn } from '../core/approval-link.js';
import type { ApproverRole, ChangeRequest, Person } from '../core/change-request.js';
import { ForbiddenError, IllegalTransitionError, ValidationError } from '../core/errors.js';
import { sameId } from '../core/identity.js';
import { slotFor } from '../core/lifecycle.js';
import type { ChangeWithAudit, Directory } from '../ports.js';
import { transitionChange, type ChangeDeps } from './changes.js';

/** Every way a decision link can end (functions/email/pages.ts gives each its words and HTTP status). */
export const LINK_OUTCOMES = [
  'approved',
  'rejected',
  'already-used',
  'expired',
  'forged',
  'malformed',
  'superseded',
  'closed',
  'separation-of-duties',
  'not-eligible',
  'sign-in-required',
  'wrong-person',
] as const;
export type LinkOutcome = (typeof LINK_OUTCOMES)[number];

export interface OutcomeContext {
  changeId?: string | undefined;
  /** The revision the link was for. */
  revision?: number | undefined;
  /** The CR's revision now (for `superseded`). */
  currentRevision?: number | undefined;
  /** The CR's state now (for `closed`). */
  state?: string | undefined;
  /** An extra sentence, e.g. the policy's own reason for `not-eligible`. */
  detail?: string | undefined;
  /** `sign-in-required`: where the approver signs in and decides (the console's page for the link). */
  signInUrl?: string | undefined;
  /** After an approval: the slots still open, to say what is still awaited. */
  awaiting?: ApproverRole[] | undefined;
}

export interface LinkDeps {
  changes: ChangeDeps;
  directory: Directory;
  linkKey: () => Promise<Uint8Array>;
  /** Which link decisions need the approver signed in (LINK_SIGN_IN). */
  signIn: LinkSignIn;
  /** Where the console is: a link that needs a sign-in sends the approver there (`<base>/#/decide?token=…`). */
  consoleUrl: string;
}

/** Who the request's bearer token says is signed in (null: nobody, or a token that does not verify). */
export type SignedIn = string | null;

export type LinkResult =
  | { kind: 'confirm'; cr: ChangeRequest; claims: DecisionClaims; approver: Person | undefined }
  | { kind: 'outcome'; outcome: LinkOutcome; ctx: OutcomeContext };

type Refusal = Extract<LinkResult, { kind: 'outcome' }>;
const result = (outcome: LinkOutcome, ctx: OutcomeContext = {}): Refusal => ({ kind: 'outcome', outcome, ctx });

/** GET: may this link still decide? Side-effect free, for people and link scanners alike. */
export async function openLink(deps: LinkDeps, token: string | undefined, signedIn: SignedIn = null): Promise<LinkResult> {
  const checked = await check(deps, token, signedIn);
  if (checked.kind === 'outcome') return checked;
  return { kind: 'confirm', cr: checked.loaded.cr, claims: checked.claims, approver: checked.approver };
}

/** POST: decide, as the approver named by the token. */
export async function decideByLink(deps: LinkDeps, token: string | undefined, comment: string | undefined, signedIn: SignedIn = null): Promise<LinkResult> {
  const checked = await check(deps, token, signedIn);
  if (checked.kind === 'outcome') return checked;
  const { loaded, claims, approver } = checked;
  const cr = loaded.cr;
  const ctx = { changeId: cr.id, revision: claims.revision, currentRevision: cr.revision, state: cr.state };
  if (!approver) return result('not-eligible', { ...ctx, detail: 'Your account is no longer in the directory.' });
  try {
    // the write re-reads and re-decides if someone else decided at the same moment
    const after = await transitionChange(
      deps.changes,
      approver,
      cr.id,
      claims.decision,
      { comment, revision: claims.revision, slot: claims.slot, channel: 'email' },
      undefined,
      loaded,
    );
    const awaiting = (after.cr.approvalRequirement?.route === 'approval' ? after.cr.approvalRequirement.slots : [])
      .filter((s) => !after.cr.approvals.some((a) => a.slot === s.slot && a.revision === after.cr.revision))
      .map((s) => s.slot);
    return result(claims.decision === 'approve' ? 'approved' : 'rejected', { ...ctx, awaiting: after.cr.state === 'pending_approval' ? awaiting : [] });
  } catch (err) {
    if (err instanceof ForbiddenError) {
      return result(err.reason === 'separation-of-duties' ? 'separation-of-duties' : 'not-eligible', { ...ctx, detail: err.message });
    }
    if (err instanceof ValidationError) return result('not-eligible', { ...ctx, detail: err.issues.map((i) => `${i.path} ${i.message}`).join('; ') });
    if (err instanceof IllegalTransitionError) return result('closed', { ...ctx, detail: err.message });
    throw err;
  }
}

async function check(
  deps: LinkDeps,
  token: string | undefined,
  signedIn: SignedIn,
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
  const ok = { kind: 'ok' as const, loaded: found, claims, approver: approver ?? undefined };
  // whoever is signed in must be the person the link names; some changes need that sign-in
  if (signedIn !== null && !sameId(signedIn, claims.approver)) {
    return result('wrong-person', { ...ctx, detail: `You are signed in as ${signedIn}; this link is ${claims.approver}'s.` });
  }
  const why = signedIn === null ? linkSignInReason(cr, deps.signIn) : undefined;
  if (why) {
    return result('sign-in-required', {
      ...ctx,
      detail: why,
      signInUrl: `${deps.consoleUrl.replace(/\/+$/, '')}/#/decide?token=${encodeURIComponent(token ?? '')}`,
    });
  }

  if (cr.content.category === 'emergency') {
    const pa = cr.postApproval;
    if (claims.decision !== 'approve' || !pa) return result('closed', ctx);
    if (pa.approvedBy)
      return sameId(pa.approvedBy, claims.approver)
        ? result('already-used', ctx)
        : result('closed', { ...ctx, detail: `It was post-approved by ${pa.approvedBy}.` });
    return ok;
  }

  if (cr.state === 'rejected') return result('already-used', ctx);
  const mine = cr.approvals.find((a) => a.revision === cr.revision && sameId(a.by, claims.approver));
  if (mine) return result('already-used', ctx);
  if (cr.state !== 'pending_approval') return result('closed', ctx);
  const filled = cr.approvals.find((a) => a.slot === claims.slot && a.revision === cr.revision);
  // someone else filled the slot of this link: it still decides the slot its holder may fill, if any
  if (filled && !(approver && slotFor(cr, approver))) {
    return result('closed', { ...ctx, detail: `The approval was given by ${filled.name}; no other approval of yours is needed.` });
  }
  return ok;
}
