/**
 * The monthly report's figures (core/report.ts) against an oracle: a generated month of changes
 * whose outcomes are known by construction, counted here by a second, naive method (filters over
 * the whole list), and the seed's template filled in with them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Category, type ChangeRequest, type State } from '../../functions/core/change-request.js';
import { csvLine, monthlyMarkdown, MonthAggregator, monthRange } from '../../functions/core/report.js';

const TZ = 'America/New_York';

interface Made {
  id: string;
  category: Category;
  state: State;
  created: number;
  deployedAfterMin?: number | undefined;
  waitedMin?: number | undefined;
  components: string[];
  incident: boolean;
  overdue: boolean;
}

function change(m: Made): ChangeRequest {
  const created = new Date(m.created).toISOString();
  return {
    id: m.id,
    revision: 1,
    version: 3,
    state: m.state,
    requestor: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
    content: { title: `change ${m.id}`, category: m.category, description: { components: m.components } },
    riskLevel: 'medium',
    approvalRequirement: null,
    approvals: [],
    warnings: [],
    createdAt: created,
    updatedAt: created,
    submittedAt: m.waitedMin === undefined ? undefined : created,
    approvedAt: m.waitedMin === undefined ? undefined : new Date(m.created + m.waitedMin * 60_000).toISOString(),
    deployedAt: m.deployedAfterMin === undefined ? undefined : new Date(m.created + m.deployedAfterMin * 60_000).toISOString(),
    incidents: m.incident
      ? [
          {
            source: 'pagerduty',
            id: `P${m.id}`,
            title: 'API 5xx',
            relation: 'caused-by-candidate',
            reason: 'during its monitoring period',
            triggeredAt: created,
          },
        ]
      : undefined,
    postApproval: m.overdue ? { dueAt: created, minRole: 'eng-manager', overdue: true } : undefined,
    closeReason: m.state === 'rolled_back' ? 'error rate 7% after the deploy' : undefined,
    auditCount: 3,
  } as ChangeRequest;
}

const STATES: State[] = ['draft', 'pending_approval', 'approved', 'monitoring', 'completed', 'completed', 'completed', 'rolled_back', 'failed', 'cancelled'];
const { from, to } = monthRange('2026-11', TZ);

const arbMonth = fc.array(
  fc.record({
    category: fc.constantFrom(...CATEGORIES),
    state: fc.constantFrom(...STATES),
    offset: fc.integer({ min: 0, max: Date.parse(to) - Date.parse(from) - 1 }),
    deployedAfterMin: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
    waitedMin: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
    components: fc.subarray(['API Server', 'Database', 'Frontend'], { minLength: 1 }),
    incident: fc.boolean(),
    overdue: fc.boolean(),
  }),
  { maxLength: 120 },
);

const nearestRank = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.ceil((p / 100) * s.length) - 1]! : null;
};

describe('Rule: every figure of the month matches an independent count of the same changes', () => {
  it('counts, rates, durations and ids, for generated months', () => {
    fc.assert(
      fc.property(arbMonth, (rows) => {
        const made: Made[] = rows.map((r, i) => ({ ...r, id: `CR-2026-11-01-${String(i + 1).padStart(3, '0')}`, created: Date.parse(from) + r.offset }));
        const agg = new MonthAggregator('2026-11', TZ);
        for (const m of made) agg.add(change(m));
        const f = agg.result();
        const finished = made.filter((m) => ['completed', 'rolled_back', 'failed'].includes(m.state));
        const completed = made.filter((m) => m.state === 'completed');
        const rolled = made.filter((m) => m.state === 'rolled_back');
        expect(f.total.n).toBe(made.length);
        expect(f.finished.n).toBe(finished.length);
        expect(f.successful.ids.sort()).toEqual(completed.map((m) => m.id).sort());
        expect(f.successful.n).toBe(finished.length);
        expect(f.successful.percent).toBe(finished.length ? Math.round((1000 * completed.length) / finished.length) / 10 : null);
        expect(f.rolledBack.percent).toBe(finished.length ? Math.round((1000 * rolled.length) / finished.length) / 10 : null);
        for (const c of CATEGORIES) expect(f.byCategory[c].n).toBe(made.filter((m) => m.category === c).length);
        expect(f.emergency.ids.length).toBe(made.filter((m) => m.category === 'emergency').length);
        const deployed = made.filter((m) => m.deployedAfterMin !== undefined).map((m) => m.deployedAfterMin!);
        expect(f.timeToDeploy.n).toBe(deployed.length);
        expect(f.timeToDeploy.p50Minutes).toBe(nearestRank(deployed, 50));
        expect(f.timeToDeploy.p90Minutes).toBe(nearestRank(deployed, 90));
        const waited = made.filter((m) => m.waitedMin !== undefined).map((m) => m.waitedMin!);
        expect(f.approvalWait.p50Minutes).toBe(nearestRank(waited, 50));
        expect(f.incidents.suggested.ids.sort()).toEqual(
          made
            .filter((m) => m.incident)
            .map((m) => m.id)
            .sort(),
        );
        expect(f.incidents.confirmed.n).toBe(0);
        expect(f.postApprovalsOverdue.n).toBe(made.filter((m) => m.overdue).length);
        // a rate never counts a change that is open or cancelled
        expect(f.open.n + f.cancelled.n + f.finished.n).toBe(made.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Rule: normal changes to the same components that always succeed are standard-catalogue candidates', () => {
  const base = (id: string, state: State, components: string[]): Made => ({
    id,
    category: 'normal',
    state,
    created: Date.parse(from) + 3_600_000,
    components,
    incident: false,
    overdue: false,
  });
  it('three of three to Database: a candidate; three to Frontend with one rolled back: not; two of two: too few', () => {
    const agg = new MonthAggregator('2026-11', TZ);
    for (const m of [
      base('CR-2026-11-02-001', 'completed', ['Database']),
      base('CR-2026-11-02-002', 'completed', ['Database']),
      base('CR-2026-11-02-003', 'completed', ['Database']),
      base('CR-2026-11-02-004', 'completed', ['Frontend']),
      base('CR-2026-11-02-005', 'rolled_back', ['Frontend']),
      base('CR-2026-11-02-006', 'completed', ['Frontend']),
      base('CR-2026-11-02-007', 'completed', ['API Server']),
      base('CR-2026-11-02-008', 'completed', ['API Server']),
    ])
      agg.add(change(m));
    const f = agg.result();
    expect(f.standardCandidates).toEqual([{ components: ['Database'], n: 3, ids: ['CR-2026-11-02-001', 'CR-2026-11-02-002', 'CR-2026-11-02-003'] }]);
    expect(f.rootCauses).toEqual([{ id: 'CR-2026-11-02-005', outcome: 'rolled back', cause: 'error rate 7% after the deploy' }]);
  });
});

describe("Rule: the month is the organisation's, and the template is the seed's", () => {
  it('November 2026 in New York runs from 04:00 UTC on the 1st to 05:00 UTC on 1 December (DST ended on the 1st)', () => {
    expect(monthRange('2026-11', TZ)).toEqual({ from: '2026-11-01T04:00:00.000Z', to: '2026-12-01T05:00:00.000Z' });
    expect(() => monthRange('2026-13', TZ)).toThrow(/not a month/);
  });
  it('the Markdown has every heading of the seed template, with the figures', () => {
    const agg = new MonthAggregator('2026-11', TZ);
    agg.add(
      change({
        id: 'CR-2026-11-03-001',
        category: 'normal',
        state: 'completed',
        created: Date.parse(from) + 1,
        components: ['API Server'],
        incident: false,
        overdue: false,
        deployedAfterMin: 90,
      }),
    );
    agg.add(
      change({
        id: 'CR-2026-11-03-002',
        category: 'emergency',
        state: 'rolled_back',
        created: Date.parse(from) + 2,
        components: ['Database'],
        incident: true,
        overdue: false,
      }),
    );
    const md = monthlyMarkdown(agg.result());
    for (const heading of ['# Change Management Report - November 2026', '## Summary', '## By Category', '## Incidents', '## Improvements', '## Trends'])
      expect(md).toContain(heading);
    expect(md).toContain('- Total Changes: 2');
    expect(md).toContain('- Successful: 1 (50% of 2 finished)');
    expect(md).toContain('- Emergency Changes: 1');
    expect(md).toContain('- Changes causing incidents: 0 confirmed, 1 suggested');
  });
  it('counts the month’s notices per channel, lists the ones never delivered, the issues encountered and the changes finished without lessons', () => {
    const { from } = monthRange('2026-11', TZ);
    const agg = new MonthAggregator('2026-11', TZ);
    const base = { category: 'normal' as const, created: Date.parse(from) + 1, components: ['API Server'], incident: false, overdue: false };
    const withIssue = change({ ...base, id: 'CR-2026-11-02-001', state: 'completed' });
    withIssue.record = {
      notes: [{ kind: 'issue', text: 'The lock on refunds held for 12 minutes.', by: 'oscar', name: 'Oscar', at: from }],
      lessonsLearned: { kind: 'lessons-learned', text: 'Rehearse the migration on a copy of production.', by: 'alice', name: 'Alice', at: from },
    };
    agg.add(withIssue);
    agg.add(change({ ...base, id: 'CR-2026-11-02-002', state: 'failed' }));
    agg.add(change({ ...base, id: 'CR-2026-11-02-003', state: 'in_progress' }));
    const sent = (
      changeId: string,
      channel: 'email' | 'slack' | 'webhook',
      outcome: 'sent' | 'failed' | 'refused',
      recipients: string[],
      eventId = `${changeId}#4`,
    ) => ({
      changeId,
      at: from,
      channel,
      recipients,
      template: 'ChangeDeployed',
      eventId,
      outcome,
    });
    agg.addCommunications([
      sent('CR-2026-11-02-001', 'email', 'sent', ['alice@example.com']),
      sent('CR-2026-11-02-001', 'slack', 'failed', ['#engineering']),
      sent('CR-2026-11-02-001', 'slack', 'sent', ['#engineering']),
      sent('CR-2026-11-02-002', 'webhook', 'failed', ['https://hooks.example.com/a']),
      sent('CR-2026-11-02-002', 'webhook', 'failed', ['https://hooks.example.com/a']),
      sent('CR-2026-11-02-002', 'webhook', 'refused', ['https://hooks.example.com/b']),
    ]);
    const f = agg.result();
    expect(f.communications!.byChannel).toEqual({
      email: { sent: 1, refused: 0, failedAttempts: 0 },
      slack: { sent: 1, refused: 0, failedAttempts: 1 },
      pagerduty: { sent: 0, refused: 0, failedAttempts: 0 },
      webhook: { sent: 0, refused: 1, failedAttempts: 2 },
    });
    // the slack failure went through later; the webhook to /a never did (listed once), /b was refused
    expect(f.communications!.undelivered.map((u) => [u.id, u.recipients[0], u.outcome])).toEqual([
      ['CR-2026-11-02-002', 'https://hooks.example.com/a', 'failed'],
      ['CR-2026-11-02-002', 'https://hooks.example.com/b', 'refused'],
    ]);
    expect(f.lessonsMissing).toMatchObject({ n: 1, ids: ['CR-2026-11-02-002'] });
    expect(f.lessonsLearned).toEqual([{ id: 'CR-2026-11-02-001', text: 'Rehearse the migration on a copy of production.' }]);
    const md = monthlyMarkdown(f);
    expect(md).toContain('## Communication and Implementation Records');
    expect(md).toContain('- Notices sent: 2 (email 1, slack 1); refused: 1; failed attempts (retried): 3');
    expect(md).toContain('  - CR-2026-11-02-002: ChangeDeployed by webhook to https://hooks.example.com/a (failed)');
    expect(md).toContain('  - CR-2026-11-02-001: The lock on refunds held for 12 minutes.');
    expect(md).toContain('- Finished without lessons learned: 1 (CR-2026-11-02-002)');
  });
  it('CSV fields are quoted when they must be, and formulas are defused', () => {
    expect(csvLine(['CR-1', 'a, b', 'say "hi"', '=SUM(A1)'])).toBe('CR-1,"a, b","say ""hi""",\'=SUM(A1)');
  });
});

describe('Rule: the metrics are the report’s figures per group; a change counts in each of its components’ groups', () => {
  it('by component and by week, against a count of the same changes', async () => {
    const { MetricsAggregator, groupsOf } = await import('../../functions/core/metrics.js');
    fc.assert(
      fc.property(arbMonth, (rows) => {
        const made = rows.map((r, i) => change({ ...r, id: `CR-2026-11-01-${String(i + 1).padStart(3, '0')}`, created: Date.parse(from) + r.offset }));
        const agg = new MetricsAggregator('component', TZ, { from, to });
        for (const cr of made) agg.add(cr);
        const { overall, groups } = agg.result();
        expect(overall.total.n).toBe(made.length);
        for (const g of groups) {
          const members = made.filter((cr) => (cr.content.description?.components ?? []).includes(g.group));
          expect(g.total.n, g.group).toBe(members.length);
          expect(g.rolledBack.ids.sort()).toEqual(
            members
              .filter((cr) => cr.state === 'rolled_back')
              .map((cr) => cr.id)
              .sort(),
          );
        }
      }),
      { numRuns: 100 },
    );
    const monday = change({
      id: 'CR-2026-11-02-001',
      category: 'normal',
      state: 'draft',
      created: Date.parse('2026-11-04T15:00:00Z'),
      components: [],
      incident: false,
      overdue: false,
    });
    // Wednesday 4 November 2026 in New York: the week that starts on Monday 2 November
    expect(groupsOf(monday, 'week', TZ)).toEqual(['2026-11-02']);
    expect(groupsOf(monday, 'component', TZ)).toEqual(['(none)']);
  });
});

describe('Rule: a confirmed cause counts as confirmed, a suggestion as suggested, a dismissed one not at all', () => {
  it('three changes, one of each', () => {
    const agg = new MonthAggregator('2026-11', TZ);
    const link = (relation: string) => [
      { source: 'pagerduty', id: 'P1', title: 'API 5xx', relation, reason: 'during its monitoring period', triggeredAt: from },
    ];
    for (const [n, relation] of [
      ['1', 'caused-by'],
      ['2', 'caused-by-candidate'],
      ['3', 'dismissed'],
    ] as const) {
      const cr = change({
        id: `CR-2026-11-05-00${n}`,
        category: 'normal',
        state: 'completed',
        created: Date.parse(from) + 1,
        components: ['API Server'],
        incident: false,
        overdue: false,
      });
      agg.add({ ...cr, incidents: link(relation) } as ChangeRequest);
    }
    const f = agg.result();
    expect(f.incidents.confirmed.ids).toEqual(['CR-2026-11-05-001']);
    expect(f.incidents.suggested.ids).toEqual(['CR-2026-11-05-002']);
    expect(f.rootCauses.map((r) => r.id)).toEqual(['CR-2026-11-05-001', 'CR-2026-11-05-002']);
  });
});
