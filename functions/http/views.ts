/** What the API shows of a change request: the stored CR, its approval status and its links. */
import { approvalStatus } from '../core/approval-policy.js';
import type { AuditEntry, ChangeRequest } from '../core/change-request.js';
import { TERMINAL, TRANSITIONS, type Action } from '../core/lifecycle.js';

export function changeView(cr: ChangeRequest, audit?: AuditEntry[]) {
  return {
    ...cr,
    // callback tokens stay inside the service: the view says only whether each approval was requested
    approvalRequests: cr.approvalRequests?.map(({ taskToken, ...r }) => ({ ...r, requested: Boolean(taskToken) })),
    requiredApprovals: approvalStatus(cr),
    /** Actions the lifecycle allows from the current state (the caller's role may still refuse them). */
    allowedActions: TERMINAL.includes(cr.state) ? [] : (Object.keys(TRANSITIONS) as Action[]).filter((a) => TRANSITIONS[a].includes(cr.state)),
    links: { self: `/changes/${cr.id}`, markdown: `/changes/${cr.id}.md` },
    ...(audit ? { audit } : {}),
  };
}

export function changeSummary(cr: ChangeRequest) {
  return {
    id: cr.id,
    title: cr.content.title,
    category: cr.content.category,
    state: cr.state,
    riskLevel: cr.riskLevel,
    revision: cr.revision,
    version: cr.version,
    requestor: cr.requestor.id,
    plannedWindow: cr.content.plannedWindow,
    createdAt: cr.createdAt,
    updatedAt: cr.updatedAt,
    links: { self: `/changes/${cr.id}` },
  };
}
