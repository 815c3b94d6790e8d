/**
 * The implementation record of a change (seed §6, Post-Implementation): notes people add while it
 * is carried out, the issues they ran into, and the lessons learned once it is closed. Each is an
 * audit entry too (action `note`), so the trail reads in order.
 *
 * Rules:
 * - implementation notes and issues once the change is approved (before that there is nothing
 *   carried out to note: comment on the approval instead), and after it closed (a finding the next
 *   morning still belongs to it); never on a rejected or cancelled change;
 * - lessons learned only once it is closed (completed, rolled back or failed), at least a sentence;
 *   the latest recorded counts, the trail keeps every one;
 * - a closed change without lessons learned says so in its warnings: closing asks for them.
 */
import type { Actor, ChangeRequest, State } from './change-request.js';
import { IllegalTransitionError, ValidationError } from './errors.js';

export const NOTE_KINDS = ['implementation', 'issue', 'lessons-learned'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

export interface RecordNote {
  kind: NoteKind;
  text: string;
  by: string;
  name: string;
  at: string;
}

export interface ImplementationRecord {
  notes: RecordNote[];
  /** The lessons learned last recorded (seed: Post-Implementation, "Lessons learned"). */
  lessonsLearned?: RecordNote | undefined;
}

/** The most notes one change keeps (each is also an audit entry; the item must stay well under DynamoDB's 400 KB). */
export const MAX_NOTES = 100;
/** Lessons learned are at least a sentence. */
export const MIN_LESSONS_CHARS = 20;

const CLOSED: readonly State[] = ['completed', 'rolled_back', 'failed'];
const NOTED: readonly State[] = ['approved', 'scheduled', 'in_progress', 'monitoring', 'rolling_back', ...CLOSED];

const WORDS: Record<NoteKind, string> = {
  implementation: 'implementation note',
  issue: 'issue encountered',
  'lessons-learned': 'lessons learned',
};

/**
 * The record with one more note, and the words of its audit entry; refused when the change's state
 * or the text does not allow it. The write itself is lifecycle.ts `addNote` (it owns the Writer).
 */
export function recordNote(
  cr: Pick<ChangeRequest, 'id' | 'state' | 'record'>,
  actor: Pick<Actor, 'id' | 'name'>,
  note: { kind: NoteKind; text: string },
  now: string,
): { record: ImplementationRecord; words: string } {
  const text = note.text.trim();
  if (note.kind === 'lessons-learned') {
    if (!CLOSED.includes(cr.state)) {
      throw new IllegalTransitionError(
        `lessons learned are recorded once the change is closed (completed, rolled back or failed); it is ${cr.state.replace('_', ' ')}`,
        cr.state,
      );
    }
    if (text.length < MIN_LESSONS_CHARS) {
      throw new ValidationError([{ path: 'body.text', message: `say what was learned in at least a sentence (${MIN_LESSONS_CHARS} characters or more)` }]);
    }
  } else if (!NOTED.includes(cr.state)) {
    throw new IllegalTransitionError(
      `${WORDS[note.kind]}s are recorded once the change is approved; it is ${cr.state.replace('_', ' ')}${cr.state === 'pending_approval' ? ' (comment on the decision instead)' : ''}`,
      cr.state,
    );
  }
  const record = cr.record ?? { notes: [] };
  if (record.notes.length >= MAX_NOTES) {
    throw new IllegalTransitionError(
      `a change keeps at most ${MAX_NOTES} notes, and ${cr.id} has them; add what is left to its post-incident review`,
      cr.state,
    );
  }
  const entry: RecordNote = { kind: note.kind, text, by: actor.id, name: actor.name, at: now };
  const lessons = note.kind === 'lessons-learned' ? entry : record.lessonsLearned;
  return { record: { notes: [...record.notes, entry], ...(lessons ? { lessonsLearned: lessons } : {}) }, words: `${WORDS[note.kind]}: ${text}` };
}

/** The kinds of note the change's state takes now (who may add one is lifecycle.ts `notesAllowed`). */
export function noteKindsOpen(cr: Pick<ChangeRequest, 'state' | 'record'>): NoteKind[] {
  if ((cr.record?.notes.length ?? 0) >= MAX_NOTES) return [];
  const kinds: NoteKind[] = NOTED.includes(cr.state) ? ['implementation', 'issue'] : [];
  return CLOSED.includes(cr.state) ? [...kinds, 'lessons-learned'] : kinds;
}

/** What a closed change still lacks of its record, in the words its warnings use. */
export function recordWarnings(cr: Pick<ChangeRequest, 'id' | 'state' | 'record'>): string[] {
  if (!CLOSED.includes(cr.state) || cr.record?.lessonsLearned) return [];
  return [`lessons learned are not recorded yet: POST /changes/${cr.id}/notes with kind "lessons-learned" (seed: Post-Implementation)`];
}
