/**
 * Decisions from Slack in the pure core and at the edge: what an interaction payload asks, the
 * approval message's buttons and limits, and Slack's request signature (v0, five minutes).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../functions/core/errors.js';
import { approvalMessage, decidedMessage, interactionId, rejectDialog, slackInteraction } from '../../functions/core/slack-decisions.js';
import { verifyDelivery } from '../../functions/http/webhook-signatures.js';

const ref = JSON.stringify({ c: 'CR-2027-03-15-001', r: 2, s: 'tech-lead' });
const click = (action_id: string, value = ref) => ({
  type: 'block_actions',
  trigger_id: '1.2.abc',
  user: { id: 'U1', team_id: 'T1', name: 'tom' },
  container: { type: 'message', channel_id: 'D1', message_ts: '1700000000.000100' },
  actions: [{ type: 'button', action_id, value }],
});
const submission = (reason: string, metadata = JSON.stringify({ c: 'CR-2027-03-15-001', r: 2, ch: 'D1', ts: '1700000000.000100' })) => ({
  type: 'view_submission',
  user: { id: 'U1', team_id: 'T1' },
  view: {
    id: 'V1',
    hash: 'h1',
    callback_id: 'changeflow.reject-reason',
    private_metadata: metadata,
    state: { values: { reason: { reason_input: { value: reason } } } },
  },
});

describe('Rule: an interaction is Approve (decided from the bus), Reject (the reason dialog first), or nothing ChangeFlow acts on', () => {
  it('Approve names the change, the revision and the slot it was asked for, and the message to update', () => {
    expect(slackInteraction(click('changeflow.approve'))).toEqual({
      kind: 'decide',
      decision: 'approve',
      ref: { changeId: 'CR-2027-03-15-001', revision: 2, slot: 'tech-lead' },
      user: { id: 'U1', teamId: 'T1', name: 'tom' },
      message: { channel: 'D1', ts: '1700000000.000100' },
    });
  });

  it('Reject asks for the reason; the dialog submitted with one rejects, with one too short is a field error', () => {
    expect(slackInteraction(click('changeflow.reject'))).toMatchObject({ kind: 'ask-reason', triggerId: '1.2.abc' });
    expect(slackInteraction(submission('The refunds report still reads it.'))).toMatchObject({
      kind: 'decide',
      decision: 'reject',
      comment: 'The refunds report still reads it.',
      message: { channel: 'D1', ts: '1700000000.000100' },
    });
    expect(slackInteraction(submission('  no  '))).toMatchObject({ kind: 'invalid-reason' });
  });

  it('other buttons, forged values, other dialogs and other interaction types are ignored, with the reason', () => {
    expect(slackInteraction(click('changeflow.open')).kind).toBe('ignored');
    expect(slackInteraction(click('changeflow.approve', '{"c":"DROP TABLE","r":1}')).kind).toBe('ignored');
    expect(slackInteraction(click('changeflow.approve', 'not json')).kind).toBe('ignored');
    expect(slackInteraction({ ...submission('A good long reason here.'), view: { ...submission('x').view, callback_id: 'other' } }).kind).toBe('ignored');
    expect(slackInteraction({ type: 'shortcut', trigger_id: 't' })).toEqual({ kind: 'ignored', reason: 'a Slack shortcut ChangeFlow does not act on' });
    expect(slackInteraction(null).kind).toBe('ignored');
  });

  it("an interaction's id is its trigger, or a dialog's view and hash", () => {
    expect(interactionId(click('changeflow.approve'))).toBe('1.2.abc');
    expect(interactionId(submission('why not'))).toBe('V1.h1');
    expect(interactionId({})).toBeUndefined();
  });
});

describe("Rule: the messages stay within Block Kit's limits and say what was decided", () => {
  const cr = {
    id: 'CR-2027-03-15-001',
    revision: 2,
    riskLevel: 'high' as const,
    state: 'approved' as const,
    requestor: { id: 'alice', name: 'Alice <Andersen> & Co', email: 'a@example.com', roles: [] },
    content: { title: 'x'.repeat(5000), category: 'normal', plannedWindow: { start: '2027-03-16T15:00:00Z', end: '2027-03-16T16:00:00Z' } },
  } as never;
  it('the approval message carries Approve and Reject with the change and revision, text escaped and cut', () => {
    const m = approvalMessage(cr, { slot: 'tech-lead', reason: 'normal change at high risk' }, 'https://cf.example');
    const actions = m.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value?: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['changeflow.approve', 'changeflow.reject', 'changeflow.open']);
    expect(JSON.parse(actions.elements[0]!.value!)).toEqual({ c: 'CR-2027-03-15-001', r: 2, s: 'tech-lead' });
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('Alice &lt;Andersen&gt; &amp; Co');
    for (const b of m.blocks as { text?: { text: string } }[]) if (b.text) expect(b.text.text.length).toBeLessThan(3000);
    expect(m.text.length).toBeLessThan(300);
  });
  it('the decided message has no buttons; the reason dialog keeps the message to update', () => {
    expect(decidedMessage(cr, 'Tom approved (in Slack)', 'https://cf.example').blocks.map((b) => b.type)).not.toContain('actions');
    const dialog = rejectDialog({ changeId: 'CR-2027-03-15-001', revision: 2 }, { channel: 'D1', ts: '1.2' });
    expect(JSON.parse(dialog.private_metadata as string)).toEqual({ c: 'CR-2027-03-15-001', r: 2, ch: 'D1', ts: '1.2' });
    expect((dialog.title as { text: string }).text.length).toBeLessThanOrEqual(24);
  });
});

describe("Rule: a Slack request is taken only with the app's signature over a timestamp within five minutes", () => {
  const secret = 'slack-signing-secret-0001';
  const now = new Date('2027-03-15T14:00:00Z');
  const at = String(now.getTime() / 1000);
  const body = 'payload=%7B%7D';
  const sign = (ts: string, b = body, s = secret) => `v0=${createHmac('sha256', s).update(`v0:${ts}:${b}`).digest('hex')}`;
  const headers = (ts: string, sig: string) => ({ 'x-slack-request-timestamp': ts, 'x-slack-signature': sig });
  it('accepts the signature of any configured secret (a rotation)', async () => {
    await expect(verifyDelivery('slack', ['old-secret-00000000', secret], body, headers(at, sign(at)), now)).resolves.toBeUndefined();
  });
  it('refuses another secret, another body, a timestamp 301 s off, and a missing header', async () => {
    await expect(verifyDelivery('slack', [secret], body, headers(at, sign(at, body, 'wrong-secret-0000000')), now)).rejects.toThrow(UnauthorizedError);
    await expect(verifyDelivery('slack', [secret], `${body}x`, headers(at, sign(at)), now)).rejects.toThrow(/does not match/);
    const stale = String(Number(at) - 301);
    await expect(verifyDelivery('slack', [secret], body, headers(stale, sign(stale)), now)).rejects.toThrow(/replayed or delayed/);
    await expect(verifyDelivery('slack', [secret], body, { 'x-slack-signature': sign(at) }, now)).rejects.toThrow(/X-Slack-Request-Timestamp missing/);
    await expect(verifyDelivery('slack', [], body, headers(at, sign(at)), now)).rejects.toThrow(/no slack webhook secret/);
  });
});
