import { describe, expect, it } from 'vitest';
import { approvalPolicy, approversToAsk } from '../../functions/core/approval-policy.js';
import { people } from '../fixtures.js';
import type { Category, RiskLevel } from '../../functions/core/change-request.js';

type Expected = { route: 'auto' | 'approval' | 'post-approval'; slots: string[] } | 'refused';

// DESIGN §1 "Who must approve", every category × risk, written out by hand.
const ROUTES: [Category, RiskLevel, Expected][] = [
  ['standard', 'low', { route: 'auto', slots: [] }],
  ['standard', 'medium', 'refused'],
  ['standard', 'high', 'refused'],
  ['standard', 'critical', 'refused'],
  ['normal', 'low', { route: 'approval', slots: ['tech-lead'] }],
  ['normal', 'medium', { route: 'approval', slots: ['tech-lead'] }],
  ['normal', 'high', { route: 'approval', slots: ['eng-manager'] }],
  ['normal', 'critical', { route: 'approval', slots: ['cto'] }],
  ['major', 'low', { route: 'approval', slots: ['eng-manager', 'cto'] }],
  ['major', 'medium', { route: 'approval', slots: ['eng-manager', 'cto'] }],
  ['major', 'high', { route: 'approval', slots: ['eng-manager', 'cto'] }],
  ['major', 'critical', { route: 'approval', slots: ['eng-manager', 'cto'] }],
  ['emergency', 'low', { route: 'post-approval', slots: ['eng-manager'] }],
  ['emergency', 'medium', { route: 'post-approval', slots: ['eng-manager'] }],
  ['emergency', 'high', { route: 'post-approval', slots: ['eng-manager'] }],
  ['emergency', 'critical', { route: 'post-approval', slots: ['cto'] }],
];

describe('Rule: the stricter of the category rule and the risk rule decides who approves', () => {
  it.each(ROUTES)('%s change at %s risk', (category, risk, expected) => {
    // Act
    const result = approvalPolicy({ category, standardType: category === 'standard' ? 'security-patch' : undefined }, risk);
    // Assess
    if (expected === 'refused') {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/file it as normal/);
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.requirement.route).toBe(expected.route);
    expect(result.requirement.slots.map((s) => s.minRole)).toEqual(expected.slots);
    expect(result.requirement.reasons.length).toBeGreaterThan(0);
  });

  it('refuses a standard change that is not from the catalogue, saying to file it as normal', () => {
    const result = approvalPolicy({ category: 'standard' }, 'low');
    expect(result).toMatchObject({ ok: false, path: 'content.standardType' });
    if (!result.ok) expect(result.message).toMatch(/filed as normal/);
  });
});

describe('Rule: every eligible person is asked — for tech lead, the tech leads of the requestor team', () => {
  const everyone = Object.values(people);

  it('asks the tech leads of the requestor team only', () => {
    expect(approversToAsk({ minRole: 'tech-lead' }, people.alice, everyone).map((p) => p.id)).toEqual(['tom']);
  });

  it('asks every tech lead when the team has none', () => {
    expect(
      approversToAsk({ minRole: 'tech-lead' }, people.oscar, everyone)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['paula', 'tom']);
  });

  it('asks everyone at or above the role, never the requestor', () => {
    expect(
      approversToAsk({ minRole: 'eng-manager' }, people.erin, everyone)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['carol', 'ed']);
    expect(approversToAsk({ minRole: 'cto' }, people.alice, everyone).map((p) => p.id)).toEqual(['carol']);
  });
});
