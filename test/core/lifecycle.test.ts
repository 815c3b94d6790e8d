import { describe, expect, it } from 'vitest';
import type { Actor, ChangeContent, ChangeRequest, State } from '../../functions/core/change-request.js';
import { STATES } from '../../functions/core/change-request.js';
import { monitoringPlan } from '../../functions/core/monitoring.js';
import { ForbiddenError, IllegalTransitionError, IncompleteError, ValidationError } from '../../functions/core/errors.js';
import { recordApprovalRequest, routeSubmitted } from '../../functions/core/approval-flow.js';
import { applyAction, createChange, editChange, type Action, type Decision, type TransitionContext } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const T0 = '2026-11-24T15:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function filed(content: ChangeContent = completeContent(), actor: Actor = people.alice): ChangeRequest {
  return createChange({ id: 'CR-2026-11-24-001', content, actor, now: T0, config: rules }).next;
}
const GATE_OPEN: TransitionContext = { gate: { decision: 'allow', reasons: [] } };
const act = (cr: ChangeRequest, action: Action, actor: Actor, input = {}, now = later(1), context: TransitionContext = GATE_OPEN) =>
  applyAction(cr, action, actor, input, now, rules, context);
/** Submitted, then routed by the approval workflow's first step, which asks for each approval. */
const routed = (cr: ChangeRequest, now = later(1)) => {
  const d = routeSubmitted(cr, cr.revision, now);
  if (typeof d === 'string') throw new Error('unexpected');
  let next = d.next;
  for (const r of next.approvalRequests ?? []) {
    const asked = recordApprovalRequest(next, next.revision, r.slot, `token-${r.slot}-${next.revision}`, now);
    if (!asked.wait || !asked.decision) throw new Error('unexpected');
    next = asked.decision.next;
  }
  return next;
};
const submitted = (content = completeContent(), actor: Actor = people.alice) => routed(act(filed(content, actor), 'submit', actor).next);

/** A normal CR put straight into `state`, with what that state implies already on it. */
function inState(state: State): ChangeRequest {
  const cr = submitted();
  cr.state = state;
  if (state === 'monitoring' || state === 'rolling_back') {
    cr.deployedAt = later(-61);
    cr.monitoringUntil = later(-1);
    cr.monitoring = { plan: monitoringPlan(cr.content), verdict: 'passed', reasons: [], runs: 1, deployedBy: 'alice' };
    cr.monitoringFlow = { name: 'monitoring', executionName: `${cr.id}-monitoring-1`, revision: cr.revision };
  }
  return cr;
}

// The lifecycle of DESIGN §1, written out by hand: action → states it may leave from → state it reaches.
const LEGAL: Record<Action, [State, State][]> = {
  submit: [['draft', 'submitted']],
  approve: [['pending_approval', 'approved']],
  reject: [['pending_approval', 'rejected']],
  cancel: [
    ['draft', 'cancelled'],
    ['submitted', 'cancelled'],
    ['pending_approval', 'cancelled'],
    ['approved', 'cancelled'],
    ['scheduled', 'cancelled'],
  ],
  schedule: [['approved', 'scheduled']],
  start: [
    ['approved', 'in_progress'],
    ['scheduled', 'in_progress'],
  ],
  deployed: [['in_progress', 'monitoring']],
  complete: [
    ['in_progress', 'monitoring'],
    ['monitoring', 'completed'],
  ],
  verdict: [['monitoring', 'monitoring']],
  rollback: [
    ['in_progress', 'rolled_back'],
    ['monitoring', 'rolled_back'],
    ['rolling_back', 'rolled_back'],
  ],
  fail: [
    ['in_progress', 'failed'],
    ['monitoring', 'failed'],
    ['rolling_back', 'failed'],
  ],
  checklist: [
    ['submitted', 'submitted'],
    ['pending_approval', 'pending_approval'],
    ['approved', 'approved'],
    ['scheduled', 'scheduled'],
  ],
};
const ACTOR: Record<Action, Actor> = {
  submit: people.alice,
  approve: people.tom,
  reject: people.tom,
  cancel: people.alice,
  schedule: people.alice,
  start: people.alice,
  deployed: people.alice,
  complete: people.alice,
  verdict: people.tom,
  rollback: people.alice,
  fail: people.alice,
  checklist: people.alice,
};
const INPUT: Partial<Record<Action, object>> = {
  reject: { comment: 'not now' },
  rollback: { reason: 'error rate above 5%' },
  fail: { reason: 'the migration aborted' },
  verdict: { decision: 'extend', minutes: 30, reason: 'traffic is low this early; watch longer' },
  checklist: { tick: ['tests-passing'] },
};

describe('Rule: every transition is guarded', () => {
  const cases = (Object.keys(LEGAL) as Action[]).flatMap((action) =>
    STATES.map((state) => ({ action, state, to: LEGAL[action].find(([from]) => from === state)?.[1] })),
  );

  it.each(cases.filter((c) => c.to))('$action from $state is allowed and reaches $to', ({ action, state, to }) => {
    // Prepare
    const cr = state === 'draft' ? filed() : inState(state);
    // Act
    const { next, audit } = act(cr, action, ACTOR[action], INPUT[action]);
    // Assess
    expect(next.state).toBe(to);
    expect(next.version).toBe(cr.version + 1);
    expect(audit.at(-1)).toMatchObject({ to, seq: cr.auditCount + audit.length });
  });

  it.each(cases.filter((c) => !c.to))('$action from $state is refused as an illegal transition', ({ action, state }) => {
    const cr = state === 'draft' ? filed() : inState(state);
    expect(() => act(cr, action, ACTOR[action], INPUT[action])).toThrow(IllegalTransitionError);
  });
});

describe('Rule: each transition appends who, when, from, to and why to the audit trail', () => {
  it('numbers entries without gaps across writes and records the actor', () => {
    // Prepare
    const created = createChange({ id: 'CR-2026-11-24-001', content: completeContent(), actor: people.alice, now: T0, config: rules });
    // Act
    const sub = act(created.next, 'submit', people.alice);
    const route = routeSubmitted(sub.next, 1, later(1)) as Decision;
    const asked = recordApprovalRequest(route.next, 1, 'tech-lead', 'token-1', later(1));
    const ask = asked.decision!;
    const app = act(ask.next, 'approve', people.tom, { comment: 'looks good' });
    // Assess
    const trail = [...created.audit, ...sub.audit, ...route.audit, ...ask.audit, ...app.audit];
    expect(trail.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(trail.map((e) => [e.from, e.to])).toEqual([
      [null, 'draft'],
      ['draft', 'submitted'],
      ['submitted', 'pending_approval'],
      ['pending_approval', 'pending_approval'],
      ['pending_approval', 'approved'],
    ]);
    expect(trail.map((e) => e.actor.id)).toEqual(['alice', 'alice', 'system', 'system', 'tom']);
    expect(trail[4]!.reason).toContain('looks good');
    expect(app.next.auditCount).toBe(5);
  });

  it('keeps an approval given before the workflow asked for it; the task then completes at once', () => {
    // Prepare
    const sub = act(filed(), 'submit', people.alice).next;
    const route = routeSubmitted(sub, 1, later(1)) as Decision;
    // Act
    const approved = act(route.next, 'approve', people.tom, { revision: 1 });
    const asked = recordApprovalRequest(approved.next, 1, 'tech-lead', 'token-late', later(2));
    // Assess
    expect(approved.next.state).toBe('approved');
    expect(asked).toMatchObject({ wait: false, complete: 'filled' });
    expect(asked.decision?.audit.map((a) => a.action)).toEqual([]);
  });

  it('a callback task started again only swaps its token: nobody is asked twice', () => {
    const cr = submitted();
    const again = recordApprovalRequest(cr, 1, 'tech-lead', 'token-after-restart', later(3));
    expect(again.wait).toBe(true);
    expect(again.decision?.audit).toEqual([]);
    expect(again.decision?.next.approvalRequests?.[0]?.taskToken).toBe('token-after-restart');
  });
});

describe('Rule: submit enforces completeness by category', () => {
  it('names every missing field of an empty draft (422)', () => {
    const cr = filed({ title: 'Something', category: 'normal' });
    try {
      act(cr, 'submit', people.alice);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IncompleteError);
      const paths = (err as IncompleteError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'content.description.summary',
          'content.description.motivation',
          'content.description.components',
          'content.implementation.changes',
          'content.plannedWindow',
          'content.testing.testPlan',
          'content.testing.successCriteria',
          'content.risk',
          'content.risk.potentialImpacts',
          'content.risk.mitigations',
          'content.rollback.procedure',
          'content.rollback.duration',
          'content.rollback.triggers',
          'content.communication.stakeholders',
        ]),
      );
    }
  });

  it.each([
    ['load tests', (c: ChangeContent) => (c.testing!.checklist = c.testing!.checklist!.filter((x) => x !== 'load-tests')), /load tests/],
    ['chaos tests', (c: ChangeContent) => (c.testing!.checklist = c.testing!.checklist!.filter((x) => x !== 'chaos-tests')), /chaos tests/],
    ['a DR drill', (c: ChangeContent) => delete c.rollback!.drDrill, /DR drill/],
  ])('a major change without %s is incomplete', (_, remove, message) => {
    const content = completeContent('major');
    remove(content);
    expect(() => act(filed(content), 'submit', people.alice)).toThrow(IncompleteError);
    try {
      act(filed(content), 'submit', people.alice);
    } catch (err) {
      expect((err as IncompleteError).issues.some((i) => message.test(i.message))).toBe(true);
    }
  });

  it('refuses a standard change above low risk and says to file it as normal', () => {
    const cr = filed(completeContent('standard', { likelihood: 'medium', impact: 'medium' }));
    expect(() => act(cr, 'submit', people.alice)).toThrow(/file it as normal/);
  });

  it('auto-approves a low-risk standard change from the catalogue, by the system', () => {
    const sub = act(filed(completeContent('standard', { likelihood: 'low', impact: 'low' })), 'submit', people.alice).next;
    const { next, audit } = routeSubmitted(sub, 1, later(2)) as Decision;
    expect(next.state).toBe('approved');
    expect(audit.at(-1)).toMatchObject({ action: 'auto-approve', actor: { id: 'system' }, from: 'submitted', to: 'approved' });
  });

  it('tells which approvals are required and why on submit', () => {
    const next = submitted(completeContent('normal', { likelihood: 'medium', impact: 'high' }));
    expect(next.riskLevel).toBe('high');
    expect(next.approvalRequirement?.slots.map((s) => s.minRole)).toEqual(['eng-manager']);
    expect(next.approvalRequirement?.reasons.join(' ')).toMatch(/high/);
  });
});

describe('Rule: risk level is computed, never taken from the client', () => {
  it('keeps the computed level and warns when the ticked level differs', () => {
    const content = completeContent('normal', { likelihood: 'low', impact: 'low' });
    content.risk!.declaredLevel = 'critical';
    const cr = filed(content);
    expect(cr.riskLevel).toBe('low');
    expect(cr.warnings.join(' ')).toMatch(/ticked risk level critical.*computed level low/);
  });
});

describe('Rule: separation of duties', () => {
  it('nobody approves their own change request', () => {
    const cr = submitted(completeContent(), people.tom);
    expect(() => act(cr, 'approve', people.tom)).toThrow(ForbiddenError);
  });

  it('nobody rejects their own change request', () => {
    const cr = submitted(completeContent(), people.tom);
    expect(() => act(cr, 'reject', people.tom, { comment: 'no' })).toThrow(ForbiddenError);
  });

  it('the refusal says which it is, by type: separation of duties, or a missing right', () => {
    const cr = submitted(completeContent(), people.tom);
    const reasonOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof ForbiddenError ? err.reason : 'not forbidden';
      }
      return 'allowed';
    };
    expect(reasonOf(() => act(cr, 'approve', people.tom))).toBe('separation-of-duties');
    expect(reasonOf(() => act(cr, 'approve', people.bob))).toBe('not-permitted');
  });

  it('a role below the required one cannot approve', () => {
    const cr = submitted(completeContent('normal', { likelihood: 'high', impact: 'high' })); // critical → cto
    expect(() => act(cr, 'approve', people.erin)).toThrow(ForbiddenError);
    expect(act(cr, 'approve', people.carol).next.state).toBe('approved');
  });

  it('a requester without an approver role cannot approve or reject', () => {
    const cr = submitted();
    expect(() => act(cr, 'approve', people.bob)).toThrow(ForbiddenError);
    expect(() => act(cr, 'reject', people.bob, { comment: 'no' })).toThrow(ForbiddenError);
  });

  it('only the requestor or an admin submits, edits or cancels', () => {
    const cr = filed();
    expect(() => act(cr, 'submit', people.bob)).toThrow(ForbiddenError);
    expect(() => act(cr, 'cancel', people.bob)).toThrow(ForbiddenError);
    expect(() => editChange(cr, people.bob, completeContent(), later(1), rules)).toThrow(ForbiddenError);
    expect(act(cr, 'submit', people.ada).next.state).toBe('submitted');
  });
});

describe('Rule: a major change needs an eng-manager and the CTO, two different people', () => {
  const major = () => submitted(completeContent('major'));

  it.each([
    ['manager first', [people.erin, people.carol]],
    ['CTO first', [people.carol, people.erin]],
  ])('is approved with both, %s', (_, [first, second]) => {
    const one = act(major(), 'approve', first!);
    expect(one.next.state).toBe('pending_approval');
    const two = act(one.next, 'approve', second!, {}, later(2));
    expect(two.next.state).toBe('approved');
    expect(two.next.approvals.map((a) => a.slot).sort()).toEqual(['cto', 'eng-manager']);
  });

  it("one person's approval counts once", () => {
    const one = act(major(), 'approve', people.carol);
    expect(() => act(one.next, 'approve', people.carol, {}, later(2))).toThrow(/counts once/);
  });

  it('two managers do not make a CTO', () => {
    const one = act(major(), 'approve', people.erin);
    expect(() => act(one.next, 'approve', people.ed, {}, later(2))).toThrow(ForbiddenError);
  });
});

describe('Rule: an approval is bound to the revision it saw', () => {
  it('editing a pending change makes a new revision, clears approvals and needs a new submit', () => {
    const major = act(submitted(completeContent('major')), 'approve', people.erin).next;
    const content = { ...major.content, title: 'Upgrade the payments API to Node 22 (with canary)' };
    const { next, audit } = editChange(major, people.alice, content, later(3), rules);
    expect(next).toMatchObject({ revision: 2, state: 'draft', approvals: [] });
    expect(audit[0]!.reason).toMatch(/approvals cleared/);
  });

  it('a submitted change whose workflow never started can be edited back to draft', () => {
    const stuck = act(filed(), 'submit', people.alice).next;
    expect(stuck.state).toBe('submitted');
    expect(editChange(stuck, people.alice, { ...stuck.content, title: 'Try again' }, later(2), rules).next).toMatchObject({ state: 'draft', revision: 2 });
  });

  it('an approval for an older revision is refused', () => {
    const cr = submitted();
    const edited = editChange(cr, people.alice, { ...cr.content, title: 'Changed title' }, later(2), rules).next;
    const resubmitted = routed(act(edited, 'submit', people.alice, {}, later(3)).next, later(3));
    expect(resubmitted.revision).toBe(2);
    expect(() => act(resubmitted, 'approve', people.tom, { revision: 1 }, later(4))).toThrow(/revision 1.*revision 2/);
    expect(act(resubmitted, 'approve', people.tom, { revision: 2 }, later(4)).next.approvals[0]!.revision).toBe(2);
  });

  it('a rejection is final for that revision; an edit starts over', () => {
    const rejected = act(submitted(), 'reject', people.tom, { comment: 'rollback plan too thin' }).next;
    expect(rejected.state).toBe('rejected');
    expect(() => act(rejected, 'approve', people.tom)).toThrow(IllegalTransitionError);
    const edited = editChange(rejected, people.alice, { ...rejected.content, title: 'Now with a real rollback' }, later(5), rules).next;
    expect(edited).toMatchObject({ state: 'draft', revision: 2 });
  });

  it('a rejection must say why', () => {
    expect(() => act(submitted(), 'reject', people.tom, {})).toThrow(ValidationError);
  });
});

describe('Rule: emergency changes start at once and are post-approved within 24 h', () => {
  it('goes in progress on filing when the incident is named, with post-approval due 24 h later', () => {
    const { next, audit } = createChange({ id: 'CR-2026-11-24-002', content: completeContent('emergency'), actor: people.oscar, now: T0, config: rules });
    expect(next.state).toBe('in_progress');
    expect(next.postApproval).toMatchObject({ dueAt: '2026-11-25T15:00:00.000Z', minRole: 'eng-manager' });
    expect(audit.map((a) => a.to)).toEqual(['draft', 'in_progress']);
  });

  it('stays a draft without its incident, says so, and cannot start', () => {
    const cr = filed({ title: 'Hotfix', category: 'emergency', description: { summary: 'Stop the bleeding.' } }, people.oscar);
    expect(cr.state).toBe('draft');
    expect(cr.warnings.join(' ')).toMatch(/content\.incident\.reference/);
    expect(() => act(cr, 'start', people.oscar)).toThrow(IncompleteError);
  });

  it('is not submitted for approval', () => {
    const cr = filed({ title: 'Hotfix', category: 'emergency' }, people.oscar);
    expect(() => act(cr, 'submit', people.oscar)).toThrow(IllegalTransitionError);
  });

  it('is post-approved by an eng-manager or above, not by a tech lead or the requestor', () => {
    const cr = filed(completeContent('emergency'), people.oscar);
    expect(() => act(cr, 'approve', people.tom)).toThrow(ForbiddenError);
    const self = filed(completeContent('emergency'), people.erin);
    expect(() => act(self, 'approve', people.erin)).toThrow(/separation of duties/);
    const { next } = act(cr, 'approve', people.erin, { comment: 'right call' });
    expect(next.postApproval).toMatchObject({ approvedBy: 'erin' });
    expect(next.state).toBe('in_progress');
  });

  it('cannot be closed without a post-incident review reference', () => {
    const cr = filed(completeContent('emergency'), people.oscar);
    const monitoring = act(cr, 'deployed', people.oscar).next;
    const passed = act(monitoring, 'verdict', people.erin, { decision: 'pass', reason: 'the incident is resolved; dashboards are flat' }, later(31)).next;
    expect(() => act(passed, 'complete', people.oscar, {}, later(32))).toThrow(IncompleteError);
    const closed = act(passed, 'complete', people.oscar, { postIncidentReview: 'PIR-77' }, later(32)).next;
    expect(closed).toMatchObject({ state: 'completed', postIncidentReview: 'PIR-77' });
  });
});

describe('Rule: a deployment starts a monitoring period of its category’s length, and only a passed period completes', () => {
  it.each([
    ['standard', 15],
    ['normal', 60],
    ['major', 240],
    ['emergency', 30],
  ] as const)('%s: %i minutes, judged on the plan fixed at deployment', (category, minutes) => {
    const cr = inState('in_progress');
    cr.content = completeContent(category);
    const { next: deployed, audit } = act(cr, 'deployed', people.alice, {}, T0);
    expect(deployed.state).toBe('monitoring');
    expect(Date.parse(deployed.monitoringUntil!) - Date.parse(T0)).toBe(minutes * 60_000);
    expect(deployed.monitoring).toMatchObject({ verdict: 'watching', runs: 1, deployedBy: 'alice' });
    expect(deployed.monitoring!.plan.minutes).toBe(minutes);
    expect(deployed.monitoringFlow).toEqual({ name: 'monitoring', executionName: `${cr.id}-monitoring-1`, revision: cr.revision });
    expect(audit.at(-1)).toMatchObject({ action: 'deployed', from: 'in_progress', to: 'monitoring' });
  });

  it('complete is refused while the verdict is not passed, even after the period’s minutes: no data is not a success', () => {
    const deployed = act(inState('in_progress'), 'deployed', people.alice, {}, T0).next;
    expect(() => act(deployed, 'complete', people.alice, {}, later(61))).toThrow(/monitoring period has not passed \(verdict watching\)/);
  });

  it('an approver who neither filed nor deployed the change may pass it now; the requestor, the deployer and a non-approver may not', () => {
    const deployed = act(inState('in_progress'), 'deployed', people.oscar, {}, T0).next;
    const pass = { decision: 'pass' as const, reason: 'smoke tests and dashboards look right' };
    expect(() => act(deployed, 'verdict', people.alice, pass)).toThrow(/requestor cannot pass/);
    expect(() => act(deployed, 'verdict', people.oscar, pass)).toThrow(/whoever reported the deployment/);
    expect(() => act(deployed, 'verdict', people.bob, pass)).toThrow(ForbiddenError);
    const passed = act(deployed, 'verdict', people.tom, pass, later(5)).next;
    expect(passed.monitoring).toMatchObject({ verdict: 'passed' });
    expect(act(passed, 'complete', people.alice, {}, later(6)).next.state).toBe('completed');
  });

  it('fail now requests the rollback: the change goes rolling_back until the rollback is reported', () => {
    const deployed = act(inState('in_progress'), 'deployed', people.alice, {}, T0).next;
    const { next, audit } = act(deployed, 'verdict', people.alice, { decision: 'fail', reason: 'checkout errors in the support queue' }, later(3));
    expect(next.state).toBe('rolling_back');
    expect(audit.at(-1)).toMatchObject({ action: 'rollback-requested', to: 'rolling_back', detail: { decision: 'fail', fired: ['person'] } });
    const rolledBack = act(next, 'rollback', people.alice, { reason: 'previous image redeployed' }, later(9)).next;
    expect(rolledBack.state).toBe('rolled_back');
  });

  it('extend moves the end by the minutes given, from the end or from now if it passed', () => {
    const deployed = act(inState('in_progress'), 'deployed', people.alice, {}, T0).next;
    const extended = act(deployed, 'verdict', people.alice, { decision: 'extend', minutes: 30, reason: 'low traffic' }, later(10)).next;
    expect(extended.monitoringUntil).toBe(later(90));
    expect(extended.monitoring!.plan.minutes).toBe(90);
    expect(() => act(deployed, 'verdict', people.alice, { decision: 'extend', reason: 'x' })).toThrow(/body.minutes/);
  });

  it('every decision needs a reason; acknowledge needs an unhealthy baseline', () => {
    const deployed = act(inState('in_progress'), 'deployed', people.alice, {}, T0).next;
    expect(() => act(deployed, 'verdict', people.tom, { decision: 'pass' })).toThrow(/body.reason/);
    expect(() => act(deployed, 'verdict', people.alice, { decision: 'acknowledge', reason: 'known noise' })).toThrow(IllegalTransitionError);
  });

  it('a failed outcome needs a reason', () => {
    expect(() => act(inState('monitoring'), 'complete', people.alice, { outcome: 'failed' })).toThrow(ValidationError);
    expect(act(inState('monitoring'), 'complete', people.alice, { outcome: 'failed', reason: 'smoke tests fail' }).next.state).toBe('failed');
  });
});

describe('Rule: components come from the configured list', () => {
  it('refuses an unknown component, naming its path', () => {
    const content = completeContent();
    content.description!.components = ['API Server', 'Mainframe'];
    expect(() => filed(content)).toThrow(ValidationError);
    try {
      filed(content);
    } catch (err) {
      expect((err as ValidationError).issues[0]!.path).toBe('content.description.components.1');
    }
  });
});
