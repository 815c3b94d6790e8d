/** The Jira/Linear mirror's rules (core/tracker-mirror.ts): what each event asks of the issue. */
import { describe, expect, it } from 'vitest';
import { eventSeq } from '../../functions/core/events.js';
import { DEFAULT_STATUSES, linearIssueId, type MirrorLink, mirrorComment, mirrorPlan } from '../../functions/core/tracker-mirror.js';

const change = (state: string, title = 'Rotate the keys') => ({ id: 'CR-2027-03-15-001', state, content: { title } }) as never;
const event = (seq: number, from: string | null, to: string, type = 'ChangeSubmitted', reason?: string) =>
  ({ id: `CR-2027-03-15-001#${seq}`, type, from, to, actor: { id: 'alice', name: 'Alice Andersen' }, reason, change: change(to) }) as never;
const link = (seq: number, state = 'draft', title = 'CR-2027-03-15-001 Rotate the keys'): MirrorLink => ({
  changeId: 'CR-2027-03-15-001',
  tracker: 'jira',
  issue: { id: '10000', key: 'PAY-1', url: 'https://acme.atlassian.net/browse/PAY-1' },
  seq,
  state: state as never,
  title,
  updatedAt: '2027-03-15T14:00:00Z',
});

describe('Rule: each event brings the issue to the change: created once, its status every time, older events skipped', () => {
  it('the first event creates it, in the status of the change', () => {
    expect(mirrorPlan(event(1, null, 'draft', 'ChangeCreated'), null, DEFAULT_STATUSES.jira)).toEqual({
      skip: false,
      create: true,
      status: 'To Do',
      title: undefined,
      comment: undefined,
    });
  });
  it('a later event moves it and comments the move; an event no newer than the last mirrored is skipped', () => {
    expect(mirrorPlan(event(3, 'approved', 'in_progress', 'ChangeStarted', 'in its window'), link(2, 'approved'), DEFAULT_STATUSES.jira)).toMatchObject({
      create: false,
      status: 'In Progress',
      comment: 'ChangeFlow: approved → in progress by Alice Andersen: in its window',
    });
    expect(mirrorPlan(event(2, 'draft', 'submitted'), link(2), DEFAULT_STATUSES.jira)).toEqual({ skip: true });
    expect(mirrorPlan(event(1, null, 'draft'), link(2), DEFAULT_STATUSES.jira)).toEqual({ skip: true });
  });
  it('a revised title is the new summary', () => {
    expect(mirrorPlan(event(4, 'draft', 'draft', 'ChangeRevised'), link(3, 'draft', 'CR-2027-03-15-001 Old title'), DEFAULT_STATUSES.linear)).toMatchObject({
      title: 'CR-2027-03-15-001 Rotate the keys',
      status: 'Backlog',
      comment: undefined,
    });
  });
  it('decisions are commented even when the state stays; entries that move nothing are not', () => {
    expect(mirrorComment(event(5, 'pending_approval', 'pending_approval', 'ApprovalGiven'))).toBe('ChangeFlow: ApprovalGiven by Alice Andersen');
    expect(mirrorComment(event(5, 'approved', 'approved', 'ChangeNoted'))).toBeUndefined();
  });
  it('every state has a status in both trackers, a rejection is Canceled in Linear and Done in Jira', () => {
    for (const statuses of Object.values(DEFAULT_STATUSES)) expect(Object.values(statuses).every(Boolean)).toBe(true);
    expect([DEFAULT_STATUSES.jira.rejected, DEFAULT_STATUSES.linear.rejected]).toEqual(['Done', 'Canceled']);
  });
  it("Linear's issue id is a UUID v4 of the change, the same every time, another for another change", () => {
    const id = linearIssueId('CR-2027-03-15-001');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(linearIssueId('CR-2027-03-15-001')).toBe(id);
    expect(linearIssueId('CR-2027-03-15-002')).not.toBe(id);
    expect(eventSeq('CR-2027-03-15-001#12')).toBe(12);
  });
});
