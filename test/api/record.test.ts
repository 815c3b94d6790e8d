/**
 * The implementation record (seed §6, Post-Implementation) through the API, on DynamoDB Local:
 * implementation notes and issues encountered once a change is approved, lessons learned once it
 * is closed (with the closing, or after it), who may add them, and what is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { readyChange, submittedChange, windowsOn } from './deliveries.js';
import { startApi, type Api, type Who } from './harness.js';

let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
const windows = windowsOn((ms) => {
  now = ms;
});

beforeAll(async () => {
  api = await startApi(
    { MONITORING_MINUTES: 'standard=5,normal=5,major=5,emergency=5', MONITORING_INTERVAL_SECONDS: '60' },
    { clock, workflowWaitScale: 5e-4 },
  );
}, 120_000);
afterAll(() => api?.stop());

const note = (id: string, as: Who, body: object) => api.call('POST', `/changes/${id}/notes`, { as, body });
const get = async (id: string) => (await api.call('GET', `/changes/${id}`, { as: 'alice' })).body;

/** Approved, started in its window, deployed: in its monitoring period. */
async function deployed(): Promise<string> {
  const { id } = await readyChange(api, windows);
  expect((await api.call('POST', `/changes/${id}/start`, { as: 'oscar' })).status).toBe(200);
  const res = await api.call('POST', `/changes/${id}/deployed`, { as: 'oscar' });
  expect(res.body.state, res.text).toBe('monitoring');
  return id;
}

describe('Rule: implementation notes and issues encountered are recorded once the change is approved', () => {
  it('refuses them on a draft and on a change awaiting approval (409), and records nothing', async () => {
    const draft = (await api.call('POST', '/changes', { as: 'alice', body: completeContent('normal') })).body;
    const onDraft = await note(draft.id, 'alice', { kind: 'implementation', text: 'Started the upgrade.' });
    expect(onDraft.status).toBe(409);
    expect(onDraft.body.message).toContain('once the change is approved');
    const { id } = await submittedChange(api, windows);
    const pending = await note(id, 'alice', { kind: 'issue', text: 'The staging cluster was down.' });
    expect(pending.status).toBe(409);
    expect(pending.body.message).toContain('comment on the decision instead');
    expect((await get(id)).record).toBeUndefined();
  });

  it('records them from the requestor, on-call and an approver, each in the record and the trail, in order', async () => {
    const id = await deployed();
    const before = await get(id);
    const a = await note(id, 'oscar', { kind: 'implementation', text: 'Rolled out to the canary first; 5% of traffic for ten minutes.' });
    expect(a.status, a.text).toBe(201);
    expect(a.body.version).toBe(before.version + 1);
    expect(a.body.audit.at(-1)).toMatchObject({
      action: 'note',
      actor: { id: 'oscar' },
      from: 'monitoring',
      to: 'monitoring',
      detail: { note: 'implementation' },
    });
    expect((await note(id, 'alice', { kind: 'issue', text: 'The migration took 12 minutes, not 5: a lock on the refunds table.' })).status).toBe(201);
    expect((await note(id, 'tom', { kind: 'implementation', text: 'Checked the dashboards with on-call.' })).status).toBe(201);
    const after = await get(id);
    expect(after.state).toBe('monitoring');
    expect(after.record.notes.map((n: { kind: string; by: string }) => [n.kind, n.by])).toEqual([
      ['implementation', 'oscar'],
      ['issue', 'alice'],
      ['implementation', 'tom'],
    ]);
    const md = (await api.call('GET', `/changes/${id}.md`, { as: 'alice' })).text;
    expect(md).toMatch(
      /### Issues Encountered\n\n- 2027-03-\d\dT[\d:.]+Z, Alice Andersen: The migration took 12 minutes, not 5: a lock on the refunds table\./,
    );
    expect(md).toContain('### Implementation Notes\n\n- ');
  });

  it('refuses someone with no part in the change (403) and bad bodies (400 naming the field), and records nothing', async () => {
    const id = await deployed();
    const stranger = await note(id, 'bob', { kind: 'issue', text: 'I saw something odd.' });
    expect(stranger.status).toBe(403);
    // the view offers each reader the notes they may add, and none to a stranger
    expect((await api.call('GET', `/changes/${id}`, { as: 'bob' })).body.allowedNotes).toEqual([]);
    expect((await api.call('GET', `/changes/${id}`, { as: 'oscar' })).body.allowedNotes).toEqual(['implementation', 'issue']);
    for (const [body, path] of [
      [{ kind: 'gossip', text: 'x' }, 'body.kind'],
      [{ kind: 'issue', text: '   ' }, 'body.text'],
      [{ kind: 'issue' }, 'body.text'],
      [{ kind: 'issue', text: 'fine', by: 'carol' }, 'body'],
      [{ kind: 'issue', text: 'x'.repeat(4001) }, 'body.text'],
    ] as const) {
      const res = await note(id, 'alice', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await get(id)).record).toBeUndefined();
  });
});

describe('Rule: closing a change asks for its lessons learned', () => {
  it('takes them with the closing (fail), recorded right after it; too short a lesson is refused and the change stays open', async () => {
    const id = await deployed();
    const short = await api.call('POST', `/changes/${id}/fail`, { as: 'oscar', body: { reason: 'The payments API did not start.', lessonsLearned: 'Bad.' } });
    expect(short.status).toBe(400);
    expect(short.body.issues).toEqual([{ path: 'body.lessonsLearned', message: expect.stringContaining('at least a sentence') }]);
    expect((await get(id)).state).toBe('monitoring');
    const lessons = 'Node 22 needs the new OpenSSL flags; staging ran with the old base image.';
    const res = await api.call('POST', `/changes/${id}/fail`, { as: 'oscar', body: { reason: 'The payments API did not start.', lessonsLearned: lessons } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.state).toBe('failed');
    expect(res.body.audit.slice(-2).map((e: { action: string }) => e.action)).toEqual(['fail', 'note']);
    expect(res.body.record.lessonsLearned).toMatchObject({ text: lessons, by: 'oscar' });
    expect(res.body.warnings.join(' ')).not.toContain('lessons learned');
    const md = (await api.call('GET', `/changes/${id}.md`, { as: 'alice' })).text;
    expect(md).toContain(`### Lessons Learned\n${lessons}`);
  });

  it('a change closed without them says so in its warnings until they are added with a note; before closing, a lesson is refused', async () => {
    const id = await deployed();
    const early = await note(id, 'alice', { kind: 'lessons-learned', text: 'We should have rehearsed the rollback.' });
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('once the change is closed');
    const verdict = await api.call('POST', `/changes/${id}/verdict`, {
      as: 'tom',
      body: { decision: 'pass', reason: 'Dashboards healthy for the whole window.' },
    });
    expect(verdict.status, verdict.text).toBe(200);
    const done = await api.call('POST', `/changes/${id}/complete`, { as: 'oscar' });
    expect(done.status, done.text).toBe(200);
    const closed = done.body;
    expect(closed.state).toBe('completed');
    expect(closed.warnings).toContain(
      `lessons learned are not recorded yet: POST /changes/${id}/notes with kind "lessons-learned" (seed: Post-Implementation)`,
    );
    expect((await note(id, 'alice', { kind: 'lessons-learned', text: 'Too short.' })).status).toBe(400);
    const ok = await note(id, 'alice', { kind: 'lessons-learned', text: 'The canary caught nothing because it ran on the old pool.' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.record.lessonsLearned.by).toBe('alice');
    expect(ok.body.warnings.join(' ')).not.toContain('lessons learned');
    expect(ok.body.allowedNotes).toEqual(['implementation', 'issue', 'lessons-learned']);
  });

  it('refuses lessonsLearned on an action that does not close the change, naming body.lessonsLearned', async () => {
    const { id } = await submittedChange(api, windows);
    const res = await api.call('POST', `/changes/${id}/approve`, { as: 'tom', body: { revision: 1, lessonsLearned: 'Not the time for this, at all.' } });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('body.lessonsLearned');
    expect((await get(id)).state).toBe('pending_approval');
  });
});

describe('Rule: the exported Markdown reads back with the record and the log ignored', () => {
  it('a closed change with notes and notices, exported and pasted as a new change, is taken without an issue about those sections', async () => {
    const id = await deployed();
    await note(id, 'oscar', { kind: 'issue', text: 'A | pipe and a # hash in a note.' });
    const md = (await api.call('GET', `/changes/${id}.md`, { as: 'alice' })).text;
    expect(md).toContain('## Implementation Record');
    expect(md).toContain('## Communication Log');
    const res = await api.call('POST', '/changes', { as: 'alice', raw: md, headers: { 'content-type': 'text/markdown' } });
    expect(res.status, res.text).toBe(201);
    expect(JSON.stringify(res.body.warnings ?? [])).not.toMatch(/Implementation Record|Communication Log/);
    expect(res.body.record).toBeUndefined();
  });
});
