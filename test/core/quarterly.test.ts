/**
 * The quarterly review (core/quarterly.ts): the quarter in the organisation's zone, its months, and
 * the seed's automation goals measured on hand-made changes whose standing is known.
 */
import { describe, expect, it } from 'vitest';
import type { Category, ChangeRequest, State } from '../../functions/core/change-request.js';
import { QuarterAggregator, quarterlyMarkdown, quarterOf, quarterRange } from '../../functions/core/quarterly.js';

const TZ = 'Europe/Berlin';

function change(id: string, over: Partial<ChangeRequest> & { category?: Category; state?: State; created?: string }): ChangeRequest {
  const created = over.created ?? '2026-11-10T10:00:00.000Z';
  return {
    id,
    revision: 1,
    version: 4,
    state: over.state ?? 'completed',
    requestor: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
    content: { title: id, category: over.category ?? 'normal', description: { components: ['API Server'] } },
    riskLevel: 'medium',
    approvalRequirement: null,
    approvals: [],
    warnings: [],
    createdAt: created,
    updatedAt: created,
    ...over,
  } as ChangeRequest;
}

const plan = (trigger: boolean) =>
  ({ criteria: trigger ? [{ id: 'error-rate', kind: 'rollback-trigger' }] : [{ id: 'criterion:x', kind: 'success' }] }) as never;

describe('Rule: a quarter is three months of the organisation’s calendar', () => {
  it('2026-Q4 in Berlin: 1 October 00:00 (UTC+2) to 1 January 00:00 (UTC+1); months 10, 11, 12', () => {
    expect(quarterRange('2026-Q4', TZ)).toEqual({
      from: '2026-09-30T22:00:00.000Z',
      to: '2026-12-31T23:00:00.000Z',
      months: ['2026-10', '2026-11', '2026-12'],
    });
  });

  it('March ends Q1, November ends nothing', () => {
    expect(quarterOf('2027-03')).toEqual({ quarter: '2027-Q1', last: true });
    expect(quarterOf('2026-11')).toEqual({ quarter: '2026-Q4', last: false });
  });

  it('not a quarter is refused in words', () => {
    expect(() => quarterRange('2026-Q5', TZ)).toThrow(/2026-Q4/);
  });
});

describe('Rule: each automation goal of the seed is measured, with its n and the changes short of it', () => {
  const changes = [
    // testing: two deployed, one with a pipeline's smoke tests
    change('CR-t1', {
      deployedAt: '2026-11-10T12:00:00.000Z',
      deployments: [{ source: 'ci', delivery: 'd1', step: 'smoke_tests', at: '2026-11-10T12:05:00.000Z', authorized: true }],
      monitoring: { verdict: 'passed', reasons: [], runs: 1, plan: plan(true) } as never,
    }),
    change('CR-t2', {
      deployedAt: '2026-11-11T12:00:00.000Z',
      monitoring: { verdict: 'passed', decidedBy: 'bob', reasons: [], runs: 1, plan: plan(true) } as never,
    }),
    // rollback of standard changes: one by its trigger, one by a person
    change('CR-s1', {
      category: 'standard',
      state: 'rolled_back',
      deployedAt: '2026-11-12T12:00:00.000Z',
      monitoring: {
        verdict: 'trigger',
        fired: ['error-rate'],
        rollbackRequestedAt: '2026-11-12T12:10:00.000Z',
        reasons: [],
        runs: 1,
        plan: plan(true),
      } as never,
    }),
    change('CR-s2', {
      category: 'standard',
      state: 'rolled_back',
      deployedAt: '2026-11-13T12:00:00.000Z',
      monitoring: { verdict: 'trigger', fired: ['person'], rollbackRequestedAt: '2026-11-13T12:10:00.000Z', reasons: [], runs: 1, plan: plan(false) } as never,
    }),
    // approval: two low-risk changes approved, one by the service
    change('CR-l1', { riskLevel: 'low', approvedAt: '2026-11-14T10:00:00.000Z', approvalRequirement: { route: 'auto', slots: [], reasons: [] } }),
    change('CR-l2', {
      riskLevel: 'low',
      approvedAt: '2026-11-14T11:00:00.000Z',
      approvalRequirement: { route: 'approval', slots: ['tech-lead'], reasons: [] } as never,
    }),
    // notification: a scheduled change with its notices, one without
    change('CR-n1', { state: 'scheduled', notices: [{ milestone: 'T-24h', at: '2026-11-15T10:00:00.000Z', revision: 1, channels: ['email'] }] }),
    change('CR-n2', { state: 'scheduled' }),
  ];
  const agg = new QuarterAggregator('2026-Q4', TZ);
  for (const c of changes) agg.add(c);
  const review = agg.result();
  const goal = (name: string) => review.goals.find((g) => g.goal === name)!;

  it('automated testing: 1 of the 4 deployed changes had a pipeline’s smoke tests (25%), the 3 others named', () => {
    expect(goal('Automated testing (100% of changes)')).toMatchObject({ met: 1, n: 4, percent: 25, short: ['CR-t2', 'CR-s1', 'CR-s2'], status: 'not yet' });
  });

  it('automated rollback: 1 of 2 standard rollbacks by a trigger; 1 of 2 standard deployments had triggers armed', () => {
    expect(goal('Automated rollback (standard changes)')).toMatchObject({ met: 1, n: 2, short: ['CR-s2'] });
    expect(goal('Automated rollback (standard changes): triggers armed')).toMatchObject({ met: 1, n: 2, short: ['CR-s2'] });
  });

  it('automated approval: 1 of 2 low-risk approvals by the service', () => {
    expect(goal('Automated approval (low-risk changes)')).toMatchObject({ met: 1, n: 2, short: ['CR-l2'] });
  });

  it('automated notification: counted over the planned changes that reached their window', () => {
    const g = goal('Automated notification (all changes)');
    expect(g.short).toContain('CR-n2');
    expect(g.short).not.toContain('CR-n1');
  });

  it('automated validation: a period a person passed is not validated automatically', () => {
    const g = goal('Automated validation (all changes)');
    expect(g.short).toContain('CR-t2');
    expect(g.short).not.toContain('CR-t1');
  });

  it('the Markdown has the seed’s review items, each goal with its standing, and the quarter’s months', () => {
    const md = quarterlyMarkdown(review);
    for (const heading of [
      '## Change success rate',
      '## Incident root causes',
      '## Automation opportunities',
      '## Templates and processes to update',
      '## Automation goals',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('| 2026-11 | 8 |');
    expect(md).toContain('| Automated approval (low-risk changes) | [ ] not yet | 50% (1 of 2) |');
  });
});
