/**
 * The words of the change-request template and of the lifecycle: categories, levels, the template's
 * tick-boxes, the states. Plain data with no dependency, so the console's bundle can import the same
 * lists the service validates with (change-request.ts builds its schema from them).
 */
export const CATEGORIES = ['standard', 'normal', 'major', 'emergency'] as const;
export type Category = (typeof CATEGORIES)[number];

export const LIKELIHOODS = ['low', 'medium', 'high'] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];

export const IMPACTS = ['low', 'medium', 'high', 'critical'] as const;
export type Impact = (typeof IMPACTS)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The seed's six components; the list is configurable (config.components). */
export const DEFAULT_COMPONENTS = ['API Server', 'Database', 'Redis Cache', 'S3 Storage', 'Kubernetes Deployment', 'Monitoring/Alerting'] as const;

/** Test plan checklist: the seed's five, plus chaos tests, which major changes must have. */
export const TEST_CHECKS = {
  'unit-tests': 'Unit tests passing',
  'integration-tests': 'Integration tests passing',
  'load-tests': 'Load tests completed',
  'chaos-tests': 'Chaos tests completed',
  'staging-deployment': 'Staging deployment successful',
  'smoke-tests': 'Smoke tests passing',
} as const;
export type TestCheck = keyof typeof TEST_CHECKS;

export const ROLLBACK_TRIGGERS = {
  'error-rate': 'Error rate > 5%',
  'database-errors': 'Database errors',
  'critical-alerts': 'Critical alerts firing',
} as const;
export type RollbackTrigger = keyof typeof ROLLBACK_TRIGGERS;

export const STAKEHOLDERS = {
  engineering: 'Engineering team (#engineering)',
  product: 'Product team (#product)',
  support: 'Customer Support (#support)',
  leadership: 'Leadership (#leadership)',
  customers: 'Customers (via status page)',
} as const;
export type Stakeholder = keyof typeof STAKEHOLDERS;

export const VERIFICATION_STEPS = {
  'success-criteria-met': 'Success criteria met',
  'dashboards-healthy': 'Monitoring dashboards show healthy metrics',
  'no-new-errors': 'No new errors in logs',
  'no-customer-complaints': 'No customer complaints',
} as const;
export type VerificationStep = keyof typeof VERIFICATION_STEPS;

export const DOCUMENTATION_UPDATES = {
  runbooks: 'Runbooks updated',
  'architecture-docs': 'Architecture docs updated',
  readme: 'README updated',
} as const;
export type DocumentationUpdate = keyof typeof DOCUMENTATION_UPDATES;

/** The standard-change catalogue (seed: Standard Changes → Examples). Only these are auto-approved. */
export const STANDARD_CHANGE_TYPES = {
  'security-patch': 'Security patch',
  'patch-version-bump': 'Minor version bump (patch release)',
  'feature-flag-config': 'Configuration change via feature flag',
  scaling: 'Scaling operation',
  'cache-clearing': 'Cache clearing',
} as const;
export type StandardChangeType = keyof typeof STANDARD_CHANGE_TYPES;

export const SEVERITIES = ['P0', 'P1'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATES = [
  'draft',
  'submitted',
  'pending_approval',
  'approved',
  'scheduled',
  'in_progress',
  'monitoring',
  'rolling_back',
  'completed',
  'rolled_back',
  'failed',
  'rejected',
  'cancelled',
] as const;
export type State = (typeof STATES)[number];

/** The states a change ends in: nothing is deployed from them any more. */
export const CLOSED_STATES: readonly State[] = ['completed', 'rolled_back', 'failed', 'rejected', 'cancelled'];
