/**
 * Signed links to one report file, for the report's email (docs/reports.md): whoever holds the link
 * may read that file until it expires, without signing in, like S3's presigned URLs (which the link
 * hands out: `GET /report-links/{token}` redirects to a presigned URL of a few minutes, so no
 * credential's lifetime limits the link's).
 *
 * A token is `base64url(JSON claims) + '.' + base64url(HMAC-SHA256(key, 'report-link.' + payload))`.
 * It is signed with the approval-link key, under its own prefix, and its claims are a strict shape
 * of their own: a report link never verifies as a decision token, nor a decision token as a report
 * link. Pure: no I/O; `verifyReportLink` never throws on any token string.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** How long a report link in an email works. */
export const REPORT_LINK_DAYS = 14;

const PURPOSE = 'report-link.';
const B64URL = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

const ClaimsSchema = z.strictObject({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/),
  file: z.string().regex(/^[a-z]+\.(md|json|csv|html)$/),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type ReportLinkClaims = z.infer<typeof ClaimsSchema>;

const sign = (payload: string, key: Uint8Array) =>
  createHmac('sha256', key)
    .update(PURPOSE + payload, 'ascii')
    .digest();

export function createReportLink(claims: ReportLinkClaims, key: Uint8Array): string {
  const c = ClaimsSchema.parse(claims);
  const payload = Buffer.from(JSON.stringify({ period: c.period, file: c.file, expiresAt: c.expiresAt }), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, key).toString('base64url')}`;
}

export function verifyReportLink(
  token: unknown,
  key: Uint8Array,
  now: string,
): { ok: true; claims: ReportLinkClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' } {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1000) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((p) => B64URL.test(p))) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature || !timingSafeEqual(given, sign(payload, key))) {
    return { ok: false, reason: 'forged' };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = ClaimsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  if (Date.parse(now) >= Date.parse(parsed.data.expiresAt)) return { ok: false, reason: 'expired' };
  return { ok: true, claims: parsed.data };
}
