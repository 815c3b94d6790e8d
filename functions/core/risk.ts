/**
 * Risk level from likelihood × impact (seed: "2. Risk Assessment → Risk Matrix"). The client never
 * chooses the level; a level the requestor ticked that differs is kept only as a warning.
 */
import type { Impact, Likelihood, RiskLevel } from './change-request.js';

export const RISK_MATRIX: Readonly<Record<Likelihood, Readonly<Record<Impact, RiskLevel>>>> = {
  high: { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' },
  medium: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
  low: { low: 'low', medium: 'low', high: 'medium', critical: 'high' },
};

/** What each level means (seed: "Risk Levels"). */
export const RISK_LEVEL_MEANING: Readonly<Record<RiskLevel, string>> = {
  low: 'Minor impact, easy rollback, well-tested',
  medium: 'Moderate impact, standard rollback, tested in staging',
  high: 'Significant impact, complex rollback, requires approval',
  critical: 'Severe impact, may require DR, requires executive approval',
};

export function riskLevel(likelihood: Likelihood | undefined, impact: Impact | undefined): RiskLevel | null {
  if (!likelihood || !impact) return null;
  return RISK_MATRIX[likelihood][impact];
}

/** Why the level is what it is, in the words shown to approvers. */
export function riskExplanation(likelihood: Likelihood, impact: Impact): string {
  return `likelihood ${likelihood} × impact ${impact} → ${RISK_MATRIX[likelihood][impact]} (risk matrix)`;
}

export interface RiskAssessment {
  level: RiskLevel;
  /** matrix: computed from likelihood × impact; declared: the level the requestor ticked, nothing to compute it from. */
  basis: 'matrix' | 'declared';
}

/**
 * The risk level a change carries: the matrix's when likelihood and impact are both given (a
 * different ticked level is then only a warning); else the level the requestor ticked, marked as
 * declared (the seed's own template has no likelihood or impact, only the Risk Level boxes).
 */
export function assessRisk(
  risk: { likelihood?: Likelihood | undefined; impact?: Impact | undefined; declaredLevel?: RiskLevel | undefined } | undefined,
): RiskAssessment | null {
  const computed = riskLevel(risk?.likelihood, risk?.impact);
  if (computed) return { level: computed, basis: 'matrix' };
  return risk?.declaredLevel ? { level: risk.declaredLevel, basis: 'declared' } : null;
}
