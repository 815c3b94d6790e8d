/**
 * Approvals that run themselves, on the local runtime: the approval and emergency workflows (the
 * same ASL Step Functions runs) with their callback tasks, the emails they cause in the mail
 * catcher, decisions from the links in those emails, and the sweep's reminders, escalation and
 * expiry — with a clock the test moves and Wait states compressed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDecisionToken } from '../../functions/core/approval-link.js';
import type { ChangeContent } from '../../functions/core/change-request.js';
import type { CaughtEmail } from '../../local/mail.js';
import { signToken } from '../../local/dev-auth.js';
import { completeContent, people } from '../fixtures.js';
import { startApi, type Api, type Who } from './harness.js';

const T0 = Date.parse('2027-03-01T15:00:00Z');
let now = T0;
const clock = { now: () => new Date(now) };
const hours = (h: number) => T0 + h * 3_600_000;
let api: Api;

beforeAll(async () => {
  // 12 h Wait states take 43 ms
  api = await startApi({}, { clock, workflowWaitScale: 1e-6 });
});
afterAll(() => api?.stop());
beforeEach(() => {
  now = T0;
});

async function file(content: ChangeContent = completeContent(), as: Who = 'alice') {
  const res = await api.call('POST', '/changes', { body: content, as });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const get = async (id: string) => (await api.call('GET', `/changes/${id}`)).body;
const executionOf = (cr: { workflow: { name: 'approval' | 'emergency'; executionName: string } }) =>
  api.system.workflows.executionIdOf(cr.workflow.name, cr.workflow.executionName);
/** The emails about a change, once every event so far has been delivered. */
async function mailsAbout(id: string): Promise<CaughtEmail[]> {
  await api.system.events.idle();
  return (await api.system.mail.messages()).filter((m) => m.subject.includes(id) || m.text.includes(id));
}
function links(mail: CaughtEmail): { approve: string; reject: string } {
  const hrefs = [...mail.html.matchAll(/href="([^"]+\/approvals\/decide\?token=[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
  expect(hrefs).toHaveLength(2);
  return { approve: hrefs[0]!, reject: hrefs[1]! };
}
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;
/**
 * What a person does: open the link, then press the button on the page (with an optional comment).
 * `as`: signed in as that person (a major change or high risk needs it), their token sent along.
 */
async function press(link: string, comment?: string, as?: Who) {
  const auth: Record<string, string> = as ? { authorization: `Bearer ${await signToken(people[as], api.system.jwtKey)}` } : {};
  const page = await fetch(link, { headers: auth });
  const html = await page.text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!token || !action) return { status: page.status, html };
  const res = await fetch(new URL(action.replaceAll('&amp;', '&'), link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
    body: new URLSearchParams({ token, ...(comment ? { comment } : {}) }).toString(),
  });
  return { status: res.status, html: await res.text() };
}
/** The slot a link's token is for (its claims are readable; only the signature is secret). */
const slotOf = (mail: CaughtEmail) => JSON.parse(Buffer.from(tokenOf(links(mail).approve).split('.')[0]!, 'base64url').toString()).slot as string;
/** The directory's person behind an address (alice@example.com → alice). */
const whoIs = (address: string) => address.split('@')[0] as Who;
const approvalMailTo = async (id: string, address: string, slot?: string) => {
  const found = (await mailsAbout(id)).filter((m) => m.to.includes(address) && m.html.includes('/approvals/decide') && (!slot || slotOf(m) === slot));
  expect(found.length, `no approval email to ${address}`).toBeGreaterThan(0);
  return found.at(-1)!;
};

describe('Approval flow: routes, asks, waits, records', () => {
  it('auto-approves a low-risk standard change by the flow, with an audit entry by the system', async () => {
    const cr = await file(completeContent('standard', { likelihood: 'low', impact: 'low' }));
    const after = await api.submit(cr.id);
    expect(after.state).toBe('approved');
    expect(after.audit.at(-1)).toMatchObject({ action: 'auto-approve', actor: { id: 'system' } });
    expect((await api.system.workflows.waitFor(executionOf(after), 5000)).status).toBe('SUCCEEDED');
  });

  it('emails the tech leads of the requestor team; one approval from the link approves it and ends the flow', async () => {
    // Prepare
    const cr = await file();
    const pending = await api.submit(cr.id);
    const mail = await approvalMailTo(cr.id, 'tom@example.com');
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('paula@example.com'))).toBe(false); // another team's lead
    expect(mail.text).toContain('Redeploy the previous image tag'); // the rollback plan in short
    // Act
    const res = await press(links(mail).approve, 'Looks right');
    // Assess
    expect(res.status).toBe(200);
    const after = await get(cr.id);
    expect(after).toMatchObject({ state: 'approved', approvals: [{ by: 'tom', slot: 'tech-lead', revision: 1, comment: 'Looks right' }] });
    expect((await api.system.workflows.waitFor(executionOf(pending), 5000)).status).toBe('SUCCEEDED');
  });

  it.each([
    [
      'manager first',
      [
        ['erin@example.com', 'eng-manager'],
        ['carol@example.com', 'cto'],
      ],
    ],
    [
      'CTO first',
      [
        ['carol@example.com', 'cto'],
        ['erin@example.com', 'eng-manager'],
      ],
    ],
  ])('a major change needs the manager and the CTO, %s', async (_, [first, second]) => {
    const cr = await file(completeContent('major'));
    const pending = await api.submit(cr.id);
    // a major change: each approver signs in to decide from the link
    expect((await press(links(await approvalMailTo(cr.id, first![0]!, first![1])).approve, undefined, whoIs(first![0]!))).status).toBe(200);
    expect((await get(cr.id)).state).toBe('pending_approval');
    expect((await press(links(await approvalMailTo(cr.id, second![0]!, second![1])).approve, undefined, whoIs(second![0]!))).status).toBe(200);
    const after = await get(cr.id);
    expect(after.state).toBe('approved');
    expect(after.approvals.map((a: { slot: string }) => a.slot).sort()).toEqual(['cto', 'eng-manager']);
    expect((await api.system.workflows.waitFor(executionOf(pending), 5000)).status).toBe('SUCCEEDED');
  });

  it('asks each approver once, for the one decision open to them: the CTO of a major change gets one email, not two', async () => {
    // Prepare
    const cr = await file(completeContent('major'));
    await api.submit(cr.id);
    const mails = await mailsAbout(cr.id);
    const carols = mails.filter((m) => m.to.includes('carol@example.com') && m.html.includes('/approvals/decide'));
    expect(carols).toHaveLength(1);
    expect(slotOf(carols[0]!)).toBe('cto');
    expect(mails.filter((m) => m.to.includes('erin@example.com')).map(slotOf)).toEqual(['eng-manager']);
    // Act: the CTO's one link fills the CTO slot; the page says what is still awaited
    const pressed = await press(links(carols[0]!).approve, undefined, 'carol');
    // Assess
    expect(pressed.status).toBe(200);
    expect(pressed.html).toMatch(/Still awaited: the Engineering manager approval/);
    const after = await get(cr.id);
    expect(after.approvals.map((a: { slot: string; by: string }) => [a.slot, a.by])).toEqual([['cto', 'carol']]);
    const again = await api.call('POST', `/changes/${cr.id}/approve`, { as: 'carol', body: { revision: 1 } });
    expect(again.status).toBe(403);
    expect(again.body.message).toMatch(/counts once/);
  });

  it('a rejection by a required approver rejects the change and ends the flow on its Rejected branch', async () => {
    const cr = await file();
    const pending = await api.submit(cr.id);
    const res = await press(links(await approvalMailTo(cr.id, 'tom@example.com')).reject, 'The rollback plan is untested');
    expect(res.status).toBe(200);
    expect((await get(cr.id)).state).toBe('rejected');
    const run = await api.system.workflows.waitFor(executionOf(pending), 5000);
    expect(run).toMatchObject({ status: 'SUCCEEDED', finalState: 'Rejected' });
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('alice@example.com') && m.subject.includes('was rejected'))).toBe(true);
  });

  it('an edit mid-flight stops the execution and voids its links; a resubmit starts a fresh one', async () => {
    const cr = await file();
    const first = await api.submit(cr.id);
    const oldLink = links(await approvalMailTo(cr.id, 'tom@example.com')).approve;
    await api.call('PATCH', `/changes/${cr.id}`, { body: { title: 'Upgrade the payments API to Node 22, with a canary' } });
    expect((await api.system.workflows.waitFor(executionOf(first), 5000)).status).toBe('ABORTED');
    const stale = await press(oldLink);
    expect(stale.status).toBe(409);
    expect(stale.html).toMatch(/has changed/);
    const second = await api.submit(cr.id);
    expect(second.workflow.executionName).not.toBe(first.workflow.executionName);
    expect(second.state).toBe('pending_approval');
  });

  it('a cancel stops the execution', async () => {
    const cr = await file();
    const pending = await api.submit(cr.id);
    expect((await api.call('POST', `/changes/${cr.id}/cancel`, { body: { reason: 'not needed' } })).status).toBe(200);
    expect((await api.system.workflows.waitFor(executionOf(pending), 5000)).status).toBe('ABORTED');
  });
});

describe('Approval sweep: reminders, escalation, expiry', () => {
  it('reminds after 24 h, escalates to the next role up after 48 h, and expires after 7 days', async () => {
    const cr = await file();
    const pending = await api.submit(cr.id);
    const sweep = () => api.system.jobs.ApprovalSweep!();

    now = hours(25);
    await Promise.all([sweep(), sweep()]); // concurrent sweeps remind once
    let trail = (await get(cr.id)).audit;
    expect(trail.filter((a: { action: string }) => a.action === 'remind')).toHaveLength(1);
    expect((await mailsAbout(cr.id)).filter((m) => m.to.includes('tom@example.com') && /reminder/i.test(m.subject + m.text)).length).toBeGreaterThan(0);

    now = hours(49);
    await sweep();
    trail = (await get(cr.id)).audit;
    expect(trail.at(-1)).toMatchObject({ action: 'escalate', actor: { id: 'system' } });
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('erin@example.com'))).toBe(true);

    now = hours(7 * 24 + 1);
    await sweep();
    const expired = await get(cr.id);
    expect(expired.state).toBe('cancelled');
    expect(expired.closeReason).toMatch(/expired/);
    expect((await api.system.workflows.waitFor(executionOf(pending), 5000)).status).toBe('ABORTED');
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('alice@example.com') && /expired/.test(m.subject))).toBe(true);
  });
});

describe('Email links that link scanners cannot trigger', () => {
  it('a scanner that GETs (and HEADs) every link in every email changes nothing', async () => {
    const cr = await file(completeContent('major'));
    await api.submit(cr.id);
    const before = await get(cr.id);
    const all = (await mailsAbout(cr.id)).flatMap((m) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!.replaceAll('&amp;', '&')));
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const link of all) {
      const page = await fetch(link);
      // a major change's decision link asks its approver to sign in first (401): a page all the same
      expect([200, 401]).toContain(page.status);
      const html = await page.text();
      expect(html).not.toMatch(/<script|http-equiv="refresh"/i);
      await fetch(link, { method: 'HEAD' });
    }
    const after = await get(cr.id);
    expect(after.version).toBe(before.version);
    expect(after.approvals).toEqual([]);
  });

  it('a used link gets a clear page and changes nothing', async () => {
    const cr = await file();
    await api.submit(cr.id);
    const link = links(await approvalMailTo(cr.id, 'tom@example.com')).approve;
    expect((await press(link)).status).toBe(200);
    const version = (await get(cr.id)).version;
    const again = await fetch(new URL('/approvals/decide', link), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokenOf(link) }).toString(),
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/already used/);
    expect((await get(cr.id)).version).toBe(version);
  });

  it('a forged token gets a clear page and changes nothing', async () => {
    const cr = await file();
    await api.submit(cr.id);
    const link = links(await approvalMailTo(cr.id, 'tom@example.com')).approve;
    const [payload] = tokenOf(link).split('.');
    const forged = `${payload}.${Buffer.from('not the signature at all, nope!!').toString('base64url')}`;
    const res = await fetch(`${new URL('/approvals/decide', link)}?token=${forged}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/not valid/);
    expect((await get(cr.id)).approvals).toEqual([]);
  });

  it('an expired token gets a clear page and changes nothing', async () => {
    const cr = await file();
    await api.submit(cr.id);
    const link = links(await approvalMailTo(cr.id, 'tom@example.com')).approve;
    now = hours(7 * 24 + 1);
    const res = await press(link);
    expect(res.status).toBe(410);
    expect(res.html).toMatch(/expired/);
    expect((await get(cr.id)).approvals).toEqual([]);
  });

  it('separation of duties holds for links too', async () => {
    // tom files a change; a (hand-made) link for tom himself must not decide it
    const cr = await file(completeContent(), 'tom');
    await api.submit(cr.id, 'tom');
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('tom@example.com') && m.html.includes('/approvals/decide'))).toBe(false);
    const key = Buffer.from(api.system.config.APPROVAL_LINK_KEY!, 'base64');
    const token = createDecisionToken(
      { approver: 'tom', changeId: cr.id, revision: 1, slot: 'tech-lead', decision: 'approve', expiresAt: new Date(hours(48)).toISOString() },
      key,
    );
    const res = await press(`${api.system.url}/approvals/decide?token=${token}`);
    expect(res.status).toBe(403);
    expect(res.html).toMatch(/Separation of duties/);
    expect((await get(cr.id)).state).toBe('pending_approval');
  });

  describe('Rule: a link decision on a major change or at high or critical risk needs its approver signed in', () => {
    const decide = (token: string, auth?: string, accept?: string) =>
      fetch(`${api.system.url}/approvals/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}), ...(accept ? { accept } : {}) },
        body: new URLSearchParams({ token }).toString(),
      });
    const bearer = async (who: Who) => `Bearer ${await signToken(people[who], api.system.jwtKey)}`;

    it('without a sign-in, the link page and its form send the approver to sign in, and nothing is decided', async () => {
      // medium × high = high risk: an engineering manager decides
      const cr = await file(completeContent('normal', { likelihood: 'medium', impact: 'high' }));
      await api.submit(cr.id);
      const link = links(await approvalMailTo(cr.id, 'erin@example.com')).approve;
      const page = await fetch(link);
      expect(page.status).toBe(401);
      const html = await page.text();
      expect(html).toContain('Sign in to decide');
      expect(html).toContain(`/#/decide?token=${encodeURIComponent(tokenOf(link))}`);
      expect(html).not.toMatch(/<form/);
      const posted = await decide(tokenOf(link));
      expect(posted.status).toBe(401);
      // a token that does not verify is nobody signed in
      expect((await decide(tokenOf(link), 'Bearer not-a-token')).status).toBe(401);
      expect(await get(cr.id)).toMatchObject({ state: 'pending_approval', approvals: [] });
    });

    it('signed in as someone else, it is refused and names who is signed in; signed in as the approver, it decides', async () => {
      const cr = await file(completeContent('major'));
      await api.submit(cr.id);
      const token = tokenOf(links(await approvalMailTo(cr.id, 'erin@example.com')).approve);
      const wrong = await decide(token, await bearer('ed'), 'application/json');
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ outcome: 'wrong-person', changeId: cr.id });
      expect((await get(cr.id)).approvals).toEqual([]);
      const right = await decide(token, await bearer('erin'), 'application/json');
      expect(right.status).toBe(200);
      expect(await right.json()).toMatchObject({ outcome: 'approved', changeId: cr.id });
      expect((await get(cr.id)).approvals.map((a: { by: string; slot: string }) => [a.by, a.slot])).toEqual([['erin', 'eng-manager']]);
    });

    it('below that (medium risk), the link decides without a sign-in by default', async () => {
      const cr = await file(completeContent());
      await api.submit(cr.id);
      const res = await press(links(await approvalMailTo(cr.id, 'tom@example.com')).approve);
      expect(res.status).toBe(200);
      expect((await get(cr.id)).state).toBe('approved');
    });
  });

  it('a decision POST that is not the form is refused with 400', async () => {
    const res = await api.call('POST', '/approvals/decide', { as: null, body: { token: 'x' } });
    expect(res.status).toBe(400);
  });
});

describe('Emergency flow', () => {
  const emergency = () => completeContent('emergency');

  it('goes in progress at once, tells on-call, and ends early when post-approved in time', async () => {
    const cr = await file(emergency(), 'oscar');
    expect(cr.state).toBe('in_progress');
    expect((await mailsAbout(cr.id)).some((m) => m.to.includes('oscar@example.com') && /Emergency change/.test(m.subject))).toBe(true);
    expect((await api.call('POST', `/changes/${cr.id}/approve`, { as: 'erin', body: { comment: 'right call', revision: 1 } })).status).toBe(200);
    const run = await api.system.workflows.waitFor(executionOf(cr), 5000);
    expect(run.status).toBe('SUCCEEDED');
    const after = await get(cr.id);
    expect(after.postApproval).toMatchObject({ approvedBy: 'erin' });
    expect(after.postApproval.overdue).toBeUndefined();
  });

  it('reminds at 12 h, and at 24 h is overdue, escalated to the CTO and flagged', async () => {
    const cr = await file(emergency(), 'oscar');
    now = hours(25); // both waits see a day gone by
    const run = await api.system.workflows.waitFor(executionOf(cr), 5000);
    expect(run.status).toBe('SUCCEEDED');
    const after = await get(cr.id);
    expect(after.postApproval).toMatchObject({ overdue: true, escalatedTo: 'cto' });
    expect(after.audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['remind', 'post-approval-overdue']));
    const mails = await mailsAbout(cr.id);
    expect(mails.some((m) => m.to.includes('erin@example.com') && /Reminder: post-approval needed/.test(m.subject))).toBe(true);
    expect(mails.some((m) => m.to.includes('carol@example.com') && /OVERDUE/.test(m.subject))).toBe(true);
  });

  it('cannot be closed without a post-incident review reference', async () => {
    const cr = await file(emergency(), 'oscar');
    await api.call('POST', `/changes/${cr.id}/deployed`, { as: 'oscar' });
    now = hours(1);
    // the period passed (here by an eng manager's decision: this system has no evidence pushed)
    const passed = await api.call('POST', `/changes/${cr.id}/verdict`, { as: 'erin', body: { decision: 'pass', reason: 'the incident is resolved' } });
    expect(passed.status, passed.text).toBe(200);
    const refused = await api.call('POST', `/changes/${cr.id}/complete`, { as: 'oscar' });
    expect(refused.status).toBe(422);
    expect(refused.body.issues[0].path).toBe('body.postIncidentReview');
    const closed = await api.call('POST', `/changes/${cr.id}/complete`, { as: 'oscar', body: { postIncidentReview: 'PIR-2027-03' } });
    expect(closed.body.state).toBe('completed');
  });
});
