/**
 * The pages behind an approval link (issue 3 §4). Pure HTML builders; the decision handler chooses
 * which to serve and sends it with `pageHeaders`.
 *
 * - GET of a link → `confirmationPage`: the change summary and ONE form that POSTs the token (in a
 *   hidden field) and an optional comment. GET decides nothing. There is no script, no event handler,
 *   no meta refresh and no autofocus on the page, so a link scanner that fetches the page (even one
 *   that runs script or follows refreshes) does not submit anything: only a person pressing the
 *   button does.
 * - After the POST, or when the token cannot be used → `resultPage` / `outcomePage`.
 */
import type { DecisionClaims } from '../core/approval-link.js';
import type { ChangeRequest, Person } from '../core/change-request.js';
import { escapeHtml, htmlDocument, safeUrl } from './html.js';
import { ROLE_LABELS, summaryFields, summaryHtml } from './summary.js';

/**
 * Headers for every decision page (GET and POST): never cached (the token is in the URL of the GET),
 * never sent on as a Referer, no script allowed to run, never framed. The form posts to the same
 * origin (`form-action 'self'`), so `postUrl` must be on the origin that serves the page.
 */
export const pageHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-Robots-Tag': 'noindex, nofollow',
} as const satisfies Record<string, string>;

/** Longest comment the form accepts (the API's limit for approval comments). */
export const COMMENT_MAX_CHARS = 2000;

export interface ConfirmationPageInput {
  cr: ChangeRequest;
  /** The verified claims of the token. */
  claims: DecisionClaims;
  /** The token itself: it goes into the hidden field, and nowhere else on the page. */
  token: string;
  /** Where the form posts: the decision endpoint on the same origin (a path such as `/approvals/decision`). */
  postUrl: string;
  /** The approver, when known, to greet them by name. */
  approver?: Pick<Person, 'name' | 'email'> | undefined;
  /** The organisation's IANA time zone, to show the window in local time as well as UTC. */
  timeZone?: string | undefined;
}

export function confirmationPage(input: ConfirmationPageInput): string {
  const { cr, claims, token } = input;
  if (claims.changeId !== cr.id) throw new TypeError(`the token is for ${claims.changeId}, not ${cr.id}`);
  const postUrl = safeUrl(input.postUrl, 'postUrl');
  if (postUrl.includes(token)) throw new TypeError('the token must travel in the form body, not in postUrl');

  const approving = claims.decision === 'approve';
  const post = cr.content.category === 'emergency';
  const verb = approving ? (post ? 'Post-approve' : 'Approve') : 'Reject';
  const role = ROLE_LABELS[claims.slot];
  const who = input.approver ? `${input.approver.name} <${input.approver.email}>` : claims.approver;

  const body = [
    `<h1>${escapeHtml(`${verb} ${cr.id}?`)}</h1>`,
    `<p class="notice">${escapeHtml(
      `You are about to ${verb.toLowerCase()} revision ${claims.revision} of ${cr.id} as ${role}. ` +
        'Nothing has been decided yet: your decision is recorded only when you press the button below.',
    )}</p>`,
    summaryHtml(summaryFields(cr, { slot: claims.slot, timeZone: input.timeZone })),
    `<form method="post" action="${escapeHtml(postUrl)}">`,
    `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
    `<p><label for="comment">${escapeHtml(approving ? 'Comment (optional)' : 'Why is it rejected? (required)')}</label></p>`,
    `<p><textarea id="comment" name="comment" maxlength="${COMMENT_MAX_CHARS}" rows="5"${approving ? '' : ' required'}></textarea></p>`,
    `<p><button type="submit"${approving ? '' : ' class="reject"'}>${escapeHtml(`${verb} ${cr.id}`)}</button></p>`,
    '</form>',
    `<p class="muted">${escapeHtml(
      `This link was sent to ${who}. If you did not expect it, or do not want to decide now, close this page: nothing changes.`,
    )}</p>`,
  ].join('\n');
  return htmlDocument(`${verb} ${cr.id} — ChangeFlow`, body);
}

export interface ResultPageInput {
  title: string;
  message: string;
  /** done: the decision was recorded; refused: nothing changed. */
  status: 'done' | 'refused';
  /** Where to go on from here (a sign-in to decide). */
  link?: { href: string; text: string } | undefined;
}

export function resultPage(input: ResultPageInput): string {
  const note = input.status === 'done' ? 'Recorded.' : 'Nothing was changed.';
  const body = [
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="notice ${input.status}">${escapeHtml(input.message)}</p>`,
    input.link ? `<p><a href="${escapeHtml(input.link.href)}">${escapeHtml(input.link.text)}</a></p>` : '',
    `<p class="muted">${escapeHtml(note)}${input.link ? '' : ' You can close this page.'}</p>`,
  ].join('\n');
  return htmlDocument(`${input.title} — ChangeFlow`, body);
}

export { LINK_OUTCOMES as OUTCOMES, type LinkOutcome as Outcome, type OutcomeContext } from '../use-cases/approval-links.js';
import type { LinkOutcome as Outcome, OutcomeContext } from '../use-cases/approval-links.js';

export function outcome(kind: Outcome, ctx: OutcomeContext = {}): ResultPageInput & { httpStatus: number } {
  const cr = ctx.changeId ?? 'the change request';
  const rev = ctx.revision !== undefined ? `revision ${ctx.revision} of ${cr}` : cr;
  const extra = ctx.detail ? ` ${ctx.detail}` : '';
  const r = (status: 'done' | 'refused', httpStatus: number, title: string, message: string) => ({
    status,
    httpStatus,
    title,
    message: message + extra,
  });
  switch (kind) {
    case 'approved': {
      const awaiting = ctx.awaiting ?? [];
      const next = awaiting.length
        ? ` Still awaited: the ${awaiting.map((s) => ROLE_LABELS[s]).join(' and the ')} approval${awaiting.length > 1 ? 's' : ''}.`
        : '';
      return r(
        'done',
        200,
        awaiting.length ? `Your approval of ${cr} is recorded` : `${cr} approved`,
        `Your approval of ${rev} is recorded. Thank you.${next}`,
      );
    }
    case 'rejected':
      return r('done', 200, `${cr} rejected`, `Your rejection of ${rev} is recorded; the requestor is told why.`);
    case 'already-used':
      return r('refused', 409, 'This link was already used', `A decision for this approval of ${rev} was already recorded.`);
    case 'expired':
      return r(
        'refused',
        410,
        'This link has expired',
        `The link for ${rev} is past its expiry. Ask for the approval to be sent again, or decide in ChangeFlow.`,
      );
    case 'forged':
      return r('refused', 403, 'This link is not valid', 'The link was not issued by ChangeFlow or was altered. Open the link from the email exactly as sent.');
    case 'malformed':
      return r('refused', 400, 'This link is incomplete', 'The link is damaged or cut short. Open the link from the email exactly as sent.');
    case 'superseded':
      return r(
        'refused',
        409,
        'This change request has changed',
        `The link was for ${rev}, but ${cr} is now at ${ctx.currentRevision !== undefined ? `revision ${ctx.currentRevision}` : 'a newer revision'}. A new request for approval is sent when it is submitted again.`,
      );
    case 'closed':
      return r('refused', 409, 'No decision is needed any more', `${cr} is no longer waiting for approval${ctx.state ? ` (it is ${ctx.state})` : ''}.`);
    case 'separation-of-duties':
      return r(
        'refused',
        403,
        'You cannot decide on this change',
        `Separation of duties: nobody approves their own change request, and one person's approval counts once for ${cr}.`,
      );
    case 'not-eligible':
      return r('refused', 403, 'You cannot decide on this change', `You are not an eligible approver for this approval of ${cr}.`);
    case 'sign-in-required':
      return {
        ...r(
          'refused',
          401,
          'Sign in to decide',
          `The approver of ${cr} signs in before deciding, so a forwarded email or a shared mailbox cannot decide for them.`,
        ),
        link: ctx.signInUrl ? { href: ctx.signInUrl, text: 'Sign in and decide' } : undefined,
      };
    case 'wrong-person':
      return r('refused', 403, 'This link is for someone else', `The approval link for ${rev} names another approver: only they may decide with it.`);
  }
}

export function outcomePage(kind: Outcome, ctx: OutcomeContext = {}): string {
  return resultPage(outcome(kind, ctx));
}
