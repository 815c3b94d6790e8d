/** Reading a monitoring period: its measurements and the verdict they give now (a module of its own: no lifecycle rules). */
import type { ChangeRequest } from '../core/change-request.js';
import { expectedIntervals, judge, type Judgement, type Measurement, type MonitoringPlan } from '../core/monitoring.js';
import type { ChangeStore, MonitoringStore } from '../ports.js';
import { getChange } from './read-changes.js';

/** Whether every interval of the period has been judged. */
export const judgedAllIntervals = (plan: MonitoringPlan, measurements: Measurement[]) =>
  Math.max(-1, ...measurements.map((m) => m.index)) + 1 >= expectedIntervals(plan);

export async function monitoringView(
  deps: { store: ChangeStore; monitoring: MonitoringStore },
  id: string,
): Promise<{ cr: ChangeRequest; measurements: Measurement[]; judgement?: Judgement | undefined }> {
  const { cr } = await getChange(deps, id);
  const measurements = cr.monitoring ? await deps.monitoring.measurements(id) : [];
  const plan = cr.monitoring?.plan;
  return { cr, measurements, judgement: plan ? judge(plan, measurements, judgedAllIntervals(plan, measurements)) : undefined };
}
