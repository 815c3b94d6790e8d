import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/routes.js';
import { signToken } from '../../local/dev-auth.js';
import { completeContent, people } from '../fixtures.js';
import { routed, startApi, type Api, type Who } from './harness.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.stop());

const create = async (content: object = completeContent(), as: Who = 'alice') => {
  const res = await api.call('POST', '/changes', { body: content, as });
  expect(res.status).toBe(201);
  return res.body;
};
const countAll = async () => (await api.call('GET', '/changes?limit=100')).body.items.length as number;

describe('Route: GET /health, template, OpenAPI (public)', () => {
  it('answers health without a token', async () => {
    const res = await api.call('GET', '/health', { as: null });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('serves the blank Markdown template', async () => {
    const res = await api.call('GET', '/templates/change-request.md', { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(res.text).toMatch(/^# Change Request:/m);
    expect(res.text).toMatch(/### Likelihood/);
  });

  it('documents every route of the route table in OpenAPI', async () => {
    const { body } = await api.call('GET', '/openapi.json', { as: null });
    for (const route of ROUTE_GROUPS.flatMap((g) => g.routes)) {
      expect(body.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    expect(body.paths['/changes'].post.requestBody.content['application/json'].schema.properties.rollback).toBeDefined();
  });
});

describe('Route: POST /changes', () => {
  it('files a change: id in the org time zone, computed risk, required approvals, requestor from the token', async () => {
    // Act
    const res = await api.call('POST', '/changes', { body: completeContent('normal', { likelihood: 'medium', impact: 'high' }), as: 'bob' });
    // Assess
    const today = DateTime.now().setZone('America/New_York').toFormat('yyyy-MM-dd');
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(new RegExp(`^CR-${today}-\\d{3}$`));
    expect(res.headers.get('location')).toBe(`/changes/${res.body.id}`);
    expect(res.body).toMatchObject({ state: 'draft', riskLevel: 'high', requestor: { id: 'bob', team: 'platform' }, revision: 1 });
    expect(res.body.requiredApprovals.slots.map((s: { minRole: string }) => s.minRole)).toEqual(['eng-manager']);
    expect(res.body.audit).toHaveLength(1);
  });

  it('numbers changes of the same day in sequence', async () => {
    const a = await create();
    const b = await create();
    expect(Number(b.id.slice(-3))).toBe(Number(a.id.slice(-3)) + 1);
  });

  it('refuses a token signed with another key (401), as the JWT authorizer would', async () => {
    const forged = await signToken(people.alice, new TextEncoder().encode('not-the-development-key-000000000'));
    const res = await api.call('POST', '/changes', { as: null, body: completeContent(), headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it('files a change written on the Markdown template, and gives it back the same', async () => {
    // Prepare: a change rendered to the template by another ChangeFlow, as a person would paste it
    const source = await create(completeContent('major'));
    const markdown = (await api.call('GET', `/changes/${source.id}.md`)).text;
    // Act
    const res = await api.call('POST', '/changes', { raw: markdown, headers: { 'content-type': 'text/markdown' }, as: 'bob' });
    // Assess
    expect(res.status).toBe(201);
    expect(res.body.content).toEqual(source.content);
    expect(res.body.requestor.id).toBe('bob'); // the requestor in the document is ignored
  });

  it('refuses a blank Markdown template with 400 naming the title', async () => {
    const blank = (await api.call('GET', '/templates/change-request.md', { as: null })).text;
    const res = await api.call('POST', '/changes', { raw: blank, headers: { 'content-type': 'text/markdown' } });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain('content.title');
  });

  it('accepts a drafted change with only a title and category', async () => {
    const cr = await create({ title: 'Rotate the Redis password', category: 'normal' });
    expect(cr.requiredApprovals.route).toBe('undetermined');
  });

  describe('bad input gets a 4xx naming the field, and writes nothing', () => {
    it.each([
      ['no token', { as: null, body: completeContent() }, 401, undefined],
      ['malformed JSON', { raw: '{"title":', headers: { 'content-type': 'application/json' } }, 400, 'body'],
      ['unknown field', { body: { ...completeContent(), requestor: 'mallory' } }, 400, 'content'],
      ['wrong category', { body: { ...completeContent(), category: 'urgent' } }, 400, 'content.category'],
      ['missing title', { body: { category: 'normal' } }, 400, 'content.title'],
      [
        'planned window ending before it starts',
        { body: { ...completeContent(), plannedWindow: { start: '2026-12-01T15:00:00Z', end: '2026-12-01T14:00:00Z' } } },
        400,
        'content.plannedWindow.end',
      ],
      ['an unknown component', { body: { ...completeContent(), description: { components: ['Mainframe'] } } }, 400, 'content.description.components.0'],
      ['plain text', { raw: 'hello', headers: { 'content-type': 'text/plain' } }, 415, undefined],
      ['an empty body', { raw: '', headers: { 'content-type': 'application/json' } }, 400, 'body'],
      ['a body over the limit', { body: { ...completeContent(), implementation: { changes: 'x'.repeat(300_000) } } }, 413, undefined],
    ] as const)('%s → %i', async (_, options, status, path) => {
      const before = await countAll();
      const res = await api.call('POST', '/changes', options as never);
      expect(res.status).toBe(status);
      if (status !== 401) expect(res.body.message).toEqual(expect.any(String));
      if (path) expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      expect(await countAll()).toBe(before);
    });
  });
});

describe('Route: GET /changes/{id}', () => {
  it('returns the change with its audit trail', async () => {
    const cr = await create();
    const res = await api.call('GET', `/changes/${cr.id}`, { as: 'tom' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: cr.id, audit: [{ seq: 1, to: 'draft', actor: { id: 'alice' } }] });
    expect(res.headers.get('etag')).toBe(`"${cr.version}"`);
  });

  it('returns the change as the Markdown template with .md', async () => {
    const cr = await create();
    const res = await api.call('GET', `/changes/${cr.id}.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(res.text).toContain(`# Change Request: ${cr.content.title}`);
    expect(res.text).toContain(cr.id);
  });

  it('404 for a change that does not exist, 400 for something that is not an id', async () => {
    expect((await api.call('GET', '/changes/CR-1999-01-01-999')).status).toBe(404);
    const bad = await api.call('GET', '/changes/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('id');
  });
});

describe('Route: GET /changes (list)', () => {
  let local: Api;
  const ids: string[] = [];
  beforeAll(async () => {
    local = await startApi();
    for (const category of ['normal', 'major', 'normal'] as const) {
      const res = await local.call('POST', '/changes', { body: completeContent(category) });
      ids.push(res.body.id);
    }
    await local.submit(ids[0]!);
  });
  afterAll(() => local?.stop());

  it('lists newest first', async () => {
    const { body } = await local.call('GET', '/changes');
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([...ids].reverse());
  });

  it('filters by state and by category, and by both', async () => {
    expect((await local.call('GET', '/changes?state=pending_approval')).body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect((await local.call('GET', '/changes?category=major')).body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    expect((await local.call('GET', '/changes?state=draft&category=normal')).body.items.map((i: { id: string }) => i.id)).toEqual([ids[2]]);
  });

  it('filters by creation time [from, to)', async () => {
    const [newest, middle, oldest] = (await local.call('GET', '/changes')).body.items;
    const res = await local.call('GET', `/changes?from=${encodeURIComponent(middle.createdAt)}&to=${encodeURIComponent(newest.createdAt)}`);
    const got = res.body.items.map((i: { id: string }) => i.id);
    expect(got).toContain(middle.id);
    expect(got).not.toContain(newest.id); // `to` is exclusive
    if (oldest.createdAt < middle.createdAt) expect(got).not.toContain(oldest.id);
  });

  it('pages with a cursor, each change once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; cursor: string | null } } = await local.call('GET', `/changes?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by risk, component, requestor team and requestor, and searches ids and titles in any case', async () => {
    const list = async (qs: string) => (await local.call('GET', `/changes?${qs}`)).body.items.map((i: { id: string }) => i.id);
    const other = await local.call('POST', '/changes', {
      as: 'bob',
      body: {
        ...completeContent('normal', { likelihood: 'high', impact: 'critical' }),
        title: 'Resize the Redis cache',
        description: { summary: 'More memory.', motivation: 'Evictions.', components: ['Redis Cache'], otherComponents: ['Billing worker'] },
      },
    });
    expect(other.status, other.text).toBe(201);
    const redis = other.body.id as string;
    try {
      // the fixture's changes are medium × medium = medium; this one high × critical = critical
      expect(await list('risk=critical')).toEqual([redis]);
      expect(await list('risk=medium')).toEqual([...ids].reverse());
      expect(await list('component=Redis%20Cache')).toEqual([redis]);
      expect(await list('component=Billing%20worker')).toEqual([redis]);
      expect(await list('component=API%20Server')).toEqual([...ids].reverse());
      // alice is on payments, bob on platform (seed/directory.json)
      expect(await list('team=platform')).toEqual([redis]);
      expect(await list('requestor=alice')).toEqual([...ids].reverse());
      expect(await list('q=REDIS')).toEqual([redis]);
      expect(await list(`q=${redis.toLowerCase()}`)).toEqual([redis]);
      expect(await list('q=redis&category=major')).toEqual([]);
      expect(await list('q=node%2022&state=draft')).toEqual([ids[2], ids[1]]);
      // a filtered page still pages: each match once
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; cursor: string | null } } = await local.call(
          'GET',
          `/changes?risk=medium&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...res.body.items.map((i) => i.id));
        cursor = res.body.cursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      // a cursor of one filter is refused by another
      const first = await local.call('GET', '/changes?risk=medium&limit=1');
      const moved = await local.call('GET', `/changes?risk=critical&limit=1&cursor=${first.body.cursor}`);
      expect(moved.status).toBe(400);
      expect(moved.body.issues.map((i: { path: string }) => i.path)).toContain('query.cursor');
    } finally {
      await local.call('POST', `/changes/${redis}/cancel`, { as: 'bob', body: { reason: 'test over' } });
    }
  });

  it.each([
    ['state=open', 'query.state'],
    ['risk=extreme', 'query.risk'],
    ['q=', 'query.q'],
    ['limit=0', 'query.limit'],
    ['from=yesterday', 'query.from'],
    ['cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ['colour=red', 'query'],
  ])('refuses %s with 400 naming %s', async (qs, path) => {
    const res = await local.call('GET', `/changes?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
  });
});

describe('Rule: list cursors are opaque and tamper-evident', () => {
  let paged: Api;
  beforeAll(async () => {
    paged = await startApi();
    for (let i = 0; i < 3; i++) await paged.call('POST', '/changes', { body: completeContent() });
  });
  afterAll(() => paged?.stop());
  const first = async (qs = '') => (await paged.call('GET', `/changes?limit=1${qs}`)).body.cursor as string;

  it('a cursor with its position rewritten (another partition, valid key names) is refused 400, not passed to DynamoDB', async () => {
    // Prepare: the probe's forgery: a real cursor whose position names the state index's keys with another partition's values
    const [payload, mac] = (await first()).split('.') as [string, string];
    const opened = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { p: Record<string, string>; q: string };
    const forged = { ...opened, p: { ...opened.p, gsi3pk: 'SEQ#2026-12-01', pk: 'SEQ#2026-12-01' } };
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    // Act
    const res = await paged.call('GET', `/changes?limit=1&cursor=${tampered}`);
    // Assess
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path: 'query.cursor', message: expect.stringMatching(/altered, or made elsewhere/) }]);
  });

  it('a real cursor replayed with other filters is refused 400', async () => {
    const res = await paged.call('GET', `/changes?limit=1&state=draft&cursor=${await first()}`);
    expect(res.status).toBe(400);
    expect(res.body.issues[0].message).toMatch(/other filters/);
  });

  it('the same cursor with the same filters pages on', async () => {
    const res = await paged.call('GET', `/changes?limit=1&cursor=${await first()}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });
});

describe('Route: PATCH /changes/{id}', () => {
  it('edits with a merge patch: a new revision, and a pending change goes back to draft with approvals cleared', async () => {
    const cr = await create(completeContent('major'));
    await api.submit(cr.id);
    await api.call('POST', `/changes/${cr.id}/approve`, { as: 'erin', body: { revision: 1 } });
    const res = await api.call('PATCH', `/changes/${cr.id}`, {
      body: { rollback: { duration: '20 minutes' } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: 2, state: 'draft', approvals: [] });
    expect(res.body.content.rollback).toMatchObject({ duration: '20 minutes', procedure: cr.content.rollback.procedure });
  });

  it('null removes a field', async () => {
    const cr = await create();
    const res = await api.call('PATCH', `/changes/${cr.id}`, { body: { implementation: { estimatedDuration: null } } });
    expect(res.body.content.implementation.estimatedDuration).toBeUndefined();
  });

  it.each([
    ['a bad value', { risk: { likelihood: 'extreme' } }, {}, 400, 'content.risk.likelihood'],
    ['an empty patch', {}, {}, 400, 'content'],
    ['a stale If-Match', { title: 'New title' }, { 'if-match': '"99"' }, 409, undefined],
    ['a malformed If-Match', { title: 'New title' }, { 'if-match': 'banana' }, 400, 'headers.If-Match'],
  ] as const)('refuses %s (%i) and changes nothing', async (_, patch, headers, status, path) => {
    const cr = await create();
    const res = await api.call('PATCH', `/changes/${cr.id}`, { body: patch, headers: { ...headers } });
    expect(res.status).toBe(status);
    if (path) expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    if (status === 409) expect(res.body.currentVersion).toBe(cr.version);
    expect((await api.call('GET', `/changes/${cr.id}`)).body.version).toBe(cr.version);
  });

  it("403 for someone else's change", async () => {
    const cr = await create();
    expect((await api.call('PATCH', `/changes/${cr.id}`, { as: 'bob', body: { title: 'Mine now' } })).status).toBe(403);
  });
});

describe('Route: POST /changes/{id}/{action}', () => {
  describe('on a clock the test moves', () => {
    let timed: Api;
    let now = '2027-03-15T14:00:00.000Z'; // Monday, the day before the fixture's window
    beforeAll(async () => {
      timed = await startApi({}, { clock: { now: () => new Date(now) } });
    });
    afterAll(() => timed?.stop());
    const MANUAL = ['tests-passing', 'staging-deployed', 'rollback-tested', 'dashboards-open', 'on-call-briefed', 'templates-ready'];

    it('walks a normal change through submit → approve → schedule → checklist → start → complete (monitoring) → rollback', async () => {
      const cr = (await timed.call('POST', '/changes', { body: completeContent() })).body;
      const submitted = await timed.call('POST', `/changes/${cr.id}/submit`);
      expect(submitted.body.state).toBe('submitted');
      expect((await timed.waitFor(cr.id, routed)).state).toBe('pending_approval');
      const step = async (action: string, who: Who, body: object, state: string) => {
        const res = await timed.call('POST', `/changes/${cr.id}/${action}`, { as: who, body });
        expect(res.status, `${action}: ${res.text}`).toBe(200);
        expect(res.body.state).toBe(state);
        return res.body;
      };
      await step('approve', 'tom', { comment: 'ship it', revision: 1 }, 'approved');
      await step('schedule', 'alice', {}, 'scheduled');
      const ticked = await step('checklist', 'oscar', { tick: MANUAL, note: 'pipeline 4711 green' }, 'scheduled');
      expect(ticked.checklist.filter((l: { ticked: boolean }) => !l.ticked).map((l: { item: string }) => l.item)).toEqual(['stakeholders-notified']);
      now = '2027-03-16T14:05:00.000Z'; // T-55m: the final reminder goes out
      await timed.system.jobs.TimelineNotifications!();
      now = '2027-03-16T15:05:00.000Z'; // inside the window
      await step('start', 'oscar', {}, 'in_progress');
      await step('complete', 'alice', {}, 'monitoring');
      await step('rollback', 'alice', { reason: 'error rate above 5%' }, 'rolled_back');
      const { body } = await timed.call('GET', `/changes/${cr.id}`);
      expect(body.audit.map((a: { action: string }) => a.action)).toEqual([
        'create',
        'submit',
        'await-approval',
        'request-approval',
        'approve',
        'schedule',
        'checklist',
        'notice',
        'start',
        'deployed',
        'rollback',
      ]);
      expect(body.audit.map((a: { seq: number }) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(body.audit[7]).toMatchObject({ actor: { id: 'system' }, detail: { milestone: 'T-1h', channels: ['engineering', 'support'] } });
    });

    it('refuses a start (422) the deploy gate would deny, naming each reason, and changes nothing', async () => {
      now = '2027-03-15T14:00:00.000Z';
      const cr = (await timed.call('POST', '/changes', { body: completeContent() })).body;
      await timed.submit(cr.id);
      await timed.call('POST', `/changes/${cr.id}/approve`, { as: 'tom', body: { revision: 1 } });
      const before = (await timed.call('GET', `/changes/${cr.id}`)).body;
      const refused = await timed.call('POST', `/changes/${cr.id}/start`, { as: 'oscar' });
      expect(refused.status).toBe(422);
      const paths = refused.body.issues.map((i: { path: string }) => i.path);
      expect(paths).toContain('gate.outside-window');
      expect(paths.filter((p: string) => p === 'gate.checklist')).toHaveLength(7);
      const gate = (await timed.call('GET', `/changes/${cr.id}/gate`)).body;
      expect(gate.reasons.map((r: { code: string }) => `gate.${r.code}`)).toEqual(paths);
      expect((await timed.call('GET', `/changes/${cr.id}`)).body.version).toBe(before.version);
    });
  });

  it('auto-approves a low-risk standard change from the catalogue', async () => {
    const cr = await create(completeContent('standard', { likelihood: 'low', impact: 'low' }));
    const after = await api.submit(cr.id);
    expect(after.state).toBe('approved');
    expect(after.audit.at(-1)).toMatchObject({ action: 'auto-approve', actor: { id: 'system' } });
  });

  it('an emergency change is in progress at once and post-approved by a manager', async () => {
    const cr = await create(completeContent('emergency'), 'oscar');
    expect(cr.state).toBe('in_progress');
    const res = await api.call('POST', `/changes/${cr.id}/approve`, { as: 'erin', body: { comment: 'agreed', revision: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.postApproval.approvedBy).toBe('erin');
  });

  it.each([
    ['an incomplete change on submit', async (id: string) => api.call('POST', `/changes/${id}/submit`), 422],
    [
      'approving your own change',
      async (id: string) => {
        await api.submit(id);
        return api.call('POST', `/changes/${id}/approve`, { body: { revision: 1 } });
      },
      403,
    ],
    ['an illegal transition', async (id: string) => api.call('POST', `/changes/${id}/start`), 409],
    ['an unknown action', async (id: string) => api.call('POST', `/changes/${id}/launch`), 404],
    ['an unknown body field', async (id: string) => api.call('POST', `/changes/${id}/cancel`, { body: { force: true } }), 400],
    ['a comment that is not text', async (id: string) => api.call('POST', `/changes/${id}/cancel`, { body: { reason: 42 } }), 400],
    ['a change that does not exist', async () => api.call('POST', '/changes/CR-1999-01-01-001/submit'), 404],
  ])('refuses %s', async (name, attempt, status) => {
    const content = name === 'an incomplete change on submit' ? { title: 'Half done', category: 'normal' } : completeContent();
    const cr = await create(content);
    const before = (await api.call('GET', `/changes/${cr.id}`)).body;
    const res = await attempt(cr.id);
    expect(res.status).toBe(status);
    expect(res.body.message).toEqual(expect.any(String));
    if (status === 422) expect(res.body.issues.length).toBeGreaterThan(5);
    const after = (await api.call('GET', `/changes/${cr.id}`)).body;
    // a refused action never writes: for the self-approval, only the submit and the workflow's own steps did
    if (name === 'approving your own change') expect(after.audit.map((a: { action: string }) => a.action)).not.toContain('approve');
    else expect(after.version).toBe(before.version);
  });
});
