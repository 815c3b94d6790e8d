/**
 * The pre-deployment checklist (seed: "4. Implementation → Pre-Deployment Checklist"), tracked on
 * the change. ChangeFlow ticks what it knows itself: the change is approved; the stakeholders were
 * notified once a T-24h or T-1h notice went out. People and pipelines tick the rest (POST
 * /changes/{id}/checklist), each tick with who and when in the trail, bound to the revision.
 *
 * Which items a start needs: all of them for a normal or major change, the automated ones for a
 * standard change (its procedure is pre-approved), none for an emergency (recorded as skipped).
 */
import type { Category, ChangeRequest } from './change-request.js';

export const CHECKLIST_ITEMS = {
  'change-approved': { label: 'Change request approved', automated: true },
  'tests-passing': { label: 'All tests passing', automated: false },
  'staging-deployed': { label: 'Staging deployment successful', automated: false },
  'rollback-tested': { label: 'Rollback plan tested', automated: false },
  'stakeholders-notified': { label: 'Stakeholders notified', automated: true },
  'dashboards-open': { label: 'Monitoring dashboards open', automated: false },
  'on-call-briefed': { label: 'On-call engineer briefed', automated: false },
  'templates-ready': { label: 'Communication templates ready', automated: false },
} as const;
export type ChecklistItem = keyof typeof CHECKLIST_ITEMS;
export const CHECKLIST_KEYS = Object.keys(CHECKLIST_ITEMS) as [ChecklistItem, ...ChecklistItem[]];
/** Items a person or a pipeline ticks. */
export const MANUAL_CHECKLIST_ITEMS = CHECKLIST_KEYS.filter((k) => !CHECKLIST_ITEMS[k].automated);

/** A tick as stored on the change, for the revision it was given on. */
export interface ChecklistTick {
  by: string;
  name: string;
  at: string;
  revision: number;
  note?: string | undefined;
}

/** Timeline milestones that count as "stakeholders notified" before the start. */
export const NOTIFYING_MILESTONES = ['T-24h', 'T-1h'] as const;

export interface ChecklistLine {
  item: ChecklistItem;
  label: string;
  automated: boolean;
  /** Whether a start of this change needs it. */
  required: boolean;
  ticked: boolean;
  by?: string | undefined;
  at?: string | undefined;
  note?: string | undefined;
}

const APPROVED_STATES: readonly string[] = ['approved', 'scheduled', 'in_progress', 'monitoring', 'completed', 'rolled_back', 'failed'];

export function requiredItems(category: Category): ChecklistItem[] {
  if (category === 'emergency') return [];
  if (category === 'standard') return CHECKLIST_KEYS.filter((k) => CHECKLIST_ITEMS[k].automated);
  return [...CHECKLIST_KEYS];
}

/** The checklist of the change's current revision, item by item. */
export function checklistOf(cr: Pick<ChangeRequest, 'content' | 'state' | 'revision' | 'approvedAt' | 'checklist' | 'notices'>): ChecklistLine[] {
  const required = requiredItems(cr.content.category);
  return CHECKLIST_KEYS.map((item) => {
    const base = { item, label: CHECKLIST_ITEMS[item].label, automated: CHECKLIST_ITEMS[item].automated, required: required.includes(item) };
    if (item === 'change-approved') {
      const ticked = Boolean(cr.approvedAt) && APPROVED_STATES.includes(cr.state);
      return { ...base, ticked, ...(ticked ? { by: 'system', at: cr.approvedAt } : {}) };
    }
    if (item === 'stakeholders-notified') {
      const sent = (cr.notices ?? []).filter((n) => n.revision === cr.revision && (NOTIFYING_MILESTONES as readonly string[]).includes(n.milestone));
      return { ...base, ticked: sent.length > 0, ...(sent[0] ? { by: 'system', at: sent[0].at } : {}) };
    }
    const tick = cr.checklist?.[item];
    const ticked = tick?.revision === cr.revision;
    return { ...base, ticked, ...(ticked ? { by: tick.by, at: tick.at, note: tick.note } : {}) };
  });
}

/** What a start still waits for: the required items not ticked, in the seed's order. */
export function missingForStart(cr: Parameters<typeof checklistOf>[0]): ChecklistLine[] {
  return checklistOf(cr).filter((l) => l.required && !l.ticked);
}
