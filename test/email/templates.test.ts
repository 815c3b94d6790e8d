import { describe, expect, it } from 'vitest';
import { approvalPolicy } from '../../functions/core/approval-policy.js';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { approvalRequestEmail, decisionPage, resultPage } from '../../functions/email/templates.js';
import { completeContent, people } from '../fixtures.js';

const APPROVE = 'http://localhost:3000/approvals/decide?t=eyJhIjoxfQ.c2ln&d=approve';
const REJECT = 'http://localhost:3000/approvals/decide?t=eyJhIjoxfQ.c2lo&d=reject';

/** A normal change at high risk, waiting for an engineering manager. */
function pendingChange(edit: (cr: ChangeRequest) => void = () => {}): ChangeRequest {
  const content = completeContent('normal', { likelihood: 'medium', impact: 'high' });
  const policy = approvalPolicy(content, 'high');
  if (!policy.ok) throw new Error('fixture: policy refused');
  const cr: ChangeRequest = {
    id: 'CR-2026-12-01-007',
    revision: 3,
    version: 5,
    state: 'pending_approval',
    requestor: { id: 'alice', name: 'Alice Andersen', email: 'alice@example.com', team: 'payments' },
    content,
    riskLevel: 'high',
    approvalRequirement: policy.requirement,
    approvals: [],
    warnings: ['the planned window overlaps the payments freeze (2026-12-01)'],
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    submittedAt: '2026-11-29T10:00:00.000Z',
    auditCount: 4,
  };
  edit(cr);
  return cr;
}

const render = (cr = pendingChange(), extra: Partial<Parameters<typeof approvalRequestEmail>[0]> = {}) =>
  approvalRequestEmail({
    cr,
    slot: cr.approvalRequirement!.slots[0]!,
    approver: people.erin,
    approveUrl: APPROVE,
    rejectUrl: REJECT,
    timeZone: 'America/New_York',
    ...extra,
  });

const decodeEntities = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('Rule: the approval email shows what the approver needs to decide (issue 3 §4)', () => {
  const email = render();
  const html = decodeEntities(email.html);

  it.each([
    ['the CR id, revision and title', 'CR-2026-12-01-007 (revision 3)'],
    ['the title', 'Upgrade the payments API to Node 22'],
    ['the summary', 'Move the payments API runtime from Node 20 to Node 22.'],
    ['the category', 'Category: normal'],
    ['the computed risk and why', 'likelihood medium × impact high → high (risk matrix)'],
    ['the approvals required', 'normal change at high risk: the risk rule asks for engineering manager or above — pending ← this request'],
    ['the planned window in UTC', '2027-03-16 15:00 – 16:00 UTC (60 min)'],
    ['the planned window in the org zone', '2027-03-16 11:00 – 12:00 EDT in America/New_York'],
    ['the warnings', 'the planned window overlaps the payments freeze (2026-12-01)'],
    ['the rollback procedure', 'Redeploy the previous image tag.'],
    ['the rollback duration', 'Rollback duration: 10 minutes'],
    ['the rollback triggers', 'Error rate > 5%'],
  ])('text part shows %s', (_what, expected) => {
    expect(email.text).toContain(expected);
  });

  it.each([
    ['the title', 'Upgrade the payments API to Node 22'],
    ['the computed risk and why', 'likelihood medium × impact high → high (risk matrix)'],
    ['the approvals required', 'engineering manager or above — pending'],
    ['the planned window', '2027-03-16 15:00 – 16:00 UTC (60 min)'],
    ['the warnings', 'payments freeze'],
    ['the rollback triggers', 'Critical alerts firing'],
  ])('HTML part shows %s', (_what, expected) => {
    expect(html).toContain(expected);
  });

  it('names the CR and the title in a one-line subject', () => {
    expect(email.subject).toBe('[ChangeFlow] Approval needed: CR-2026-12-01-007 Upgrade the payments API to Node 22');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('shows a rollback procedure in short: at most ~300 characters, cut with an ellipsis', () => {
    // Prepare
    const long = Array.from({ length: 200 }, (_, i) => `step${i}`).join(' ');
    // Act
    const { text } = render(pendingChange((cr) => (cr.content.rollback!.procedure = long)));
    // Assess
    const line = text.split('\n').find((l) => l.startsWith('Rollback procedure:'))!;
    const excerpt = line.slice('Rollback procedure: '.length);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(301);
    expect(excerpt.length).toBeGreaterThan(200);
    expect(long.startsWith(excerpt.slice(0, -1))).toBe(true);
  });

  it('says so when the risk cannot be computed yet', () => {
    const { text } = render(
      pendingChange((cr) => {
        cr.content.risk = {};
        cr.riskLevel = null;
      }),
    );
    expect(text).toContain('Risk: not determined');
  });
});

describe('Rule: the email has exactly two links, approve and reject, and no script', () => {
  const email = render();

  it('HTML: exactly two <a> elements, pointing at the approve and the reject URL', () => {
    // Act
    const hrefs = [...email.html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => decodeEntities(m[1]!));
    // Assess
    expect(email.html.match(/<a[\s>]/g)).toHaveLength(2);
    expect(hrefs).toEqual([APPROVE, REJECT]);
  });

  it('text: exactly two URLs, the approve and the reject one', () => {
    expect(email.text.match(/https?:\/\/\S+/g)).toEqual([APPROVE, REJECT]);
  });

  it('no script, no event handler attributes, no javascript: URLs, no forms, no remote content', () => {
    expect(email.html).not.toMatch(/<script/i);
    expect(email.html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(email.html).not.toMatch(/javascript:/i);
    expect(email.html).not.toMatch(/<form|<img|<iframe|http-equiv/i);
  });

  it('refuses link URLs that are not http(s)', () => {
    expect(() => render(pendingChange(), { approveUrl: 'javascript:alert(1)' })).toThrow(/http/);
    expect(() => render(pendingChange(), { rejectUrl: 'data:text/html,hi' })).toThrow(/http/);
  });
});

describe('Rule: every text that came from a person is HTML-escaped', () => {
  it('a <script> in the title, and markup in the summary and rollback, come out as text', () => {
    // Prepare
    const cr = pendingChange((c) => {
      c.content.title = '<script>alert("pwned")</script> & friends';
      c.content.description!.summary = 'see "><img src=x onerror=alert(1)> here';
      c.content.rollback!.procedure = '<a href="https://evil.example/">click</a>';
      c.requestor.name = "Mallory <b>O'Hare</b>";
      c.warnings = ['<iframe src="https://evil.example">'];
    });
    // Act
    const email = render(cr);
    // Assess
    expect(email.html).not.toMatch(/<script|<img|<iframe|<b>/i);
    expect(email.html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(email.html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; friends');
    expect(email.html.match(/<a[\s>]/g)).toHaveLength(2);
    expect(email.html).not.toContain('href="https://evil.example/"');
    expect(email.text).toContain('<script>alert("pwned")</script> & friends');
  });
});

describe('Rule: reminders and escalations say what they are', () => {
  it('a reminder says the approval is still pending', () => {
    const email = render(pendingChange(), { reminder: true });
    expect(email.subject).toMatch(/^\[ChangeFlow\] Reminder: approval needed: CR-2026-12-01-007/);
    expect(email.text).toContain('still pending');
  });

  it('an escalation says nobody decided in time', () => {
    const email = render(pendingChange(), { escalated: true, approver: people.carol });
    expect(email.subject).toMatch(/^\[ChangeFlow\] Escalated: approval needed/);
    expect(email.text).toContain('Nobody decided in time');
    expect(email.text).toContain('Hello Carol Chen');
  });

  it('shows the expiry of the links when given', () => {
    expect(render(pendingChange(), { expiresAt: '2026-12-08T10:00:00.000Z' }).text).toContain('They expire at 2026-12-08T10:00:00.000Z.');
  });
});

describe('Rule: the page builders are reachable from the templates module', () => {
  it('decisionPage and resultPage build pages without script', () => {
    // Prepare
    const cr = pendingChange();
    const claims = { approver: 'erin', changeId: cr.id, revision: 3, slot: 'eng-manager', decision: 'approve', expiresAt: '2026-12-08T10:00:00Z' } as const;
    // Act
    const pages = [
      decisionPage({ cr, claims, token: 'abc.def', postUrl: '/approvals/decision' }),
      resultPage({ title: 'Done', message: 'ok', status: 'done' }),
    ];
    // Assess
    for (const page of pages) expect(page).not.toMatch(/<script/i);
  });
});
