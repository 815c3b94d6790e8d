/** People and change requests used across tests. */
import type { Category, ChangeContent, Person } from '../functions/core/change-request.js';
import { DEFAULT_COMPONENTS } from '../functions/core/change-request.js';
import type { RulesConfig } from '../functions/core/lifecycle.js';

export const people = {
  alice: { id: 'alice', name: 'Alice Andersen', email: 'alice@example.com', team: 'payments', roles: ['requester'] },
  bob: { id: 'bob', name: 'Bob Brown', email: 'bob@example.com', team: 'platform', roles: ['requester'] },
  tom: { id: 'tom', name: 'Tom Tanaka', email: 'tom@example.com', team: 'payments', roles: ['requester', 'tech-lead'] },
  paula: { id: 'paula', name: 'Paula Park', email: 'paula@example.com', team: 'platform', roles: ['requester', 'tech-lead'] },
  erin: { id: 'erin', name: 'Erin Evans', email: 'erin@example.com', team: 'engineering', roles: ['eng-manager'] },
  ed: { id: 'ed', name: 'Ed Edwards', email: 'ed@example.com', team: 'engineering', roles: ['eng-manager'] },
  carol: { id: 'carol', name: 'Carol Chen', email: 'carol@example.com', team: 'leadership', roles: ['cto'] },
  oscar: { id: 'oscar', name: 'Oscar Ortiz', email: 'oscar@example.com', team: 'sre', roles: ['requester', 'on-call'] },
  ada: { id: 'ada', name: 'Ada Admin', email: 'ada@example.com', team: 'engineering', roles: ['admin'] },
} satisfies Record<string, Person>;

export const rules: RulesConfig = { components: [...DEFAULT_COMPONENTS], timeZone: 'America/New_York', emergencyRoles: ['on-call', 'eng-manager'] };

/** A change request with every section the process asks for, for the given category and risk. */
export function completeContent(
  category: Category = 'normal',
  risk: { likelihood: 'low' | 'medium' | 'high'; impact: 'low' | 'medium' | 'high' | 'critical' } = { likelihood: 'medium', impact: 'medium' },
): ChangeContent {
  const base: ChangeContent = {
    title: 'Upgrade the payments API to Node 22',
    category,
    description: {
      summary: 'Move the payments API runtime from Node 20 to Node 22.',
      motivation: 'Node 20 leaves maintenance in April 2026.',
      components: ['API Server'],
    },
    implementation: { changes: 'Bump the base image and the engines field; redeploy.', estimatedDuration: '30 minutes' },
    // Tuesday 16 March 2027, 11:00–12:00 in New York (EDT): the preferred window of a normal change
    plannedWindow: { start: '2027-03-16T15:00:00Z', end: '2027-03-16T16:00:00Z' },
    testing: {
      testPlan: 'Run the full suite and a staging soak.',
      checklist: ['unit-tests', 'integration-tests', 'staging-deployment'],
      successCriteria: ['Error rate below 1%', 'p95 latency under 10 ms'],
    },
    risk: { ...risk, potentialImpacts: 'Payments could fail to start.', mitigations: 'Canary first; watch error rate.' },
    rollback: { procedure: 'Redeploy the previous image tag.', duration: '10 minutes', triggers: ['error-rate', 'critical-alerts'] },
    communication: { stakeholders: ['engineering', 'support'] },
  };
  if (category === 'standard') base.standardType = 'patch-version-bump';
  if (category === 'major') {
    base.testing!.checklist = ['unit-tests', 'integration-tests', 'load-tests', 'chaos-tests', 'staging-deployment'];
    base.rollback!.drDrill = 'DR drill run on 2026-11-20: restore from snapshot in 14 minutes.';
  }
  if (category === 'emergency') base.incident = { reference: 'INC-4242', severity: 'P1' };
  return base;
}

/** Who approves each slot in the tests (seed/directory.json). */
export const APPROVER_OF = { 'tech-lead': 'tom', 'eng-manager': 'erin', cto: 'carol' } as const satisfies Record<string, keyof typeof people>;

/** A healthy monitoring sample of the `i`-th 60-second interval after a deployment (mid-interval). */
export const healthySample = (deployedAt: number, i: number) => ({
  at: new Date(deployedAt + (i * 60 + 30) * 1000).toISOString(),
  component: 'API Server',
  requests: 1200,
  errorRatePercent: 0.4,
  p95LatencyMs: 8.1,
  databaseErrors: 0,
  criticalAlerts: 0,
});
