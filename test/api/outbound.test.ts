/**
 * Events out, on the local runtime: Slack incoming webhooks per channel, PagerDuty change events
 * and admin-registered subscribers signed with Standard Webhooks, each received by a local HTTP
 * server answering as the real one does (Slack `ok`, PagerDuty 202, a subscriber 2xx), and the
 * failure paths: a subscriber that answers 503 is retried and gets the event once; one that
 * answers 410 is recorded as failed and not retried; an admin redelivers it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readyChange, sendCi, windowsOn } from './deliveries.js';
import { startApi, type Api, type Who } from './harness.js';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A local HTTP server: records what it is sent, answers what `answer` says for the path. */
async function receiver(answer: (path: string, n: number) => { status: number; body: string }) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      received.push({ path, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(path, n);
      res.writeHead(a.status, { 'content-type': a.body.startsWith('{') ? 'application/json' : 'text/plain' });
      res.end(a.body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const CI = `whsec_${Buffer.from('a ci secret of thirty-two bytes!').toString('base64')}`;
let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let slack: Awaited<ReturnType<typeof receiver>>;
let pagerduty: Awaited<ReturnType<typeof receiver>>;
let subscriber: Awaited<ReturnType<typeof receiver>>;
let deliveries = 0;

beforeAll(async () => {
  // Slack answers "ok"; the "leadership" hook answers 500 twice before it takes a message
  slack = await receiver((path, n) => (path === '/leadership' && n <= 2 ? { status: 500, body: 'internal_error' } : { status: 200, body: 'ok' }));
  pagerduty = await receiver(() => ({ status: 202, body: '{"status":"success","message":"Change event processed"}' }));
  // /flaky answers 503 first; /gone answers 410 until an admin redelivers (then 200)
  let gone = 410;
  subscriber = await receiver((path, n) => {
    if ((path === '/flaky' || path === '/once-busy') && n === 1) return { status: 503, body: 'busy' };
    if (path === '/gone') return { status: gone, body: gone === 410 ? 'gone' : 'ok' };
    return { status: 204, body: '' };
  });
  (subscriber as unknown as { revive: () => void }).revive = () => {
    gone = 200;
  };
  api = await startApi(
    {
      MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5',
      CI_WEBHOOK_SECRETS: CI,
      SLACK_WEBHOOKS: JSON.stringify({
        engineering: `${slack.url}/engineering`,
        support: `${slack.url}/support`,
        leadership: `${slack.url}/leadership`,
        incidents: `${slack.url}/incidents`,
      }),
      PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001'.replace('R', 'a'),
      PAGERDUTY_EVENTS_URL: `${pagerduty.url}/v2/change/enqueue`,
    },
    { clock, workflowWaitScale: 5e-4, eventRetries: { attempts: 5, retryBaseMs: 20, maxDelayMs: 100 } },
  );
});
afterAll(async () => {
  await api?.stop();
  for (const r of [slack, pagerduty, subscriber]) r?.server.close();
});
beforeEach(() => {
  for (const r of [slack, pagerduty, subscriber]) r.received.length = 0;
});

/**
 * A subscriber's check of a delivery: Standard Webhooks' signature over id, timestamp and body with
 * its secret, at ChangeFlow's clock (the library's own verify compares with the machine's clock,
 * and these tests move ChangeFlow's to 2027).
 */
function verifySigned(secret: string, r: Received): { type: string; data: { changeId: string } } {
  const id = r.headers['webhook-id']!;
  const ts = Number(r.headers['webhook-timestamp']);
  expect(ts).toBe(Math.floor(now / 1000));
  expect(r.headers['webhook-signature']).toBe(new Webhook(secret).sign(id, new Date(ts * 1000), r.body));
  return JSON.parse(r.body);
}

async function call(method: string, path: string, as: Who, body?: object, status = 200) {
  const res = await api.call(method, path, { as, body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res.body;
}

const windows = windowsOn((ms) => {
  now = ms;
});
const approvedChange = async () => (await readyChange(api, windows)).id;

async function ci(body: object) {
  const res = await sendCi(api, CI, now, body, `msg_out_${++deliveries}`);
  expect(res.status, res.text).toBe(202);
  await api.system.events.idle();
}

describe('Rule: Slack hears of a deployment in the change’s stakeholder channels, in short Block Kit linking to the change', () => {
  it('deployed: #engineering and #support (the fixture’s stakeholders), once each, with the link', async () => {
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed' });
    const mine = slack.received.filter((r) => r.body.includes(id) && r.body.includes('deployed'));
    expect(mine.map((r) => r.path).sort()).toEqual(['/engineering', '/support']);
    const message = JSON.parse(mine[0]!.body);
    expect(message.text).toContain(`${id} deployed`);
    expect(message.blocks[0].text.text).toContain(`<${api.system.url}/changes/${id}|${id}>`);
  });
});

describe('Rule: PagerDuty gets a change event when a change is deployed and when it is rolled back', () => {
  it('the deployment, then the rollback: two change events with the routing key, the change’s facts and its link', async () => {
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed', commit: 'c0ffee1' });
    await ci({ changeRequest: id, event: 'rolled_back', description: 'error rate 7%' });
    const events = pagerduty.received.filter((r) => r.body.includes(id)).map((r) => JSON.parse(r.body));
    expect(events.map((e) => e.payload.summary)).toEqual([expect.stringContaining(`${id} deployed`), expect.stringContaining(`${id} rolled back`)]);
    expect(events[0]).toMatchObject({
      routing_key: 'a0UTINGKEY0000000000000000000001',
      payload: { source: 'changeflow', custom_details: { change_id: id, risk: 'medium', commit: 'c0ffee1', environment: 'production' } },
      links: [{ href: `${api.system.url}/changes/${id}` }],
    });
  });
});

describe('Rule: subscribers get the events they chose, signed with Standard Webhooks, once, retried when they fail for now', () => {
  it('an admin registers a subscriber for RollbackRequested and ChangeDeployed; its deliveries verify with the secret given once', async () => {
    expect((await api.call('POST', '/subscriptions', { as: 'alice', body: { url: `${subscriber.url}/hook`, events: ['*'] } })).status).toBe(403);
    const bad = await api.call('POST', '/subscriptions', { as: 'ada', body: { url: `${subscriber.url}/hook`, events: ['ChangeShipped'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ path: 'body.events', message: expect.stringContaining('ChangeShipped is not an event type') });
    const sub = await call(
      'POST',
      '/subscriptions',
      'ada',
      { url: `${subscriber.url}/hook`, events: ['ChangeDeployed', 'RollbackRequested'], description: 'the deploy bot' },
      201,
    );
    expect(sub.secret).toMatch(/^whsec_/);
    const listed = await call('GET', '/subscriptions', 'ada');
    expect(listed.items.find((s: { id: string }) => s.id === sub.id)).not.toHaveProperty('secret');

    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed' });
    const got = subscriber.received.filter((r) => r.path === '/hook');
    expect(got).toHaveLength(1);
    const verified = verifySigned(sub.secret, got[0]!);
    expect(() => verifySigned(`whsec_${Buffer.from('somebody else’s secret, 32 bytes').toString('base64')}`, got[0]!)).toThrow();
    expect(verified).toMatchObject({ type: 'ChangeDeployed', data: { changeId: id } });
    const log = await call('GET', `/subscriptions/${sub.id}/deliveries`, 'ada');
    expect(log.items[0]).toMatchObject({ eventType: 'ChangeDeployed', status: 'delivered', attempts: 1, httpStatus: 204 });
    await call('DELETE', `/subscriptions/${sub.id}`, 'ada', undefined, 204);
  });

  it('a subscriber that answers 503 is retried and gets the event once; Slack’s other channels are not sent again', async () => {
    const sub = await call('POST', '/subscriptions', 'ada', { url: `${subscriber.url}/flaky`, events: ['UnauthorizedChange'] }, 201);
    await ci({ event: 'deployed', environment: 'production', commit: 'bad1dea' });
    const got = subscriber.received.filter((r) => r.path === '/flaky');
    expect(got).toHaveLength(2);
    expect(got[0]!.headers['webhook-id']).toBe(got[1]!.headers['webhook-id']);
    const log = await call('GET', `/subscriptions/${sub.id}/deliveries`, 'ada');
    expect(log.items[0]).toMatchObject({ eventType: 'UnauthorizedChange', status: 'delivered', attempts: 2 });
    // #leadership answered 500 twice: three posts there, one to #engineering
    const unauthorized = slack.received.filter((r) => r.body.includes('bad1dea'));
    expect(unauthorized.filter((r) => r.path === '/engineering')).toHaveLength(1);
    expect(unauthorized.filter((r) => r.path === '/leadership').length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(unauthorized[0]!.body).text).toContain('Unauthorized change');
    await call('DELETE', `/subscriptions/${sub.id}`, 'ada', undefined, 204);
  });

  it('a subscriber that answers 410 is recorded as failed and not retried; an admin redelivers it once it is back', async () => {
    const sub = await call('POST', '/subscriptions', 'ada', { url: `${subscriber.url}/gone`, events: ['ChangeDeployed'] }, 201);
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed' });
    expect(subscriber.received.filter((r) => r.path === '/gone')).toHaveLength(1);
    const [failed] = (await call('GET', `/subscriptions/${sub.id}/deliveries`, 'ada')).items;
    expect(failed).toMatchObject({ status: 'failed', httpStatus: 410, attempts: 1 });
    (subscriber as unknown as { revive: () => void }).revive();
    const after = await call('POST', `/subscriptions/${sub.id}/redeliver`, 'ada', { delivery: failed.key });
    expect(after).toMatchObject({ status: 'delivered', httpStatus: 200, attempts: 2 });
    const again = subscriber.received.filter((r) => r.path === '/gone').at(-1)!;
    expect(verifySigned(sub.secret, again).data.changeId).toBe(id);
    expect((await api.call('POST', `/subscriptions/${sub.id}/redeliver`, { as: 'ada', body: { delivery: 'nope' } })).status).toBe(404);
  });

  it('a plain-http or credentialed URL is refused where http is not allowed', async () => {
    const res = await api.call('POST', '/subscriptions', { as: 'ada', body: { url: 'https://user:pw@example.com/hook', events: ['*'] } });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('body.url');
  });
});

describe('Rule: an unauthorized change is emailed to engineering and leadership', () => {
  it('one email to each stakeholder list, naming the commit', async () => {
    await ci({ event: 'deployed', environment: 'production', commit: 'feedface' });
    const mail = await api.system.mail.waitFor((m) => m.subject.includes('Unauthorized change') && m.text.includes('feedface'));
    expect(mail.to).toEqual(expect.arrayContaining(['engineering@example.com', 'leadership@example.com']));
  });
});

describe('Rule: every notice about a change is recorded on it: channel, recipients, notice, time, outcome', () => {
  it('the emails, Slack, PagerDuty and a subscriber that failed once: each sent once, the failed attempt kept, in the JSON and the Markdown', async () => {
    const sub = await call('POST', '/subscriptions', 'ada', { url: `${subscriber.url}/once-busy`, events: ['ChangeDeployed'] }, 201);
    const id = await approvedChange();
    await ci({ changeRequest: id, event: 'deployed' });
    const log = (await call('GET', `/changes/${id}`, 'alice')).communications as {
      at: string;
      channel: string;
      recipients: string[];
      template: string;
      outcome: string;
      subject?: string;
      detail?: string;
    }[];
    const of = (channel: string, template: string) => log.filter((e) => e.channel === channel && e.template === template);
    // the approval request email to the tech lead, the approval to the requestor, the T-1h notice
    expect(of('email', 'ApprovalRequested')).toEqual([
      expect.objectContaining({ recipients: ['tom@example.com'], outcome: 'sent', subject: expect.stringContaining(id) }),
    ]);
    expect(of('email', 'ChangeApproved').map((e) => [e.recipients, e.outcome])).toEqual([[['alice@example.com'], 'sent']]);
    expect(of('email', 'TimelineNotice T-1h')).toHaveLength(1);
    expect(
      of('slack', 'ChangeDeployed')
        .map((e) => [e.recipients, e.outcome])
        .sort(),
    ).toEqual([
      [['#engineering'], 'sent'],
      [['#support'], 'sent'],
    ]);
    expect(of('pagerduty', 'ChangeDeployed').map((e) => e.outcome)).toEqual(['sent']);
    // (the subscriber an earlier test left behind gets it too; this one is /once-busy)
    const hook = of('webhook', 'ChangeDeployed').filter((e) => e.recipients[0]!.endsWith('/once-busy'));
    expect(hook.map((e) => [e.recipients, e.outcome])).toEqual([
      [[`${subscriber.url}/once-busy`], 'failed'],
      [[`${subscriber.url}/once-busy`], 'sent'],
    ]);
    expect(hook[0]!.detail).toContain('503');
    // oldest first
    expect(log.map((e) => e.at)).toEqual([...log.map((e) => e.at)].sort());
    const md = (await api.call('GET', `/changes/${id}.md`, { as: 'alice' })).text;
    expect(md).toContain('## Communication Log');
    expect(md).toContain('| slack | #engineering | ChangeDeployed | sent |');
    expect(md).toMatch(new RegExp(`\\| webhook \\| ${subscriber.url.replace(/[.]/g, '\\.')}/once-busy \\| ChangeDeployed \\| failed \\(`));
    await call('DELETE', `/subscriptions/${sub.id}`, 'ada', undefined, 204);
  });
});
