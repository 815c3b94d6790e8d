/**
 * Decisions from Slack, end to end on the local system: a local HTTP server answers as Slack's Web
 * API does (`users.lookupByEmail`, `users.info`, `chat.postMessage`, `chat.update`,
 * `chat.postEphemeral`, `views.open`: form-encoded calls with the bot token, `{"ok": …}` answers),
 * and the interactions are signed as Slack signs them (v0 HMAC of `v0:<timestamp>:<body>`). The
 * approver is asked in Slack with buttons; a click decides under the same rules as every channel;
 * the message is updated in place; the refusals (a forged signature, a replay, a Slack user with no
 * ChangeFlow identity or an unverified email, the requestor, a stale revision) change nothing.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { type Api, startApi } from './harness.js';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0001';
const BOT_TOKEN = 'xoxb-1234-5678-testtoken';
/** Slack's users, by id: their email and whether Slack verified it. */
const SLACK_USERS: Record<string, { name: string; email: string; confirmed: boolean }> = {
  U_TOM: { name: 'tom', email: 'tom@example.com', confirmed: true },
  U_PAULA: { name: 'paula', email: 'Paula@Example.com', confirmed: true },
  U_ALICE: { name: 'alice', email: 'alice@example.com', confirmed: true },
  U_MALLORY: { name: 'mallory', email: 'mallory@elsewhere.example', confirmed: true },
  U_IMPOSTOR: { name: 'not-erin', email: 'erin@example.com', confirmed: false },
};

interface SlackCall {
  method: string;
  args: Record<string, any>;
}
const calls: SlackCall[] = [];
let slack: Server;
let slackUrl = '';
let ts = 0;

/** Slack's Web API as documented: POST /api/<method>, form-encoded, `Authorization: Bearer xoxb-…`, HTTP 200 with `ok`. */
async function startSlack() {
  slack = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const method = req.url!.replace(/^\/api\//, '');
      const text = Buffer.concat(chunks).toString('utf8');
      const args: Record<string, any> = String(req.headers['content-type']).includes('json')
        ? JSON.parse(text || '{}')
        : Object.fromEntries(new URLSearchParams(text));
      for (const k of ['blocks', 'view']) if (typeof args[k] === 'string') args[k] = JSON.parse(args[k]);
      calls.push({ method, args });
      const send = (json: object) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return send({ ok: false, error: 'invalid_auth' });
      const byEmail = (email: string) => Object.entries(SLACK_USERS).find(([, u]) => u.email.toLowerCase() === email.toLowerCase() && u.confirmed);
      switch (method) {
        case 'users.lookupByEmail': {
          const found = byEmail(args.email);
          return send(
            found ? { ok: true, user: { id: found[0], name: found[1].name, profile: { email: found[1].email } } } : { ok: false, error: 'users_not_found' },
          );
        }
        case 'users.info': {
          const u = SLACK_USERS[args.user];
          if (!u) return send({ ok: false, error: 'user_not_found' });
          return send({
            ok: true,
            user: {
              id: args.user,
              team_id: 'T0001',
              name: u.name,
              real_name: u.name,
              deleted: false,
              is_email_confirmed: u.confirmed,
              profile: { email: u.email },
            },
          });
        }
        case 'chat.postMessage':
          return send({ ok: true, channel: `D_${args.channel}`, ts: `1700000000.${String(++ts).padStart(6, '0')}`, message: { text: args.text } });
        case 'chat.update':
          return send({ ok: true, channel: args.channel, ts: args.ts, text: args.text });
        case 'chat.postEphemeral':
          return send({ ok: true, message_ts: '1700000099.000001' });
        case 'views.open':
          return send({ ok: true, view: { id: 'V0001', callback_id: args.view?.callback_id } });
        default:
          return send({ ok: false, error: 'unknown_method' });
      }
    });
  });
  await new Promise<void>((ok) => slack.listen(0, '127.0.0.1', () => ok()));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
}

const now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let interactions = 0;

beforeAll(async () => {
  await startSlack();
  api = await startApi({ SLACK_SIGNING_SECRETS: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slackUrl }, { clock });
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await new Promise((ok) => slack?.close(ok));
});

/** A form-encoded interaction, signed as Slack signs it at `at` (seconds) with `secret`. */
function signed(payload: object, at = Math.floor(now / 1000), secret = SIGNING_SECRET) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${at}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(at), 'x-slack-signature': signature } };
}
const post = (request: ReturnType<typeof signed>) => api.call('POST', '/webhooks/slack', { as: null, raw: request.body, headers: request.headers });

/** A click on a button of the message ChangeFlow posted to `channel`, by the Slack user `user`. */
function click(user: string, action: 'changeflow.approve' | 'changeflow.reject', value: string, message: { channel: string; ts: string }) {
  interactions++;
  return {
    type: 'block_actions',
    user: { id: user, username: SLACK_USERS[user]?.name ?? user, name: SLACK_USERS[user]?.name ?? user, team_id: 'T0001' },
    api_app_id: 'A0001',
    team: { id: 'T0001', domain: 'acme' },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: `${interactions}.1700000000.abcdef${interactions}`,
    channel: { id: message.channel, name: 'directmessage' },
    message: { type: 'message', ts: message.ts, text: 'approval' },
    response_url: 'https://hooks.slack.com/actions/T0001/1/abc',
    actions: [{ type: 'button', action_id: action, block_id: 'decide', value, action_ts: `1700000001.${interactions}` }],
  };
}

/** The reason dialog submitted (view_submission), with the private metadata the dialog was opened with. */
function submitReason(user: string, metadata: string, reason: string) {
  interactions++;
  return {
    type: 'view_submission',
    user: { id: user, name: SLACK_USERS[user]?.name ?? user, team_id: 'T0001' },
    team: { id: 'T0001' },
    trigger_id: `${interactions}.1700000000.view${interactions}`,
    view: {
      id: `V${interactions}`,
      hash: `h${interactions}`,
      callback_id: 'changeflow.reject-reason',
      private_metadata: metadata,
      state: { values: { reason: { reason_input: { type: 'plain_text_input', value: reason } } } },
    },
  };
}

/** A normal change at medium risk filed by alice and submitted: its tech lead is asked in Slack. */
async function pendingChange(title: string) {
  const filed = await api.call('POST', '/changes', { as: 'alice', body: { ...completeContent('normal'), title } });
  expect(filed.status, filed.text).toBe(201);
  const cr = await api.submit(filed.body.id);
  await api.system.events.idle();
  return cr;
}
/** The approval message ChangeFlow posted to a Slack user for a change: where, and its buttons. */
function askedIn(user: string, changeId: string) {
  const call = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === user && String(c.args.text).includes(changeId)).at(-1);
  if (!call) return undefined;
  const actions = (call.args.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find((b) => b.type === 'actions')!;
  const index = calls.filter((c) => c.method === 'chat.postMessage').indexOf(call) + 1;
  return {
    message: { channel: `D_${user}`, ts: `1700000000.${String(index).padStart(6, '0')}` },
    approve: actions.elements!.find((e) => e.action_id === 'changeflow.approve')!.value!,
    reject: actions.elements!.find((e) => e.action_id === 'changeflow.reject')!.value!,
  };
}
const change = async (id: string) => (await api.call('GET', `/changes/${id}`, { as: 'erin' })).body;
const ephemeralTo = (user: string) => calls.filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user).map((c) => String(c.args.text));

describe('Rule: an approver is asked in Slack with Approve and Reject, and a click decides under the same rules as every channel', () => {
  let id = '';
  let asked: ReturnType<typeof askedIn>;
  it('the tech lead gets a direct message with the change, its risk, and the two buttons; the change logs it', async () => {
    const cr = await pendingChange('Rotate the payments API keys');
    id = cr.id;
    asked = askedIn('U_TOM', id);
    expect(asked, JSON.stringify(calls.map((c) => c.method))).toBeDefined();
    expect(JSON.parse(asked!.approve)).toEqual({ c: id, r: 1, s: 'tech-lead' });
    const post = calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === 'U_TOM')!;
    expect(post.args.text).toContain(`${id} Rotate the payments API keys (normal, medium risk)`);
    const log = (await change(id)).communications as { channel: string; recipients: string[] }[] | undefined;
    const viewed = log ?? (await api.call('GET', `/changes/${id}`, { as: 'alice' })).body.communications;
    expect(viewed.filter((e: { channel: string }) => e.channel === 'slack').map((e: { recipients: string[] }) => e.recipients)).toContainEqual([
      'tom@example.com (Slack U_TOM)',
    ]);
  });

  it('a forged signature, a stale timestamp, or no signature is refused (401) and nothing is kept', async () => {
    const payload = click('U_TOM', 'changeflow.approve', asked!.approve, asked!.message);
    expect((await post(signed(payload, undefined, 'not-the-signing-secret-000000'))).status).toBe(401);
    expect((await post(signed(payload, Math.floor(now / 1000) - 301))).status).toBe(401);
    const unsigned = signed(payload);
    expect((await post({ ...unsigned, headers: { 'content-type': unsigned.headers['content-type'] } as never })).status).toBe(401);
    await api.system.events.idle();
    expect((await change(id)).state).toBe('pending_approval');
    const kept = (await api.call('GET', '/webhooks/deliveries?source=slack', { as: 'ada' })).body.items;
    expect(kept).toEqual([]);
  });

  it('a Slack user ChangeFlow does not know, or whose email Slack has not verified, decides nothing and is told why', async () => {
    expect((await post(signed(click('U_MALLORY', 'changeflow.approve', asked!.approve, asked!.message)))).status).toBe(200);
    expect((await post(signed(click('U_IMPOSTOR', 'changeflow.approve', asked!.approve, asked!.message)))).status).toBe(200);
    expect((await post(signed(click('U_NOBODY', 'changeflow.approve', asked!.approve, asked!.message)))).status).toBe(200);
    await api.system.events.idle();
    expect((await change(id)).state).toBe('pending_approval');
    expect(ephemeralTo('U_MALLORY').join(' ')).toContain('no ChangeFlow person has the email mallory@elsewhere.example');
    expect(ephemeralTo('U_IMPOSTOR').join(' ')).toContain('is not verified by Slack');
    expect(ephemeralTo('U_NOBODY').join(' ')).toContain('unknown to Slack');
    expect(calls.filter((c) => c.method === 'chat.update')).toEqual([]);
  });

  it('the requestor cannot approve their own change from Slack either', async () => {
    await post(signed(click('U_ALICE', 'changeflow.approve', asked!.approve, asked!.message)));
    await api.system.events.idle();
    expect((await change(id)).state).toBe('pending_approval');
    expect(ephemeralTo('U_ALICE').join(' ')).toMatch(/ChangeFlow did not approve .*: .*(own|requestor)/i);
  });

  it("the tech lead's click approves it, recorded as decided in Slack, and the message is updated in place without its buttons", async () => {
    const request = signed(click('U_TOM', 'changeflow.approve', asked!.approve, asked!.message));
    const res = await post(request);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await api.system.events.idle();
    const cr = await change(id);
    expect(cr.state).toBe('approved');
    expect(cr.approvals).toMatchObject([{ by: 'tom', slot: 'tech-lead', channel: 'slack', revision: 1 }]);
    // the message clicked, in place: first by the decision, then by the approval's event (it closes every ask of the change)
    const updates = calls.filter((c) => c.method === 'chat.update' && c.args.ts === asked!.message.ts);
    expect(updates.map((u) => u.args.channel)).toEqual([asked!.message.channel, asked!.message.channel]);
    expect(updates[0]!.args.text).toContain('Tom Tanaka approved (in Slack)');
    expect(updates[1]!.args.text).toContain('approved by Tom Tanaka');
    for (const u of updates) expect((u.args.blocks as { type: string }[]).map((b) => b.type)).not.toContain('actions');
    const updatesSoFar = calls.filter((c) => c.method === 'chat.update').length;

    // the same signed request again, within Slack's five minutes: answered, acted on once
    const again = await post(request);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-changeflow-duplicate')).toBe('true');
    await api.system.events.idle();
    expect((await change(id)).approvals).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'chat.update')).toHaveLength(updatesSoFar);
  });
});

describe('Rule: a change decided elsewhere, or revised, closes its approval messages in Slack', () => {
  it('approved in the API: the Slack message loses its buttons and says who decided', async () => {
    const cr = await pendingChange('Rotate the session signing keys');
    const asked = askedIn('U_TOM', cr.id)!;
    expect((await api.call('POST', `/changes/${cr.id}/approve`, { as: 'tom', body: { revision: 1 } })).status).toBe(200);
    await api.system.events.idle();
    const updates = calls.filter((c) => c.method === 'chat.update' && c.args.ts === asked.message.ts);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args.text).toContain('approved by Tom Tanaka');
    expect((updates[0]!.args.blocks as { type: string }[]).map((b) => b.type)).not.toContain('actions');
  });
  it('revised and submitted again: the old message is closed, the new one keeps its buttons', async () => {
    const cr = await pendingChange('Move the audit log to cold storage');
    const old = askedIn('U_TOM', cr.id)!;
    expect((await api.call('PATCH', `/changes/${cr.id}`, { as: 'alice', body: { title: 'Move the audit log to cold storage, encrypted' } })).status).toBe(200);
    await api.submit(cr.id);
    await api.system.events.idle();
    const fresh = askedIn('U_TOM', cr.id)!;
    expect(fresh.message.ts).not.toBe(old.message.ts);
    expect(calls.filter((c) => c.method === 'chat.update' && c.args.ts === old.message.ts).map((c) => String(c.args.text))).toEqual([
      expect.stringContaining('revised'),
    ]);
    expect(calls.filter((c) => c.method === 'chat.update' && c.args.ts === fresh.message.ts)).toEqual([]);
  });
});

describe('Rule: Reject asks for the reason in a dialog; a reason short of a sentence is refused on the field; a stale revision is refused', () => {
  it('opens the dialog, refuses a short reason, and rejects with the reason given', async () => {
    const cr = await pendingChange('Drop the legacy refunds table');
    const asked = askedIn('U_TOM', cr.id)!;
    expect((await post(signed(click('U_TOM', 'changeflow.reject', asked.reject, asked.message)))).status).toBe(200);
    const opened = calls.filter((c) => c.method === 'views.open').at(-1)!;
    expect(opened.args.view.callback_id).toBe('changeflow.reject-reason');
    expect(opened.args.trigger_id).toMatch(/\.1700000000\.abcdef/);
    await api.system.events.idle();
    expect((await change(cr.id)).state).toBe('pending_approval');
    const short = await post(signed(submitReason('U_TOM', opened.args.view.private_metadata, 'no')));
    expect(short.status).toBe(200);
    expect(short.body).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('in a sentence') } });
    const done = await post(signed(submitReason('U_TOM', opened.args.view.private_metadata, 'The refunds report still reads this table.')));
    expect(done.status).toBe(200);
    expect(done.text).toBe('');
    await api.system.events.idle();
    const after = await change(cr.id);
    expect(after.state).toBe('rejected');
    const entry = (after.audit as { action: string; reason?: string; detail?: { channel?: string } }[]).find((a) => a.action === 'reject')!;
    expect(entry.reason).toContain('The refunds report still reads this table.');
    expect(entry.detail?.channel).toBe('slack');
    expect(calls.filter((c) => c.method === 'chat.update').at(-1)!.args).toMatchObject({ channel: asked.message.channel, ts: asked.message.ts });
  });

  it('a button for a revision since replaced decides nothing', async () => {
    const cr = await pendingChange('Resize the session cache');
    const asked = askedIn('U_TOM', cr.id)!;
    const revised = await api.call('PATCH', `/changes/${cr.id}`, { as: 'alice', body: { title: 'Resize the session cache to 8 GB' } });
    expect(revised.status, revised.text).toBe(200);
    await api.submit(cr.id);
    await api.system.events.idle();
    expect(JSON.parse(askedIn('U_TOM', cr.id)!.approve).r).toBe(2);
    await post(signed(click('U_TOM', 'changeflow.approve', asked.approve, asked.message)));
    await api.system.events.idle();
    const after = await change(cr.id);
    expect(after.approvals).toEqual([]);
    expect(ephemeralTo('U_TOM').at(-1)).toMatch(/revision 1/);
  });

  it('a body that is not a Slack interaction is a 400 that names the field', async () => {
    const at = Math.floor(now / 1000);
    const body = 'nothing=here';
    const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${at}:${body}`).digest('hex')}`;
    const res = await api.call('POST', '/webhooks/slack', {
      as: null,
      raw: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(at), 'x-slack-signature': signature },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('body.payload');
  });
});
