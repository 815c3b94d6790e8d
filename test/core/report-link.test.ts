/** Signed report links (core/report-link.ts): what they open, for how long, and that they are never decision tokens. */
import { describe, expect, it } from 'vitest';
import { createDecisionToken, verifyDecisionToken } from '../../functions/core/approval-link.js';
import { createReportLink, verifyReportLink } from '../../functions/core/report-link.js';

const key = new Uint8Array(32).fill(7);
const claims = { period: '2026-11', file: 'report.html', expiresAt: '2026-12-15T06:00:00.000Z' };

describe('Rule: a report link opens the one file it names until it expires', () => {
  it('verifies before its expiry, not at it', () => {
    const token = createReportLink(claims, key);
    expect(verifyReportLink(token, key, '2026-12-15T05:59:59.999Z')).toEqual({ ok: true, claims });
    expect(verifyReportLink(token, key, '2026-12-15T06:00:00.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it('another key, a changed claim or garbage is refused, never thrown', () => {
    const token = createReportLink(claims, key);
    expect(verifyReportLink(token, new Uint8Array(32).fill(8), '2026-12-01T00:00:00.000Z').ok).toBe(false);
    const [, sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...claims, file: 'changes.csv' })).toString('base64url');
    expect(verifyReportLink(`${other}.${sig}`, key, '2026-12-01T00:00:00.000Z')).toEqual({ ok: false, reason: 'forged' });
    for (const junk of ['', 'a.b.c', '%%%.x', 'x'.repeat(2000), 42, undefined]) expect(verifyReportLink(junk, key, '2026-12-01T00:00:00.000Z').ok).toBe(false);
  });

  it('is signed with the approval-link key but is never a decision token, nor a decision token a report link', () => {
    const link = createReportLink(claims, key);
    expect(verifyDecisionToken(link, key, '2026-12-01T00:00:00.000Z').ok).toBe(false);
    const decision = createDecisionToken(
      { approver: 'bob', changeId: 'CR-2026-11-03-001', revision: 1, slot: 'tech-lead', decision: 'approve', expiresAt: '2026-12-15T06:00:00.000Z' },
      key,
    );
    expect(verifyReportLink(decision, key, '2026-12-01T00:00:00.000Z').ok).toBe(false);
  });
});
