/**
 * GET /approvals/decide?token=… — a confirmation page; decides nothing (link scanners fetch it).
 * POST /approvals/decide — the form on that page, pressed by a person: decides.
 * Public at the gateway: the signed token is the credential, bound to one approver, change,
 * revision, slot and decision, and it expires.
 */
import { ValidationError } from '../core/errors.js';
import { unsafeCharacter } from '../core/text.js';
import { confirmationPage, outcome, outcomePage, pageHeaders } from '../email/pages.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { bodyText, mediaType } from '../http/request.js';
import type { HttpResult } from '../http/responses.js';
import { decideByLink, openLink, type LinkResult, type SignedIn } from '../use-cases/approval-links.js';
import { json } from '../http/responses.js';
import type { Config } from '../config.js';
import type { LinkDeps } from '../use-cases/approval-links.js';

export interface ApprovalLinksDeps {
  config: Config;
  links: LinkDeps;
  /** Who the request's bearer token says is signed in, checked by the function (the route is public at the gateway). */
  signedIn: (authorization: string | undefined) => Promise<SignedIn>;
}

const DECIDE_PATH = '/approvals/decide';

function page(status: number, html: string): HttpResult {
  return { statusCode: status, headers: { ...pageHeaders }, body: html };
}

function render(result: LinkResult, token: string, timeZone: string, wantsJson = false): HttpResult {
  // the console asks for JSON: the outcome, its words and its status, as the page would say them
  if (wantsJson) {
    if (result.kind === 'confirm')
      return json(200, { outcome: 'confirm', changeId: result.cr.id, decision: result.claims.decision, approver: result.claims.approver });
    const o = outcome(result.outcome, result.ctx);
    return json(o.httpStatus, { outcome: result.outcome, title: o.title, message: o.message, changeId: result.ctx.changeId ?? null });
  }
  if (result.kind === 'confirm') {
    return page(200, confirmationPage({ cr: result.cr, claims: result.claims, token, postUrl: DECIDE_PATH, approver: result.approver, timeZone }));
  }
  return page(outcome(result.outcome, result.ctx).httpStatus, outcomePage(result.outcome, result.ctx));
}

const wantsJson = (event: ApiEvent) => /\bapplication\/json\b/.test(event.headers?.accept ?? '');

export function approvalLinkRoutes(deps: ApprovalLinksDeps): Record<string, Route> {
  const links = deps.links;
  return {
    [`GET ${DECIDE_PATH}`]: async (event: ApiEvent) => {
      const token = event.queryStringParameters?.token ?? '';
      const signedIn = await deps.signedIn(event.headers?.authorization);
      return render(await openLink(links, token, signedIn), token, deps.config.ORG_TIMEZONE, wantsJson(event));
    },
    [`POST ${DECIDE_PATH}`]: async (event: ApiEvent) => {
      if (mediaType(event) !== 'application/x-www-form-urlencoded') {
        throw new ValidationError([{ path: 'body', message: 'must be the form on the confirmation page (application/x-www-form-urlencoded)' }]);
      }
      const form = new URLSearchParams(bodyText(event, 16 * 1024));
      const token = form.get('token') ?? '';
      const comment = form.get('comment')?.trim() || undefined;
      const bad = comment === undefined ? undefined : comment.length > 2000 ? 'must be at most 2000 characters' : unsafeCharacter(comment, true);
      if (bad) throw new ValidationError([{ path: 'comment', message: bad }]);
      const signedIn = await deps.signedIn(event.headers?.authorization);
      return render(await decideByLink(links, token, comment, signedIn), token, deps.config.ORG_TIMEZONE, wantsJson(event));
    },
  };
}

export const makeHandler = (deps: ApprovalLinksDeps) => httpApi(approvalLinkRoutes(deps));
