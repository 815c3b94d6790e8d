import { describe, expect, it } from 'vitest';
import { applyTimers, DEFAULT_TIMERS, dueTimers, postApprovalOverdue, recordApprovalRequest, routeSubmitted } from '../../functions/core/approval-flow.js';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { applyAction, createChange, type Decision } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const T0 = '2027-03-01T15:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3_600_000).toISOString();

function pending(category: 'normal' | 'major' = 'normal', risk?: Parameters<typeof completeContent>[1]): ChangeRequest {
  const filed = createChange({ id: 'CR-2027-03-01-001', content: completeContent(category, risk), actor: people.alice, now: T0, config: rules }).next;
  const submitted = applyAction(filed, 'submit', people.alice, {}, T0, rules).next;
  return (routeSubmitted(submitted, 1, T0) as Decision).next;
}

describe('Rule: reminders every 24 h, escalation after 48 h, expiry after 7 days', () => {
  it.each([
    [23, []],
    [24, ['remind']],
    [48, ['escalate']],
    [7 * 24, ['expire']],
  ] as const)('at %i h: %j', (h, kinds) => {
    expect(dueTimers(pending(), at(h), DEFAULT_TIMERS).map((a) => a.kind)).toEqual(kinds);
  });

  it('a reminder is not repeated within 24 h of the last one', () => {
    const cr = pending();
    const reminded = applyTimers(cr, dueTimers(cr, at(24), DEFAULT_TIMERS), at(24), DEFAULT_TIMERS)!.next;
    expect(dueTimers(reminded, at(47), DEFAULT_TIMERS)).toEqual([]);
  });

  it.each([
    ['tech-lead', 'normal', { likelihood: 'medium', impact: 'medium' }, 'eng-manager'],
    ['eng-manager', 'normal', { likelihood: 'medium', impact: 'high' }, 'cto'],
    ['cto', 'normal', { likelihood: 'high', impact: 'high' }, 'admin'],
  ] as const)('escalates a %s slot to %s', (_, category, risk, to) => {
    const cr = pending(category, risk);
    expect(dueTimers(cr, at(48), DEFAULT_TIMERS)).toEqual([{ kind: 'escalate', slot: cr.approvalRequests![0]!.slot, to }]);
  });

  it('expiry takes the change out of the queue with a reason, by the system', () => {
    const cr = pending();
    const d = applyTimers(cr, [{ kind: 'expire' }], at(169), DEFAULT_TIMERS)!;
    expect(d.next).toMatchObject({ state: 'cancelled', closeReason: expect.stringMatching(/expired/) });
    expect(d.audit[0]).toMatchObject({ action: 'expire', actor: { id: 'system' }, from: 'pending_approval', to: 'cancelled' });
  });

  it('filled slots are not reminded', () => {
    let cr = pending('major');
    for (const r of cr.approvalRequests!) cr = recordApprovalRequest(cr, 1, r.slot, `t-${r.slot}`, T0).decision!.next;
    cr = applyAction(cr, 'approve', people.carol, {}, at(1), rules).next;
    expect(dueTimers(cr, at(24), DEFAULT_TIMERS)).toEqual([{ kind: 'remind', slot: 'eng-manager' }]);
  });
});

describe('Rule: the flow asks once per slot and revision', () => {
  it('a request for a superseded revision records nothing', () => {
    expect(recordApprovalRequest(pending(), 2, 'tech-lead', 'token', T0)).toEqual({ wait: false, complete: 'Superseded' });
  });
});

describe('Rule: an emergency change not post-approved by its due time is overdue and escalated to the CTO', () => {
  const started = () => createChange({ id: 'CR-2027-03-01-002', content: completeContent('emergency'), actor: people.oscar, now: T0, config: rules }).next;

  it('is not overdue before the due time, and is after', () => {
    expect(postApprovalOverdue(started(), at(23.9))).toBeUndefined();
    expect(postApprovalOverdue(started(), at(24))?.next.postApproval).toMatchObject({ overdue: true, escalatedTo: 'cto' });
  });

  it('is never overdue once post-approved', () => {
    const approved = applyAction(started(), 'approve', people.erin, {}, at(2), rules).next;
    expect(postApprovalOverdue(approved, at(30))).toBeUndefined();
  });
});
