/**
 * The process as people meet it (issue: "every rule in one place"): the lifecycle table answers
 * "what may happen next", a start obeys the deploy gate, the pre-deployment checklist, who may
 * declare an emergency, the seed's own template without likelihood and impact, windows that ended.
 */
import { describe, expect, it } from 'vitest';
import { recordApprovalRequest, routeSubmitted } from '../../functions/core/approval-flow.js';
import type { Actor, ChangeContent, ChangeRequest } from '../../functions/core/change-request.js';
import { checklistOf, missingForStart } from '../../functions/core/checklist.js';
import { ForbiddenError, IncompleteError, ValidationError } from '../../functions/core/errors.js';
import { allowedActions, applyAction, createChange, editChange, type Action, type TransitionContext } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const T0 = '2026-11-24T15:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const OPEN: TransitionContext = { gate: { decision: 'allow', reasons: [] } };
const act = (cr: ChangeRequest, action: Action, actor: Actor, input = {}, now = later(1), context: TransitionContext = OPEN) =>
  applyAction(cr, action, actor, input, now, rules, context);
const filed = (content: ChangeContent = completeContent(), actor: Actor = people.alice, now = T0) =>
  createChange({ id: 'CR-2026-11-24-001', content, actor, now, config: rules }).next;
function pending(content = completeContent()): ChangeRequest {
  const routed = routeSubmitted(act(filed(content), 'submit', people.alice).next, 1, later(1));
  if (typeof routed === 'string') throw new Error('unexpected');
  let cr = routed.next;
  for (const r of cr.approvalRequests ?? []) cr = recordApprovalRequest(cr, 1, r.slot, `t-${r.slot}`, later(1)).decision!.next;
  return cr;
}
const approved = () => act(pending(), 'approve', people.tom, { revision: 1 }).next;

describe('Rule: what may happen next comes from the one lifecycle table, for the person asking', () => {
  it('an emergency draft is started by someone who may declare one, and never submitted', () => {
    const draft = filed({ ...completeContent('emergency'), incident: undefined }, people.oscar);
    expect(allowedActions(draft, people.oscar, rules).sort()).toEqual(['cancel', 'edit', 'start']);
    expect(allowedActions(draft, people.alice, rules)).toEqual([]);
  });

  it('an emergency in progress offers its post-approval to an engineering manager, and to nobody below', () => {
    const started = filed(completeContent('emergency'), people.oscar);
    expect(started.state).toBe('in_progress');
    expect(allowedActions(started, people.erin, rules)).toContain('approve');
    expect(allowedActions(started, people.tom, rules)).not.toContain('approve');
    expect(allowedActions(started, people.oscar, rules)).toEqual(expect.arrayContaining(['complete', 'rollback', 'edit']));
    expect(allowedActions(started, people.oscar, rules)).not.toContain('approve');
  });

  it('a pending change offers decisions to its approver and the checklist, edit and cancel to its requestor', () => {
    const cr = pending();
    expect(allowedActions(cr, people.tom, rules).sort()).toEqual(['approve', 'reject']);
    expect(allowedActions(cr, people.alice, rules).sort()).toEqual(['cancel', 'checklist', 'edit']);
    expect(allowedActions(cr, people.bob, rules)).toEqual([]);
  });

  it('an approved change offers start and schedule to its implementers', () => {
    expect(allowedActions(approved(), people.oscar, rules).sort()).toEqual(['checklist', 'schedule', 'start']);
  });
});

describe('Rule: a start obeys what the deploy gate says', () => {
  it('refuses (422) with each of the gate’s reasons, and writes nothing', () => {
    const gate = {
      decision: 'deny' as const,
      reasons: [
        { code: 'outside-window', message: 'outside the planned window 2027-03-16T15:00:00Z – 2027-03-16T16:00:00Z' },
        { code: 'checklist', message: 'pre-deployment checklist: "All tests passing" is not ticked' },
      ],
    };
    const cr = approved();
    try {
      act(cr, 'start', people.alice, {}, later(2), { gate });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IncompleteError);
      expect((err as IncompleteError).issues.map((i) => i.path)).toEqual(['gate.outside-window', 'gate.checklist']);
    }
  });

  it('starts when the gate allows', () => {
    expect(act(approved(), 'start', people.alice).next.state).toBe('in_progress');
  });
});

describe('Rule: the pre-deployment checklist (seed: Implementation)', () => {
  it('ChangeFlow ticks "approved" itself; a normal change still needs the other seven before it starts', () => {
    const cr = approved();
    expect(checklistOf(cr).find((l) => l.item === 'change-approved')).toMatchObject({ ticked: true, by: 'system' });
    expect(missingForStart(cr).map((l) => l.item)).toEqual([
      'tests-passing',
      'staging-deployed',
      'rollback-tested',
      'stakeholders-notified',
      'dashboards-open',
      'on-call-briefed',
      'templates-ready',
    ]);
  });

  it('a standard change needs only the automated items; an emergency none', () => {
    const standard = filed(completeContent('standard', { likelihood: 'low', impact: 'low' }));
    expect(missingForStart(standard).map((l) => l.item)).toEqual(['change-approved', 'stakeholders-notified']);
    expect(missingForStart(filed(completeContent('emergency'), people.oscar))).toEqual([]);
  });

  it('stakeholders count as notified once a T-24h or T-1h notice of this revision went out', () => {
    const cr = approved();
    cr.notices = [{ milestone: 'T-1h', at: later(5), revision: 1, channels: ['engineering'] }];
    expect(checklistOf(cr).find((l) => l.item === 'stakeholders-notified')?.ticked).toBe(true);
    cr.notices = [{ milestone: 'T-1h', at: later(5), revision: 0, channels: ['engineering'] }];
    expect(checklistOf(cr).find((l) => l.item === 'stakeholders-notified')?.ticked).toBe(false);
  });

  it('people tick items with who and when in the trail; ChangeFlow’s own items cannot be ticked by hand', () => {
    const cr = approved();
    const ticked = act(cr, 'checklist', people.oscar, { tick: ['tests-passing', 'on-call-briefed'], note: 'CI run 812' });
    expect(
      checklistOf(ticked.next)
        .filter((l) => l.ticked)
        .map((l) => l.item),
    ).toEqual(['change-approved', 'tests-passing', 'on-call-briefed']);
    expect(ticked.audit[0]).toMatchObject({ action: 'checklist', actor: { id: 'oscar' }, detail: { ticked: ['tests-passing', 'on-call-briefed'] } });
    expect(() => act(cr, 'checklist', people.oscar, { tick: ['change-approved'] })).toThrow(ValidationError);
    expect(() => act(cr, 'checklist', people.bob, { tick: ['tests-passing'] })).toThrow(ForbiddenError);
  });

  it('ticking what is already ticked records nothing; a new revision clears the ticks', () => {
    const cr = act(approved(), 'checklist', people.alice, { tick: ['tests-passing'] }).next;
    expect(act(cr, 'checklist', people.alice, { tick: ['tests-passing'] }).audit).toEqual([]);
    const edited = editChange(cr, people.alice, { ...cr.content, title: 'Retitled' }, later(9), rules).next;
    expect(checklistOf(edited).find((l) => l.item === 'tests-passing')?.ticked).toBe(false);
  });
});

describe('Rule: who may declare an emergency (on-call, an engineering manager or above, by default)', () => {
  it('filed by on-call with its incident, it starts at once and the declaration is recorded', () => {
    const cr = filed(completeContent('emergency'), people.oscar);
    expect(cr).toMatchObject({ state: 'in_progress', emergency: { declaredBy: 'oscar' }, checklistSkipped: true });
  });

  it('filed by a requester, it stays a draft that on-call or a manager starts', () => {
    const cr = filed(completeContent('emergency'), people.alice);
    expect(cr.state).toBe('draft');
    expect(cr.warnings.join(' ')).toMatch(/waits for someone who may declare an emergency/);
    expect(() => act(cr, 'start', people.alice)).toThrow(ForbiddenError);
    expect(act(cr, 'start', people.erin).next).toMatchObject({ state: 'in_progress', emergency: { declaredBy: 'erin' } });
  });

  it('the roles are a setting', () => {
    const strict = { ...rules, emergencyRoles: ['cto' as const] };
    const cr = createChange({ id: 'CR-2026-11-24-009', content: completeContent('emergency'), actor: people.oscar, now: T0, config: strict }).next;
    expect(cr.state).toBe('draft');
  });

  it('starts at its "Implemented at" time: the 24 h of the post-approval run from there; a time in the future is refused', () => {
    const content = completeContent('emergency');
    content.incident = { ...content.incident, implementedAt: '2026-11-24T09:30:00Z' };
    expect(filed(content, people.oscar)).toMatchObject({ startedAt: '2026-11-24T09:30:00.000Z', postApproval: { dueAt: '2026-11-25T09:30:00.000Z' } });
    content.incident.implementedAt = '2026-11-25T09:30:00Z';
    expect(() => filed(content, people.oscar)).toThrow(ValidationError);
  });

  it('records the blackouts it runs through, on the change and in its trail', () => {
    const blackoutsAtStart = [{ name: 'Weekend', kind: 'weekend', start: '2026-11-28T05:00:00Z', end: '2026-11-30T05:00:00Z' }];
    const { next, audit } = createChange({
      id: 'CR-2026-11-28-001',
      content: completeContent('emergency'),
      actor: people.oscar,
      now: T0,
      config: rules,
      blackoutsAtStart,
    });
    expect(next.emergency?.blackouts).toEqual(blackoutsAtStart);
    expect(audit.at(-1)).toMatchObject({ action: 'start', detail: { blackouts: ['Weekend'] } });
    expect(audit.at(-1)?.reason).toMatch(/runs through the blackout "Weekend"/);
  });
});

describe('Rule: the seed’s own template can be submitted', () => {
  const seedStyle = (): ChangeContent => {
    const c = completeContent();
    delete c.plannedWindow;
    c.risk = { declaredLevel: 'medium', potentialImpacts: 'Payments fail.', mitigations: 'Canary.' };
    c.implementation = { ...c.implementation, maintenanceWindow: { required: true, durationMinutes: 45, proposedTime: '2026-12-08 10:00' } };
    return c;
  };

  it('the planned window is the proposed time (org zone) for the maintenance window’s duration', () => {
    const cr = filed(seedStyle());
    expect(cr.content.plannedWindow).toEqual({ start: '2026-12-08T15:00:00.000Z', end: '2026-12-08T15:45:00.000Z', derivedFrom: 'maintenance-window' });
  });

  it('without a maintenance-window duration, the estimated duration gives the end', () => {
    const c = seedStyle();
    c.implementation!.maintenanceWindow = { required: true, proposedTime: '2026-12-08 10:00' };
    c.implementation!.estimatedDuration = '1h30m';
    expect(filed(c).content.plannedWindow).toMatchObject({ end: '2026-12-08T16:30:00.000Z', derivedFrom: 'estimated-duration' });
  });

  it('with only the ticked risk level, the level stands, marked as declared', () => {
    const cr = filed(seedStyle());
    expect(cr).toMatchObject({ riskLevel: 'medium', riskBasis: 'declared' });
    expect(cr.warnings.join(' ')).toMatch(/as the requestor declared it/);
    expect(act(cr, 'submit', people.alice).next.state).toBe('submitted');
  });

  it('a proposed time it cannot read is named at submit, in words', () => {
    const c = seedStyle();
    c.implementation!.maintenanceWindow!.proposedTime = 'after lunch sometime';
    try {
      act(filed(c), 'submit', people.alice);
      expect.unreachable();
    } catch (err) {
      expect((err as IncompleteError).issues).toEqual([
        expect.objectContaining({ path: 'content.implementation.maintenanceWindow.proposedTime', message: expect.stringMatching(/not a date and time/) }),
      ]);
    }
  });

  it('an edit of something else keeps the derived window; an edit of the proposed time moves it', () => {
    const cr = filed(seedStyle());
    const retitled = editChange(cr, people.alice, { ...cr.content, title: 'New title' }, later(3000), rules).next;
    expect(retitled.content.plannedWindow?.start).toBe('2026-12-08T15:00:00.000Z');
    const moved = structuredClone(cr.content);
    moved.implementation!.maintenanceWindow!.proposedTime = '2026-12-09 11:00';
    expect(editChange(cr, people.alice, moved, later(10), rules).next.content.plannedWindow?.start).toBe('2026-12-09T16:00:00.000Z');
  });
});

describe('Rule: a window that has ended cannot be submitted or scheduled; one under way is warned about', () => {
  it('refuses a submit after the window’s end', () => {
    expect(() => act(filed(), 'submit', people.alice, {}, '2027-03-16T16:00:00.000Z')).toThrow(/ended at/);
  });

  it('refuses a schedule after the window’s end', () => {
    expect(() => act(approved(), 'schedule', people.alice, {}, '2027-03-17T00:00:00.000Z')).toThrow(/ended at/);
  });

  it('warns on a submit during the window', () => {
    expect(act(filed(), 'submit', people.alice, {}, '2027-03-16T15:30:00.000Z').next.warnings.join(' ')).toMatch(/already under way/);
  });
});
