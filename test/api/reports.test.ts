/**
 * The monthly report on the local runtime: a month of changes made through the API (a clock the
 * test moves), the report made by an admin and by the job of the 1st, its files read back, a
 * regeneration that changes nothing writing nothing, one that changes something keeping the earlier
 * version, and the announcement emailed once.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { startApi, type Api, type Who } from './harness.js';

let now = Date.parse('2027-03-10T15:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
/** The April 1st announcement, for the signed links' tests. */
let reportMail = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi({ MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5' }, { clock, workflowWaitScale: 5e-4 });
  // March 2027: two emergency changes (one rolled back, one failed), a normal one cancelled, a draft
  const emergency = async (key: string) => {
    const cr = (await api.call('POST', '/changes', { as: 'oscar', body: completeContent('emergency') })).body;
    expect(cr.state).toBe('in_progress');
    ids[key] = cr.id;
    return cr.id as string;
  };
  const rolled = await emergency('rolled');
  expect((await api.call('POST', `/changes/${rolled}/rollback`, { as: 'oscar', body: { reason: 'error rate 7% after the fix' } })).status).toBe(200);
  const failed = await emergency('failed');
  expect((await api.call('POST', `/changes/${failed}/fail`, { as: 'oscar', body: { reason: 'the migration did not apply' } })).status).toBe(200);
  ids.cancelled = (await api.call('POST', '/changes', { as: 'alice', body: completeContent('normal') })).body.id;
  expect((await api.call('POST', `/changes/${ids.cancelled}/cancel`, { as: 'alice', body: { reason: 'not needed' } })).status).toBe(200);
  ids.draft = (await api.call('POST', '/changes', { as: 'bob', body: completeContent('standard', { likelihood: 'low', impact: 'low' }) })).body.id;
  await api.system.events.idle();
});
afterAll(() => api?.stop());

async function call(method: string, path: string, as: Who, status = 200) {
  const res = await api.call(method, path, { as });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res;
}

describe('Rule: an admin makes a month’s report; its files are the figures of the month’s changes', () => {
  it('POST /reports/2027-03: 201, four files; the Markdown, JSON and CSV say what happened', async () => {
    const made = (await call('POST', '/reports/2027-03', 'ada', 201)).body;
    expect(made).toMatchObject({ month: '2027-03', unchanged: false, summary: { total: 4, successfulPercent: 0, rolledBackPercent: 50, emergency: 2 } });
    expect(made.files).toEqual(['/reports/2027-03/report.md', '/reports/2027-03/report.json', '/reports/2027-03/changes.csv', '/reports/2027-03/report.html']);
    const md = (await call('GET', '/reports/2027-03/report.md', 'alice')).text;
    expect(md).toContain('# Change Management Report - March 2027');
    expect(md).toContain('- Total Changes: 4');
    expect(md).toContain('- Rolled Back: 1 (50%)');
    expect(md).toContain(`${ids.rolled} (rolled back): error rate 7% after the fix`);
    const json = JSON.parse((await call('GET', '/reports/2027-03/report.json', 'alice')).text);
    expect(json.figures.finished).toMatchObject({ n: 2 });
    expect(json.figures.rolledBack.ids).toEqual([ids.rolled]);
    expect(json.figures.cancelled.ids).toEqual([ids.cancelled]);
    expect(json.figures.definitionsVersion).toBe(1);
    const csv = (await call('GET', '/reports/2027-03/changes.csv', 'alice')).text.trim().split('\r\n');
    expect(csv[0]).toBe('id,category,state,risk,created_at,deployed_at,minutes_to_deploy,components,incidents_confirmed,incidents_suggested');
    expect(
      csv
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(Object.values(ids).sort());
    const html = await call('GET', '/reports/2027-03/report.html', 'alice');
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toContain('<h1>Change Management Report - March 2027</h1>');
    expect(html.text).toContain('<svg role="img" aria-label="Changes created per week');
    expect((await call('GET', '/reports', 'alice')).body.months).toEqual(['2027-03']);
  });

  it('made again with nothing changed: 200, unchanged; after a change: written again, the earlier files kept', async () => {
    expect((await call('POST', '/reports/2027-03', 'ada', 200)).body.unchanged).toBe(true);
    expect((await api.call('POST', `/changes/${ids.draft}/cancel`, { as: 'bob', body: { reason: 'superseded' } })).status).toBe(200);
    expect((await call('POST', '/reports/2027-03', 'ada', 201)).body.unchanged).toBe(false);
    const folder = join(api.system.dataDir, 'reports', '2027-03');
    const earlier = readdirSync(join(folder, 'earlier'));
    expect(earlier).toHaveLength(1);
    expect(existsSync(join(folder, 'earlier', earlier[0]!, 'report.md'))).toBe(true);
  });

  it('refusals: not an admin, not a month, not a report file, no report yet', async () => {
    await call('POST', '/reports/2027-03', 'alice', 403);
    expect((await call('POST', '/reports/2027-3', 'ada', 400)).body.issues[0]).toMatchObject({
      path: 'month',
      message: 'must be a month such as 2026-11 or a quarter such as 2026-Q4',
    });
    expect((await call('GET', '/reports/2027-03/secrets.txt', 'alice', 400)).body.issues[0].path).toBe('file');
    await call('GET', '/reports/2026-01/report.md', 'alice', 404);
  });
});

describe('Rule: the metrics API gives the same figures over any period, grouped, each with its n', () => {
  it('March by category: emergency 2 finished, 1 rolled back (50%); the ids only when asked for', async () => {
    const q = 'from=2027-03-01T05:00:00Z&to=2027-04-01T04:00:00Z';
    const plain = (await call('GET', `/metrics?${q}&groupBy=category`, 'alice')).body;
    expect(plain.definitionsVersion).toBe(1);
    const emergency = plain.groups.find((g: { group: string }) => g.group === 'emergency');
    expect(emergency).toMatchObject({ total: { n: 2 }, finished: { n: 2 }, rolledBack: { n: 2, percent: 50 } });
    expect(emergency.rolledBack).not.toHaveProperty('ids');
    const drilled = (await call('GET', `/metrics?${q}&groupBy=category&ids=true`, 'alice')).body;
    expect(drilled.groups.find((g: { group: string }) => g.group === 'emergency').rolledBack.ids).toEqual([ids.rolled]);
    expect(drilled.overall.total.n).toBe(plain.overall.total.n);
  });
  it('a period longer than 400 days, one upside down, or an unknown grouping is refused, naming the field', async () => {
    expect((await call('GET', '/metrics?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z', 'alice', 400)).body.issues[0].path).toBe('query.from');
    expect((await call('GET', '/metrics?from=2027-04-01T00:00:00Z&to=2027-03-01T00:00:00Z', 'alice', 400)).body.issues[0].path).toBe('query.from');
    expect((await call('GET', '/metrics?groupBy=colour', 'alice', 400)).body.issues[0]).toMatchObject({
      path: 'query.groupBy',
      message: 'must be week, month, team, category or component',
    });
  });
});

describe('Rule: on the 1st the job makes the month before’s report and announces it once', () => {
  it('1 April 2027: the March report (its content changed since), one email to leadership; run again: nothing more', async () => {
    // one more change filed in March: the March report changes
    now = Date.parse('2027-03-30T15:00:00.000Z');
    expect((await api.call('POST', '/changes', { as: 'alice', body: completeContent('normal') })).status).toBe(201);
    now = Date.parse('2027-04-01T10:00:00.000Z');
    await api.system.jobs.MonthlyReport!();
    await api.system.events.idle();
    const mails = (await api.system.mail.messages()).filter((m) => m.subject === 'Change management report 2027-03');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['leadership@example.com']);
    expect(mails[0]!.text).toContain('5 changes in 2027-03');
    // March ends the first quarter: its review came with it
    expect(mails[0]!.text).toContain('The quarterly review of 2027-Q1:');
    reportMail = mails[0]!.text;
    await api.system.jobs.MonthlyReport!();
    await api.system.events.idle();
    expect((await api.system.mail.messages()).filter((m) => m.subject === 'Change management report 2027-03')).toHaveLength(1);
  });

  it('files written but never announced (an admin’s POST, or a run that died before its announcement): the next run announces them, once', async () => {
    expect((await call('POST', '/reports/2027-02', 'ada', 201)).body.unchanged).toBe(false);
    now = Date.parse('2027-03-01T12:00:00.000Z');
    await api.system.jobs.MonthlyReport!();
    await api.system.events.idle();
    await api.system.jobs.MonthlyReport!();
    await api.system.events.idle();
    expect((await api.system.mail.messages()).filter((m) => m.subject === 'Change management report 2027-02')).toHaveLength(1);
  });
});

describe('Rule: the email’s links open one report file without signing in, until they expire', () => {
  const links = () => [...reportMail.matchAll(/(report\.html|review\.md): (http\S+)/g)].map((m) => ({ file: m[1]!, url: m[2]! }));

  it('the report and the review open from their links with no token; a link changed by one character is refused in words', async () => {
    expect(links().map((l) => l.file)).toEqual(['report.html', 'review.md']);
    for (const { file, url } of links()) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      const body = await res.text();
      expect(body).toContain(file === 'report.html' ? '<h1>Change Management Report - March 2027</h1>' : '# Quarterly Change Review - 2027-Q1');
    }
    const url = links()[0]!.url;
    const forged = `${url.slice(0, -1)}${url.endsWith('A') ? 'B' : 'A'}`;
    const res = await fetch(forged);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not a report link ChangeFlow made');
  });

  it('fifteen days later the link has expired: 410, and where to find the report instead', async () => {
    const saved = now;
    now = Date.parse('2027-04-16T10:00:00.000Z');
    const res = await fetch(links()[0]!.url);
    now = saved;
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('sign in and open the report from GET /reports');
  });
});

describe('Rule: the quarterly review is made on demand too, and listed apart from the months', () => {
  it('POST /reports/2027-Q1: the review’s files; GET /reports lists the quarter; a month’s file name is refused for it', async () => {
    const made = (await call('POST', '/reports/2027-Q1', 'ada', 200)).body;
    expect(made).toMatchObject({
      quarter: '2027-Q1',
      unchanged: true,
      files: ['/reports/2027-Q1/review.md', '/reports/2027-Q1/review.json', '/reports/2027-Q1/review.html'],
    });
    expect(made.summary.goals.map((g: { goal: string }) => g.goal)).toContain('Automated approval (low-risk changes)');
    const listed = (await call('GET', '/reports', 'alice')).body;
    expect(listed.quarters).toEqual(['2027-Q1']);
    expect(listed.months).not.toContain('2027-Q1');
    expect((await call('GET', '/reports/2027-Q1/report.md', 'alice', 400)).body.issues[0].path).toBe('file');
    const html = (await call('GET', '/reports/2027-Q1/review.html', 'alice')).text;
    expect(html).toContain('<table>');
  });
});

describe('Rule: DORA’s figures per service come from the deployments themselves', () => {
  it('an emergency fix deployed on 2 April: one deployment of its service in the last 30 days, unplanned; other services have none', async () => {
    now = Date.parse('2027-04-02T09:00:00.000Z');
    const cr = (await api.call('POST', '/changes', { as: 'oscar', body: completeContent('emergency') })).body;
    now = Date.parse('2027-04-02T09:30:00.000Z');
    expect((await api.call('POST', `/changes/${cr.id}/deployed`, { as: 'oscar', body: {} })).status).toBe(200);
    now = Date.parse('2027-04-02T12:00:00.000Z');
    const dora = (await call('GET', '/metrics/dora?ids=true', 'alice')).body;
    expect(dora).toMatchObject({ label: '30d', environment: 'production', definitionsVersion: 1 });
    // the March emergencies never reached production: no deployment of theirs counts
    expect(dora.services).toHaveLength(1);
    expect(dora.services[0]).toMatchObject({
      service: 'API Server',
      deployments: { n: 1, ids: [cr.id] },
      reworkRate: { value: 1, n: 1, percent: 100 },
      changeFailRate: { confirmed: { value: 0, n: 1 } },
    });
    const plain = (await call('GET', '/metrics/dora?service=API%20Server', 'alice')).body;
    expect(plain.services[0].deployments).not.toHaveProperty('ids');
    expect((await call('GET', '/metrics/dora?service=Billing', 'alice', 404)).body.message).toContain('no production deployment of Billing');
    expect((await call('GET', '/metrics/dora?window=2027-13', 'alice', 400)).body.issues[0]).toMatchObject({
      path: 'query.window',
      message: 'must be 30d (the last 30 days) or a month such as 2026-11',
    });
  });
});
