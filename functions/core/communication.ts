/**
 * The communication log (seed §6): every notice ChangeFlow sends about a change — an email, a Slack
 * message, a PagerDuty change event, a subscriber's webhook — recorded on the change with its
 * channel, recipients, the notice it was, the time and the outcome.
 */
export const COMMUNICATION_CHANNELS = ['email', 'slack', 'pagerduty', 'webhook'] as const;
export type CommunicationChannel = (typeof COMMUNICATION_CHANNELS)[number];

export interface CommunicationEntry {
  at: string;
  channel: CommunicationChannel;
  /** Email addresses; a Slack channel (`#engineering`); `PagerDuty`; a subscriber's URL. */
  recipients: string[];
  /** Which notice: the event it was sent for (`ApprovalRequested`, `TimelineNotice T-1h`, …). */
  template: string;
  /** An email's subject line. */
  subject?: string | undefined;
  /** The domain event it was sent for. */
  eventId: string;
  /** sent: accepted by the channel; refused: refused for good (a 4xx); failed: this attempt failed, it is retried. */
  outcome: 'sent' | 'refused' | 'failed';
  /** Why it was refused or failed, in the channel's words (an HTTP status, an SMTP error). */
  detail?: string | undefined;
  /** The message as its channel knows it, to update it in place later (Slack: `<channel> <ts>`). */
  ref?: string | undefined;
}

/** The outbound target of a step (`slack:engineering`, `pagerduty`, `subscription:<id>`) as a channel and recipients. */
export function targetChannel(target: string, subscriptionUrl?: string): { channel: CommunicationChannel; recipients: string[] } {
  if (target.startsWith('slack:')) return { channel: 'slack', recipients: [`#${target.slice('slack:'.length)}`] };
  if (target === 'pagerduty') return { channel: 'pagerduty', recipients: ['PagerDuty'] };
  return { channel: 'webhook', recipients: [subscriptionUrl ?? target] };
}

const OUTCOME_ORDER = { failed: 0, refused: 1, sent: 2 } as const;

/** The log in time order, oldest first; at the same instant, a failed attempt before the one that went through. */
export const inTimeOrder = (entries: CommunicationEntry[]) =>
  [...entries].sort((a, b) => a.at.localeCompare(b.at) || OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || a.channel.localeCompare(b.channel));
