/**
 * Signed decision tokens for email approval links (issue 3 §4).
 *
 * A token is `base64url(JSON claims) + '.' + base64url(HMAC-SHA256(key, payload))`, where `payload`
 * is the first segment exactly as it appears in the token. It binds one approver, one CR revision,
 * one approval slot, one decision and an expiry. The key comes from Secrets Manager in AWS and from a
 * local file locally; it is never in the token.
 *
 * This module only answers "did we sign this, and is it still in date?". Whether the token was
 * already used or is superseded (the CR moved to another revision, the slot is filled, the CR left
 * the queue) is decided by the decision handler against the stored CR.
 *
 * Pure: no I/O. `verifyDecisionToken` never throws on any token string.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { APPROVER_ROLES, type ApproverRole } from './change-request.js';

export const DECISIONS = ['approve', 'reject'] as const;
export type LinkDecision = (typeof DECISIONS)[number];

export interface DecisionClaims {
  /** Person id of the one approver the link was sent to. */
  approver: string;
  changeId: string;
  /** The CR revision the approver is shown; any other current revision supersedes the token. */
  revision: number;
  slot: ApproverRole;
  decision: LinkDecision;
  /** ISO 8601 instant; the token is expired from this instant on. */
  expiresAt: string;
  /** Optional, e.g. to tell two mailings of the same slot apart in logs. */
  nonce?: string;
}

export type VerifyResult = { ok: true; claims: DecisionClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** HMAC-SHA256 keys shorter than the hash output weaken it; refuse them. */
export const MIN_KEY_BYTES = 32;
/** Longest token accepted; real ones are a few hundred characters. */
export const MAX_TOKEN_LENGTH = 4096;

const SIGNATURE_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]+$/;

const ClaimsSchema = z.strictObject({
  approver: z.string().min(1).max(200),
  changeId: z.string().min(1).max(100),
  revision: z.number().int().positive(),
  slot: z.enum(APPROVER_ROLES),
  decision: z.enum(DECISIONS),
  expiresAt: z.iso.datetime({ offset: true }),
  nonce: z.string().min(1).max(200).optional(),
});

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_KEY_BYTES) {
    throw new TypeError(`the decision-link signing key must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

function sign(payload: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(payload, 'ascii').digest();
}

/** Creates a compact, URL-safe token for the claims. Throws on claims that could never verify. */
export function createDecisionToken(claims: DecisionClaims, key: Uint8Array): string {
  checkKey(key);
  const parsed = ClaimsSchema.safeParse(claims);
  if (!parsed.success) {
    throw new TypeError(`invalid decision claims: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  // A fixed key order, so the same claims always give the same token.
  const c = parsed.data;
  const ordered: DecisionClaims = {
    approver: c.approver,
    changeId: c.changeId,
    revision: c.revision,
    slot: c.slot,
    decision: c.decision,
    expiresAt: c.expiresAt,
    ...(c.nonce !== undefined ? { nonce: c.nonce } : {}),
  };
  const payload = Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, key).toString('base64url')}`;
}

/**
 * Checks a token's form, signature (in constant time) and expiry, in that order: claims are parsed
 * only once the signature holds. Exactly at `expiresAt` the token is expired.
 */
export function verifyDecisionToken(token: unknown, key: Uint8Array, now: string): VerifyResult {
  checkKey(key);
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new TypeError(`now must be an ISO 8601 instant, got ${JSON.stringify(now)}`);

  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  if (!B64URL.test(payload) || !B64URL.test(signature)) return { ok: false, reason: 'malformed' };

  // Only the canonical encoding of a 32-byte MAC is a signature; anything else was not made here.
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) return { ok: false, reason: 'forged' };
  if (!timingSafeEqual(given, sign(payload, key))) return { ok: false, reason: 'forged' };

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = ClaimsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const claims: DecisionClaims = parsed.data;
  if (nowMs >= Date.parse(claims.expiresAt)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

export type LinkSignIn = 'high-risk' | 'always';

/**
 * Why a link decision on this change needs its approver signed in, or undefined when the link alone
 * decides (issue: an email link is a bearer credential; a forwarded email or a shared mailbox must
 * not hand over the approval of a major change or a high or critical risk). Below that, the setting.
 */
export function linkSignInReason(cr: { content: { category: string }; riskLevel: string | null }, setting: LinkSignIn): string | undefined {
  if (cr.content.category === 'major') return 'It is a major change.';
  if (cr.riskLevel === 'high' || cr.riskLevel === 'critical') return `It carries ${cr.riskLevel} risk.`;
  return setting === 'always' ? 'Every decision from a link is taken signed in here.' : undefined;
}
