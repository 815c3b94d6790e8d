/**
 * Nothing lost under contention: 50 writers at once on one change request. Optimistic locking lets
 * exactly one writer win per version; the rest get 409 and write nothing; the audit trail has no gap
 * and no duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { startApi, type Api } from './harness.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.stop());

const N = 50;

function expectGaplessTrail(audit: { seq: number }[], auditCount: number) {
  const seqs = audit.map((a) => a.seq);
  expect(seqs).toEqual(Array.from({ length: auditCount }, (_, i) => i + 1));
}

describe('Rule: concurrent writers never overwrite each other', () => {
  it('50 parallel edits without If-Match: each applied to the latest state or refused 409, one winner per version, a gapless trail', async () => {
    // Prepare
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    // Act
    const results = await Promise.all(Array.from({ length: N }, (_, i) => api.call('PATCH', `/changes/${cr.id}`, { body: { title: `Edit number ${i}` } })));
    // Assess
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status !== 200);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(lost.every((r) => r.status === 409)).toBe(true);
    const versions = won.map((r) => r.body.version);
    expect(new Set(versions).size).toBe(won.length); // one winner per version
    const final = (await api.call('GET', `/changes/${cr.id}`)).body;
    expect(final.version).toBe(cr.version + won.length);
    expect(final.revision).toBe(1 + won.length);
    expectGaplessTrail(final.audit, final.auditCount);
    expect(final.audit.filter((a: { action: string }) => a.action === 'edit')).toHaveLength(won.length);
    // the stored title is the one written by the last winner
    const last = won.reduce((a, b) => (a.body.version > b.body.version ? a : b));
    expect(final.content.title).toBe(last.body.content.title);
  });

  it('50 parallel edits with If-Match on the same version: exactly one wins, the rest 409 with the current version', async () => {
    // Prepare
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    // Act
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        api.call('PATCH', `/changes/${cr.id}`, { body: { title: `Edit number ${i}` }, headers: { 'if-match': `"${cr.version}"` } }),
      ),
    );
    // Assess
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const lost = results.filter((r) => r.status !== 200);
    expect(lost.every((r) => r.status === 409 && r.body.error === 'version-conflict')).toBe(true);
    expect(lost.every((r) => r.body.currentVersion === cr.version || r.body.currentVersion === cr.version + 1)).toBe(true);
    const final = (await api.call('GET', `/changes/${cr.id}`)).body;
    expect(final.version).toBe(cr.version + 1);
    expectGaplessTrail(final.audit, final.auditCount);
  });

  it('50 parallel approvals of one change: exactly one succeeds', async () => {
    // Prepare
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    await api.submit(cr.id);
    // Act
    const results = await Promise.all(
      Array.from({ length: N }, () => api.call('POST', `/changes/${cr.id}/approve`, { as: 'tom', body: { comment: 'ok', revision: 1 } })),
    );
    // Assess
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(N - 1);
    const final = (await api.call('GET', `/changes/${cr.id}`)).body;
    expect(final.state).toBe('approved');
    expect(final.approvals).toHaveLength(1);
    expect(final.audit.filter((a: { action: string }) => a.action === 'approve')).toHaveLength(1);
    expectGaplessTrail(final.audit, final.auditCount);
  });

  it('50 parallel submits and cancels: one winner per version, and the trail records exactly the winners', async () => {
    // Prepare
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    // Act
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        i % 2 ? api.call('POST', `/changes/${cr.id}/submit`) : api.call('POST', `/changes/${cr.id}/cancel`, { body: { reason: `r${i}` } }),
      ),
    );
    // Assess: a submit may win and a cancel after it (both legal in that order), never two of a kind
    const won = results.filter((r) => r.status === 200);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    expect(new Set(won.map((r) => r.body.version)).size).toBe(won.length);
    const final = (await api.call('GET', `/changes/${cr.id}`)).body;
    expect(final.version).toBe(cr.version + won.length);
    const recorded = final.audit.filter((a: { action: string }) => a.action === 'submit' || a.action === 'cancel');
    expect(recorded).toHaveLength(won.length);
    expect(recorded.filter((a: { action: string }) => a.action === 'submit').length).toBeLessThanOrEqual(1);
    expect(recorded.filter((a: { action: string }) => a.action === 'cancel').length).toBeLessThanOrEqual(1);
    expectGaplessTrail(final.audit, final.auditCount);
  });

  it('50 parallel creates get 50 different ids from one day sequence', async () => {
    const results = await Promise.all(Array.from({ length: N }, () => api.call('POST', '/changes', { body: completeContent() })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const ids = results.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(N);
    const numbers = ids.map((id) => Number(id.slice(-3))).sort((a, b) => a - b);
    expect(numbers.at(-1)! - numbers[0]!).toBe(N - 1); // contiguous: no number handed out twice or skipped
  });

  it('two approvers of a major change deciding at the same moment both succeed, round after round', async () => {
    // Prepare: the manager and the CTO, each sending the revision they read and no If-Match
    const ROUNDS = 20;
    const ids: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const cr = (await api.call('POST', '/changes', { body: completeContent('major') })).body;
      await api.submit(cr.id);
      ids.push(cr.id);
    }
    // Act
    const outcomes = await Promise.all(
      ids.map(async (id) =>
        Promise.all([
          api.call('POST', `/changes/${id}/approve`, { as: 'erin', body: { revision: 1, comment: 'manager' } }),
          api.call('POST', `/changes/${id}/approve`, { as: 'carol', body: { revision: 1, comment: 'cto' } }),
        ]),
      ),
    );
    // Assess
    let bothApproved = 0;
    for (const [i, id] of ids.entries()) {
      expect(outcomes[i]!.map((r) => r.status)).toEqual([200, 200]);
      const final = (await api.call('GET', `/changes/${id}`)).body;
      expect(final.state).toBe('approved');
      expect(final.approvals.map((a: { by: string }) => a.by).sort()).toEqual(['carol', 'erin']);
      expect(final.audit.filter((a: { action: string }) => a.action === 'approve')).toHaveLength(2);
      expectGaplessTrail(final.audit, final.auditCount);
      bothApproved++;
    }
    console.info(`concurrency: ${bothApproved} of ${ROUNDS} major changes approved by two approvers racing, both decisions kept`);
    expect(bothApproved).toBe(ROUNDS);
    // twenty major changes filed and routed one after another take 20–30 s on two cores beside the browser tests
  }, 90_000);
});
