/**
 * Whether a delivery comes from who it says, checked over the raw bytes before anything parses
 * them, in constant time, against every secret configured for the source (several at once while
 * one is rotated: any one valid is enough). The providers' own libraries where they exist:
 * `@octokit/webhooks-methods` for GitHub, `standardwebhooks` for the generic scheme; GitLab sends
 * its token verbatim and PagerDuty one HMAC per active secret (integrations.md §2, §3.1). Slack's
 * scheme (v0, HMAC-SHA256 of `v0:<timestamp>:<body>` with the app's signing secret, five minutes'
 * tolerance) is checked here as Slack documents it: its own verifier ships inside @slack/bolt, a
 * web framework this service does not otherwise need.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { verify as verifyGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../core/errors.js';
import type { WebhookSource } from '../core/webhooks.js';

export type Headers = Record<string, string | undefined>;

/** Standard Webhooks' tolerance: a delivery signed more than five minutes from now is refused (replay). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Equal strings, compared in constant time whatever their lengths (hashing first makes them the same length). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const refuse = (message: string): never => {
  throw new UnauthorizedError(message);
};

/**
 * Throws UnauthorizedError, in words, unless one of `secrets` signed `body`. `now` is the clock's
 * (the generic scheme's timestamp is checked against it).
 */
export async function verifyDelivery(source: WebhookSource, secrets: readonly string[], body: string, headers: Headers, now: Date): Promise<void> {
  if (secrets.length === 0) refuse(`no ${source} webhook secret is configured, so no ${source} delivery can be trusted`);
  switch (source) {
    case 'github': {
      const signature = headers['x-hub-signature-256'];
      if (!signature) refuse('X-Hub-Signature-256 is missing: set a secret on the GitHub webhook (sha256 signatures)');
      for (const secret of secrets) if (await verifyGitHub(secret, body, signature!).catch(() => false)) return;
      return refuse('X-Hub-Signature-256 does not match the body with any configured secret');
    }
    case 'gitlab': {
      const token = headers['x-gitlab-token'];
      if (!token) refuse('X-Gitlab-Token is missing: set the secret token on the GitLab webhook');
      // every secret is compared, so the time taken does not tell which one (or whether any) matched
      const matched = secrets.map((s) => sameSecret(s, token!)).some(Boolean);
      if (!matched) refuse('X-Gitlab-Token is not a configured token');
      return;
    }
    case 'pagerduty': {
      const header = headers['x-pagerduty-signature'];
      if (!header) refuse('X-PagerDuty-Signature is missing');
      const given = header!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('v1='))
        .map((s) => s.slice(3));
      if (given.length === 0) refuse('X-PagerDuty-Signature has no v1= signature');
      const expected = secrets.map((s) => createHmac('sha256', s).update(body, 'utf8').digest('hex'));
      const matched = expected.map((e) => given.map((g) => sameSecret(e, g.toLowerCase())).some(Boolean)).some(Boolean);
      if (!matched) refuse('X-PagerDuty-Signature does not match the body with any configured secret');
      return;
    }
    case 'slack': {
      const timestamp = headers['x-slack-request-timestamp'];
      const signature = headers['x-slack-signature'];
      if (!timestamp || !signature) {
        refuse(
          `${[!timestamp && 'X-Slack-Request-Timestamp', !signature && 'X-Slack-Signature'].filter(Boolean).join(' and ')} missing: not a request from Slack`,
        );
      }
      if (!/^\d{1,12}$/.test(timestamp!)) refuse('X-Slack-Request-Timestamp must be the Unix time in seconds');
      const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
      if (skew > TIMESTAMP_TOLERANCE_SECONDS) refuse(`X-Slack-Request-Timestamp is ${Math.round(skew)} s from now: a replayed or delayed request`);
      const expected = secrets.map((s) => `v0=${createHmac('sha256', s).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`);
      if (!expected.map((e) => sameSecret(e, signature!)).some(Boolean))
        refuse("X-Slack-Signature does not match the body with the Slack app's signing secret");
      return;
    }
    case 'ci': {
      const id = headers['webhook-id'];
      const timestamp = headers['webhook-timestamp'];
      const signature = headers['webhook-signature'];
      if (!id || !timestamp || !signature) {
        refuse(
          `${[!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean).join(', ')} missing: sign the delivery with Standard Webhooks (docs/webhooks.md)`,
        );
      }
      const at = Number(timestamp);
      if (!/^\d{1,12}$/.test(timestamp!)) refuse('webhook-timestamp must be the Unix time in seconds when the delivery was signed');
      const skew = Math.abs(now.getTime() / 1000 - at);
      if (skew > TIMESTAMP_TOLERANCE_SECONDS) {
        refuse(
          `webhook-timestamp is ${Math.round(skew)} s from now; a delivery is accepted within ${TIMESTAMP_TOLERANCE_SECONDS} s of its signing (sign it again)`,
        );
      }
      // Standard Webhooks' own signing (the library) over `id.timestamp.body`, compared here in
      // constant time: the library's verify checks the timestamp against the machine's clock, and
      // the check above is against the service's clock (the one tests move).
      const given = signature!.split(' ').filter((s) => s.startsWith('v1,'));
      for (const secret of secrets) {
        let expected: string;
        try {
          expected = new Webhook(secret).sign(id!, new Date(at * 1000), body);
        } catch {
          continue; // not a whsec_ secret: it cannot have signed anything
        }
        if (given.map((g) => sameSecret(g, expected)).some(Boolean)) return;
      }
      return refuse('webhook-signature does not match the body with any configured secret (Standard Webhooks: v1,<base64 HMAC-SHA256 of id.timestamp.body>)');
    }
  }
}
