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
import { decideByLink, openLink, type LinkResult } from '../use-cases/approval-links.js';
import type { Config } from '../config.js';
import type { LinkDeps } from '../use-cases/approval-links.js';

export interface ApprovalLinksDeps {
  config: Config;
  links: LinkDeps;
}

const DECIDE_PATH = '/approvals/decide';

function page(status: number, html: string): HttpResult {
  return { statusCode: status, headers: { ...pageHeaders }, body: html };
}

function render(result: LinkResult, token: string, timeZone: string): HttpResult {
  if (result.kind === 'confirm') {
    return page(200, confirmationPage({ cr: result.cr, claims: result.claims, token, postUrl: DECIDE_PATH, approver: result.approver, timeZone }));
  }
  return page(outcome(result.outcome, result.ctx).httpStatus, outcomePage(result.outcome, result.ctx));
}

export function approvalLinkRoutes(deps: ApprovalLinksDeps): Record<string, Route> {
  const links = deps.links;
  return {
    [`GET ${DECIDE_PATH}`]: async (event: ApiEvent) => {
      const token = event.queryStringParameters?.token ?? '';
      return render(await openLink(links, token), token, deps.config.ORG_TIMEZONE);
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
      return render(await decideByLink(links, token, comment), token, deps.config.ORG_TIMEZONE);
    },
  };
}

export const makeHandler = (deps: ApprovalLinksDeps) => httpApi(approvalLinkRoutes(deps));
