/**
 * Completeness by category (seed: "Automated Validation — check completeness"; docs/process.md "Completeness").
 * Drafts may be incomplete; these checks run on submit (and on the start of an emergency change),
 * and every missing field is named by its path.
 */
import type { ChangeContent } from './change-request.js';
import type { FieldIssue as FieldIssueLike } from './errors.js';

const MISSING = 'is required';

/**
 * `windowProblems`: why the maintenance window's proposed time gave no planned window
 * (planned-window.ts); they stand in for the generic "planned window is required".
 */
export function completenessIssues(content: ChangeContent, windowProblems: FieldIssueLike[] = []): FieldIssueLike[] {
  if (content.category === 'emergency') return emergencyIssues(content);
  const issues: FieldIssueLike[] = [];
  const need = (ok: unknown, path: string, message = MISSING) => {
    if (!ok) issues.push({ path: `content.${path}`, message });
  };
  const d = content.description;
  need(d?.summary, 'description.summary');
  need(d?.motivation, 'description.motivation');
  need((d?.components?.length ?? 0) + (d?.otherComponents?.length ?? 0) > 0, 'description.components', 'must name at least one component affected');
  need(content.implementation?.changes, 'implementation.changes');
  if (!content.plannedWindow) {
    if (windowProblems.length) issues.push(...windowProblems);
    else
      need(
        false,
        'plannedWindow',
        "is required: when will the change be carried out? Give the maintenance window's proposed time and its duration (or an estimated duration), or a planned window with start and end",
      );
  }
  const t = content.testing;
  need(t?.testPlan || (t?.checklist?.length ?? 0) > 0, 'testing.testPlan', 'is required: describe the test plan or tick its checklist');
  need((t?.successCriteria?.length ?? 0) > 0, 'testing.successCriteria', 'must list at least one success criterion');
  const r = content.risk;
  // the matrix computes the level from likelihood × impact; without both, the ticked level stands
  if (!(r?.likelihood && r.impact) && !r?.declaredLevel) {
    if (r?.likelihood || r?.impact)
      need(false, r.likelihood ? 'risk.impact' : 'risk.likelihood', 'is required with the other half of likelihood × impact (or tick the risk level)');
    else need(false, 'risk', 'needs a risk level: tick it, or give likelihood and impact and the risk matrix computes it');
  }
  need(r?.potentialImpacts, 'risk.potentialImpacts');
  need(r?.mitigations, 'risk.mitigations');
  const b = content.rollback;
  need(b?.procedure, 'rollback.procedure');
  need(b?.duration, 'rollback.duration');
  need((b?.triggers?.length ?? 0) + (b?.otherTriggers?.length ?? 0) > 0, 'rollback.triggers', 'must name at least one rollback trigger');
  need((content.communication?.stakeholders?.length ?? 0) > 0, 'communication.stakeholders', 'must name at least one stakeholder to notify');
  if (content.category === 'major') {
    need(t?.checklist?.includes('load-tests'), 'testing.checklist', 'a major change needs load tests in its test plan');
    need(t?.checklist?.includes('chaos-tests'), 'testing.checklist', 'a major change needs chaos tests in its test plan');
    need(b?.drDrill, 'rollback.drDrill', 'a major change needs a DR drill in its rollback plan');
  }
  return issues;
}

/** An emergency change may start with little written down, but never without its incident. */
export function emergencyIssues(content: ChangeContent): FieldIssueLike[] {
  const issues: FieldIssueLike[] = [];
  if (!content.incident?.reference) issues.push({ path: 'content.incident.reference', message: 'an emergency change needs the incident it fixes' });
  if (!content.incident?.severity) issues.push({ path: 'content.incident.severity', message: 'an emergency change is for P0/P1 incidents: give the severity' });
  if (!content.description?.summary && !content.implementation?.changes) {
    issues.push({ path: 'content.description.summary', message: 'is required: say what the fix is (a summary, or what was changed)' });
  }
  return issues;
}

/** Components must come from the configured list; anything else goes under "Other". */
export function unknownComponentIssues(content: ChangeContent, known: readonly string[]): FieldIssueLike[] {
  return (content.description?.components ?? [])
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => !known.includes(c))
    .map(({ c, i }) => ({
      path: `content.description.components.${i}`,
      message: `"${c}" is not a known component (${known.join(', ')}); put it under otherComponents`,
    }));
}
