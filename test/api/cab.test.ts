/**
 * The change advisory board's agenda through the API, on DynamoDB Local, with a clock the test
 * holds: what is on it and in what order, decisions taken in the meeting under the same rules as
 * every channel, the minutes in Markdown, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeContent } from '../../functions/core/change-request.js';
import { completeContent } from '../fixtures.js';
import { startApi, type Api, type Who } from './harness.js';

const now = new Date('2027-03-01T15:00:00Z'); // a Monday, 10:00 in New York
const clock = { now: () => new Date(now) };
const MEETING = 'CAB 2027-03-01';
let api: Api;
const ids: Record<string, string> = {};

/** A normal change on `component`, in the given window (UTC), at likelihood × impact. */
function planned(title: string, start: string, end: string, risk: [string, string], component = 'API Server'): ChangeContent {
  const c = completeContent('normal', { likelihood: risk[0] as 'medium', impact: risk[1] as 'medium' });
  return { ...c, title, plannedWindow: { start, end }, description: { ...c.description, components: [component] } };
}
async function filed(content: ChangeContent, as: Who = 'alice') {
  const res = await api.call('POST', '/changes', { body: content, as });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function pending(content: ChangeContent, as: Who = 'alice') {
  const cr = await filed(content, as);
  return api.submit(cr.id, as);
}
async function approved(content: ChangeContent, as: Who = 'alice', approver: Who = 'tom') {
  const cr = await pending(content, as);
  const res = await api.call('POST', `/changes/${cr.id}/approve`, { as: approver, body: { revision: cr.revision } });
  expect(res.body.state, res.text).toBe('approved');
  return res.body;
}
const agenda = async (query = '') => {
  const res = await api.call('GET', `/cab/agenda${query}`, { as: 'erin' });
  expect(res.status, res.text).toBe(200);
  return res.body as { items: { id: string; why: string[]; [k: string]: any }[]; from: string; to: string; meeting: string | null };
};

beforeAll(async () => {
  api = await startApi({}, { clock });
  // Wednesday 3 March, 10:00–11:00 New York: medium risk, awaiting its tech lead
  ids.awaiting = (await pending(planned('Rotate the payments API keys', '2027-03-03T15:00:00Z', '2027-03-03T16:00:00Z', ['medium', 'medium']))).id;
  // low risk, awaiting its tech lead too: peer review, not the board
  ids.low = (await pending(planned('Tidy the API logs', '2027-03-03T17:00:00Z', '2027-03-03T18:00:00Z', ['low', 'low']))).id;
  // Thursday 4 March: high risk, approved, and a medium one approved on the same component at the same time (a conflict)
  ids.due = (
    await approved(planned('Move the sessions to Redis 7', '2027-03-04T15:00:00Z', '2027-03-04T16:00:00Z', ['medium', 'high'], 'Redis Cache'), 'alice', 'erin')
  ).id;
  ids.overlap = (
    await approved(planned('Resize the Redis cluster', '2027-03-04T15:30:00Z', '2027-03-04T16:30:00Z', ['medium', 'medium'], 'Redis Cache'), 'bob', 'paula')
  ).id;
  // approved, medium, but on 16 March: beyond the next seven days
  ids.later = (await approved(planned('Upgrade the API to Node 22', '2027-03-16T15:00:00Z', '2027-03-16T16:00:00Z', ['medium', 'medium']))).id;
  // a draft: not the board's yet
  ids.draft = (await filed(planned('Draft work', '2027-03-03T19:00:00Z', '2027-03-03T20:00:00Z', ['high', 'high']))).id;
  // an emergency change on-call started: the board reviews it afterwards (post-approval)
  const emergency = await filed({ ...completeContent('emergency'), title: 'Hotfix the checkout crash', plannedWindow: undefined }, 'oscar');
  expect(emergency.state).toBe('in_progress');
  ids.emergency = emergency.id;
  // a medium change filed by a tech lead (tom), and one by bob that the meeting will reject
  ids.tomsOwn = (await pending(planned("Tom's own change", '2027-03-02T15:00:00Z', '2027-03-02T16:00:00Z', ['medium', 'medium']), 'tom')).id;
  ids.toReject = (
    await pending(planned('Drop the legacy refunds table', '2027-03-02T17:00:00Z', '2027-03-02T18:00:00Z', ['medium', 'medium'], 'Database'), 'bob')
  ).id;
}, 180_000);
afterAll(() => api?.stop());

describe('Rule: the agenda holds changes awaiting a decision and medium risk or above due in the next seven days, ordered by window', () => {
  it('lists exactly those, each once, in window order, an emergency without a window last', async () => {
    const a = await agenda();
    expect(a.from).toBe(now.toISOString());
    expect(a.to).toBe('2027-03-08T15:00:00.000Z');
    expect(a.items.map((i) => i.id)).toEqual([ids.tomsOwn, ids.toReject, ids.awaiting, ids.due, ids.overlap, ids.emergency]);
    const why = Object.fromEntries(a.items.map((i) => [i.id, i.why]));
    expect(why[ids.awaiting!]).toEqual(['awaiting-approval']);
    expect(why[ids.due!]).toEqual(['due']);
    expect(why[ids.emergency!]).toEqual(['awaiting-post-approval']);
  });

  it('gives each change its risk and reasons, the approvals awaited, the calendar and the rollback plan', async () => {
    const items = (await agenda()).items;
    const awaiting = items.find((i) => i.id === ids.awaiting)!;
    expect(awaiting.risk).toEqual({
      level: 'medium',
      reasons: ['likelihood medium × impact medium → medium (risk matrix)', 'normal change at medium risk: tech lead or above'],
    });
    expect(awaiting.awaiting).toEqual([{ slot: 'tech-lead', minRole: 'tech-lead', reason: 'normal change at medium risk: tech lead or above' }]);
    expect(awaiting.rollback).toEqual({
      procedure: 'Redeploy the previous image tag.',
      duration: '10 minutes',
      triggers: ['Error rate > 5%', 'Critical alerts firing'],
    });
    expect(awaiting.window).toEqual({
      start: '2027-03-03T15:00:00Z',
      end: '2027-03-03T16:00:00Z',
      localStart: '2027-03-03T10:00:00-05:00',
      localEnd: '2027-03-03T11:00:00-05:00',
    });
    const due = items.find((i) => i.id === ids.due)!;
    expect(due.conflicts.map((c: { otherId: string; components: string[] }) => [c.otherId, c.components])).toEqual([[ids.overlap, ['Redis Cache']]]);
    expect(due.calendar.join(' ')).toContain(`conflicts with ${ids.overlap} on Redis Cache`);
    expect(due.decisions).toMatchObject([{ decision: 'approved', by: 'erin', slot: 'eng-manager', channel: 'api' }]);
  });

  it('offers each reader the decisions the lifecycle table gives them, and none on their own change', async () => {
    const actions = async (who: Who) => {
      const res = await api.call('GET', '/cab/agenda', { as: who });
      return Object.fromEntries((res.body.items as { id: string; actions: string[] }[]).map((i) => [i.id, i.actions]));
    };
    const erin = await actions('erin');
    expect([erin[ids.awaiting!], erin[ids.due!], erin[ids.emergency!]]).toEqual([['approve', 'reject'], [], ['approve']]);
    const tom = await actions('tom');
    expect([tom[ids.tomsOwn!], tom[ids.awaiting!], tom[ids.emergency!]]).toEqual([[], ['approve', 'reject'], []]);
    expect(Object.values(await actions('alice')).flat()).toEqual([]);
  });

  it('takes a later change in when the period reaches its window', async () => {
    const a = await agenda(`?to=${encodeURIComponent('2027-03-20T00:00:00Z')}`);
    expect(a.items.map((i) => i.id)).toContain(ids.later);
    expect(a.items.map((i) => i.id)).not.toContain(ids.low);
    expect(a.items.map((i) => i.id)).not.toContain(ids.draft);
  });
});

describe('Rule: a decision in the meeting is an approval or rejection like any other, with the meeting as its channel', () => {
  it('records the meeting on the approval and its audit entry', async () => {
    const cr = (await api.call('GET', `/changes/${ids.awaiting}`, { as: 'tom' })).body;
    const res = await api.call('POST', `/changes/${cr.id}/approve`, {
      as: 'tom',
      body: { revision: cr.revision, comment: 'Go, with the canary', meeting: MEETING },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.state).toBe('approved');
    expect(res.body.approvals).toMatchObject([{ by: 'tom', slot: 'tech-lead', channel: 'meeting', meeting: MEETING, comment: 'Go, with the canary' }]);
    expect(res.body.audit.at(-1)).toMatchObject({ action: 'approve', detail: { slot: 'tech-lead', channel: 'meeting', meeting: MEETING } });
  });

  it('refuses the requestor approving their own change in the meeting (separation of duties), and records nothing', async () => {
    const before = (await api.call('GET', `/changes/${ids.tomsOwn}`, { as: 'tom' })).body;
    const res = await api.call('POST', `/changes/${ids.tomsOwn}/approve`, { as: 'tom', body: { revision: before.revision, meeting: MEETING } });
    expect(res.status).toBe(403);
    const after = (await api.call('GET', `/changes/${ids.tomsOwn}`, { as: 'tom' })).body;
    expect([after.version, after.approvals]).toEqual([before.version, []]);
  });

  it('refuses a rejection in the meeting without a reason, then records one with it', async () => {
    const cr = (await api.call('GET', `/changes/${ids.toReject}`, { as: 'paula' })).body;
    const bare = await api.call('POST', `/changes/${cr.id}/reject`, { as: 'paula', body: { revision: cr.revision, meeting: MEETING } });
    expect(bare.status).toBe(400);
    expect(bare.body.issues).toEqual([{ path: 'body.comment', message: 'is required: say why the change is rejected' }]);
    const res = await api.call('POST', `/changes/${cr.id}/reject`, {
      as: 'paula',
      body: { revision: cr.revision, meeting: MEETING, comment: 'Two services still read that table.' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rejection).toMatchObject({ by: 'paula', channel: 'meeting', meeting: MEETING, comment: 'Two services still read that table.' });
  });

  it('refuses a meeting on an action that is not a decision, naming body.meeting', async () => {
    const res = await api.call('POST', `/changes/${ids.later}/cancel`, { as: 'alice', body: { reason: 'not needed', meeting: MEETING } });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('body.meeting');
    expect((await api.call('GET', `/changes/${ids.later}`, { as: 'alice' })).body.state).toBe('approved');
  });

  it("keeps the meeting's decisions in its agenda, a rejected change too; without the meeting the rejected one is gone", async () => {
    const minutes = await agenda(`?meeting=${encodeURIComponent(MEETING)}`);
    expect(minutes.meeting).toBe(MEETING);
    const rejected = minutes.items.find((i) => i.id === ids.toReject)!;
    expect(rejected.why).toEqual(['decided-in-meeting']);
    expect(rejected.decisions).toMatchObject([{ decision: 'rejected', by: 'paula', channel: 'meeting', meeting: MEETING }]);
    expect(minutes.items.find((i) => i.id === ids.awaiting)!.why).toEqual(['due', 'decided-in-meeting']);
    expect((await agenda()).items.map((i) => i.id)).not.toContain(ids.toReject);
    // another meeting's minutes do not hold this one's decisions
    expect((await agenda(`?meeting=${encodeURIComponent('CAB 2027-03-08')}`)).items.map((i) => i.id)).not.toContain(ids.toReject);
  });
});

describe('Route: GET /cab/agenda.md, the minutes', () => {
  it('gives the agenda as Markdown: one section per change in window order, its rollback plan, the decisions and where they were taken', async () => {
    const res = await api.call('GET', `/cab/agenda.md?meeting=${encodeURIComponent(MEETING)}`, { as: 'erin' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    const md = res.text;
    expect(md.startsWith(`# Change Advisory Board agenda: ${MEETING}\n`)).toBe(true);
    const order = [...md.matchAll(/^## \d+\. (CR-[\d-]+):/gm)].map((m) => m[1]);
    expect(order).toEqual([ids.tomsOwn, ids.toReject, ids.awaiting, ids.due, ids.overlap, ids.emergency]);
    const section = md.slice(md.indexOf(`${ids.awaiting}:`), md.indexOf(`${ids.due}:`));
    expect(section).toContain('- **Rollback plan:** Redeploy the previous image tag. (takes 10 minutes); triggers: Error rate > 5%, Critical alerts firing');
    expect(section).toContain(
      `- **Decisions:** approved by Tom Tanaka (tech-lead) on Mon 1 Mar 2027 10:00 EST through the meeting "${MEETING}": "Go, with the canary"`,
    );
    expect(section).toContain('- **Window:** Wed 3 Mar 2027 10:00 EST – Wed 3 Mar 2027 11:00 EST');
  });
});

describe('Refusals: GET /cab/agenda', () => {
  it.each([
    ['?to=2027-02-01T00:00:00Z', 'query.to'],
    ['?from=2027-03-01T00:00:00Z&to=2027-04-15T00:00:00Z', 'query.to'],
    ['?from=tomorrow', 'query.from'],
    ['?meeting=', 'query.meeting'],
    ['?room=4', 'query'],
  ])('answers %s with 400 naming %s', async (query, path) => {
    const res = await api.call('GET', `/cab/agenda${query}`, { as: 'erin' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('answers 401 without a sign-in', async () => {
    expect((await api.call('GET', '/cab/agenda', { as: null })).status).toBe(401);
    expect((await api.call('GET', '/cab/agenda.md', { as: null })).status).toBe(401);
  });
});
