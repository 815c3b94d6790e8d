/**
 * GitHub's custom deployment protection rule, answered from the deploy gate (docs/webhooks.md,
 * "GitHub deployment protection rules"): approve when the gate allows the change now, reject when
 * the change can no longer be deployed (or there is none), and otherwise wait, with a status report
 * that says what is still missing, until a later event of the change decides it. Pure.
 */
import { type ChangeRequest, CLOSED_STATES } from './change-request.js';
import type { GateAnswer } from './lifecycle.js';

export type ProtectionAnswer = { kind: 'approve' | 'reject' | 'wait'; comment: string };

/** GitHub takes a status report or a comment of at most 1,024 characters. */
export const GITHUB_COMMENT_LIMIT = 1024;
/** GitHub keeps at most 10 status reports per deployment; the last is kept for the answer. */
export const MAX_STATUS_REPORTS = 9;

const withinLimit = (text: string) => (text.length > GITHUB_COMMENT_LIMIT ? `${text.slice(0, GITHUB_COMMENT_LIMIT - 1)}…` : text);

export function protectionAnswer(args: {
  changeId?: string | undefined;
  cr?: ChangeRequest | undefined;
  gate?: (GateAnswer & { notes?: string[] }) | undefined;
  environment: string;
  baseUrl: string;
}): ProtectionAnswer {
  const { changeId, cr, gate, environment } = args;
  if (!changeId) {
    return {
      kind: 'reject',
      comment: withinLimit(
        `ChangeFlow found no change request for this deployment to ${environment}. Name an approved one (CR-YYYY-MM-DD-NNN) in the deployment payload (\`changeRequest\`), the ref (\`release/CR-…\`) or the pull request title.`,
      ),
    };
  }
  const link = `${args.baseUrl}/changes/${changeId}`;
  if (!cr) return { kind: 'reject', comment: withinLimit(`${changeId} does not exist in ChangeFlow (${link}).`) };
  // closed: it can no longer be deployed, the job is rejected
  if (CLOSED_STATES.includes(cr.state))
    return { kind: 'reject', comment: withinLimit(`[${cr.id}](${link}) is ${cr.state.replace('_', ' ')}: it can no longer be deployed.`) };
  if (!gate) return { kind: 'wait', comment: withinLimit(`[${cr.id}](${link}) is ${cr.state.replace('_', ' ')}; waiting for the deploy gate.`) };
  if (gate.decision === 'allow') {
    const approvers = cr.approvals.filter((a) => a.revision === cr.revision).map((a) => `${a.name} (${a.slot})`);
    return {
      kind: 'approve',
      comment: withinLimit(
        `[${cr.id}](${link}) "${cr.content.title}" is approved${approvers.length ? ` by ${approvers.join(', ')}` : ''}${cr.riskLevel ? `, risk ${cr.riskLevel}` : ''}: the deploy gate allows it now.${gate.notes?.length ? ` ${gate.notes.join('; ')}.` : ''}`,
      ),
    };
  }
  const reasons = gate.reasons.map((r) => `- ${r.message}`).join('\n');
  return {
    kind: 'wait',
    comment: withinLimit(
      `[${cr.id}](${link}) is ${cr.state.replace('_', ' ')}; the deploy gate does not allow it yet:\n${reasons}\nChangeFlow answers here once it does.`,
    ),
  };
}
