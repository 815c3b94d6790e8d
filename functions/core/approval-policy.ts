/**
 * Who must approve (docs/process.md "Who approves"): the stricter of the category rule and the risk rule wins.
 *
 * - standard: auto-approved, but only from the catalogue and only at risk low;
 * - normal: tech-lead or above; risk high → eng-manager or above; risk critical → cto;
 * - major: eng-manager and cto, two different people, whatever the risk;
 * - emergency: no approval before work; eng-manager or above post-approves within 24 h
 *   (cto when the risk is critical: the stricter rule still wins).
 */
import {
  STANDARD_CHANGE_TYPES,
  type ApprovalRequirement,
  type ApprovalSlot,
  type ApproverRole,
  type ChangeContent,
  type ChangeRequest,
  type Person,
  type RiskLevel,
} from './change-request.js';
import { satisfies, stricter } from './roles.js';

/** The risk rule of the seed's approval workflow: low → auto, medium → tech lead, high → eng manager, critical → CTO. */
export const RISK_RULE: Readonly<Record<RiskLevel, ApproverRole | null>> = {
  low: null,
  medium: 'tech-lead',
  high: 'eng-manager',
  critical: 'cto',
};

const ROLE_NAMES: Record<ApproverRole, string> = {
  'tech-lead': 'tech lead',
  'eng-manager': 'engineering manager',
  cto: 'CTO',
};

export type PolicyResult = { ok: true; requirement: ApprovalRequirement } | { ok: false; path: string; message: string };

export function approvalPolicy(content: Pick<ChangeContent, 'category' | 'standardType'>, risk: RiskLevel): PolicyResult {
  const riskRole = RISK_RULE[risk];
  switch (content.category) {
    case 'standard': {
      if (!content.standardType || !(content.standardType in STANDARD_CHANGE_TYPES)) {
        return {
          ok: false,
          path: 'content.standardType',
          message: `a standard change must be one of the catalogue's types (${Object.keys(STANDARD_CHANGE_TYPES).join(', ')}); anything else must be filed as normal`,
        };
      }
      if (risk !== 'low') {
        return {
          ok: false,
          path: 'content.category',
          message: `a standard change must be low risk, but this one is ${risk}; file it as normal`,
        };
      }
      return {
        ok: true,
        requirement: {
          route: 'auto',
          slots: [],
          reasons: [`standard change from the catalogue (${STANDARD_CHANGE_TYPES[content.standardType]}) at low risk: pre-approved`],
        },
      };
    }
    case 'normal': {
      const role = riskRole ? stricter('tech-lead', riskRole) : 'tech-lead';
      const reason =
        role === 'tech-lead'
          ? `normal change at ${risk} risk: tech lead or above`
          : `normal change at ${risk} risk: the risk rule asks for ${ROLE_NAMES[role]}${role === 'cto' ? '' : ' or above'}`;
      return { ok: true, requirement: { route: 'approval', slots: [slot(role, reason)], reasons: [reason] } };
    }
    case 'major': {
      const reasons = ['major change: engineering manager and CTO, two different people'];
      if (riskRole === 'cto') reasons.push(`risk ${risk}: CTO (already required)`);
      return {
        ok: true,
        requirement: {
          route: 'approval',
          slots: [slot('eng-manager', 'major change: engineering manager or above'), slot('cto', 'major change: CTO')],
          reasons,
        },
      };
    }
    case 'emergency': {
      const role = riskRole ? stricter('eng-manager', riskRole) : 'eng-manager';
      const reason = `emergency change: no approval before work; ${ROLE_NAMES[role]}${role === 'cto' ? '' : ' or above'} must post-approve within 24 h of the start`;
      return { ok: true, requirement: { route: 'post-approval', slots: [slot(role, reason)], reasons: [reason] } };
    }
  }
}

function slot(role: ApproverRole, reason: string): ApprovalSlot {
  return { slot: role, minRole: role, reason };
}

export interface ApprovalStatus {
  route: 'auto' | 'approval' | 'post-approval' | 'undetermined' | 'refused';
  reasons: string[];
  slots: (ApprovalSlot & { filledBy?: string | undefined })[];
}

/**
 * What approvals a CR needs and which are in — for the requestor on create, for approvers on
 * submit. Before submit it is a preview from the current content.
 */
export function approvalStatus(cr: Pick<ChangeRequest, 'content' | 'riskLevel' | 'approvalRequirement' | 'approvals' | 'postApproval'>): ApprovalStatus {
  const filled = (slots: ApprovalSlot[]) =>
    slots.map((s) => ({
      ...s,
      filledBy: cr.approvalRequirement?.route === 'post-approval' ? cr.postApproval?.approvedBy : cr.approvals.find((a) => a.slot === s.slot)?.by,
    }));
  if (cr.approvalRequirement) return { ...cr.approvalRequirement, slots: filled(cr.approvalRequirement.slots) };
  if (!cr.riskLevel) {
    return { route: 'undetermined', reasons: ['give risk.likelihood and risk.impact to compute the risk level and the approvals it needs'], slots: [] };
  }
  const policy = approvalPolicy(cr.content, cr.riskLevel);
  if (!policy.ok) return { route: 'refused', reasons: [`${policy.path}: ${policy.message}`], slots: [] };
  return { ...policy.requirement, slots: filled(policy.requirement.slots) };
}

/**
 * Who is asked to fill a slot (issue: "every eligible person is emailed"): everyone at or above the
 * slot's role; for a tech-lead slot, the tech leads of the requestor's team (all tech leads when the
 * team has none). Never the requestor. `candidates` are the people holding approver roles.
 */
export function approversToAsk(slot: Pick<ApprovalSlot, 'minRole'>, requestor: { id: string; team?: string | undefined }, candidates: Person[]): Person[] {
  const people = [...new Map(candidates.map((p) => [p.id, p])).values()].filter((p) => p.id !== requestor.id);
  if (slot.minRole === 'tech-lead') {
    const leads = people.filter((p) => p.roles.includes('tech-lead'));
    const ofTeam = leads.filter((p) => p.team && p.team === requestor.team);
    return ofTeam.length ? ofTeam : leads;
  }
  return people.filter((p) => satisfies(p.roles, slot.minRole));
}
