/** The emails of the monitoring period, from the consumer's own input: a domain event and the people it names. */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMERS } from '../../functions/core/approval-flow.js';
import type { ChangeRequest, Person } from '../../functions/core/change-request.js';
import { intervalAt, measure, monitoringPlan } from '../../functions/core/monitoring.js';
import { notify } from '../../functions/notifications/notify.js';
import type { Directory, EmailMessage, Mailer, Once } from '../../functions/ports.js';
import { completeContent, people } from '../fixtures.js';

const DEPLOYED = '2027-03-16T15:05:00.000Z';
const content = completeContent('normal');
const plan = monitoringPlan({ ...content, testing: { ...content.testing, successCriteria: [] } });
const cr = {
  id: 'CR-2027-03-16-001',
  revision: 1,
  version: 9,
  state: 'monitoring',
  requestor: { id: 'alice', name: 'Alice', email: 'alice@example.com', team: 'payments' },
  content: { ...content, communication: { stakeholders: ['engineering'] } },
  riskLevel: 'medium',
  approvals: [{ slot: 'tech-lead', by: 'tom', name: 'Tom', role: 'tech-lead', revision: 1, at: DEPLOYED }],
  monitoring: { plan, verdict: 'watching', reasons: [], runs: 1, deployedBy: 'oscar' },
  deployedAt: DEPLOYED,
} as unknown as ChangeRequest;

function deps(extra: Partial<{ measurements: ReturnType<typeof measure>[] }> = {}) {
  const sent: EmailMessage[] = [];
  const mailer: Mailer = { send: async (m) => void sent.push(m) };
  const once = { run: async (_s: string, _k: unknown, fn: () => Promise<unknown>) => ({ ran: true, value: await fn() }) } as unknown as Once;
  const byId = Object.fromEntries(Object.values(people).map((p) => [p.id, p])) as Record<string, Person>;
  const directory = {
    get: async (id: string) => byId[id] ?? null,
    withRole: async (role: string) => Object.values(people).filter((p) => (p.roles as readonly string[]).includes(role)),
    put: vi.fn(),
  } as unknown as Directory;
  return {
    sent,
    deps: {
      directory,
      mailer,
      once,
      linkKey: async () => new Uint8Array(32),
      baseUrl: 'http://localhost:3000',
      timeZone: 'America/New_York',
      timers: DEFAULT_TIMERS,
      stakeholderEmails: { engineering: 'engineering@example.com' },
      monitoring: { measurements: async () => extra.measurements ?? [] },
    },
  };
}

const event = (type: string, seq: number, reason: string, detail?: object, change: ChangeRequest = cr) => ({
  schemaVersion: '1',
  id: `${cr.id}#${seq}`,
  type,
  time: DEPLOYED,
  changeId: cr.id,
  revision: 1,
  category: 'normal',
  from: 'monitoring',
  to: 'monitoring',
  actor: { id: 'system', name: 'ChangeFlow' },
  reason,
  ...(detail ? { detail } : {}),
  change,
});

describe('Rule: the T+15m status notice carries the monitoring measurements so far', () => {
  it('three healthy intervals: the verdict so far and each criterion’s latest measurement, in words', async () => {
    const measurements = [0, 1, 2].flatMap((i) =>
      plan.criteria.map((c) =>
        measure(c, {
          ...intervalAt(DEPLOYED, 60, i),
          samples: [{ at: DEPLOYED, component: 'API Server', requests: 1200, errorRatePercent: 0.4, p95LatencyMs: 8, databaseErrors: 0, criticalAlerts: 0 }],
          reports: [],
        }),
      ),
    );
    const { sent, deps: d } = deps({ measurements });
    await notify(d, event('TimelineNotice', 12, 'T+15m notice', { milestone: 'T+15m', channels: ['engineering'] }));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('Monitoring so far: 3 interval(s) judged, verdict watching.');
    expect(sent[0]!.text).toContain('- Error rate > 5%: PASS (0.4% <= 5%)');
    expect(sent[0]!.text).toContain('- Smoke tests passing: NO_DATA (not confirmed yet)');
    expect(sent[0]!.html).toContain('<p>- Error rate &gt; 5%: PASS (0.4% &lt;= 5%)</p>');
  });
});

describe('Rule: a requested rollback reaches the people who act on it', () => {
  it('RollbackRequested: the requestor, the approvers and on-call, with the rollback plan and how to report it', async () => {
    const { sent, deps: d } = deps();
    await notify(
      d,
      event(
        'RollbackRequested',
        13,
        'rollback trigger fired: Error rate > 5%: breached 2 of 2 in a row (2 fire it): 7% > 5%',
        { fired: ['error-rate'] },
        {
          ...cr,
          state: 'rolling_back',
        },
      ),
    );
    expect(sent).toHaveLength(1);
    expect([...sent[0]!.to].sort()).toEqual(['alice@example.com', 'oscar@example.com', 'tom@example.com']);
    expect(sent[0]!.subject).toBe(`Roll back ${cr.id} now: ${content.title}`);
    expect(sent[0]!.text).toContain(`Rollback plan: ${content.rollback!.procedure}`);
    expect(sent[0]!.text).toContain(`POST http://localhost:3000/changes/${cr.id}/rollback`);
  });

  it('MonitoringVerdict: the requestor and approvers are asked to decide', async () => {
    const { sent, deps: d } = deps();
    await notify(
      d,
      event(
        'MonitoringVerdict',
        14,
        'monitoring period ended inconclusive, never a pass',
        { verdict: 'inconclusive' },
        {
          ...cr,
          monitoring: { ...cr.monitoring!, verdict: 'inconclusive' },
        },
      ),
    );
    expect(sent[0]!.subject).toBe(`${cr.id}: monitoring period ended inconclusive`);
    expect([...sent[0]!.to].sort()).toEqual(['alice@example.com', 'tom@example.com']);
  });
});
