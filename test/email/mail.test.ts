import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPolicy } from '../../functions/core/approval-policy.js';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { approvalRequestEmail } from '../../functions/email/templates.js';
import { SmtpMailer, startMailCatcher, type RunningMailCatcher } from '../../local/mail.js';
import { completeContent, people } from '../fixtures.js';

const APPROVE = 'http://localhost:3000/approvals/CR-2026-12-01-007?t=eyJhIjoxfQ.YXBwcm92ZQ';
const REJECT = 'http://localhost:3000/approvals/CR-2026-12-01-007?t=eyJhIjoxfQ.cmVqZWN0';

function pendingChange(title = 'Upgrade the payments API to Node 22'): ChangeRequest {
  const content = { ...completeContent('normal'), title };
  const policy = approvalPolicy(content, 'medium');
  if (!policy.ok) throw new Error('fixture: policy refused');
  return {
    id: 'CR-2026-12-01-007',
    revision: 1,
    version: 2,
    state: 'pending_approval',
    requestor: { id: 'alice', name: 'Alice Andersen', email: 'alice@example.com', team: 'payments' },
    content,
    riskLevel: 'medium',
    approvalRequirement: policy.requirement,
    approvals: [],
    warnings: [],
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    auditCount: 3,
  };
}

function approvalEmail(title?: string) {
  const cr = pendingChange(title);
  return approvalRequestEmail({ cr, slot: cr.approvalRequirement!.slots[0]!, approver: people.tom, approveUrl: APPROVE, rejectUrl: REJECT });
}

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
const settle = () => new Promise((r) => setTimeout(r, 50));
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'changeflow-mail-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('Rule: locally, mail goes by SMTP to a catcher where it can be read back (issue 3 §4)', () => {
  let catcher: RunningMailCatcher;
  let mailer: SmtpMailer;
  let baseline: number;

  beforeAll(async () => {
    baseline = tcpHandles();
    catcher = await startMailCatcher({ smtpPort: 0, webPort: 0, dataDir: join(dataDir, 'one') });
    mailer = new SmtpMailer({ port: catcher.smtpPort });
  });
  afterAll(async () => {
    mailer.close();
    await catcher.stop();
  });

  it('an approval email sent through SmtpMailer is caught: subject, recipient, both links in the HTML', async () => {
    // Prepare
    const email = approvalEmail();
    // Act
    await mailer.send({ to: [people.tom.email], ...email });
    const caught = await catcher.messages();
    // Assess
    expect(caught).toHaveLength(1);
    const m = caught[0]!;
    expect(m.subject).toBe('[ChangeFlow] Approval needed: CR-2026-12-01-007 Upgrade the payments API to Node 22');
    expect(m.to).toEqual(['tom@example.com']);
    expect(m.from).toContain('changeflow@localhost');
    expect(m.html).toContain(`href="${APPROVE}"`);
    expect(m.html).toContain(`href="${REJECT}"`);
    expect(m.text).toContain(`Approve: ${APPROVE}`);
  });

  it('UTF-8 subjects and bodies survive the trip', async () => {
    // Act
    await mailer.send({ to: ['carol@example.com'], ...approvalEmail('Déploiement — Ünïcödé ✓') });
    const m = await catcher.waitFor((x) => x.to.includes('carol@example.com'));
    // Assess
    expect(m.subject).toContain('Déploiement — Ünïcödé ✓');
    expect(m.text).toContain('likelihood medium × impact medium → medium');
  });

  it('binds SMTP and web to 127.0.0.1 only, and gives the web page URL', () => {
    expect(catcher.webUrl).toBe(`http://127.0.0.1:${catcher.webPort}/`);
    expect(catcher.smtpPort).toBeGreaterThan(0);
  });

  it('the web page lists the mail and shows each email as a page of its own, links clickable, without script', async () => {
    // Prepare
    const [first] = await catcher.messages();
    // Act
    const list = await fetch(catcher.webUrl);
    const listHtml = await list.text();
    const page = await fetch(new URL(`/messages/${first!.id}`, catcher.webUrl));
    const pageHtml = await page.text();
    // Assess
    expect(list.status).toBe(200);
    expect(listHtml).toContain(`href="/messages/${first!.id}"`);
    expect(listHtml).toContain('Approval needed: CR-2026-12-01-007');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(pageHtml).toContain(`href="${APPROVE}"`);
    expect(pageHtml).toContain(`href="${REJECT}"`);
    expect(pageHtml).toContain('All messages');
    expect(pageHtml).not.toMatch(/<iframe|<script/i);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('script-src');
  });

  it('GET /api/email returns the messages as JSON; unknown messages are 404', async () => {
    // Act
    const res = await fetch(new URL('/api/email', catcher.webUrl));
    const body = (await res.json()) as { to: string[]; subject: string; html: string }[];
    const missing = await fetch(new URL('/messages/nope-000000', catcher.webUrl));
    // Assess
    expect(res.status).toBe(200);
    expect(body.map((m) => m.to[0])).toEqual(['tom@example.com', 'carol@example.com']);
    expect(missing.status).toBe(404);
  });

  it('pooled: a burst of 30 emails all arrive', async () => {
    // Prepare
    await catcher.clear();
    const email = approvalEmail();
    // Act
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, (_, i) => mailer.send({ to: [`p${i}@example.com`], ...email })));
    const elapsed = Date.now() - started;
    // Assess
    expect(await catcher.messages()).toHaveLength(30);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('stops cleanly: ports closed, no TCP handle left open', async () => {
    // Act
    mailer.close();
    await catcher.stop();
    await settle();
    // Assess
    expect(await refused(catcher.smtpPort)).toBe(true);
    expect(await refused(catcher.webPort)).toBe(true);
    await settle();
    expect(tcpHandles()).toBe(baseline);
  });
});

describe('Rule: the catcher keeps its mail in the given folder, across restarts', () => {
  it('writes .eml files and reads them back at the next start; clear() removes them', async () => {
    // Prepare
    const dir = join(dataDir, 'two');
    const first = await startMailCatcher({ smtpPort: 0, webPort: 0, dataDir: dir });
    const mailer = new SmtpMailer({ port: first.smtpPort, pool: false });
    await mailer.send({ to: ['erin@example.com', 'ed@example.com'], ...approvalEmail() });
    mailer.close();
    await first.stop();
    // Act
    const second = await startMailCatcher({ smtpPort: 0, webPort: 0, dataDir: dir });
    const restored = await second.messages();
    await second.clear();
    const files = await readdir(dir);
    await second.stop();
    // Assess
    expect(restored).toHaveLength(1);
    expect(restored[0]!.to).toEqual(['erin@example.com', 'ed@example.com']);
    expect(restored[0]!.html).toContain(`href="${APPROVE}"`);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(0);
  });

  it('a web port in use fails the start and leaves nothing running', async () => {
    // Prepare
    const baseline = tcpHandles();
    const running = await startMailCatcher({ smtpPort: 0, webPort: 0, dataDir: join(dataDir, 'three') });
    // Act
    const second = startMailCatcher({ smtpPort: 0, webPort: running.webPort, dataDir: join(dataDir, 'four') });
    // Assess
    await expect(second).rejects.toThrow(/EADDRINUSE/);
    await running.stop();
    await settle();
    expect(tcpHandles()).toBeLessThanOrEqual(baseline);
  });
});
