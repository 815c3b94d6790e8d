import { describe, expect, it } from 'vitest';
import type { DecisionClaims } from '../../functions/core/approval-link.js';
import { approvalPolicy } from '../../functions/core/approval-policy.js';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { confirmationPage, OUTCOMES, outcome, outcomePage, pageHeaders, resultPage } from '../../functions/email/pages.js';
import { completeContent, people } from '../fixtures.js';

const TOKEN = 'eyJhcHByb3ZlciI6ImVyaW4ifQ.Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr';
const POST_URL = '/approvals/decision';

function pendingChange(edit: (cr: ChangeRequest) => void = () => {}): ChangeRequest {
  const content = completeContent('major');
  const policy = approvalPolicy(content, 'medium');
  if (!policy.ok) throw new Error('fixture: policy refused');
  const cr: ChangeRequest = {
    id: 'CR-2026-12-01-009',
    revision: 2,
    version: 4,
    state: 'pending_approval',
    requestor: { id: 'alice', name: 'Alice Andersen', email: 'alice@example.com', team: 'payments' },
    content,
    riskLevel: 'medium',
    approvalRequirement: policy.requirement,
    approvals: [{ slot: 'eng-manager', by: 'erin', name: 'Erin Evans', role: 'eng-manager', revision: 2, at: '2026-11-30T10:00:00.000Z' }],
    warnings: [],
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-30T10:00:00.000Z',
    auditCount: 5,
  };
  edit(cr);
  return cr;
}

const claimsFor = (cr: ChangeRequest, decision: 'approve' | 'reject'): DecisionClaims => ({
  approver: 'carol',
  changeId: cr.id,
  revision: cr.revision,
  slot: 'cto',
  decision,
  expiresAt: '2026-12-08T10:00:00.000Z',
});

const page = (decision: 'approve' | 'reject', cr = pendingChange()) =>
  confirmationPage({ cr, claims: claimsFor(cr, decision), token: TOKEN, postUrl: POST_URL, approver: people.carol, timeZone: 'Europe/Berlin' });

describe('Rule: GET of a link shows a confirmation page that cannot submit itself (issue 3 §4)', () => {
  it.each(['approve', 'reject'] as const)('%s: no script, no event handlers, no meta refresh, no autofocus', (decision) => {
    // Act
    const html = page(decision);
    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/http-equiv\s*=\s*"?refresh/i);
    expect(html).not.toMatch(/http-equiv/i);
    expect(html).not.toMatch(/autofocus/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it.each(['approve', 'reject'] as const)('%s: exactly one form, method post, to the decision URL', (decision) => {
    // Act
    const html = page(decision);
    // Assess
    const forms = html.match(/<form[^>]*>/gi) ?? [];
    expect(forms).toHaveLength(1);
    expect(forms[0]).toMatch(/method="post"/);
    expect(forms[0]).toContain(`action="${POST_URL}"`);
    expect(html.match(/<button[^>]*type="submit"/g)).toHaveLength(1);
    expect(html).not.toMatch(/<a[\s>]/);
  });

  it('the token appears once, in a hidden input, and nowhere else', () => {
    // Act
    const html = page('approve');
    // Assess
    expect(html.split(TOKEN)).toHaveLength(2);
    expect(html).toContain(`<input type="hidden" name="token" value="${TOKEN}">`);
  });

  it('refuses a postUrl that carries the token, or a token for another CR', () => {
    const cr = pendingChange();
    expect(() => confirmationPage({ cr, claims: claimsFor(cr, 'approve'), token: TOKEN, postUrl: `/approvals/decision?t=${TOKEN}` })).toThrow(/form body/);
    expect(() => confirmationPage({ cr, claims: { ...claimsFor(cr, 'approve'), changeId: 'CR-2026-12-01-001' }, token: TOKEN, postUrl: POST_URL })).toThrow(
      /not CR-2026-12-01-009/,
    );
    expect(() => confirmationPage({ cr, claims: claimsFor(cr, 'approve'), token: TOKEN, postUrl: 'javascript:alert(1)' })).toThrow(/http/);
  });

  it('approve: shows the decision, an optional comment box, and a button "Approve CR-…"', () => {
    // Act
    const html = page('approve');
    // Assess
    expect(html).toMatch(/<button type="submit">Approve CR-2026-12-01-009<\/button>/);
    expect(html).toMatch(/<textarea id="comment" name="comment" maxlength="2000" rows="5"><\/textarea>/);
    expect(html).toContain('You are about to approve revision 2 of CR-2026-12-01-009 as CTO');
    expect(html).toContain('Nothing has been decided yet');
  });

  it('reject: a button "Reject CR-…" and a comment that is required (the lifecycle needs a reason)', () => {
    // Act
    const html = page('reject');
    // Assess
    expect(html).toMatch(/<button type="submit" class="reject">Reject CR-2026-12-01-009<\/button>/);
    expect(html).toMatch(/<textarea [^>]*name="comment"[^>]* required>/);
    expect(html).toContain('You are about to reject revision 2 of CR-2026-12-01-009 as CTO');
  });

  it('shows the change summary: risk and why, approvals and who filled them, window in UTC and the org zone', () => {
    // Act
    const html = page('approve');
    // Assess
    expect(html).toContain('likelihood medium × impact medium → medium (risk matrix)');
    expect(html).toContain('Engineering manager: major change: engineering manager or above — approved by erin');
    expect(html).toContain('CTO: major change: CTO — pending ← this request');
    expect(html).toContain('2027-03-16 15:00 – 16:00 UTC (60 min)');
    expect(html).toContain('2027-03-16 16:00 – 17:00 GMT+1 in Europe/Berlin');
  });

  it('escapes every text that came from a person', () => {
    // Prepare
    const cr = pendingChange((c) => {
      c.content.title = '<script>document.forms[0].submit()</script>';
      c.content.description!.summary = '<form method="post" action="/x"><button>go</button></form>';
      c.requestor.name = '"><body onload=alert(1)>';
    });
    // Act
    const html = page('approve', cr);
    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\sonload=/i);
    expect(html.match(/<body/g)).toHaveLength(1);
    expect(html.match(/<form/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;document.forms[0].submit()&lt;/script&gt;');
  });
});

describe('Rule: a used, expired, forged or superseded link gets a clear page that changes nothing', () => {
  it.each(OUTCOMES)('%s: a page with a title, a message, no form and no script', (kind) => {
    // Act
    const html = outcomePage(kind, { changeId: 'CR-2026-12-01-009', revision: 2, currentRevision: 3, state: 'cancelled' });
    // Assess
    expect(html).not.toMatch(/<script|<form|http-equiv|autofocus/i);
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
  });

  it('refusals say nothing was changed; decisions say they were recorded', () => {
    for (const kind of OUTCOMES) {
      const o = outcome(kind, { changeId: 'CR-2026-12-01-009' });
      const html = resultPage(o);
      if (kind === 'approved' || kind === 'rejected') {
        expect(o.status).toBe('done');
        expect(o.httpStatus).toBe(200);
        expect(html).toContain('Recorded.');
      } else {
        expect(o.status).toBe('refused');
        expect(o.httpStatus).toBeGreaterThanOrEqual(400);
        expect(html).toContain('Nothing was changed.');
      }
    }
  });

  it.each([
    ['superseded', 'is now at revision 3'],
    ['expired', 'past its expiry'],
    ['already-used', 'already recorded'],
    ['forged', 'not issued by ChangeFlow'],
    ['separation-of-duties', 'Separation of duties'],
    ['not-eligible', 'not an eligible approver'],
    ['closed', '(it is cancelled)'],
  ] as const)('%s explains itself', (kind, words) => {
    expect(outcome(kind, { changeId: 'CR-2026-12-01-009', revision: 2, currentRevision: 3, state: 'cancelled' }).message).toContain(words);
  });

  it('escapes the title and the message', () => {
    const html = resultPage({ title: '<script>x</script>', message: '<img src=x onerror=alert(1)>', status: 'refused' });
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('Rule: decision pages are never cached, never leak the token as a Referer, never run script, never framed', () => {
  it('pageHeaders', () => {
    expect(pageHeaders['Cache-Control']).toBe('no-store');
    expect(pageHeaders['Referrer-Policy']).toBe('no-referrer');
    expect(pageHeaders['Content-Type']).toBe('text/html; charset=utf-8');
    const csp = pageHeaders['Content-Security-Policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(pageHeaders['X-Frame-Options']).toBe('DENY');
  });

  it('the pages also ask for no referrer and no indexing in their markup', () => {
    const html = page('approve');
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
  });
});
