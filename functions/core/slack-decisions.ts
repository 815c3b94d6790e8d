/**
 * Decisions from Slack (docs/webhooks.md "Slack"): the approval message a Slack app sends an
 * approver (Block Kit, with Approve and Reject buttons), the reason dialog a rejection asks for,
 * the message's outcome once decided, and what an interaction payload says in ChangeFlow's words.
 * Pure: the signature is checked at the edge (http/webhook-signatures.ts) and the decision goes
 * through the same lifecycle rules as every other channel (use-cases/webhooks.ts).
 *
 * Block Kit limits kept: section text under 3,000 characters, a button's `value` under 2,000,
 * `action_id` under 255, a modal's title under 24 (integrations.md §5).
 */
import * as z from 'zod';
import type { ChangeRequest } from './change-request.js';
import { CHANGE_ID_PATTERN } from './change-id.js';
import { cut, esc, type SlackMessage } from './outbound.js';

export const APPROVE_ACTION = 'changeflow.approve';
export const REJECT_ACTION = 'changeflow.reject';
/** The reason dialog's callback id, and its text input's block and action ids. */
export const REJECT_VIEW = 'changeflow.reject-reason';
const REASON_BLOCK = 'reason';
const REASON_INPUT = 'reason_input';
/** A rejection's reason, at least this long (as the API asks of a rejection's comment: a sentence). */
export const MIN_REJECT_REASON = 10;

/** What a button or the dialog carries: the change, the revision it was asked to decide, the slot. */
export interface DecisionRef {
  changeId: string;
  revision: number;
  slot?: string | undefined;
}

/** What a Slack interaction asks ChangeFlow to do. */
export type SlackInteraction =
  | {
      kind: 'decide';
      decision: 'approve' | 'reject';
      ref: DecisionRef;
      comment?: string | undefined;
      user: { id: string; teamId?: string | undefined; name?: string | undefined };
      /** The message to update in place with the outcome (a DM or a channel). */
      message?: { channel: string; ts: string } | undefined;
    }
  /** Reject was clicked: the reason dialog opens (nothing changes until it is submitted). */
  | { kind: 'ask-reason'; ref: DecisionRef; triggerId: string; message?: { channel: string; ts: string } | undefined; user: { id: string } }
  /** The dialog was submitted with a reason too short: Slack shows the error on the field. */
  | { kind: 'invalid-reason'; message: string }
  | { kind: 'ignored'; reason: string };

const refValue = (ref: DecisionRef) => JSON.stringify({ c: ref.changeId, r: ref.revision, ...(ref.slot ? { s: ref.slot } : {}) });

/** The approval message an approver gets in Slack: what, why this risk, when, and the two buttons. */
export function approvalMessage(
  cr: Pick<ChangeRequest, 'id' | 'revision' | 'content' | 'riskLevel' | 'requestor'>,
  slot: { slot: string; reason: string },
  baseUrl: string,
  flags: { reminder?: boolean; escalated?: boolean } = {},
): SlackMessage {
  const link = `${baseUrl}/changes/${cr.id}`;
  const w = cr.content.plannedWindow;
  const lead = flags.escalated ? 'Escalated to you' : flags.reminder ? 'Reminder: your approval is awaited' : 'Your approval is asked';
  const text = `${lead}: ${cr.id} ${cut(cr.content.title, 150)} (${cr.content.category}, ${cr.riskLevel ?? 'unassessed'} risk)`;
  const ref = { changeId: cr.id, revision: cr.revision, slot: slot.slot };
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${lead}*: <${link}|${cr.id}> ${esc(cut(cr.content.title, 200))}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Category*\n${cr.content.category}` },
          { type: 'mrkdwn', text: `*Risk*\n${cr.riskLevel ?? 'not assessed'}` },
          { type: 'mrkdwn', text: `*Window*\n${w ? `${w.start} – ${w.end}` : 'none'}` },
          { type: 'mrkdwn', text: `*Requestor*\n${esc(cr.requestor.name)}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: esc(cut(`${slot.reason} · revision ${cr.revision}`, 300)) }] },
      {
        type: 'actions',
        block_id: `decide-${cr.id}`,
        elements: [
          { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: refValue(ref) },
          { type: 'button', action_id: REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: refValue(ref) },
          { type: 'button', action_id: 'changeflow.open', text: { type: 'plain_text', text: 'Open in ChangeFlow' }, url: link },
        ],
      },
    ],
  };
}

/** The message once decided: the same facts, the buttons replaced by who decided what. */
export function decidedMessage(cr: Pick<ChangeRequest, 'id' | 'content' | 'state'>, outcome: string, baseUrl: string): SlackMessage {
  const link = `${baseUrl}/changes/${cr.id}`;
  const text = `${cr.id} ${cut(cr.content.title, 150)}: ${cut(outcome, 300)}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `<${link}|${cr.id}> ${esc(cut(cr.content.title, 200))}` } },
      { type: 'section', text: { type: 'mrkdwn', text: esc(cut(outcome, 2500)) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Now ${cr.state.replace('_', ' ')}` }] },
    ],
  };
}

/** The dialog Reject opens: a rejection needs its reason, as on every channel. */
export function rejectDialog(ref: DecisionRef, message?: { channel: string; ts: string }): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: REJECT_VIEW,
    private_metadata: JSON.stringify({ ...JSON.parse(refValue(ref)), ...(message ? { ch: message.channel, ts: message.ts } : {}) }),
    title: { type: 'plain_text', text: `Reject ${ref.changeId}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Why reject it?' },
        element: { type: 'plain_text_input', action_id: REASON_INPUT, multiline: true, min_length: MIN_REJECT_REASON, max_length: 2000 },
      },
    ],
  };
}

const Ref = z.object({ c: z.string().regex(CHANGE_ID_PATTERN), r: z.number().int().positive(), s: z.string().max(40).optional() });
const parseRef = (text: string): DecisionRef | undefined => {
  try {
    const r = Ref.parse(JSON.parse(text));
    return { changeId: r.c, revision: r.r, slot: r.s };
  } catch {
    return undefined;
  }
};

const User = z.looseObject({ id: z.string().min(1).max(40), team_id: z.string().max(40).optional(), name: z.string().max(200).optional() });
const BlockActions = z.looseObject({
  type: z.literal('block_actions'),
  trigger_id: z.string().min(1).max(200),
  user: User,
  container: z.looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string().max(255), value: z.string().max(2000).optional(), action_ts: z.string().optional() })).min(1),
});
const ViewSubmission = z.looseObject({
  type: z.literal('view_submission'),
  trigger_id: z.string().max(200).optional(),
  user: User,
  view: z.looseObject({
    id: z.string().max(100).optional(),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000).optional(),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullable().optional() }))) }).optional(),
  }),
});

/** The id of an interaction, the same if the same request comes again (a replay). */
export function interactionId(payload: unknown): string | undefined {
  const p = payload as { trigger_id?: unknown; view?: { id?: unknown; hash?: unknown }; type?: unknown } | null;
  if (typeof p?.trigger_id === 'string' && p.trigger_id) return p.trigger_id;
  if (p?.type === 'view_submission' && typeof p.view?.id === 'string') return `${p.view.id}.${String(p.view.hash ?? '')}`;
  return undefined;
}

/** What an interaction payload (the JSON of the form field `payload`) asks. */
export function slackInteraction(payload: unknown): SlackInteraction {
  const actions = BlockActions.safeParse(payload);
  if (actions.success) {
    const p = actions.data;
    const action = p.actions[0]!;
    if (action.action_id !== APPROVE_ACTION && action.action_id !== REJECT_ACTION)
      return { kind: 'ignored', reason: `the button ${action.action_id} decides nothing` };
    const ref = parseRef(action.value ?? '');
    if (!ref) return { kind: 'ignored', reason: 'the button carries no change to decide' };
    const channel = p.container?.channel_id ?? p.channel?.id;
    const ts = p.container?.message_ts ?? p.message?.ts;
    const message = channel && ts ? { channel, ts } : undefined;
    if (action.action_id === REJECT_ACTION) return { kind: 'ask-reason', ref, triggerId: p.trigger_id, message, user: { id: p.user.id } };
    return { kind: 'decide', decision: 'approve', ref, user: { id: p.user.id, teamId: p.user.team_id, name: p.user.name }, message };
  }
  const view = ViewSubmission.safeParse(payload);
  if (view.success) {
    const v = view.data.view;
    if (v.callback_id !== REJECT_VIEW) return { kind: 'ignored', reason: `the dialog ${v.callback_id} is not ChangeFlow's` };
    let meta: Record<string, unknown> = {};
    try {
      meta = JSON.parse(v.private_metadata ?? '{}') as Record<string, unknown>;
    } catch {
      return { kind: 'ignored', reason: 'the dialog carries no change to decide' };
    }
    const ref = parseRef(JSON.stringify({ c: meta.c, r: meta.r, ...(meta.s ? { s: meta.s } : {}) }));
    if (!ref) return { kind: 'ignored', reason: 'the dialog carries no change to decide' };
    const reason = (v.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value ?? '').trim();
    if (reason.length < MIN_REJECT_REASON) return { kind: 'invalid-reason', message: `say why, in a sentence (${MIN_REJECT_REASON} characters or more)` };
    const message = typeof meta.ch === 'string' && typeof meta.ts === 'string' ? { channel: meta.ch, ts: meta.ts } : undefined;
    const u = view.data.user;
    return { kind: 'decide', decision: 'reject', ref, comment: cut(reason, 2000), user: { id: u.id, teamId: u.team_id, name: u.name }, message };
  }
  const type = (payload as { type?: unknown } | null)?.type;
  return { kind: 'ignored', reason: `a Slack ${typeof type === 'string' ? type : 'interaction'} ChangeFlow does not act on` };
}

/** The answer a dialog's submission gets: its field's error, or nothing (the dialog closes). */
export const REASON_ERRORS = (message: string) => ({ response_action: 'errors', errors: { [REASON_BLOCK]: message } });
