/** The emails of the change calendar: timeline notifications and blackout notices. Plain words, escaped HTML, no script. */
import type { ChangeRequest } from '../core/change-request.js';
import type { EmailMessage } from '../ports.js';
import { plainEmail } from './plain.js';

const MILESTONE_WORDS: Record<string, string> = {
  'T-24h': 'is planned to begin in 24 hours',
  'T-1h': 'begins in one hour (final reminder)',
  'T-0': 'begins now',
  'T+15m': 'has been under way for 15 minutes (status update)',
};

export function timelineNotice(cr: ChangeRequest, milestone: string, localStart: string, to: string[]): EmailMessage {
  const w = cr.content.plannedWindow!;
  return plainEmail(to, `[${milestone}] ${cr.id} ${cr.content.title} ${MILESTONE_WORDS[milestone] ?? ''}`.trim(), [
    `${cr.id} "${cr.content.title}" ${MILESTONE_WORDS[milestone] ?? milestone}.`,
    `Planned window: ${w.start} – ${w.end} (starts ${localStart} local time).`,
    `Category: ${cr.content.category}; risk: ${cr.riskLevel ?? 'not assessed'}; state: ${cr.state}.`,
    `Components: ${[...(cr.content.description?.components ?? []), ...(cr.content.description?.otherComponents ?? [])].join(', ') || 'none named'}.`,
    cr.content.rollback?.procedure ? `Rollback plan: ${cr.content.rollback.procedure.slice(0, 300)}` : 'No rollback plan on file.',
  ]);
}

export function blackoutFlagNotice(
  cr: ChangeRequest,
  blackout: { name: string; localStart: string; localEnd: string },
  to: string[],
  slot?: { start: string; end: string },
): EmailMessage {
  return plainEmail(to, `${cr.id} is now planned into a blackout: ${blackout.name}`, [
    `${cr.id} "${cr.content.title}" was approved for ${cr.content.plannedWindow!.start} – ${cr.content.plannedWindow!.end}.`,
    `A blackout declared since then covers that window: ${blackout.name} (${blackout.localStart} – ${blackout.localEnd}).`,
    'The deploy gate will deny this change in the blackout. Reschedule it (PATCH its plannedWindow) and submit it again.',
    ...(slot ? [`The next free slot is ${slot.start} – ${slot.end}.`] : []),
  ]);
}

export function blackoutInProgressNotice(cr: ChangeRequest, blackout: { name: string; localStart: string; localEnd: string }, to: string[]): EmailMessage {
  return plainEmail(to, `${cr.id} is still in progress as the blackout "${blackout.name}" begins`, [
    `${cr.id} "${cr.content.title}" is ${cr.state.replace('_', ' ')} while the blackout ${blackout.name} (${blackout.localStart} – ${blackout.localEnd}) is in force.`,
    'Finish it or roll it back; no further changes should start until the blackout ends.',
  ]);
}
