/**
 * Conflicts (docs/process.md "Change calendar"): two changes that will really happen — approved, scheduled or
 * under way — whose planned windows overlap and which touch a common component. Component names
 * are compared case-insensitively and trimmed, over the listed components and the free-text ones.
 */
import type { ChangeRequest, State } from '../change-request.js';
import { overlaps, toInterval, toIso } from './time.js';
import type { Conflict } from './types.js';

/** States in which a change holds its planned window. */
export const COMMITTED_STATES: readonly State[] = ['approved', 'scheduled', 'in_progress', 'monitoring'];

/** Everything a change says it touches: listed components, then the "Other: ___" ones. */
export function componentsOf(content: Pick<ChangeRequest['content'], 'description'>): string[] {
  return [...(content.description?.components ?? []), ...(content.description?.otherComponents ?? [])];
}

const normalise = (component: string) => component.trim().toLowerCase();

/** The components of `mine` that `theirs` also names, spelled as in `mine`, each once. */
export function sharedComponents(mine: readonly string[], theirs: readonly string[]): string[] {
  const other = new Set(theirs.map(normalise));
  const seen = new Set<string>();
  return mine.filter((c) => {
    const key = normalise(c);
    if (!other.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The components of `mine` that `theirs` does not name (compared as `sharedComponents` compares them), each once. */
export function componentsOutside(mine: readonly string[], theirs: readonly string[]): string[] {
  const shared = new Set(sharedComponents(mine, theirs).map(normalise));
  return sharedComponents(mine, mine).filter((c) => !shared.has(normalise(c)));
}

/** Every committed change that overlaps `change` in time and shares a component with it, by overlap start. */
export function conflictsFor(change: Pick<ChangeRequest, 'id' | 'content'>, others: Pick<ChangeRequest, 'id' | 'content' | 'state'>[]): Conflict[] {
  const planned = change.content.plannedWindow;
  if (!planned) return [];
  const mine = toInterval(planned, `${change.id} plannedWindow`);
  const myComponents = componentsOf(change.content);
  const conflicts: Conflict[] = [];
  for (const other of others) {
    const window = other.content.plannedWindow;
    if (other.id === change.id || !COMMITTED_STATES.includes(other.state) || !window) continue;
    const theirs = toInterval(window, `${other.id} plannedWindow`);
    if (!overlaps(mine, theirs)) continue;
    const components = sharedComponents(myComponents, componentsOf(other.content));
    if (components.length === 0) continue;
    conflicts.push({
      changeId: change.id,
      otherId: other.id,
      components,
      overlap: { start: toIso(Math.max(mine.start, theirs.start)), end: toIso(Math.min(mine.end, theirs.end)) },
    });
  }
  return conflicts.sort((a, b) => a.overlap.start.localeCompare(b.overlap.start) || a.otherId.localeCompare(b.otherId));
}
