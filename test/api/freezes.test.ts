/**
 * Freezes through the API, on DynamoDB Local, with a clock the test holds: declared as a draft and
 * previewed, enforced (the changes it hits go on hold, their requestors told), the deploy gate and
 * `start` refusing a held change and naming the freeze, exceptions asked by the requestor and
 * decided by the owner only, the review after the change, lifting, and the blackout check setting
 * right what a failed write left undone.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeContent } from '../../functions/core/change-request.js';
import { completeContent } from '../fixtures.js';
import { MANUAL_ITEMS } from './deliveries.js';
import { type Api, type Who, routed, startApi } from './harness.js';

let now = new Date('2027-03-01T15:00:00Z'); // a Monday
const clock = { now: () => new Date(now) };
let api: Api;
/** While set, every change write (a transaction) fails as if DynamoDB were unavailable. */
let failChangeWrites = false;
const ids: Record<string, string> = {};
let freezeId = '';

/** The freeze: Wednesday 10 March to Saturday 13 March 2027 (UTC), on the API Server, owned by Erin. */
const FREEZE = {
  title: 'Q1 launch freeze',
  reason: 'The spring launch ships on 11 March: nothing on the API but the launch itself.',
  owner: 'erin',
  components: ['API Server'],
  start: '2027-03-10T00:00:00Z',
  end: '2027-03-13T00:00:00Z',
};

function planned(title: string, start: string, end: string, component = 'API Server'): ChangeContent {
  const c = completeContent('normal');
  return { ...c, title, plannedWindow: { start, end }, description: { ...c.description, components: [component] } };
}
async function pending(content: ChangeContent, as: Who = 'alice') {
  const res = await api.call('POST', '/changes', { body: content, as });
  expect(res.status, res.text).toBe(201);
  return api.submit(res.body.id, as);
}
async function approved(content: ChangeContent, as: Who = 'alice') {
  const cr = await pending(content, as);
  for (const slot of cr.requiredApprovals.slots as { slot: string }[]) {
    const res = await api.call('POST', `/changes/${cr.id}/approve`, {
      as: slot.slot === 'tech-lead' ? (as === 'bob' ? 'paula' : 'tom') : 'erin',
      body: { revision: cr.revision },
    });
    expect(res.status, res.text).toBe(200);
  }
  return api.waitFor(cr.id, (c) => c.state === 'approved', 'approved');
}
const change = async (id: string) => (await api.call('GET', `/changes/${id}`, { as: 'erin' })).body;
const actions = async (id: string) => ((await change(id)).audit as { action: string; reason: string; detail?: any }[]).map((a) => a.action);
const holdsBy = async (id: string, freeze: string) =>
  ((await change(id)).audit as { action: string; detail?: any }[]).filter((a) => a.action === 'hold' && a.detail?.freeze?.id === freeze);
const gateAt = async (id: string, at: string) => (await api.call('GET', `/changes/${id}/gate?at=${at}`, { as: 'alice' })).body;
const mailTo = async (address: string, words: string) => (await api.system.mail.messages()).filter((m) => m.to.includes(address) && m.subject.includes(words));
const blackoutCheck = async () => {
  await api.system.jobs.BlackoutCheck!();
  await api.system.events.idle();
};

beforeAll(async () => {
  api = await startApi(
    {},
    {
      clock,
      instrument: {
        db: (db: DynamoDBDocumentClient) =>
          db.middlewareStack.add(
            (next, context) => async (args) => {
              if (failChangeWrites && context.commandName === 'TransactWriteItemsCommand') {
                throw Object.assign(new Error('injected: service unavailable'), {
                  name: 'ServiceUnavailable',
                  $fault: 'server',
                  $metadata: { httpStatusCode: 503 },
                });
              }
              return next(args);
            },
            { step: 'deserialize', name: 'freezeFaults' },
          ),
      },
    },
  );
  // Thursday 11 March, on the API Server: approved (alice), awaiting approval (bob)
  ids.approved = (await approved(planned('Launch the v2 checkout API', '2027-03-11T15:00:00Z', '2027-03-11T16:00:00Z'))).id;
  ids.pending = (await pending(planned('Raise the API rate limits', '2027-03-11T17:00:00Z', '2027-03-11T18:00:00Z'), 'bob')).id;
  await api.waitFor(ids.pending!, routed, 'routed');
  // the same day on the Database, and the API a week later: outside the freeze
  ids.otherComponent = (await approved(planned('Vacuum the orders table', '2027-03-11T15:00:00Z', '2027-03-11T16:00:00Z', 'Database'))).id;
  ids.later = (await approved(planned('Upgrade the API to Node 24', '2027-03-18T15:00:00Z', '2027-03-18T16:00:00Z'))).id;
}, 180_000);
afterAll(() => api?.stop());

describe('Rule: an admin declares a freeze as a draft and previews what it would hit', () => {
  it('refuses anyone but an admin, and bad input field by field, and writes nothing', async () => {
    expect((await api.call('POST', '/freezes', { as: 'erin', body: FREEZE })).status).toBe(403);
    const cases: [object, string, RegExp][] = [
      [{ ...FREEZE, end: '2027-03-09T00:00:00Z' }, 'body.end', /after start/],
      [{ ...FREEZE, components: ['*', 'API Server'] }, 'body.components', /stands alone/],
      [{ ...FREEZE, components: [] }, 'body.components', /at least one component/],
      [{ ...FREEZE, owner: 'nobody' }, 'body.owner', /no person with id "nobody"/],
      [{ ...FREEZE, reason: 'launch' }, 'body.reason', /in a sentence/],
      [{ ...FREEZE, end: '2027-07-01T00:00:00Z' }, 'body.end', /at most 92 days/],
      [{ ...FREEZE, start: 'tomorrow' }, 'body.start', /ISO 8601/],
      [{ ...FREEZE, colour: 'blue' }, 'body', /colour/],
    ];
    for (const [body, path, message] of cases) {
      const res = await api.call('POST', '/freezes', { as: 'ada', body });
      expect(res.status, res.text).toBe(400);
      const issue = (res.body.issues as { path: string; message: string }[]).find((i) => i.path === path);
      expect(issue?.message ?? res.text, JSON.stringify(body)).toMatch(message);
    }
    expect((await api.call('GET', '/freezes', { as: 'alice' })).body.items).toEqual([]);
  });

  it('is a draft that holds nothing yet, and its preview lists the planned and in-flight changes it hits', async () => {
    const res = await api.call('POST', '/freezes', { as: 'ada', body: FREEZE });
    expect(res.status, res.text).toBe(201);
    freezeId = res.body.id;
    expect(res.headers.get('location')).toBe(`/freezes/${freezeId}`);
    expect(res.body).toMatchObject({ state: 'draft', owner: { id: 'erin', name: 'Erin Evans' }, components: ['API Server'], version: 1 });
    const preview = (await api.call('GET', `/freezes/${freezeId}`, { as: 'alice' })).body;
    expect(preview.hits.map((h: { id: string }) => h.id)).toEqual([ids.approved, ids.pending]);
    expect(preview.hits.map((h: { held: boolean; state: string }) => [h.state, h.held])).toEqual([
      ['approved', false],
      ['pending_approval', false],
    ]);
    expect(await actions(ids.approved!)).not.toContain('hold');
    expect((await gateAt(ids.approved!, '2027-03-11T15:30:00Z')).reasons.map((r: { code: string }) => r.code)).not.toContain('freeze');
  });
});

describe('Rule: enforcing a freeze puts the changes it hits on hold, tells their requestors, and the gate and start refuse them in it', () => {
  it('holds exactly the changes the preview listed, each once, with a notice to its requestor', async () => {
    const res = await api.call('POST', `/freezes/${freezeId}/enforce`, { as: 'ada' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.freeze.state).toBe('enforced');
    expect(res.body.held.sort()).toEqual([ids.approved, ids.pending].sort());
    expect(res.body.failed).toEqual([]);
    await api.system.events.idle();
    expect(await mailTo('alice@example.com', `${ids.approved} is on hold`)).toHaveLength(1);
    expect(await mailTo('bob@example.com', `${ids.pending} is on hold`)).toHaveLength(1);
    for (const id of [ids.otherComponent!, ids.later!]) expect(await actions(id)).not.toContain('hold');
    // the blackout check twice: nothing held twice, nobody told twice
    await blackoutCheck();
    await blackoutCheck();
    expect((await actions(ids.approved!)).filter((a) => a === 'hold')).toHaveLength(1);
    expect(await mailTo('alice@example.com', `${ids.approved} is on hold`)).toHaveLength(1);
    expect((await api.call('POST', `/freezes/${freezeId}/enforce`, { as: 'ada' })).status).toBe(409);
  });

  it('the gate denies a held change inside the freeze, naming the freeze, its owner and how to ask; outside it, the freeze says nothing', async () => {
    const gate = await gateAt(ids.approved!, '2027-03-11T15:30:00Z');
    expect(gate.decision).toBe('deny');
    const freeze = gate.reasons.find((r: { code: string }) => r.code === 'freeze');
    expect(freeze.message).toContain('"Q1 launch freeze"');
    expect(freeze.message).toContain('owner Erin Evans');
    expect(freeze.message).toContain(`POST /freezes/${freezeId}/exceptions`);
    expect((await gateAt(ids.later!, '2027-03-18T15:30:00Z')).reasons.map((r: { code: string }) => r.code)).not.toContain('freeze');
    expect((await gateAt(ids.otherComponent!, '2027-03-11T15:30:00Z')).reasons.map((r: { code: string }) => r.code)).not.toContain('freeze');
  });

  it('start is refused inside the freeze with the same reason, and the change stays approved', async () => {
    await ready(ids.approved!, '2027-03-11T15:00:00Z');
    const res = await api.call('POST', `/changes/${ids.approved}/start`, { as: 'alice' });
    expect(res.status, res.text).toBe(422);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['gate.freeze']);
    expect((await change(ids.approved!)).state).toBe('approved');
  });
});

/** Its checklist ticked, its T-1h notice out, the clock five minutes into its window. */
async function ready(id: string, windowStart: string) {
  expect((await api.call('POST', `/changes/${id}/checklist`, { as: 'oscar', body: { tick: MANUAL_ITEMS } })).status).toBe(200);
  now = new Date(Date.parse(windowStart) - 55 * 60_000);
  await api.system.jobs.TimelineNotifications!();
  await api.system.events.idle();
  now = new Date(Date.parse(windowStart) + 5 * 60_000);
}

describe('Rule: an exception is asked by the requestor with a reason, decided by the freeze owner only, and lets the change through', () => {
  it('refuses anyone but the requestor, a reason short of a sentence, and a change the freeze does not cover', async () => {
    const ask = (as: Who, body: object) => api.call('POST', `/freezes/${freezeId}/exceptions`, { as, body });
    const reason = 'The launch itself needs the v2 checkout API live on launch day.';
    expect((await ask('tom', { change: ids.approved, reason })).status).toBe(403);
    const short = await ask('alice', { change: ids.approved, reason: 'launch day' });
    expect(short.status).toBe(400);
    expect(short.body.issues[0]).toMatchObject({ path: 'body.reason' });
    expect((await ask('alice', { change: ids.later, reason })).status).toBe(409);
    expect((await ask('alice', { change: 'CR-2027-01-01-999', reason })).status).toBe(404);
    expect((await ask('alice', { change: 'not-a-change', reason })).status).toBe(400);
    expect((await change(ids.approved!)).freezeExceptions).toBeUndefined();
  });

  it('is asked once, and its owner is told', async () => {
    const body = { change: ids.approved, reason: 'The launch itself needs the v2 checkout API live on launch day.' };
    const res = await api.call('POST', `/freezes/${freezeId}/exceptions`, { as: 'alice', body });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ change: ids.approved, state: 'requested', held: true, components: ['API Server'] });
    expect(res.body.window).toEqual({ start: '2027-03-11T15:00:00Z', end: '2027-03-11T16:00:00Z' });
    expect((await api.call('POST', `/freezes/${freezeId}/exceptions`, { as: 'alice', body })).status).toBe(409);
    await api.system.events.idle();
    expect(await mailTo('erin@example.com', `Exception asked to your freeze "Q1 launch freeze" for ${ids.approved}`)).toHaveLength(1);
  });

  it('the requestor never decides it, nor anyone but the owner; a rejection needs a comment', async () => {
    const decide = (as: Who, body: object) => api.call('POST', `/freezes/${freezeId}/exceptions/${ids.approved}/decision`, { as, body });
    const own = await decide('alice', { decision: 'approve' });
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/never the requestor/);
    expect((await decide('tom', { decision: 'approve' })).status).toBe(403);
    expect((await decide('ada', { decision: 'approve' })).status).toBe(403);
    const bare = await decide('erin', { decision: 'reject' });
    expect(bare.status).toBe(400);
    expect(bare.body.issues[0]).toMatchObject({ path: 'body.comment' });
    expect((await decide('erin', { decision: 'maybe' })).status).toBe(400);
    expect((await change(ids.approved!)).freezeExceptions[0].state).toBe('requested');
  });

  it("the owner's approval releases the hold; the gate allows the change and names the exception, and start records it", async () => {
    const res = await api.call('POST', `/freezes/${freezeId}/exceptions/${ids.approved}/decision`, {
      as: 'erin',
      body: { decision: 'approve', comment: 'The launch is why we froze.' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ state: 'approved', held: false, reviewDueBy: '2027-03-12T16:00:00.000Z' });
    await api.system.events.idle();
    expect(await mailTo('alice@example.com', `Exception to the freeze "Q1 launch freeze" for ${ids.approved} approved`)).toHaveLength(1);
    const gate = await gateAt(ids.approved!, '2027-03-11T15:30:00Z');
    expect(gate.decision, JSON.stringify(gate.reasons)).toBe('allow');
    expect(gate.notes.join(' ')).toMatch(/freeze exception: Erin Evans let it through the freeze "Q1 launch freeze"/);
    const started = await api.call('POST', `/changes/${ids.approved}/start`, { as: 'alice' });
    expect(started.status, started.text).toBe(200);
    const entry = (started.body.audit as { action: string; reason: string; detail?: any }[]).find((a) => a.action === 'start')!;
    expect(entry.reason).toContain(`the exception Erin Evans approved to the freeze "Q1 launch freeze" (${freezeId})`);
    expect(entry.detail.freeze).toEqual({ id: freezeId, title: 'Q1 launch freeze', owner: 'Erin Evans' });
    // the blackout check does not hold it again
    await blackoutCheck();
    expect((await actions(ids.approved!)).filter((a) => a === 'hold')).toHaveLength(1);
  });

  it('an owner who requested the change cannot approve its exception; an admin names another owner, who can', async () => {
    const tomsOwn = await approvedBy('paula', planned("Tom's API hotfix", '2027-03-12T15:00:00Z', '2027-03-12T16:00:00Z'));
    const own = await api.call('POST', '/freezes', { as: 'ada', body: { ...FREEZE, title: 'Tech-lead freeze', owner: 'tom', start: '2027-03-12T00:00:00Z' } });
    expect(own.status, own.text).toBe(201);
    const ownId = own.body.id as string;
    expect((await api.call('POST', `/freezes/${ownId}/enforce`, { as: 'ada' })).body.held).toContain(tomsOwn);
    const reason = 'The hotfix closes a data leak in the API and cannot wait.';
    expect((await api.call('POST', `/freezes/${ownId}/exceptions`, { as: 'tom', body: { change: tomsOwn, reason } })).status).toBe(201);
    const self = await api.call('POST', `/freezes/${ownId}/exceptions/${tomsOwn}/decision`, { as: 'tom', body: { decision: 'approve' } });
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/an admin must name another owner/);
    const stale = await api.call('PATCH', `/freezes/${ownId}`, { as: 'ada', body: { owner: 'ed' }, headers: { 'if-match': '1' } });
    expect(stale.status).toBe(409);
    // bad changes are refused field by field, and change nothing
    const bad: [object, string, RegExp][] = [
      [{ end: '2027-03-11T00:00:00Z' }, 'body.end', /after start/],
      [{ owner: 'nobody' }, 'body.owner', /no person with id "nobody"/],
      [{ components: ['*', 'Database'] }, 'body.components', /stands alone/],
      [{}, 'body', /at least one field/],
    ];
    for (const [body, path, message] of bad) {
      const res = await api.call('PATCH', `/freezes/${ownId}`, { as: 'ada', body });
      expect(res.status, res.text).toBe(400);
      expect((res.body.issues as { path: string; message: string }[]).find((i) => i.path === path)?.message ?? res.text).toMatch(message);
    }
    expect((await api.call('PATCH', `/freezes/${ownId}`, { as: 'tom', body: { owner: 'ed' } })).status).toBe(403);
    expect((await api.call('PATCH', '/freezes/not-a-freeze', { as: 'ada', body: { owner: 'ed' } })).status).toBe(400);
    expect((await api.call('GET', `/freezes/${ownId}`, { as: 'ada' })).body).toMatchObject({
      version: 2,
      owner: { id: 'tom' },
      end: '2027-03-13T00:00:00.000Z',
    });
    const moved = await api.call('PATCH', `/freezes/${ownId}`, { as: 'ada', body: { owner: 'ed' } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.freeze.owner).toEqual({ id: 'ed', name: 'Ed Edwards' });
    expect((await api.call('POST', `/freezes/${ownId}/exceptions/${tomsOwn}/decision`, { as: 'ed', body: { decision: 'approve' } })).status).toBe(200);
    expect((await api.call('POST', `/freezes/${ownId}/lift`, { as: 'ada' })).status).toBe(200);
  });
});

/** Approved by `approver` for a change `tom` files. */
async function approvedBy(approver: Who, content: ChangeContent): Promise<string> {
  const cr = await pending(content, 'tom');
  for (const slot of cr.requiredApprovals.slots as { slot: string }[]) {
    const res = await api.call('POST', `/changes/${cr.id}/approve`, { as: slot.slot === 'tech-lead' ? approver : 'erin', body: { revision: cr.revision } });
    expect(res.status, res.text).toBe(200);
  }
  return cr.id;
}

describe('Rule: the owner reviews an approved exception within 24 hours after the change', () => {
  it('is refused while the change is under way, asked for once it is over, flagged once overdue, and taken from the owner only', async () => {
    const id = ids.pending!;
    const reason = 'The rate limits must rise before the launch traffic arrives.';
    expect((await api.call('POST', `/freezes/${freezeId}/exceptions`, { as: 'bob', body: { change: id, reason } })).status).toBe(201);
    expect((await api.call('POST', `/freezes/${freezeId}/exceptions/${id}/decision`, { as: 'erin', body: { decision: 'approve' } })).status).toBe(200);
    const review = (as: Who, comment: string) => api.call('POST', `/freezes/${freezeId}/exceptions/${id}/review`, { as, body: { comment } });
    // not over yet: its window is still to come
    expect((await review('erin', 'The limits went up without a hitch.')).status).toBe(409);
    // the requestor withdraws it: the change is over, the review due a day after
    expect((await api.call('POST', `/changes/${id}/cancel`, { as: 'bob', body: { reason: 'Launch traffic is lower than feared.' } })).status).toBe(200);
    await blackoutCheck();
    await blackoutCheck();
    expect(await mailTo('erin@example.com', `Review the exception to "Q1 launch freeze" for ${id}`)).toHaveLength(1);
    const cancelledAt = Date.parse((await change(id)).closedAt);
    now = new Date(cancelledAt + 25 * 3_600_000);
    await blackoutCheck();
    await blackoutCheck();
    expect(await mailTo('erin@example.com', `Overdue: review the exception to "Q1 launch freeze" for ${id}`)).toHaveLength(1);
    const view = (await api.call('GET', `/freezes/${freezeId}`, { as: 'alice' })).body;
    expect(view.exceptions.find((e: { change: string }) => e.change === id)).toMatchObject({ state: 'approved', reviewOverdue: true });
    expect((await review('bob', 'All good, it was cancelled in the end.')).status).toBe(403);
    expect((await review('erin', 'ok')).status).toBe(400);
    const done = await review('erin', 'Cancelled before its window: nothing ran inside the freeze.');
    expect(done.status, done.text).toBe(200);
    expect(done.body.review).toMatchObject({ by: 'erin', comment: 'Cancelled before its window: nothing ran inside the freeze.' });
    expect((await change(id)).audit.at(-1).reason).toMatch(/late: it was due/);
    expect((await review('erin', 'Reviewing it a second time.')).status).toBe(409);
  });
});

describe('Rule: lifting a freeze releases what it holds; a hold a failed write left undone is set right by the blackout check', () => {
  it('a change whose hold failed to write is held by the next blackout check, and released when the freeze lifts', async () => {
    now = new Date('2027-03-02T15:00:00Z');
    const late = (await approved(planned('Rotate the API signing keys', '2027-03-12T15:00:00Z', '2027-03-12T16:00:00Z'))).id;
    const gone = (await approved(planned('Rotate the API TLS certificate', '2027-03-12T17:00:00Z', '2027-03-12T18:00:00Z'))).id;
    const declared = await api.call('POST', '/freezes', { as: 'ada', body: { ...FREEZE, title: 'Audit freeze', owner: 'carol' } });
    const auditFreeze = declared.body.id as string;
    failChangeWrites = true;
    const enforced = await api.call('POST', `/freezes/${auditFreeze}/enforce`, { as: 'ada' }).finally(() => {
      failChangeWrites = false;
    });
    expect(enforced.status, enforced.text).toBe(200);
    expect(enforced.body.freeze.state).toBe('enforced');
    expect(enforced.body.failed.map((f: string) => f.split(':')[0])).toContain(late);
    expect(await holdsBy(late, auditFreeze)).toEqual([]);
    await blackoutCheck();
    expect(await holdsBy(late, auditFreeze)).toHaveLength(1);
    expect((await gateAt(late, '2027-03-12T15:30:00Z')).reasons.map((r: { message: string }) => r.message).join(' ')).toContain('"Audit freeze"');
    expect(await holdsBy(gone, auditFreeze)).toHaveLength(1);
    expect((await api.call('POST', `/changes/${gone}/cancel`, { as: 'alice', body: { reason: 'The certificate was renewed by the provider.' } })).status).toBe(
      200,
    );
    expect((await api.call('POST', `/freezes/${auditFreeze}/lift`, { as: 'ada', body: { colour: 'blue' } })).status).toBe(400);
    const lifted = await api.call('POST', `/freezes/${auditFreeze}/lift`, { as: 'ada', body: { comment: 'The auditors left early.' } });
    expect(lifted.status, lifted.text).toBe(200);
    expect(lifted.body.freeze.liftComment).toBe('The auditors left early.');
    expect(lifted.body.released).toContain(late);
    await api.system.events.idle();
    const released = await mailTo('alice@example.com', `${late} is released from the freeze "Audit freeze"`);
    expect(released).toHaveLength(1);
    expect(released[0]!.text).toContain('the freeze was lifted (The auditors left early.)');
    // a change closed meanwhile is released in its trail, without an email
    expect(lifted.body.released).toContain(gone);
    expect(await mailTo('alice@example.com', `${gone} is released`)).toEqual([]);
    expect((await gateAt(late, '2027-03-12T15:30:00Z')).reasons.map((r: { message: string }) => r.message).join(' ')).not.toContain('"Audit freeze"');
    expect((await api.call('POST', `/freezes/${auditFreeze}/lift`, { as: 'ada' })).status).toBe(409);
    const listed = (await api.call('GET', '/freezes?state=lifted', { as: 'bob' })).body.items.map((f: { id: string }) => f.id);
    expect(listed).toContain(auditFreeze);
    expect((await api.call('GET', '/freezes?state=thawed', { as: 'bob' })).status).toBe(400);
    expect((await api.call('GET', '/freezes/FRZ-00000000', { as: 'bob' })).status).toBe(404);
  });
});
