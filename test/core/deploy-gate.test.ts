import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { gateDecision } from '../../functions/core/deploy-gate.js';
import { MANUAL_CHECKLIST_ITEMS } from '../../functions/core/checklist.js';
import { createChange } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const config = { timeZone: 'America/New_York', holidayCountry: 'US', fridayCutoff: '14:00' };
// Tuesday 2027-03-09 10:00–11:00 New York (EST)
const window = { start: '2027-03-09T15:00:00Z', end: '2027-03-09T16:00:00Z' };

/** A change in `state`; an approved one with its pre-deployment checklist done unless `checklist: false`. */
function change(state: ChangeRequest['state'], category: 'normal' | 'emergency' = 'normal', id = 'CR-2027-03-01-001', checklist = true): ChangeRequest {
  const content = { ...completeContent(category), plannedWindow: window };
  const cr = createChange({ id, content, actor: people.alice, now: '2027-03-01T15:00:00Z', config: rules }).next;
  if (!checklist || state === 'draft') return { ...cr, state };
  const tick = { by: 'oscar', name: 'Oscar Ortiz', at: '2027-03-08T15:00:00Z', revision: cr.revision };
  return {
    ...cr,
    state,
    approvedAt: '2027-03-02T15:00:00Z',
    checklist: Object.fromEntries(MANUAL_CHECKLIST_ITEMS.map((i) => [i, tick])),
    notices: [{ milestone: 'T-24h', at: '2027-03-08T15:00:00Z', revision: cr.revision, channels: ['engineering'] }],
  };
}
const codes = (d: ReturnType<typeof gateDecision>) => d.reasons.map((r) => r.code).sort();

describe('Rule: the deploy gate allows only an approved change, at its revision, in its window, outside blackouts, without conflicts', () => {
  it('allows an approved change inside its window', () => {
    expect(gateDecision({ cr: change('approved'), at: '2027-03-09T15:30:00Z', events: [], committed: [], config })).toEqual({
      decision: 'allow',
      reasons: [],
      notes: [],
      exceptions: [],
    });
  });

  it.each([
    ['a draft', change('draft'), {}, '2027-03-09T15:30:00Z', ['not-approved']],
    ['the wrong revision', change('approved'), { revision: 2 }, '2027-03-09T15:30:00Z', ['revision-mismatch']],
    ['before its window', change('approved'), {}, '2027-03-09T14:59:59Z', ['outside-window']],
    ['at the end of its window (half-open)', change('approved'), {}, '2027-03-09T16:00:00Z', ['outside-window']],
    ['on a Friday afternoon', change('scheduled'), {}, '2027-03-12T19:30:00Z', ['blackout', 'outside-window']],
  ] as const)('denies %s, naming every reason', (_, cr, extra, at, expected) => {
    const d = gateDecision({ cr, at, events: [], committed: [], config, ...extra });
    expect(d.decision).toBe('deny');
    expect(codes(d)).toEqual([...expected].sort());
  });

  it('denies a change overlapping a committed one on a shared component', () => {
    const other = change('approved', 'normal', 'CR-2027-03-01-002');
    const d = gateDecision({ cr: change('approved'), at: '2027-03-09T15:30:00Z', events: [], committed: [other], config });
    expect(codes(d)).toEqual(['conflict']);
    expect(d.reasons[0]!.message).toContain('CR-2027-03-01-002');
  });

  it('denies an approved change until its pre-deployment checklist is done, naming each unticked item', () => {
    const cr = change('approved', 'normal', 'CR-2027-03-01-001', false);
    const d = gateDecision({ cr: { ...cr, approvedAt: '2027-03-02T15:00:00Z' }, at: '2027-03-09T15:30:00Z', events: [], committed: [], config });
    expect(codes(d)).toEqual(Array(7).fill('checklist'));
    expect(d.reasons.map((r) => r.message)).toContain('pre-deployment checklist: "On-call engineer briefed" is not ticked');
  });

  it('lets an emergency change through a blackout and outside its window, and says so', () => {
    const d = gateDecision({ cr: change('in_progress', 'emergency'), at: '2027-03-12T19:30:00Z', events: [], committed: [], config });
    expect(d.decision).toBe('allow');
    expect(d.notes.join(' ')).toMatch(/allowed through the blackout.*|allowed outside its planned window/);
    expect(d.notes).toHaveLength(2);
  });
});
