/**
 * The workflows, driven by the domain events (a consumer of the bus, like the emails): a submitted
 * change starts its approval flow, an emergency its emergency flow, a decision completes its slot's
 * callback task, a rejection fails it, and an edit, a cancel or an expiry stops the flow it ends.
 * Nothing of this happens in the request that made the change: the change and its event are one
 * write, and the event is delivered until this has run (docs/events.md). Every step is idempotent:
 * a start is idempotent on the execution's name, a closed task or an ended execution is no error.
 */
import { emergencyTimers } from '../core/lifecycle.js';
import type { DomainEvent } from '../core/events.js';
import { TaskClosedError, type ChangeStore, type WorkflowEngine } from '../ports.js';
import { allChangesInState } from './read-changes.js';

export interface DriverDeps {
  store: ChangeStore;
  workflows: WorkflowEngine;
}

/** The event types the driver acts on (the stack's rule matches exactly these). */
export const DRIVEN_EVENTS = [
  'ChangeSubmitted',
  'EmergencyStarted',
  'ApprovalGiven',
  'ChangeApproved',
  'ChangeRejected',
  'ChangeRevised',
  'ChangeCancelled',
  'ChangeExpired',
  // the monitoring period: a deployment starts it, an extension after it ended starts it again,
  // and a rollback, a failure or a completion by a person stops it
  'ChangeDeployed',
  'MonitoringDecided',
  'ChangeRolledBack',
  'ChangeFailed',
  'ChangeCompleted',
] as const;

export type DriverOutcome = 'started' | 'completed-task' | 'failed-task' | 'stopped' | 'nothing';

export async function driveWorkflows(deps: DriverDeps, event: DomainEvent): Promise<DriverOutcome> {
  const ends = event.detail?.endsWorkflow;
  switch (event.type) {
    case 'ChangeSubmitted':
    case 'EmergencyStarted': {
      const flow = event.change.workflow;
      if (!flow) return 'nothing';
      // a start delivered after the change moved on (edited, cancelled) starts nothing
      const current = (await deps.store.get(event.changeId))?.cr;
      if (current?.workflow?.executionName !== flow.executionName) return 'nothing';
      const input =
        flow.name === 'approval'
          ? { changeId: event.changeId, revision: flow.revision }
          : { changeId: event.changeId, startedAt: current.startedAt, ...emergencyTimers(current.startedAt!) };
      await deps.workflows.start(flow.name, flow.executionName, input);
      return 'started';
    }
    case 'ChangeDeployed':
    case 'MonitoringDecided': {
      // the period's execution, if this event's change still has it as its current one
      const current = (await deps.store.get(event.changeId))?.cr;
      const flow = current?.monitoringFlow;
      if (!flow || current.state !== 'monitoring' || flow.executionName !== event.change.monitoringFlow?.executionName) return 'nothing';
      if (event.type === 'MonitoringDecided' && event.detail?.decision !== 'extend') return 'nothing';
      if (await deps.workflows.exists(flow.name, flow.executionName)) return 'nothing';
      await deps.workflows.start(flow.name, flow.executionName, { changeId: event.changeId });
      return 'started';
    }
    case 'ApprovalGiven':
    case 'ChangeApproved': {
      const slot = event.detail?.slot;
      if (!slot || event.category === 'emergency') return 'nothing'; // auto-approval happens in the flow itself
      const current = (await deps.store.get(event.changeId))?.cr;
      const token = current?.revision === event.revision ? current.approvalRequests?.find((r) => r.slot === slot)?.taskToken : undefined;
      // no token yet: the slot's task completes itself when it starts (approval-flow.ts)
      if (!token) return 'nothing';
      return (await closed(() => deps.workflows.sendTaskSuccess(token, { slot, by: event.actor.id }))) ? 'nothing' : 'completed-task';
    }
    case 'ChangeRejected': {
      const current = (await deps.store.get(event.changeId))?.cr;
      const tokens = (current?.approvalRequests ?? []).flatMap((r) => (r.taskToken && !current!.approvals.some((a) => a.slot === r.slot) ? [r.taskToken] : []));
      // failing one open slot fails the whole Map: the flow ends on its Rejected branch
      for (const token of tokens.slice(0, 1)) {
        if (!(await closed(() => deps.workflows.sendTaskFailure(token, 'Rejected', event.reason ?? 'rejected')))) return 'failed-task';
      }
      if (ends) await deps.workflows.stop(deps.workflows.executionIdOf(ends.name, ends.executionName), event.reason ?? 'rejected');
      return ends ? 'stopped' : 'nothing';
    }
    default:
      if (!ends) return 'nothing';
      await deps.workflows.stop(deps.workflows.executionIdOf(ends.name, ends.executionName), `${event.type}: ${event.reason ?? ''}`.trim());
      return 'stopped';
  }
}

/** True when the task was already closed (decided, timed out, stopped): nothing left to do. */
async function closed(call: () => Promise<void>): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (err) {
    if (err instanceof TaskClosedError) return true;
    throw err;
  }
}

export interface ReconcileDeps extends DriverDeps {
  clock: { now(): Date };
}

/** How long a submitted change may wait for its flow's start to be delivered before the reconciler starts it. */
export const RECONCILE_AFTER_MINUTES = 5;

/**
 * The safety net under the driver (scheduled): a change submitted a while ago whose approval flow
 * never started, or an emergency under way whose flow never started (its start event dead-lettered,
 * Step Functions refused it for longer than the retries), gets its flow. Starting is idempotent on
 * the execution's name, so a flow that did start is left alone.
 */
export async function reconcileWorkflows(deps: ReconcileDeps): Promise<{ started: string[]; failed: string[] }> {
  const result = { started: [] as string[], failed: [] as string[] };
  const before = deps.clock.now().getTime() - RECONCILE_AFTER_MINUTES * 60_000;
  const candidates = [
    ...(await allChangesInState(deps, 'submitted')),
    ...(await allChangesInState(deps, 'in_progress')).filter((cr) => cr.content.category === 'emergency' && cr.postApproval && !cr.postApproval.approvedBy),
  ];
  // a period still watching, and a rollback still waiting for its report, need their monitoring flow
  for (const cr of [...(await allChangesInState(deps, 'monitoring')), ...(await allChangesInState(deps, 'rolling_back'))]) {
    const flow = cr.monitoringFlow;
    const open = cr.monitoring?.verdict === 'watching' || (cr.state === 'rolling_back' && !cr.monitoring?.rollbackOverdue);
    if (!flow || !open || Date.parse(cr.updatedAt) > before) continue;
    try {
      if (await deps.workflows.exists(flow.name, flow.executionName)) continue;
      await deps.workflows.start(flow.name, flow.executionName, { changeId: cr.id });
      result.started.push(`${cr.id} ${flow.name}`);
    } catch (err) {
      result.failed.push(`${cr.id}: ${(err as Error).message}`);
    }
  }
  for (const cr of candidates) {
    const flow = cr.workflow;
    if (!flow || Date.parse(cr.updatedAt) > before) continue;
    try {
      if (await deps.workflows.exists(flow.name, flow.executionName)) continue;
      const input =
        flow.name === 'approval'
          ? { changeId: cr.id, revision: flow.revision }
          : { changeId: cr.id, startedAt: cr.startedAt, ...emergencyTimers(cr.startedAt!) };
      await deps.workflows.start(flow.name, flow.executionName, input);
      result.started.push(`${cr.id} ${flow.name}`);
    } catch (err) {
      result.failed.push(`${cr.id}: ${(err as Error).message}`);
    }
  }
  return result;
}
