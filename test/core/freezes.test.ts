/**
 * The freeze rules of the pure core (core/freezes.ts, core/freeze-decisions.ts): what a freeze
 * hits, what an exception covers, what the gate says, and who may ask, decide and review.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { gateDecision } from '../../functions/core/deploy-gate.js';
import { ForbiddenError, IllegalTransitionError, ValidationError } from '../../functions/core/errors.js';
import { askException, decideException, holdForFreeze, releaseHold, remindExceptionReview, reviewException } from '../../functions/core/freeze-decisions.js';
import { type Freeze, freezeFindings, freezeHits, freezeProblems, reviewDueAt, validException } from '../../functions/core/freezes.js';
import { createChange } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const config = { timeZone: 'America/New_York', holidayCountry: 'US', fridayCutoff: '14:00' };
const window = { start: '2027-03-11T15:00:00Z', end: '2027-03-11T16:00:00Z' };
const NOW = '2027-03-01T15:00:00Z';
const REASON = 'The launch itself needs this change live on launch day.';

const freeze = (over: Partial<Freeze> = {}): Freeze => ({
  id: 'FRZ-0000abcd',
  title: 'Launch freeze',
  reason: 'The spring launch ships on 11 March.',
  owner: { id: 'erin', name: 'Erin Evans' },
  components: ['API Server'],
  start: '2027-03-10T00:00:00Z',
  end: '2027-03-13T00:00:00Z',
  state: 'enforced',
  createdAt: NOW,
  createdBy: 'ada',
  version: 2,
  ...over,
});

function change(
  state: ChangeRequest['state'] = 'approved',
  over: { components?: string[]; window?: { start: string; end: string }; category?: 'normal' | 'emergency' } = {},
): ChangeRequest {
  const content = completeContent(over.category ?? 'normal');
  content.plannedWindow = over.window ?? window;
  content.description = { ...content.description!, components: (over.components ?? ['API Server']) as never };
  const cr = createChange({ id: 'CR-2027-03-01-001', content, actor: people.alice, now: NOW, config: rules }).next;
  return { ...cr, state };
}

describe('Rule: a freeze hits planned and in-flight changes whose window overlaps it on a component in its scope; never an emergency', () => {
  it.each([
    ['approved', true],
    ['pending_approval', true],
    ['scheduled', true],
    ['in_progress', true],
    ['monitoring', true],
    ['draft', false],
    ['completed', false],
    ['cancelled', false],
  ] as const)('a change %s: %s', (state, hit) => {
    expect(freezeHits(freeze(), change(state))).toBe(hit);
  });

  it('matches components case-insensitively, every one for "*", and none outside its scope', () => {
    expect(freezeHits(freeze({ components: ['api server'] }), change())).toBe(true);
    expect(freezeHits(freeze({ components: ['*'] }), change('approved', { components: ['Database'] }))).toBe(true);
    expect(freezeHits(freeze(), change('approved', { components: ['Database'] }))).toBe(false);
  });

  it('needs the windows to overlap: touching end to start is not an overlap', () => {
    expect(freezeHits(freeze(), change('approved', { window: { start: '2027-03-13T00:00:00Z', end: '2027-03-13T01:00:00Z' } }))).toBe(false);
    expect(freezeHits(freeze(), change('approved', { window: { start: '2027-03-09T23:00:00Z', end: '2027-03-10T00:00:01Z' } }))).toBe(true);
  });

  it('never holds an emergency change; the gate lets it through and names the freeze', () => {
    const emergency = change('in_progress', { category: 'emergency' });
    expect(freezeHits(freeze(), emergency)).toBe(false);
    expect(holdForFreeze(emergency, freeze(), NOW)).toBeUndefined();
    const found = freezeFindings(emergency, '2027-03-11T15:30:00Z', [freeze()]);
    expect(found.reasons).toEqual([]);
    expect(found.notes[0]).toMatch(/^emergency change: allowed through the freeze "Launch freeze"/);
  });
});

describe('Rule: the gate refuses inside an enforced freeze unless the owner approved an exception that covers the change as it stands', () => {
  const at = '2027-03-11T15:30:00Z';
  it('denies with a reason that names the freeze, its owner and how to ask; a draft or lifted freeze, or a time outside it, says nothing', () => {
    const d = freezeFindings(change(), at, [freeze()]);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]!.message).toBe(
      'in the freeze "Launch freeze" (FRZ-0000abcd, owner Erin Evans, until 2027-03-13T00:00:00Z) on API Server: ask its owner for an exception (POST /freezes/FRZ-0000abcd/exceptions)',
    );
    expect(freezeFindings(change(), at, [freeze({ state: 'draft' })]).reasons).toEqual([]);
    expect(freezeFindings(change(), at, [freeze({ state: 'lifted' })]).reasons).toEqual([]);
    expect(freezeFindings(change(), '2027-03-13T00:00:00Z', [freeze()]).reasons).toEqual([]);
  });

  it('an approved exception lets it through, and is named; a revised window or a new component outside it does not', () => {
    const asked = askException(change(), freeze(), people.alice, REASON, NOW).next;
    const approved = decideException(asked, freeze(), people.erin, 'approve', undefined, NOW).next;
    expect(validException(approved, 'FRZ-0000abcd')?.state).toBe('approved');
    const gate = gateDecision({ cr: approved, at, events: [], committed: [], freezes: [freeze()], config });
    expect(gate.reasons.map((r) => r.code)).not.toContain('freeze');
    expect(gate.exceptions).toEqual([{ freezeId: 'FRZ-0000abcd', title: 'Launch freeze', owner: 'Erin Evans' }]);
    const moved = structuredClone(approved);
    moved.content.plannedWindow = { start: '2027-03-12T15:00:00Z', end: '2027-03-12T16:00:00Z' };
    expect(validException(moved, 'FRZ-0000abcd')).toBeUndefined();
    expect(freezeFindings(moved, '2027-03-12T15:30:00Z', [freeze()]).reasons).toHaveLength(1);
    const wider = structuredClone(approved);
    wider.content.description!.components = ['API Server', 'Database'] as never;
    expect(validException(wider, 'FRZ-0000abcd')).toBeUndefined();
    const narrower = structuredClone(approved);
    narrower.content.plannedWindow = { start: '2027-03-11T15:15:00Z', end: '2027-03-11T15:45:00Z' };
    expect(validException(narrower, 'FRZ-0000abcd')?.state).toBe('approved');
  });

  it('a rejected exception leaves the change held', () => {
    const asked = askException(change(), freeze(), people.alice, REASON, NOW).next;
    const rejected = decideException(asked, freeze(), people.erin, 'reject', 'Wait for the launch to settle.', NOW).next;
    expect(validException(rejected, 'FRZ-0000abcd')).toBeUndefined();
    expect(freezeFindings(rejected, at, [freeze()]).reasons).toHaveLength(1);
  });
});

describe('Rule: the requestor asks, with a sentence; the owner decides, never the requestor nor the asker', () => {
  it('refuses another person asking, a short or one-word reason, and a second open request', () => {
    expect(() => askException(change(), freeze(), people.bob, REASON, NOW)).toThrow(ForbiddenError);
    expect(() => askException(change(), freeze(), people.alice, 'urgent', NOW)).toThrow(ValidationError);
    expect(() => askException(change(), freeze(), people.alice, 'x'.repeat(40), NOW)).toThrow(ValidationError);
    const asked = askException(change(), freeze(), people.alice, REASON, NOW).next;
    expect(() => askException(asked, freeze(), people.alice, REASON, NOW)).toThrow(IllegalTransitionError);
  });

  it('refuses a change the freeze does not cover, and a lifted freeze', () => {
    expect(() => askException(change('approved', { components: ['Database'] }), freeze(), people.alice, REASON, NOW)).toThrow(IllegalTransitionError);
    expect(() => askException(change(), freeze({ state: 'lifted' }), people.alice, REASON, NOW)).toThrow(IllegalTransitionError);
  });

  it('the requestor, even as owner, may not decide; nor anyone but the owner; a rejection needs a comment', () => {
    const asked = askException(change(), freeze(), people.alice, REASON, NOW).next;
    const err = (() => {
      try {
        decideException(asked, freeze({ owner: { id: 'alice', name: 'Alice Andersen' } }), people.alice, 'approve', undefined, NOW);
      } catch (e) {
        return e as ForbiddenError;
      }
    })();
    expect(err?.reason).toBe('separation-of-duties');
    expect(err?.message).toMatch(/an admin must name another owner/);
    expect(() => decideException(asked, freeze(), people.tom, 'approve', undefined, NOW)).toThrow(ForbiddenError);
    expect(() => decideException(asked, freeze(), people.erin, 'reject', ' ', NOW)).toThrow(ValidationError);
  });

  it('approving releases the hold the freeze put on the change', () => {
    const held = holdForFreeze(change(), freeze(), NOW)!.next;
    expect(held.holds?.[0]).toMatchObject({ freezeId: 'FRZ-0000abcd', since: NOW });
    expect(holdForFreeze(held, freeze(), NOW)).toBeUndefined();
    const asked = askException(held, freeze(), people.alice, REASON, NOW).next;
    const decided = decideException(asked, freeze(), people.erin, 'approve', undefined, NOW);
    expect(decided.audit.map((a) => a.action)).toEqual(['exception-approved', 'release']);
    expect(decided.next.holds?.[0]).toMatchObject({ released: 'exception', releasedAt: NOW });
  });

  it('a hold is released when the freeze lifts, ends, or the change leaves it; not before', () => {
    const held = holdForFreeze(change(), freeze(), NOW)!.next;
    expect(releaseHold(held, freeze(), NOW)).toBeUndefined();
    expect(releaseHold(held, freeze({ state: 'lifted' }), NOW)!.next.holds?.[0]?.released).toBe('lifted');
    expect(releaseHold(held, freeze(), '2027-03-13T00:00:00Z')!.next.holds?.[0]?.released).toBe('ended');
    const moved = structuredClone(held);
    moved.content.plannedWindow = { start: '2027-03-20T15:00:00Z', end: '2027-03-20T16:00:00Z' };
    expect(releaseHold(moved, freeze(), NOW)!.next.holds?.[0]?.released).toBe('out-of-scope');
  });
});

describe('Rule: the owner reviews an approved exception within 24 hours after the change', () => {
  const approved = () => {
    const asked = askException(change(), freeze(), people.alice, REASON, NOW).next;
    return decideException(asked, freeze(), people.erin, 'approve', undefined, NOW).next;
  };
  it('is due 24 hours after the window ends, or after the change closed', () => {
    const cr = approved();
    expect(reviewDueAt(cr, cr.freezeExceptions![0]!)).toBe('2027-03-12T16:00:00.000Z');
    const closed = { ...cr, state: 'completed' as const, closedAt: '2027-03-11T15:50:00Z' };
    expect(reviewDueAt(closed, closed.freezeExceptions![0]!)).toBe('2027-03-12T15:50:00.000Z');
  });

  it('asks once when the change is over, says once when overdue, and is refused before the change is over or from anyone but the owner', () => {
    const cr = approved();
    expect(remindExceptionReview(cr, freeze(), '2027-03-11T15:30:00Z')).toBeUndefined();
    expect(() => reviewException(cr, freeze(), people.erin, 'Went fine.', '2027-03-11T15:30:00Z')).toThrow(IllegalTransitionError);
    const asked = remindExceptionReview(cr, freeze(), '2027-03-11T16:10:00Z')!;
    expect(asked.audit[0]).toMatchObject({ action: 'exception-review-due', detail: { dueAt: '2027-03-12T16:00:00.000Z' } });
    expect(remindExceptionReview(asked.next, freeze(), '2027-03-11T17:00:00Z')).toBeUndefined();
    const overdue = remindExceptionReview(asked.next, freeze(), '2027-03-12T16:00:00Z')!;
    expect(overdue.audit[0]!.action).toBe('exception-review-overdue');
    expect(remindExceptionReview(overdue.next, freeze(), '2027-03-13T16:00:00Z')).toBeUndefined();
    expect(() => reviewException(overdue.next, freeze(), people.alice, 'Went fine.', '2027-03-12T17:00:00Z')).toThrow(ForbiddenError);
    const reviewed = reviewException(overdue.next, freeze(), people.erin, 'Went fine, no incident.', '2027-03-12T17:00:00Z');
    expect(reviewed.audit[0]!.reason).toMatch(/late: it was due 2027-03-12T16:00:00.000Z/);
    expect(remindExceptionReview(reviewed.next, freeze(), '2027-03-14T16:00:00Z')).toBeUndefined();
  });
});

describe('Rule: a freeze is declared for what is still to come, at most a quarter long, "*" alone', () => {
  it.each([
    [{ start: '2027-03-10T00:00:00Z', end: '2027-03-09T00:00:00Z', components: ['API Server'] }, 'must be after start'],
    [{ start: '2027-02-01T00:00:00Z', end: '2027-02-02T00:00:00Z', components: ['API Server'] }, 'has passed'],
    [{ start: '2027-03-10T00:00:00Z', end: '2027-07-01T00:00:00Z', components: ['API Server'] }, 'at most 92 days'],
    [{ start: '2027-03-10T00:00:00Z', end: '2027-03-12T00:00:00Z', components: ['*', 'Database'] }, 'stands alone'],
  ])('%o: %s', (input, words) => {
    expect(
      freezeProblems(input, NOW)
        .map((p) => p.message)
        .join(' '),
    ).toContain(words);
  });
  it('accepts a freeze that began already and is still running', () => {
    expect(freezeProblems({ start: '2027-02-28T00:00:00Z', end: '2027-03-02T00:00:00Z', components: ['*'] }, NOW)).toEqual([]);
  });
});
