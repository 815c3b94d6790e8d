import { describe, expect, it } from 'vitest';
import { recordApprovalRequest, routeSubmitted } from '../../functions/core/approval-flow.js';
import { EVENT_TEXT_LIMIT, toDomainEvents } from '../../functions/core/events.js';
import { applyAction, createChange, type Decision } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const T0 = '2027-03-01T15:00:00.000Z';

describe('Rule: every audit entry is one domain event', () => {
  it('names events by what happened, with a stable id per entry', () => {
    const created = createChange({ id: 'CR-2027-03-01-001', content: completeContent(), actor: people.alice, now: T0, config: rules });
    const submitted = applyAction(created.next, 'submit', people.alice, {}, T0, rules);
    const routed = routeSubmitted(submitted.next, 1, T0) as Decision;
    const asked = recordApprovalRequest(routed.next, 1, 'tech-lead', 'secret-task-token', T0).decision!;
    const approved = applyAction(asked.next, 'approve', people.tom, {}, T0, rules);
    const events = [created, submitted, routed, asked, approved].flatMap((d) => toDomainEvents(d.next, d.audit));
    expect(events.map((e) => [e.id, e.type])).toEqual([
      ['CR-2027-03-01-001#1', 'ChangeCreated'],
      ['CR-2027-03-01-001#2', 'ChangeSubmitted'],
      ['CR-2027-03-01-001#3', 'ChangePendingApproval'],
      ['CR-2027-03-01-001#4', 'ApprovalRequested'],
      ['CR-2027-03-01-001#5', 'ChangeApproved'],
    ]);
  });

  it('an emergency start is EmergencyStarted', () => {
    const d = createChange({ id: 'CR-2027-03-01-002', content: completeContent('emergency'), actor: people.oscar, now: T0, config: rules });
    expect(toDomainEvents(d.next, d.audit).map((e) => e.type)).toEqual(['ChangeCreated', 'EmergencyStarted']);
  });
});

describe('Rule: events never carry callback task tokens, and carry long text only in part', () => {
  it('drops task tokens and trims long text', () => {
    const content = completeContent();
    content.implementation!.changes = 'x'.repeat(5000);
    const created = createChange({ id: 'CR-2027-03-01-003', content, actor: people.alice, now: T0, config: rules }).next;
    const routed = routeSubmitted(applyAction(created, 'submit', people.alice, {}, T0, rules).next, 1, T0) as Decision;
    const asked = recordApprovalRequest(routed.next, 1, 'tech-lead', 'secret-task-token', T0).decision!;
    const [event] = toDomainEvents(asked.next, asked.audit);
    expect(JSON.stringify(event)).not.toContain('secret-task-token');
    expect(event!.change.approvalRequests![0]).toMatchObject({ slot: 'tech-lead' });
    expect(event!.change.content.implementation!.changes!.length).toBe(EVENT_TEXT_LIMIT);
    expect(asked.next.approvalRequests![0]!.taskToken).toBe('secret-task-token'); // the stored CR keeps it
  });
});
