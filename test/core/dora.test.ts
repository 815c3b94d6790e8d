/**
 * DORA's five metrics (core/dora.ts) on hand-made cases, each one where Four Keys' method (its
 * METRICS.md, still) gives another answer: every incident in the recovery time, one row per incident
 * in the fail rate, lead times of zero dropped, frequency as a bucket, incidents linked by a regex
 * only, services blended. The expected figures are worked out by hand in each test's comment.
 */
import { describe, expect, it } from 'vitest';
import type { Category, ChangeRequest, State } from '../../functions/core/change-request.js';
import type { DeploymentRecord, IncidentLink } from '../../functions/core/deployments.js';
import { DoraAggregator, doraWindow, type ServiceDora } from '../../functions/core/dora.js';

const WINDOW = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', label: '2026-11' };
const T = (day: number, hour = 12, minute = 0) => new Date(Date.UTC(2026, 10, day, hour, minute)).toISOString();
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

interface Made {
  id: string;
  deployedAt: string;
  components?: string[];
  category?: Category;
  state?: State;
  closedAt?: string;
  rollbackRequestedAt?: string;
  committedAt?: string;
  commit?: string;
  run?: string;
  createdAt?: string;
  approvedAt?: string;
  incidents?: Partial<IncidentLink>[];
}

function change(m: Made): ChangeRequest {
  const createdAt = m.createdAt ?? plus(m.deployedAt, -600);
  const deployments: DeploymentRecord[] = [
    {
      source: 'ci',
      delivery: `ci:${m.id}`,
      step: 'deployed',
      at: m.deployedAt,
      environment: 'production',
      deployment: m.run,
      commit: m.commit,
      committedAt: m.committedAt,
      authorized: true,
    },
  ];
  return {
    id: m.id,
    revision: 1,
    version: 5,
    state: m.state ?? 'completed',
    requestor: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
    content: { title: m.id, category: m.category ?? 'normal', description: { components: m.components ?? ['API Server'] } },
    riskLevel: 'medium',
    approvalRequirement: null,
    approvals: [],
    warnings: [],
    createdAt,
    updatedAt: m.deployedAt,
    approvedAt: m.approvedAt ?? plus(createdAt, 60),
    deployedAt: m.deployedAt,
    closedAt: m.closedAt,
    monitoring: m.rollbackRequestedAt ? ({ verdict: 'trigger', reasons: [], runs: 1, rollbackRequestedAt: m.rollbackRequestedAt } as never) : undefined,
    deployments,
    incidents: m.incidents?.map((i, n) => ({
      source: 'pagerduty',
      id: `P${m.id}${n}`,
      title: 'API 5xx',
      relation: 'caused-by',
      reason: 'confirmed by the on-call',
      triggeredAt: plus(m.deployedAt, 10),
      ...i,
    })) as IncidentLink[] | undefined,
    auditCount: 4,
  } as ChangeRequest;
}

function dora(changes: Made[], window = WINDOW): ServiceDora[] {
  const agg = new DoraAggregator(window);
  for (const c of changes) agg.add(change(c));
  return agg.result().services;
}
const only = (services: ServiceDora[]) => {
  expect(services).toHaveLength(1);
  return services[0]!;
};

describe('Rule: deployment frequency is a rate with its n, never a bucket', () => {
  it('10 deployments in November (30 days): 0.33 a day, 2.3 a week, median gap 3 days (Four Keys: "weekly", or "daily" at 3 days a week)', () => {
    // deployments on the 1st, 4th, …, 28th at noon: nine gaps of exactly three days
    const s = only(dora(Array.from({ length: 10 }, (_, i) => ({ id: `CR-${i}`, deployedAt: T(1 + 3 * i) }))));
    expect(s.deployments.n).toBe(10);
    expect(s.deploymentFrequency).toEqual({ perDay: 0.33, perWeek: 2.3, days: 30, medianGapHours: 72, n: 10 });
  });

  it('only deployments inside the window count; one just before it is read (for its rollback) but not counted', () => {
    const s = only(
      dora([
        { id: 'CR-oct', deployedAt: '2026-10-31T23:00:00.000Z' },
        { id: 'CR-nov', deployedAt: T(2) },
      ]),
    );
    expect(s.deployments.ids).toEqual(['CR-nov']);
  });
});

describe('Rule: change fail rate counts each deployment once, however many incidents or commits it has', () => {
  it('four deployments, one of which caused three incidents: 1 of 4 = 25% (Four Keys joins a row per incident: 3 of 6 = 50%)', () => {
    const s = only(
      dora([
        { id: 'CR-1', deployedAt: T(2) },
        { id: 'CR-2', deployedAt: T(3), incidents: [{}, { triggeredAt: T(3, 13) }, { triggeredAt: T(3, 14) }] },
        { id: 'CR-3', deployedAt: T(4) },
        { id: 'CR-4', deployedAt: T(5) },
      ]),
    );
    expect(s.changeFailRate.confirmed).toMatchObject({ value: 1, n: 4, ids: ['CR-2'], percent: 25 });
    expect(s.changeFailRate.reasons['CR-2']).toHaveLength(3);
  });

  it('two changes claiming the same commit and pipeline run for a service are one deployment', () => {
    const s = only(
      dora([
        { id: 'CR-a', deployedAt: T(6), commit: 'abc123', run: 'deploy/42' },
        { id: 'CR-b', deployedAt: T(6, 12, 5), commit: 'abc123', run: 'deploy/42' },
        { id: 'CR-c', deployedAt: T(7), commit: 'def456', run: 'deploy/43' },
      ]),
    );
    expect(s.deployments).toMatchObject({ n: 2, ids: ['CR-a', 'CR-c'] });
  });

  it('an incident suggested by time and service counts only "with suggested" until a person confirms it: 0% and 50%', () => {
    const s = only(
      dora([
        { id: 'CR-1', deployedAt: T(8), incidents: [{ relation: 'caused-by-candidate', reason: 'opened during its monitoring period on API Server' }] },
        { id: 'CR-2', deployedAt: T(9) },
      ]),
    );
    expect(s.changeFailRate.confirmed).toMatchObject({ value: 0, n: 2, percent: 0 });
    expect(s.changeFailRate.withSuggested).toMatchObject({ value: 1, n: 2, ids: ['CR-1'], percent: 50 });
  });

  it('a dismissed suggestion counts in neither figure', () => {
    const s = only(dora([{ id: 'CR-1', deployedAt: T(8), incidents: [{ relation: 'dismissed' }] }]));
    expect(s.changeFailRate.withSuggested.value).toBe(0);
  });

  it('an incident eight days after the deployment is not its failure (seven days is the window)', () => {
    const s = only(dora([{ id: 'CR-1', deployedAt: T(2), incidents: [{ triggeredAt: T(10, 13) }] }]));
    expect(s.changeFailRate.confirmed.value).toBe(0);
  });
});

describe('Rule: a rollback is a deployment, an unplanned one, and ends the failure it reverts', () => {
  it('deployed at 12:00, trigger at 12:10, rolled back at 12:30: 2 deployments, 1 failed (50%), rework 50%, recovery 20 min', () => {
    const s = only(dora([{ id: 'CR-1', deployedAt: T(10), state: 'rolled_back', rollbackRequestedAt: T(10, 12, 10), closedAt: T(10, 12, 30) }]));
    expect(s.deployments.ids).toEqual(['CR-1', 'CR-1/rollback']);
    expect(s.changeFailRate.confirmed).toMatchObject({ value: 1, n: 2, ids: ['CR-1'], percent: 50 });
    expect(s.reworkRate).toMatchObject({ value: 1, n: 2, ids: ['CR-1/rollback'], percent: 50 });
    expect(s.recoveryTime.confirmed).toMatchObject({ n: 1, p50Minutes: 20, ids: ['CR-1'] });
  });

  it('rolled back at once, with no trigger and no incident: recovery runs from the deployment (30 min)', () => {
    const s = only(dora([{ id: 'CR-1', deployedAt: T(10), state: 'rolled_back', closedAt: T(10, 12, 30) }]));
    expect(s.recoveryTime.confirmed.p50Minutes).toBe(30);
  });
});

describe('Rule: recovery time is measured for failed deployments only, to the first of rollback, fix or resolution', () => {
  it('an incident no deployment caused (its emergency fix aside) is not in it; the failed one took 45 min (Four Keys: the mean of both incidents)', () => {
    const s = dora([
      // a deployment that caused an incident, resolved 45 minutes after it opened
      { id: 'CR-bad', deployedAt: T(12), incidents: [{ triggeredAt: T(12, 12, 15), resolvedAt: T(12, 13, 0) }] },
      // an outage of the database no change caused: the emergency change opened for it
      {
        id: 'CR-em',
        deployedAt: T(14),
        components: ['Database'],
        category: 'emergency',
        incidents: [{ id: 'PDB', relation: 'opened-for', triggeredAt: T(13), resolvedAt: T(14, 20) }],
      },
    ]);
    const api = s.find((x) => x.service === 'API Server')!;
    const db = s.find((x) => x.service === 'Database')!;
    expect(api.recoveryTime.confirmed).toMatchObject({ n: 1, p50Minutes: 45 });
    expect(db.recoveryTime.confirmed.n).toBe(0);
    expect(db.changeFailRate.confirmed.value).toBe(0);
  });

  it('a hotfix ends the failure: incident at 12:10, emergency fix opened for it deployed at 13:40, incident resolved later: 90 min; the fix is rework', () => {
    const s = only(
      dora([
        { id: 'CR-bad', deployedAt: T(15), incidents: [{ id: 'PX1', triggeredAt: T(15, 12, 10), resolvedAt: T(15, 18) }] },
        { id: 'CR-fix', deployedAt: T(15, 13, 40), category: 'emergency', incidents: [{ id: 'PX1', relation: 'opened-for', triggeredAt: T(15, 12, 10) }] },
      ]),
    );
    expect(s.recoveryTime.confirmed).toMatchObject({ n: 1, p50Minutes: 90, ids: ['CR-bad'] });
    expect(s.changeFailRate.reasons['CR-bad']!.some((r) => r.includes('a fix for its incident was deployed'))).toBe(true);
    expect(s.reworkRate).toMatchObject({ ids: ['CR-fix'], percent: 50 });
    expect(s.reworkRate.reasons['CR-fix']).toEqual(['an emergency change', 'opened for incident PX1']);
  });

  it('a failure not yet recovered is listed, not timed', () => {
    const s = only(dora([{ id: 'CR-1', deployedAt: T(20), incidents: [{ triggeredAt: T(20, 13) }] }]));
    expect(s.recoveryTime.confirmed.n).toBe(0);
    expect(s.recoveryTime.unrecovered).toEqual(['CR-1']);
  });
});

describe('Rule: lead time runs from the first commit to the deployment; zero counts, a negative one is listed apart', () => {
  it('commits 2 days, 0 minutes and −5 minutes before, and one without a commit time: n 2, p50 0 min; the others named', () => {
    const s = only(
      dora([
        { id: 'CR-1', deployedAt: T(3), committedAt: T(1) },
        { id: 'CR-2', deployedAt: T(4), committedAt: T(4) },
        { id: 'CR-3', deployedAt: T(5), committedAt: plus(T(5), 5) },
        { id: 'CR-4', deployedAt: T(6) },
      ]),
    );
    // Four Keys drops lead times ≤ 0 as "automated changes": its n would be 1, its median 2 days
    expect(s.leadTime).toMatchObject({ n: 2, p50Minutes: 0, p90Minutes: 2880, ids: ['CR-1', 'CR-2'], clockSkew: ['CR-3'], withoutCommitTime: ['CR-4'] });
  });

  it('approval wait and approved → deployed are shown beside the lead time, never inside it', () => {
    const s = only(dora([{ id: 'CR-1', createdAt: T(1), approvedAt: T(2), deployedAt: T(3), committedAt: T(2, 18) }]));
    expect(s.approvalWait.p50Minutes).toBe(1440);
    expect(s.approvedToDeployed.p50Minutes).toBe(1440);
    expect(s.leadTime.p50Minutes).toBe(1080);
  });
});

describe('Rule: never one number across services', () => {
  it('API 1 of 2 failed, Database 0 of 8: two rows, 50% and 0% (blended it would read 10%)', () => {
    const s = dora([
      { id: 'CR-a1', deployedAt: T(2), incidents: [{}] },
      { id: 'CR-a2', deployedAt: T(3) },
      ...Array.from({ length: 8 }, (_, i) => ({ id: `CR-d${i}`, deployedAt: T(4 + i), components: ['Database'] })),
    ]);
    expect(s.map((x) => [x.service, x.changeFailRate.confirmed.percent])).toEqual([
      ['API Server', 50],
      ['Database', 0],
    ]);
  });

  it('a change naming two services is a deployment of each', () => {
    const s = dora([{ id: 'CR-1', deployedAt: T(2), components: ['API Server', 'Database'] }]);
    expect(s.map((x) => [x.service, x.deployments.ids])).toEqual([
      ['API Server', ['CR-1']],
      ['Database', ['CR-1']],
    ]);
  });
});

describe('Rule: the windows are the last 30 days and the calendar month in the organisation’s zone', () => {
  it('30d ends now; 2026-11 in New York starts at 04:00 UTC on the 1st', () => {
    const now = new Date('2026-12-02T06:00:00.000Z');
    expect(doraWindow('30d', now, 'America/New_York')).toEqual({ from: '2026-11-02T06:00:00.000Z', to: '2026-12-02T06:00:00.000Z', label: '30d' });
    expect(doraWindow('2026-11', now, 'America/New_York')).toMatchObject({ from: '2026-11-01T04:00:00.000Z', to: '2026-12-01T05:00:00.000Z' });
  });
});
