/** What the API shows of a change request: the stored CR, its approval status, its checklist and its links. */
import { approvalStatus } from '../core/approval-policy.js';
import type { Actor, AuditEntry, ChangeRequest } from '../core/change-request.js';
import { checklistOf } from '../core/checklist.js';
import { allowedActions, notesAllowed, type RulesConfig } from '../core/lifecycle.js';

export interface Viewer {
  actor: Actor;
  rules: Pick<RulesConfig, 'emergencyRoles'>;
}

export function changeView(cr: ChangeRequest, audit: AuditEntry[] | undefined, viewer: Viewer, extraWarnings: string[] = []) {
  return {
    ...cr,
    warnings: [...cr.warnings, ...extraWarnings],
    // callback tokens stay inside the service: the view says only whether each approval was requested
    approvalRequests: cr.approvalRequests?.map(({ taskToken, ...r }) => ({ ...r, requested: Boolean(taskToken) })),
    requiredApprovals: approvalStatus(cr),
    checklist: checklistOf(cr),
    /** What the caller may do next, from the lifecycle table: actions their role allows from this state. */
    allowedActions: allowedActions(cr, viewer.actor, viewer.rules),
    /** The notes the caller may add to the implementation record now (POST /changes/{id}/notes). */
    allowedNotes: notesAllowed(cr, viewer.actor, viewer.rules),
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
