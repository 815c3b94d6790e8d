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

export function riskLevel(likelihood: Likelihood | undefined, impact: Impact | undefined): RiskLevel | null {
  if (!likelihood || !impact) return null;
  return RISK_MATRIX[likelihood][impact];
}

/** Why the level is what it is, in the words shown to approvers. */
export function riskExplanation(likelihood: Likelihood, impact: Impact): string {
  return `likelihood ${likelihood} × impact ${impact} → ${RISK_MATRIX[likelihood][impact]} (risk matrix)`;
}
