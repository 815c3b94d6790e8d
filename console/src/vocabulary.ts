/** The service's own lists and rules, imported from the core so the console never keeps a copy. */
export {
  CATEGORIES,
  DOCUMENTATION_UPDATES,
  IMPACTS,
  LIKELIHOODS,
  RISK_LEVELS,
  ROLLBACK_TRIGGERS,
  SEVERITIES,
  STAKEHOLDERS,
  STANDARD_CHANGE_TYPES,
  STATES,
  TEST_CHECKS,
  VERIFICATION_STEPS,
} from '../../functions/core/vocabulary';
export { completenessIssues } from '../../functions/core/completeness';
export { assessRisk, RISK_LEVEL_MEANING, riskExplanation } from '../../functions/core/risk';
export type { ChangeContent } from '../../functions/core/change-request';
