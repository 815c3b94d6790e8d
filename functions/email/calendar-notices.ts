/** The emails of the change calendar: timeline notifications and blackout notices. Plain words, escaped HTML, no script. */
import type { ChangeRequest } from '../core/change-request.js';
import type { EmailMessage } from '../ports.js';
import { plainEmail } from './plain.js';

/** What each notice of the seed's Communication Timeline says the change does. */
export const MILESTONE_WORDS: Readonly<Record<string, string>> = {
  'T-24h': 'is planned to begin in 24 hours',
  'T-1h': 'begins in one hour (final reminder)',
  'T-0': 'begins now',
  'T+15m': 'has been under way for 15 minutes (status update)',
  'T+completion': 'is complete (success notification)',
};

interface NoticeFields {
  id: string;
  title: string;
  window: string;
  localStart: string;
  category: string;
  risk: string;
  state: string;
  components: string;
  rollback: string;
}

/** The notice's subject and lines: one builder, for the emails and for the template people read. */
function notice(milestone: string, f: NoticeFields): { subject: string; lines: string[] } {
  return {
    subject: `[${milestone}] ${f.id} ${f.title} ${MILESTONE_WORDS[milestone] ?? ''}`.trim(),
    lines: [
      `${f.id} "${f.title}" ${MILESTONE_WORDS[milestone] ?? milestone}.`,
      `Planned window: ${f.window} (starts ${f.localStart} local time).`,
      `Category: ${f.category}; risk: ${f.risk}; state: ${f.state}.`,
      `Components: ${f.components}.`,
      f.rollback,
    ],
  };
}

export function timelineNotice(cr: ChangeRequest, milestone: string, localStart: string, to: string[]): EmailMessage {
  const w = cr.content.plannedWindow!;
  const { subject, lines } = notice(milestone, {
    id: cr.id,
    title: cr.content.title,
    window: `${w.start} – ${w.end}`,
    localStart,
    category: cr.content.category,
    risk: cr.riskLevel ?? 'not assessed',
    state: cr.state,
    components: [...(cr.content.description?.components ?? []), ...(cr.content.description?.otherComponents ?? [])].join(', ') || 'none named',
    rollback: cr.content.rollback?.procedure ? `Rollback plan: ${cr.content.rollback.procedure.slice(0, 300)}` : 'No rollback plan on file.',
  });
  return plainEmail(to, subject, lines);
}

/**
 * The seed's communication template (`/templates/change-notification.md`): what each notice of the
 * timeline says, built by the same code that sends them, with the fields as placeholders.
 */
export function notificationTemplate(): string {
  const fields: NoticeFields = {
    id: 'CR-YYYY-MM-DD-XXX',
    title: '[Brief Title]',
    window: '[planned start] – [planned end] (UTC)',
    localStart: '[planned start in the organisation’s time zone]',
    category: '[category]',
    risk: '[risk level]',
    state: '[state]',
    components: '[components affected]',
    rollback: 'Rollback plan: [the first lines of the rollback procedure]',
  };
  const sections = Object.keys(MILESTONE_WORDS).map((m) => {
    const { subject, lines } = notice(m, fields);
    return [`## ${m}`, `Subject: ${subject}`, '', ...lines].join('\n');
  });
  return `${[
    '# Change Notification',
    'What ChangeFlow sends to the stakeholders the change request names (## Communication → ### Stakeholders to Notify), by email and to their Slack channels, at each step of the seed’s Communication Timeline. Emergency changes notify #incidents at once instead.',
    ...sections,
  ].join('\n\n')}\n`;
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
