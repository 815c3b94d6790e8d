/**
 * The deployment gate (docs/process.md "The deploy gate"): may this change deploy at `at`? Allow or deny
 * with every reason — not approved, wrong revision, in a blackout, outside the planned window, a
 * conflicting change, the pre-deployment checklist not done. Emergency changes go through
 * blackouts and outside their window, and the answer says so in its notes. The same rule refuses a
 * start (lifecycle.ts), so what the pipelines are told and what a person may do agree.
 */
import { blackoutsTouching, calendarState, conflictsFor, type CalendarConfig, type CalendarEvent } from './calendar.js';
import type { ChangeRequest, State } from './change-request.js';
import { missingForStart } from './checklist.js';
import { type Freeze, freezeFindings } from './freezes.js';

const DEPLOYABLE: readonly State[] = ['approved', 'scheduled', 'in_progress', 'monitoring'];

export interface GateDecision {
  decision: 'allow' | 'deny';
  reasons: { code: 'not-approved' | 'revision-mismatch' | 'blackout' | 'freeze' | 'outside-window' | 'conflict' | 'checklist'; message: string }[];
  notes: string[];
  /** The freeze exceptions that let it through at `at` (named in `notes` too). */
  exceptions: { freezeId: string; title: string; owner: string }[];
}

export function gateDecision(args: {
  cr: ChangeRequest;
  /** The revision the pipeline deploys, when it says. */
  revision?: number | undefined;
  at: string;
  events: CalendarEvent[];
  /** Committed changes overlapping the change's planned window. */
  committed: Pick<ChangeRequest, 'id' | 'content' | 'state'>[];
  config: CalendarConfig;
  /** Declared freezes (core/freezes.ts): an enforced one in force at `at` holds the change unless its owner let it through. */
  freezes?: readonly Freeze[] | undefined;
}): GateDecision {
  const { cr, revision, at, events, committed, config } = args;
  const emergency = cr.content.category === 'emergency';
  const reasons: GateDecision['reasons'] = [];
  const notes: string[] = [];
  if (!DEPLOYABLE.includes(cr.state)) reasons.push({ code: 'not-approved', message: `the change is ${cr.state}, not approved` });
  if (revision !== undefined && revision !== cr.revision) {
    reasons.push({ code: 'revision-mismatch', message: `the pipeline deploys revision ${revision}, but revision ${cr.revision} is the one approved` });
  }
  const state = calendarState(at, events, config);
  if (!state.open) {
    const names = state.reasons.map((b) => `${b.name} (${b.localStart} – ${b.localEnd})`).join('; ');
    if (emergency) notes.push(`emergency change: allowed through the blackout ${names}`);
    else reasons.push({ code: 'blackout', message: `in a blackout now: ${names}` });
  }
  const frozen = freezeFindings(cr, at, args.freezes ?? []);
  reasons.push(...frozen.reasons);
  notes.push(...frozen.notes);
  const window = cr.content.plannedWindow;
  if (window && !(Date.parse(window.start) <= Date.parse(at) && Date.parse(at) < Date.parse(window.end))) {
    if (emergency) notes.push('emergency change: allowed outside its planned window');
    else reasons.push({ code: 'outside-window', message: `outside the planned window ${window.start} – ${window.end}` });
  } else if (!window && !emergency) {
    reasons.push({ code: 'outside-window', message: 'the change has no planned window' });
  }
  for (const c of window ? conflictsFor(cr, committed) : []) {
    reasons.push({ code: 'conflict', message: `conflicts with ${c.otherId} on ${c.components.join(', ')} (${c.overlap.start} – ${c.overlap.end})` });
  }
  // already under way, the checklist was done before the start (or skipped, for an emergency)
  if (cr.state === 'approved' || cr.state === 'scheduled') {
    for (const line of missingForStart(cr)) reasons.push({ code: 'checklist', message: `pre-deployment checklist: "${line.label}" is not ticked` });
  }
  if (window && !emergency && !reasons.some((r) => r.code === 'blackout')) {
    for (const b of blackoutsTouching(window, events, config)) {
      notes.push(`the planned window touches the blackout ${b.name} (${b.localStart} – ${b.localEnd})`);
    }
  }
  return { decision: reasons.length === 0 ? 'allow' : 'deny', reasons, notes, exceptions: frozen.exceptions };
}
