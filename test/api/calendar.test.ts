/**
 * The change calendar through the API, on DynamoDB Local, with a clock the test moves: blackouts
 * refused on every (re)schedule, warnings and conflicts carried on the CR, the deploy gate, free
 * slots, the iCalendar feed, and the scheduled jobs' notices going out exactly once.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeContent } from '../../functions/core/change-request.js';
import { completeContent } from '../fixtures.js';
import { startApi, type Api, type Who } from './harness.js';

let now = new Date('2027-03-01T15:00:00Z'); // a Monday, 10:00 in New York
const clock = { now: () => new Date(now) };
let api: Api;

beforeAll(async () => {
  api = await startApi({}, { clock });
});
afterAll(() => api?.stop());
beforeEach(() => {
  now = new Date('2027-03-01T15:00:00Z');
});

/** A normal change on API Server in the given window (UTC). */
function planned(start: string, end: string, extra: Partial<ChangeContent> = {}): ChangeContent {
  return { ...completeContent(), plannedWindow: { start, end }, ...extra };
}
async function file(content: ChangeContent, as: Who = 'alice') {
  const res = await api.call('POST', '/changes', { body: content, as });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function approved(content: ChangeContent) {
  const cr = await file(content);
  await api.submit(cr.id);
  const res = await api.call('POST', `/changes/${cr.id}/approve`, { as: 'tom', body: { revision: cr.revision } });
  expect(res.body.state).toBe('approved');
  return res.body;
}
/** Its pre-deployment checklist done: the items people tick, and the T-1h notice sent. */
async function ready(cr: { id: string; content: ChangeContent }) {
  const items = ['tests-passing', 'staging-deployed', 'rollback-tested', 'dashboards-open', 'on-call-briefed', 'templates-ready'];
  expect((await api.call('POST', `/changes/${cr.id}/checklist`, { as: 'oscar', body: { tick: items } })).status).toBe(200);
  const was = now;
  now = new Date(Date.parse(cr.content.plannedWindow!.start) - 55 * 60_000);
  await api.system.jobs.TimelineNotifications!();
  now = was;
}
const issuesOf = (res: { body: { issues?: { path: string; message: string }[] } }) => res.body.issues ?? [];

describe('Rule: a non-emergency change may not be planned into a blackout', () => {
  it.each([
    ['Thanksgiving', '2026-11-26T15:00:00Z', '2026-11-26T16:00:00Z', /Thanksgiving Day/],
    ['a Friday afternoon', '2027-03-05T19:00:00Z', '2027-03-05T20:00:00Z', /Friday/],
    ['a weekend', '2027-03-06T15:00:00Z', '2027-03-06T16:00:00Z', /[Ww]eekend/],
  ])('refuses a window on %s with 422 naming the blackout, and files nothing', async (_, start, end, name) => {
    const before = (await api.call('GET', '/changes?limit=100')).body.items.length;
    const res = await api.call('POST', '/changes', { body: planned(start, end) });
    expect(res.status).toBe(422);
    expect(issuesOf(res)[0]).toMatchObject({ path: 'content.plannedWindow' });
    expect(issuesOf(res)[0]!.message).toMatch(name);
    expect((await api.call('GET', '/changes?limit=100')).body.items.length).toBe(before);
  });

  it('allows a window that ends exactly when the Friday blackout starts (half-open)', async () => {
    // Friday 2027-03-05 13:00–14:00 EST = 18:00–19:00Z
    const res = await api.call('POST', '/changes', { body: planned('2027-03-05T18:00:00Z', '2027-03-05T19:00:00Z') });
    expect(res.status).toBe(201);
  });

  it('lets an emergency change through a blackout', async () => {
    const res = await api.call('POST', '/changes', {
      body: planned('2027-03-06T15:00:00Z', '2027-03-06T16:00:00Z', { category: 'emergency', incident: { reference: 'INC-9', severity: 'P0' } }),
      as: 'oscar',
    });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('in_progress');
  });

  it('refuses a reschedule into a blackout and leaves the change as it was', async () => {
    const cr = await file(planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z'));
    const res = await api.call('PATCH', `/changes/${cr.id}`, { body: { plannedWindow: { start: '2027-03-05T20:00:00Z', end: '2027-03-05T21:00:00Z' } } });
    expect(res.status).toBe(422);
    expect((await api.call('GET', `/changes/${cr.id}`)).body.content.plannedWindow.start).toBe('2027-03-09T15:00:00Z');
  });

  it('refuses a submit when a blackout was declared over the window after the draft was written', async () => {
    const cr = await file(planned('2027-03-10T15:00:00Z', '2027-03-10T16:00:00Z'));
    const event = await api.call('POST', '/calendar/events', {
      as: 'ada',
      body: { kind: 'high-traffic', title: 'Spring sale', start: '2027-03-10T14:00:00Z', end: '2027-03-10T20:00:00Z' },
    });
    expect(event.status).toBe(201);
    const res = await api.call('POST', `/changes/${cr.id}/submit`);
    expect(res.status).toBe(422);
    expect(issuesOf(res)[0]!.message).toMatch(/Spring sale/);
    await api.call('DELETE', `/calendar/events/${event.body.id}`, { as: 'ada' });
  });
});

describe('Rule: outside its preferred window a change carries a warning for approvers', () => {
  it('warns a normal change planned on a Monday, and not one on a Tuesday at 10:00', async () => {
    const monday = await file(planned('2027-03-08T15:00:00Z', '2027-03-08T16:00:00Z'));
    expect(monday.warnings.join(' ')).toMatch(/Tue/);
    const tuesday = await file(planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z'));
    expect(tuesday.warnings).toEqual([]);
  });
});

describe('Rule: committed changes overlapping on a component are flagged on both', () => {
  it('lists the conflict on the second at submit, and on both after the blackout check', async () => {
    // Prepare: two changes on API Server on Wednesday 2027-03-17 (EDT: 10:00 local = 14:00Z)
    const first = await approved(planned('2027-03-17T14:00:00Z', '2027-03-17T15:00:00Z'));
    const second = await file(planned('2027-03-17T14:30:00Z', '2027-03-17T15:30:00Z'));
    // Act
    const submitted = await api.submit(second.id);
    // Assess
    expect(submitted.calendar.conflicts).toEqual([
      expect.objectContaining({
        otherId: first.id,
        components: ['API Server'],
        overlap: { start: '2027-03-17T14:30:00.000Z', end: '2027-03-17T15:00:00.000Z' },
      }),
    ]);
    expect(submitted.calendar.suggestedSlot).toBeDefined();
    await api.call('POST', `/changes/${second.id}/approve`, { as: 'tom', body: { revision: second.revision } });
    await api.system.jobs.BlackoutCheck!();
    const a = (await api.call('GET', `/changes/${first.id}`)).body;
    const b = (await api.call('GET', `/changes/${second.id}`)).body;
    expect(a.calendar.conflicts.map((c: { otherId: string }) => c.otherId)).toContain(second.id);
    expect(b.calendar.conflicts.map((c: { otherId: string }) => c.otherId)).toContain(first.id);
    expect(a.audit.at(-1)).toMatchObject({ action: 'calendar-flag', actor: { id: 'system' } });
  });
});

describe('Route: GET /calendar and /calendar/state', () => {
  it('shows blackouts with local and UTC times, and the scheduled changes', async () => {
    const cr = await approved(planned('2027-03-23T14:00:00Z', '2027-03-23T15:00:00Z'));
    const res = await api.call('GET', '/calendar?from=2027-03-19T00:00:00Z&to=2027-03-24T00:00:00Z');
    expect(res.status).toBe(200);
    const friday = res.body.blackouts.find((b: { kind: string }) => b.kind === 'friday-afternoon');
    expect(friday).toMatchObject({ start: '2027-03-19T18:00:00.000Z', localStart: '2027-03-19T14:00:00-04:00' });
    expect(res.body.changes.map((c: { id: string }) => c.id)).toContain(cr.id);
    expect(res.body.changes.find((c: { id: string }) => c.id === cr.id)).toMatchObject({ localStart: '2027-03-23T10:00:00-04:00' });
  });

  it.each([
    ['13:59:59 on a Friday (EST)', '2027-03-12T18:59:59Z', true],
    ['14:00:00 on a Friday (EST)', '2027-03-12T19:00:00Z', false],
    ['14:00:00 on a Friday after the DST change (EDT)', '2027-03-19T18:00:00Z', false],
  ])('at %s: open is %s', async (_, at, open) => {
    const res = await api.call('GET', `/calendar/state?at=${at}`);
    expect(res.body.open).toBe(open);
    if (open) expect(res.body.changesAt).toBe(new Date(Date.parse(at) + 1000).toISOString());
  });

  it.each([
    ['/calendar?from=tomorrow', 'query.from'],
    ['/calendar?from=2027-03-01T00:00:00Z&to=2028-06-01T00:00:00Z', 'query.to'],
    ['/calendar/state?at=noon', 'query.at'],
  ])('refuses %s with 400 naming %s', async (path, field) => {
    const res = await api.call('GET', path);
    expect(res.status).toBe(400);
    expect(issuesOf(res).map((i) => i.path)).toContain(field);
  });
});

describe('Route: POST/DELETE /calendar/events (admin)', () => {
  it.each([
    ['a requester', 'alice', { kind: 'blackout', title: 'Freeze', start: '2027-04-01T00:00:00Z', end: '2027-04-02T00:00:00Z' }, 403, undefined],
    [
      'a bad RRULE',
      'ada',
      { kind: 'blackout', title: 'Freeze', start: '2027-04-01T00:00:00Z', end: '2027-04-02T00:00:00Z', rrule: 'FREQ=SOMETIMES' },
      400,
      'body.rrule',
    ],
    ['an end before the start', 'ada', { kind: 'blackout', title: 'Freeze', start: '2027-04-02T00:00:00Z', end: '2027-04-01T00:00:00Z' }, 400, 'body.end'],
    ['an unknown kind', 'ada', { kind: 'party', title: 'Freeze', start: '2027-04-01T00:00:00Z', end: '2027-04-02T00:00:00Z' }, 400, 'body.kind'],
  ] as const)('refuses %s (%s) and declares nothing', async (_, who, body, status, field) => {
    const before = (await api.call('GET', '/calendar?from=2027-03-25T00:00:00Z&to=2027-04-10T00:00:00Z')).body.events.length;
    const res = await api.call('POST', '/calendar/events', { as: who, body });
    expect(res.status).toBe(status);
    if (field) expect(issuesOf(res).map((i) => i.path)).toContain(field);
    expect((await api.call('GET', '/calendar?from=2027-03-25T00:00:00Z&to=2027-04-10T00:00:00Z')).body.events.length).toBe(before);
  });

  it('a recurring blackout keeps its local time across DST, and DELETE removes it', async () => {
    // every Monday 09:00–10:00 New York time, from before to after the 2027-03-14 change
    const res = await api.call('POST', '/calendar/events', {
      as: 'ada',
      body: { kind: 'blackout', title: 'Monday standup freeze', start: '2027-03-08T14:00:00Z', end: '2027-03-08T15:00:00Z', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(res.status).toBe(201);
    const view = (await api.call('GET', '/calendar?from=2027-03-08T00:00:00Z&to=2027-03-23T00:00:00Z')).body;
    const starts = view.blackouts.filter((b: { name: string }) => b.name === 'Monday standup freeze').map((b: { localStart: string }) => b.localStart);
    expect(starts).toEqual(['2027-03-08T09:00:00-05:00', '2027-03-15T09:00:00-04:00', '2027-03-22T09:00:00-04:00']);
    expect((await api.call('DELETE', `/calendar/events/${res.body.id}`, { as: 'ada' })).status).toBe(204);
    expect((await api.call('DELETE', `/calendar/events/${res.body.id}`, { as: 'ada' })).status).toBe(404);
  });
});

describe('Route: GET /changes/{id}/gate — the deploy gate', () => {
  it('allows an approved change inside its window, and says why it denies otherwise', async () => {
    const cr = await approved(planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z'));
    await ready(cr);
    const inside = await api.call('GET', `/changes/${cr.id}/gate?at=2027-03-09T15:30:00Z&revision=1`);
    expect(inside.body).toMatchObject({ decision: 'allow', reasons: [] });
    const early = await api.call('GET', `/changes/${cr.id}/gate?at=2027-03-09T14:00:00Z&revision=2`);
    expect(early.body.decision).toBe('deny');
    expect(early.body.reasons.map((r: { code: string }) => r.code).sort()).toEqual(['outside-window', 'revision-mismatch']);
  });

  it('denies a change that is not approved, and one in a blackout, naming each reason', async () => {
    const draft = await file(
      planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z', { description: { ...completeContent().description, components: ['Redis Cache'] } }),
    );
    const res = await api.call('GET', `/changes/${draft.id}/gate?at=2027-03-12T19:30:00Z`);
    expect(res.body.decision).toBe('deny');
    expect(res.body.reasons.map((r: { code: string }) => r.code).sort()).toEqual(['blackout', 'not-approved', 'outside-window']);
  });

  it('lets an emergency change through a blackout, and says so', async () => {
    const cr = await file(
      planned('2027-03-12T19:00:00Z', '2027-03-12T20:00:00Z', { category: 'emergency', incident: { reference: 'INC-7', severity: 'P1' } }),
      'oscar',
    );
    const res = await api.call('GET', `/changes/${cr.id}/gate?at=2027-03-12T19:30:00Z`);
    expect(res.body.decision).toBe('allow');
    expect(res.body.notes.join(' ')).toMatch(/emergency change: allowed through the blackout/);
  });

  it('refuses a malformed revision with 400', async () => {
    const cr = await file(planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z'));
    const res = await api.call('GET', `/changes/${cr.id}/gate?revision=latest`);
    expect(res.status).toBe(400);
    expect(issuesOf(res).map((i) => i.path)).toContain('query.revision');
  });
});

describe('Route: GET /changes/{id}/slots', () => {
  it('offers slots inside Tue–Thu 10:00–16:00 New York time, clear of blackouts', async () => {
    now = new Date('2027-03-05T20:00:00Z'); // Friday 15:00 EST, in the blackout
    // S3 Storage: no other change in this file touches it, so only the calendar shapes the slots
    const cr = await file(
      planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z', { description: { ...completeContent().description, components: ['S3 Storage'] } }),
    );
    const res = await api.call('GET', `/changes/${cr.id}/slots?count=3`);
    expect(res.status).toBe(200);
    expect(res.body.slots[0]).toMatchObject({ start: '2027-03-09T15:00:00.000Z', localStart: '2027-03-09T10:00:00-05:00' });
    expect(res.body.slots).toHaveLength(3);
    for (const slot of res.body.slots) expect(slot.localStart).toMatch(/T1[0-5]:(00|30):00-0[45]:00$/);
  });
});

describe('Route: GET /calendar.ics', () => {
  it('is an iCalendar feed a real parser reads: blackouts and scheduled changes in UTC', async () => {
    const cr = await approved(planned('2027-03-09T15:00:00Z', '2027-03-09T16:00:00Z'));
    const res = await fetch(api.system.calendarFeedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/calendar/);
    const component = new ICAL.Component(ICAL.parse(await res.text()));
    const events = component.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    const change = events.find((e) => e.uid === `${cr.id}@changeflow`);
    expect(change?.startDate.toJSDate().toISOString()).toBe('2027-03-09T15:00:00.000Z');
    const friday = events.find(
      (e) => e.summary.startsWith('Blackout: Friday afternoon') && e.startDate.toJSDate().toISOString() === '2027-03-05T19:00:00.000Z',
    );
    expect(friday).toBeDefined();
  });

  it('refuses a wrong or missing key with 401', async () => {
    expect((await api.call('GET', '/calendar.ics?key=wrong', { as: null })).status).toBe(401);
    expect((await api.call('GET', '/calendar.ics', { as: null })).status).toBe(401);
  });
});

describe('Rule: timeline notices go out exactly once, even when the job runs twice or concurrently', () => {
  it('sends T-24h, T-1h, T-0 and T+15m once each to the stakeholders', async () => {
    // Prepare: a change on Thursday 2027-03-11 10:00 EST (15:00Z), stakeholders engineering + support
    const cr = await approved(planned('2027-03-11T15:00:00Z', '2027-03-11T16:00:00Z'));
    const run = () => api.system.jobs.TimelineNotifications!();
    const mine = async () => (await api.system.mail.messages()).filter((m) => m.subject.includes(cr.id) && m.subject.startsWith('[T'));
    // Act: at each milestone, the job runs three times at once and once more afterwards
    for (const at of ['2027-03-10T15:00:00Z', '2027-03-11T14:00:00Z', '2027-03-11T15:00:00Z', '2027-03-11T15:15:00Z']) {
      now = new Date(at);
      await Promise.all([run(), run(), run()]);
      await run();
      await api.system.events.idle(); // the notices go out from their events
    }
    // Assess
    const subjects = (await mine()).map((m) => m.subject.match(/^\[(T[^\]]+)\]/)?.[1]);
    expect(subjects.sort()).toEqual(['T+15m', 'T-0', 'T-1h', 'T-24h']);
    expect((await mine())[0]!.to).toEqual(expect.arrayContaining(['engineering@example.com', 'support@example.com', 'alice@example.com']));
  });

  it('a change planned into a blackout declared after its approval is flagged once, and its people told once', async () => {
    const cr = await approved(planned('2027-03-16T14:00:00Z', '2027-03-16T15:00:00Z'));
    const event = await api.call('POST', '/calendar/events', {
      as: 'ada',
      body: { kind: 'blackout', title: 'Board demo freeze', start: '2027-03-16T13:00:00Z', end: '2027-03-16T18:00:00Z' },
    });
    await Promise.all([api.system.jobs.BlackoutCheck!(), api.system.jobs.BlackoutCheck!()]);
    await api.system.jobs.BlackoutCheck!();
    // the job records what it found; the notifications consumer emails it once the event is relayed
    await api.system.events.idle();
    const notices = (await api.system.mail.messages()).filter((m) => m.subject.includes(cr.id) && m.subject.includes('Board demo freeze'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.to).toEqual(expect.arrayContaining(['alice@example.com', 'tom@example.com']));
    const after = (await api.call('GET', `/changes/${cr.id}`)).body;
    expect(after.audit.filter((a: { action: string; reason: string }) => a.action === 'calendar-flag' && a.reason.includes('Board demo freeze'))).toHaveLength(
      1,
    );
    expect((await api.call('GET', `/changes/${cr.id}/gate?at=2027-03-16T14:30:00Z`)).body.reasons.map((r: { code: string }) => r.code)).toContain('blackout');
    await api.call('DELETE', `/calendar/events/${event.body.id}`, { as: 'ada' });
  });

  it('a change still in progress when a blackout begins is reported once, to its requestor and on-call', async () => {
    // Thursday 2027-03-18 10:00 EDT, started, and still running on Friday at 14:00
    const cr = await approved(
      planned('2027-03-18T14:00:00Z', '2027-03-18T15:00:00Z', { description: { ...completeContent().description, components: ['Monitoring/Alerting'] } }),
    );
    await ready(cr);
    now = new Date('2027-03-18T14:05:00Z');
    expect((await api.call('POST', `/changes/${cr.id}/start`, { as: 'oscar' })).status).toBe(200);
    now = new Date('2027-03-19T18:00:00Z'); // Friday 14:00 EDT
    await Promise.all([api.system.jobs.BlackoutCheck!(), api.system.jobs.BlackoutCheck!()]);
    await api.system.jobs.BlackoutCheck!();
    await api.system.events.idle();
    const reports = (await api.system.mail.messages()).filter((m) => m.subject.includes(cr.id) && m.subject.includes('still in progress'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.to).toEqual(expect.arrayContaining(['alice@example.com', 'oscar@example.com']));
  });
});
