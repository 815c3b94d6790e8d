/// <reference lib="dom" />
/**
 * The console in a real browser (Debian's Chromium through playwright-core) on the local system:
 * the normal change from the form to a healthy monitoring period's end, an emergency, a rejection,
 * the calendar and a report, each page checked with axe-core and kept as a screenshot. Every click
 * is one API call; the evidence of the monitoring period comes from the API, as a pipeline sends it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../api/harness.js';
import { MANUAL_ITEMS } from '../api/deliveries.js';
import { APPROVER_OF, completeContent, healthySample } from '../fixtures.js';
import { checkPage, launch, open, signIn, signOut, type Tab } from './browser.js';

// the fixture's window: Tuesday 16 March 2027, 15:00–16:00 UTC (the browser runs in UTC)
let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let browser: Browser;
let tab: Tab;

beforeAll(async () => {
  [api, browser] = await Promise.all([
    startApi(
      { MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5', MONITORING_INTERVAL_SECONDS: '60', ROLLBACK_REPORT_TIMEOUT_MINUTES: '10' },
      { clock, workflowWaitScale: 5e-4 },
    ),
    launch(),
  ]);
  tab = await open(browser, api.system.url);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const heading = (name: string | RegExp) => tab.page.getByRole('heading', { level: 1, name });
const button = (name: string | RegExp) => tab.page.getByRole('button', { name, exact: typeof name === 'string' });

async function goTo(hash: string, title: string | RegExp) {
  await tab.page.goto(`/${hash}`);
  await heading(title).waitFor();
}

/** Opens the change and waits until its page shows the state. */
async function changeInState(id: string, state: string) {
  for (let i = 0; i < 40; i++) {
    // the same address again only reloads when asked to
    if (tab.page.url().endsWith(`#/changes/${id}`)) await tab.page.reload();
    else await tab.page.goto(`/#/changes/${id}`);
    await tab.page.locator('.change-head').waitFor();
    if (await tab.page.locator('.change-head .badge', { hasText: state }).count()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${id} never showed "${state}": ${await tab.page.locator('.change-head').innerText()}`);
}

async function fillNormalChange() {
  const p = tab.page;
  await p.getByLabel('Title').fill('Upgrade the payments API to Node 22');
  await p.getByLabel('Category').selectOption('normal');
  await p.getByLabel('Summary').fill('Move the payments API runtime from Node 20 to Node 22.');
  await p.getByLabel('Motivation (why now)').fill('Node 20 leaves maintenance in April 2026.');
  await p.getByRole('checkbox', { name: 'API Server' }).check();
  await p.getByLabel('Changes to be made').fill('Bump the base image and the engines field; redeploy.');
  await p.getByLabel('Estimated duration').fill('30 minutes');
  await p.getByLabel('Window starts (your time)').fill('2027-03-16T15:00');
  await p.getByLabel('Window ends (your time)').fill('2027-03-16T16:00');
  await p.getByLabel('Test plan').fill('Run the full suite and a staging soak.');
  for (const check of ['Unit tests passing', 'Integration tests passing', 'Staging deployment successful'])
    await p.getByRole('checkbox', { name: check }).check();
  await p.getByLabel('Success criteria (one per line)').fill('Error rate below 1%\np95 latency under 10 ms');
  await p.getByLabel('Potential impacts').fill('Payments could fail to start.');
  await p.getByLabel('Mitigations').fill('Canary first; watch error rate.');
  await p.getByLabel('Rollback procedure').fill('Redeploy the previous image tag.');
  await p.getByLabel('Rollback duration').fill('10 minutes');
  await p.getByRole('checkbox', { name: 'Error rate > 5%' }).check();
  await p.getByRole('checkbox', { name: 'Critical alerts firing' }).check();
  await p.getByRole('checkbox', { name: 'Engineering team (#engineering)' }).check();
}

const APPROVER: Record<string, 'tom' | 'erin' | 'carol'> = APPROVER_OF;
const MANUAL = MANUAL_ITEMS;
const healthy = healthySample;

describe('Journey: a normal change from the form to the end of a healthy monitoring period', () => {
  let id = '';

  it('the form says what is missing and the risk level as the requestor types, and submits', async () => {
    await signIn(tab, 'alice');
    await checkPage(tab, '01-inbox-empty');
    await goTo('#/new', 'New change');
    const missing = tab.page.locator('#h-missing');
    await expect.poll(() => missing.innerText()).toMatch(/^\d+ missing before submit$/);
    await fillNormalChange();
    // all but the risk: the matrix needs likelihood and impact (or a ticked level)
    await expect.poll(() => tab.page.locator('#h-missing').innerText()).toBe('1 missing before submit');
    await expect.poll(() => tab.page.locator('.issues').innerText()).toContain('risk needs a risk level');
    await tab.page.getByLabel('Likelihood', { exact: true }).selectOption('medium');
    await expect.poll(() => tab.page.locator('.issues').innerText()).toContain('risk.impact is required with the other half');
    await tab.page.getByLabel('Impact', { exact: true }).selectOption('high');
    // seed's matrix: medium likelihood × high impact is high risk
    await expect.poll(() => tab.page.locator('.aside .badge').first().innerText()).toBe('high risk');
    await expect.poll(() => missing.innerText()).toBe('Complete: ready to submit');
    await expect.poll(() => tab.page.locator('.calendar-answer').innerText()).toContain('No blackout in this window.');
    await checkPage(tab, '02-new-change-complete');
    await button('Save and submit').click();
    await tab.page.locator('.change-head').waitFor();
    id = new URL(tab.page.url()).hash.replace('#/changes/', '').split('?')[0]!;
    expect(id).toMatch(/^CR-\d{4}-\d{2}-\d{2}-\d{3}$/);
    await changeInState(id, 'pending approval');
    await expect.poll(() => tab.page.locator('.change-head').innerText()).toContain('high risk');
    // a requestor may not approve their own change: no such button
    expect(await button('Approve').count()).toBe(0);
    await checkPage(tab, '03-change-pending');
  });

  it('each approver finds it in their inbox and approves it; the page says who decided', async () => {
    const cr = (await api.call('GET', `/changes/${id}`)).body;
    const slots = cr.requiredApprovals.slots.map((s: { slot: string }) => s.slot);
    // high risk: an engineering manager (seed: "High: Engineering manager approval")
    expect(slots).toEqual(['eng-manager']);
    for (const who of ['erin']) {
      await signOut(tab);
      await signIn(tab, who);
      const item = tab.page.locator('.decision', { hasText: id });
      await item.waitFor();
      await checkPage(tab, `04-inbox-${who}`);
      await item.getByRole('link').click();
      await tab.page.locator('.change-head').waitFor();
      await button('Approve').click();
      await tab.page.getByLabel('Comment (optional)').fill(`Looks safe — ${who}`);
      await button('Approve revision 1').click();
      await expect.poll(() => tab.page.locator('section', { hasText: 'Approvals' }).first().innerText()).toContain(`Looks safe — ${who}`);
    }
    await changeInState(id, 'approved');
    await checkPage(tab, '05-change-approved');
  });

  it('the requestor schedules it, on-call ticks the checklist, starts it in its window and reports it deployed', async () => {
    await signOut(tab);
    await signIn(tab, 'alice');
    await changeInState(id, 'approved');
    await button('Schedule').click();
    await changeInState(id, 'scheduled');
    await signOut(tab);
    await signIn(tab, 'oscar');
    await changeInState(id, 'scheduled');
    // every item a person ticks, one click each (one POST /changes/{id}/checklist)
    const tick = tab.page.getByRole('button', { name: /^Tick / });
    for (let left = await tick.count(); left > 0; left--) {
      await tick.first().click();
      await expect.poll(() => tick.count()).toBe(left - 1);
    }
    const ticked = (await api.call('GET', `/changes/${id}`)).body.checklist.filter((l: { ticked: boolean }) => l.ticked).map((l: { item: string }) => l.item);
    expect(ticked).toEqual(expect.arrayContaining(MANUAL));
    now = Date.parse('2027-03-16T14:05:00.000Z'); // T-55m: the notice that ticks "stakeholders notified"
    await api.system.jobs.TimelineNotifications!();
    now = Date.parse('2027-03-16T15:05:00.000Z');
    await changeInState(id, 'scheduled');
    await checkPage(tab, '06-change-checklist-done');
    await button('Start the work').click();
    await changeInState(id, 'in progress');
    await button('Report deployed').click();
    await changeInState(id, 'monitoring');
  });

  it('the monitoring period shows its evidence per criterion and ends passed; the change completes', async () => {
    const deployedAt = now;
    const res = await api.call('POST', `/changes/${id}/metrics`, {
      as: 'oscar',
      body: {
        samples: [0, 1, 2, 3, 4].map((i) => healthy(deployedAt, i)),
        smokeTests: 'passed',
        criteria: { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' },
      },
    });
    expect(res.status, res.text).toBe(202);
    now = deployedAt + 3 * 60_000 + 1000;
    await changeInState(id, 'monitoring');
    const period = tab.page.locator('section', { has: tab.page.getByRole('heading', { name: 'Monitoring period' }) });
    await expect.poll(() => period.innerText()).toContain('watching');
    // each interval is judged once it has ended, by the workflow, after the clock moved: reload until the charts show
    await expect
      .poll(
        async () => {
          await tab.page.reload();
          await tab.page.locator('.change-head').waitFor();
          return period.locator('svg.spark').count();
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    await checkPage(tab, '07-change-monitoring');
    now = deployedAt + 5 * 60_000 + 1000;
    await api.waitFor(id, (cr) => cr.state === 'completed', 'completed', 15_000);
    await changeInState(id, 'completed');
    await expect.poll(() => period.innerText()).toContain('passed');
    await expect.poll(() => tab.page.locator('.timeline').innerText()).toContain('ChangeFlow complete');
    // closing asks for the lessons learned; the communication log lists the notices sent about it
    await expect.poll(() => tab.page.locator('.warnings').innerText()).toContain('lessons learned are not recorded yet');
    const log = tab.page.locator('section', { has: tab.page.getByRole('heading', { name: 'Communication log' }) });
    await expect.poll(() => log.innerText()).toContain('begins in one hour');
    await checkPage(tab, '08-change-completed');
    const record = tab.page.locator('section', { has: tab.page.getByRole('heading', { name: 'Implementation record' }) });
    await expect.poll(() => record.getByLabel('Kind of note').inputValue()).toBe('lessons-learned');
    await record.getByLabel('Note', { exact: true }).fill('The canary pool should run the new base image too.');
    await record.getByRole('button', { name: 'Add the note' }).click();
    await expect.poll(() => record.innerText()).toContain('Lessons learned by');
    await expect.poll(() => tab.page.locator('.change-head').innerText()).not.toContain('lessons learned are not recorded yet');
    expect((await api.call('GET', `/changes/${id}`, { as: 'alice' })).body.record.lessonsLearned.text).toBe(
      'The canary pool should run the new base image too.',
    );
  });
});

describe('Journey: an emergency change, declared from the form and approved afterwards', () => {
  it('on-call declares it (it starts at once); an engineering manager post-approves it from the inbox', async () => {
    now = Date.parse('2027-03-17T09:00:00.000Z');
    await signOut(tab);
    await signIn(tab, 'oscar');
    await goTo('#/new', 'New change');
    await tab.page.getByLabel('Title').fill('Hotfix: payments API returns 500 on refunds');
    await tab.page.getByLabel('Category').selectOption('emergency');
    await tab.page.getByLabel('Incident reference').fill('INC-4242');
    await tab.page.getByLabel('Severity').selectOption('P1');
    await tab.page.getByRole('checkbox', { name: 'API Server' }).check();
    await expect.poll(() => tab.page.locator('#h-missing').innerText()).toBe('1 missing before submit');
    await expect.poll(() => tab.page.locator('.issues').innerText()).toContain('description.summary');
    await tab.page.getByLabel('Summary').fill('Refunds fail since the 08:40 deploy; revert the refunds handler.');
    await expect.poll(() => tab.page.locator('#h-missing').innerText()).toBe('Complete: ready to submit');
    await checkPage(tab, '09-new-emergency');
    await button('Declare and start the emergency change').click();
    await tab.page.locator('.change-head').waitFor();
    const id = new URL(tab.page.url()).hash.replace('#/changes/', '');
    await changeInState(id, 'in progress');
    await expect.poll(() => tab.page.locator('section', { hasText: 'Approvals' }).first().innerText()).toContain('Post-approval due');
    await signOut(tab);
    await signIn(tab, 'erin');
    const item = tab.page.locator('.decision', { hasText: id });
    await item.waitFor();
    await item.getByRole('link').click();
    await button('Approve').click();
    await button('Approve revision 1').click();
    await expect.poll(async () => (await api.call('GET', `/changes/${id}`)).body.postApproval?.approvedBy).toBe('erin');
    await changeInState(id, 'in progress');
    await expect.poll(() => tab.page.locator('section', { hasText: 'Approvals' }).first().innerText()).toContain('given by erin');
    await checkPage(tab, '10-emergency-post-approved');
  });
});

describe('Journey: a rejected change', () => {
  it('a tech lead rejects it with a reason; the page shows the state and the reason, and no more actions for them', async () => {
    now = Date.parse('2027-03-15T14:00:00.000Z');
    const filed = await api.call('POST', '/changes', { as: 'alice', body: { ...completeContent('normal'), title: 'Drop the legacy refunds table' } });
    expect(filed.status, filed.text).toBe(201);
    await api.submit(filed.body.id);
    await signOut(tab);
    await signIn(tab, 'tom');
    await changeInState(filed.body.id, 'pending approval');
    // refused without a reason: the API's words are shown, nothing changes
    await button('Reject').click();
    await button('Reject revision 1').click();
    await expect.poll(() => tab.page.getByRole('alert').innerText()).toContain('say why the change is rejected');
    await checkPage(tab, '11-reject-refused');
    await tab.page.getByLabel(/^Why/).fill('The refunds table still has readers in the reporting job.');
    await button('Reject revision 1').click();
    await changeInState(filed.body.id, 'rejected');
    await expect.poll(() => tab.page.locator('.timeline').innerText()).toContain('The refunds table still has readers');
    expect(await button('Approve').count()).toBe(0);
    await checkPage(tab, '12-change-rejected');
  });
});

describe('Journey: an email link of a high-risk change asks its approver to sign in, then decides in the console', () => {
  it('the link page sends erin to sign in; signed in, she approves there; signed in as someone else, she could not', async () => {
    now = Date.parse('2027-03-15T14:00:00.000Z');
    const filed = await api.call('POST', '/changes', { as: 'alice', body: completeContent('normal', { likelihood: 'medium', impact: 'high' }) });
    expect(filed.status, filed.text).toBe(201);
    const id = filed.body.id as string;
    await api.submit(id);
    await api.system.events.idle();
    const mail = (await api.system.mail.messages()).find(
      (m) => m.to.includes('erin@example.com') && m.html.includes(id) && m.html.includes('/approvals/decide'),
    );
    expect(mail, 'the approval email to erin').toBeDefined();
    const link = /href="([^"]+\/approvals\/decide\?token=[^"]+)"/.exec(mail!.html)![1]!.replaceAll('&amp;', '&');
    await signOut(tab);
    await tab.page.goto(link);
    await tab.page.getByRole('heading', { level: 1, name: 'Sign in to decide' }).waitFor();
    await checkPage(tab, '13a-link-sign-in-required');
    await tab.page.getByRole('link', { name: 'Sign in and decide' }).click();
    // someone else signs in: the service refuses, naming the approver the link is for
    await tab.page.locator('[data-person="ed"]').click();
    await heading(`Approve ${id}`).waitFor();
    await expect.poll(() => tab.page.getByRole('alert').innerText()).toContain('This link is for someone else');
    expect(await button('Approve revision 1').count()).toBe(0);
    await signOut(tab);
    await tab.page.goto(link);
    await tab.page.getByRole('link', { name: 'Sign in and decide' }).click();
    await tab.page.locator('[data-person="erin"]').click();
    await heading(`Approve ${id}`).waitFor();
    await checkPage(tab, '13b-link-decide');
    await button('Approve revision 1').click();
    await expect.poll(() => tab.page.getByRole('status').innerText()).toContain(`${id} approved`);
    expect((await api.call('GET', `/changes/${id}`)).body).toMatchObject({ state: 'approved', approvals: [{ by: 'erin', slot: 'eng-manager' }] });
    await checkPage(tab, '13c-link-decided');
  });
});

describe('The calendar', () => {
  it('an admin declares a blackout in the month view; it shows on its days, a change shows on its day', async () => {
    now = Date.parse('2027-03-10T12:00:00.000Z');
    // an approved change on 16 March
    const filed = await api.call('POST', '/changes', { as: 'alice', body: { ...completeContent('normal'), title: 'Resize the Redis cache' } });
    const routedCr = await api.submit(filed.body.id);
    for (const slot of routedCr.requiredApprovals.slots) {
      const res = await api.call('POST', `/changes/${filed.body.id}/approve`, { as: APPROVER[slot.slot as string]!, body: { revision: 1 } });
      expect(res.status, res.text).toBe(200);
    }
    await signOut(tab);
    await signIn(tab, 'ada');
    await goTo('#/calendar', 'Calendar');
    // the browser's own month: go to March 2027, where the journey's change is
    const months = (2027 - new Date().getFullYear()) * 12 + (2 - new Date().getMonth());
    for (let i = 0; i < months; i++) await button('Next').click();
    await expect.poll(() => tab.page.locator('h2.inline').innerText()).toBe('March 2027');
    const form = tab.page.locator('#h-declare').locator('..');
    await form.getByLabel('Kind').selectOption('blackout');
    await form.getByLabel('Title').fill('Quarter-end close');
    await form.getByLabel('Starts').fill('2027-03-29T00:00');
    await form.getByLabel('Ends').fill('2027-04-01T00:00');
    await button('Declare').click();
    await expect.poll(() => tab.page.locator('.chip-blackout', { hasText: 'Quarter-end close' }).count()).toBe(3);
    // two approved changes on API Server, 16 March 15:00–16:00: both on their day, marked as a conflict
    const sixteenth = tab.page.locator('td.day', { hasText: /^16/ });
    await expect.poll(() => sixteenth.locator('.chip-conflict').count()).toBe(2);
    await expect.poll(() => sixteenth.innerText()).toContain('conflict');
    await expect.poll(() => tab.page.locator('body').innerText()).toContain('Subscribe in your calendar app');
    await checkPage(tab, '13-calendar-month');
    await button('Week').click();
    await checkPage(tab, '14-calendar-week');
  });
});

describe('Reports', () => {
  it('the figures carry their n and drill to their records; DORA lists the service deployed in the journey', async () => {
    now = Date.parse('2027-03-18T12:00:00.000Z');
    await goTo('#/reports', 'Reports');
    const dora = tab.page.locator('section', { has: tab.page.getByRole('heading', { name: /^DORA/ }) });
    await expect.poll(() => dora.innerText()).toContain('API Server');
    const records = dora.getByRole('button', { name: /record/ }).first();
    await records.click();
    await expect.poll(() => tab.page.locator('.drill').innerText()).toMatch(/CR-\d{4}-\d{2}-\d{2}-\d{3}/);
    // the process figures over the API's default 30 days: the journey's changes, by category
    const process = tab.page.locator('section', { has: tab.page.getByRole('heading', { name: 'The process' }) });
    await expect.poll(() => process.locator('.bars').innerText()).toMatch(/normal\s+\d+ \(n = [1-9]/);
    await checkPage(tab, '15-reports');
  });
});

describe('On a phone', () => {
  it('the inbox and a decision fit the screen (no sideways scrolling) and pass axe-core', async () => {
    now = Date.parse('2027-03-15T14:00:00.000Z');
    const phone = await open(browser, api.system.url, { phone: true });
    try {
      const filed = await api.call('POST', '/changes', { as: 'alice', body: { ...completeContent('normal'), title: 'Rotate the payments signing key' } });
      await api.submit(filed.body.id);
      await signIn(phone, 'tom');
      await phone.page.locator('.decision', { hasText: filed.body.id }).waitFor();
      const overflow = () => phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await checkPage(phone, '16-phone-inbox');
      await phone.page.locator('.decision', { hasText: filed.body.id }).getByRole('link').click();
      await phone.page.getByRole('button', { name: 'Approve', exact: true }).click();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await checkPage(phone, '17-phone-decision');
    } finally {
      await phone.context.close();
    }
  });
});

describe('The change board', () => {
  it('shows a pending change with its risk, calendar and rollback plan; a tech lead approves it in the meeting, and the approval names the meeting', async () => {
    now = Date.parse('2027-03-15T14:00:00.000Z');
    const filed = await api.call('POST', '/changes', { as: 'alice', body: { ...completeContent('normal'), title: 'Rotate the database credentials' } });
    const id = filed.body.id as string;
    await api.submit(id);
    await signOut(tab);
    await signIn(tab, 'tom');
    await goTo('#/cab', 'Change board');
    await tab.page.getByLabel('Meeting').fill('CAB 2027-03-15');
    await tab.page.getByLabel('From').fill('2027-03-15');
    await button('Show the agenda').click();
    const item = tab.page.getByRole('article', { name: `${id}: Rotate the database credentials` });
    await expect.poll(() => item.innerText()).toContain('awaiting approval');
    const text = await item.innerText();
    expect(text).toContain('likelihood medium × impact medium → medium (risk matrix)');
    expect(text).toContain('Redeploy the previous image tag. (takes 10 minutes); triggers: Error rate > 5%, Critical alerts firing');
    await checkPage(tab, '18-cab-agenda');
    await item.getByLabel(/^Comment/).fill('Agreed in the room');
    await item.getByRole('button', { name: `Approve ${id}` }).click();
    await expect.poll(() => item.innerText()).toContain('through the meeting "CAB 2027-03-15"');
    const cr = (await api.call('GET', `/changes/${id}`, { as: 'tom' })).body;
    expect(cr.approvals).toMatchObject([{ by: 'tom', channel: 'meeting', meeting: 'CAB 2027-03-15', comment: 'Agreed in the room' }]);
    // still on the agenda: approved and due in the period, with no decision left for tom
    await expect.poll(() => item.innerText()).toContain('approved, due in this period');
    expect(await item.getByRole('button').count()).toBe(0);
  });
});

describe('Freezes', () => {
  it('an admin declares and enforces a freeze; the requestor asks for an exception from the held change; the owner approves it', async () => {
    now = Date.parse('2027-03-20T12:00:00.000Z');
    const content = {
      ...completeContent('normal'),
      title: 'Ship the launch banner',
      plannedWindow: { start: '2027-03-24T15:00:00Z', end: '2027-03-24T16:00:00Z' },
    };
    const filed = await api.call('POST', '/changes', { as: 'alice', body: content });
    const id = filed.body.id as string;
    const routedCr = await api.submit(id);
    for (const slot of routedCr.requiredApprovals.slots) {
      expect((await api.call('POST', `/changes/${id}/approve`, { as: APPROVER[slot.slot as string]!, body: { revision: 1 } })).status).toBe(200);
    }
    await signOut(tab);
    await signIn(tab, 'ada');
    await goTo('#/freezes', 'Freezes');
    const form = tab.page.locator('#h-declare').locator('..');
    await form.getByLabel('Title').fill('Spring launch freeze');
    await form.getByLabel('Reason').fill('The spring launch ships on 24 March.');
    await form.getByLabel('Owner (person id)').fill('erin');
    await form.getByLabel(/^Components/).fill('API Server');
    await form.getByLabel('Starts').fill('2027-03-23T00:00');
    await form.getByLabel('Ends').fill('2027-03-26T00:00');
    await button('Declare as a draft').click();
    await heading(/Spring launch freeze/).waitFor();
    const row = tab.page.getByRole('row', { name: new RegExp(id) });
    await expect.poll(() => row.innerText()).toContain('no');
    await checkPage(tab, '19-freeze-preview');
    await button('Enforce the freeze').click();
    await expect.poll(() => row.innerText()).toContain('on hold');
    await signOut(tab);
    await signIn(tab, 'alice');
    await changeInState(id, 'approved');
    await tab.page.getByLabel('Why it cannot wait for the freeze to lift').fill('The banner is the launch: it must be live when the launch starts.');
    await button('Ask Erin Evans for an exception').click();
    await expect.poll(async () => (await api.call('GET', `/changes/${id}`, { as: 'alice' })).body.freezeExceptions?.[0]?.state).toBe('requested');
    await signOut(tab);
    await signIn(tab, 'erin');
    const freezeId = (await api.call('GET', '/freezes', { as: 'erin' })).body.items[0].id as string;
    await goTo(`#/freezes/${freezeId}`, /Spring launch freeze/);
    const card = tab.page.getByRole('article', { name: `${id}: Ship the launch banner` });
    await card.getByLabel(/^Comment/).fill('The launch is why we froze.');
    await checkPage(tab, '20-freeze-exception');
    await card.getByRole('button', { name: `Approve the exception for ${id}` }).click();
    await expect.poll(() => card.innerText()).toContain('approved');
    await expect.poll(() => row.innerText()).toContain('let through (exception)');
    expect(
      (await api.call('GET', `/changes/${id}/gate?at=2027-03-24T15:30:00Z`, { as: 'alice' })).body.reasons.map((r: { code: string }) => r.code),
    ).not.toContain('freeze');
  });
});
