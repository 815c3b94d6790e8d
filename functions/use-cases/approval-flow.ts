/**
 * What the workflows' task states do (one Lambda, dispatching on `task`), and the approval sweep.
 * Every step is a conditional write through the store; a lost race is re-read and re-decided, so a
 * retried task has one effect.
 */
import * as z from 'zod';
import {
  applyTimers,
  dueTimers,
  postApprovalOverdue,
  postApprovalReminder,
  recordApprovalRequest,
  routeSubmitted,
  type ApprovalTimers,
  type RequestOutcome,
} from '../core/approval-flow.js';
import { APPROVER_ROLES, type ChangeRequest } from '../core/change-request.js';
import { ValidationError, VersionConflictError } from '../core/errors.js';
import type { Decision } from '../core/lifecycle.js';
import { TaskClosedError, type ChangeStore, type Clock, type TaskCallbacks } from '../ports.js';
import { allChangesInState, getChange } from './read-changes.js';

export interface FlowDeps {
  store: ChangeStore;
  clock: Clock;
  timers: ApprovalTimers;
  /** Completes a slot's task when its decision came before the task started. */
  callbacks?: TaskCallbacks | undefined;
}

export const WorkflowTaskSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('route'), changeId: z.string(), revision: z.number().int() }),
  z.object({ task: z.literal('auto-approve'), changeId: z.string(), revision: z.number().int() }),
  z.object({
    task: z.literal('request-approval'),
    changeId: z.string(),
    revision: z.number().int(),
    slot: z.enum(APPROVER_ROLES),
    taskToken: z.string().min(1).max(2048),
  }),
  z.object({ task: z.literal('emergency-started'), changeId: z.string() }),
  z.object({ task: z.literal('post-approval-reminder'), changeId: z.string() }),
  z.object({ task: z.literal('post-approval-overdue'), changeId: z.string() }),
]);
export type WorkflowTask = z.infer<typeof WorkflowTaskSchema>;

export async function runWorkflowTask(deps: FlowDeps, input: unknown): Promise<Record<string, unknown>> {
  const parsed = WorkflowTaskSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const task = parsed.data;
  const now = () => deps.clock.now().toISOString();
  switch (task.task) {
    case 'route': {
      // Auto-approvable changes are approved by the flow's own AutoApprove step; the rest wait here.
      const { cr } = await getChange(deps, task.changeId);
      if (cr.revision !== task.revision || !['submitted', 'pending_approval', 'approved'].includes(cr.state)) return { route: 'ended', slots: [] };
      if (cr.approvalRequirement?.route === 'auto') return { route: 'auto', slots: [] };
      const routed = await update(deps, task.changeId, (c) => {
        const d = routeSubmitted(c, task.revision, now());
        return typeof d === 'string' ? undefined : d;
      });
      return { route: 'approval', slots: (routed.approvalRequests ?? []).map((r) => r.slot) };
    }
    case 'auto-approve': {
      const cr = await update(deps, task.changeId, (c) => {
        const d = routeSubmitted(c, task.revision, now());
        return typeof d === 'string' ? undefined : d;
      });
      return { state: cr.state };
    }
    case 'request-approval': {
      let outcome: RequestOutcome = { wait: true };
      await update(deps, task.changeId, (c) => {
        outcome = recordApprovalRequest(c, task.revision, task.slot, task.taskToken, now());
        return 'decision' in outcome ? outcome.decision : undefined;
      });
      // decided before the task started: the task completes itself, so the flow sees the decision
      const done = outcome as RequestOutcome;
      if (!done.wait && deps.callbacks) {
        try {
          if (done.complete === 'filled') await deps.callbacks.sendTaskSuccess(task.taskToken, { slot: task.slot });
          else
            await deps.callbacks.sendTaskFailure(
              task.taskToken,
              done.complete,
              `the change was ${done.complete.toLowerCase()} before its ${task.slot} task started`,
            );
        } catch (err) {
          if (!(err instanceof TaskClosedError)) throw err;
        }
      }
      return { requested: task.slot };
    }
    case 'emergency-started':
      // EmergencyStarted was published with the write that started it; this step anchors the timers.
      await getChange(deps, task.changeId);
      return { started: true };
    case 'post-approval-reminder': {
      let done = true;
      await update(deps, task.changeId, (c) => {
        const r = postApprovalReminder(c, now());
        done = r.done;
        return r.decision;
      });
      return { done };
    }
    case 'post-approval-overdue': {
      const cr = await update(deps, task.changeId, (c) => postApprovalOverdue(c, now()));
      return { overdue: Boolean(cr.postApproval?.overdue) };
    }
  }
}

/**
 * The approval sweep (scheduled): reminders while an approval is pending, escalation to the next
 * role up, expiry. Each is one conditional write with its audit entry, and its event sends the
 * emails; a concurrent sweep loses the write and sends nothing.
 */
export async function sweepApprovals(deps: FlowDeps): Promise<{ reminded: number; escalated: number; expired: string[]; failed: string[] }> {
  const result = { reminded: 0, escalated: 0, expired: [] as string[], failed: [] as string[] };
  for (const listed of await allChangesInState(deps, 'pending_approval')) {
    try {
      let actions: ReturnType<typeof dueTimers> = [];
      await update(deps, listed.id, (cr) => {
        actions = dueTimers(cr, deps.clock.now().toISOString(), deps.timers);
        return actions.length ? applyTimers(cr, actions, deps.clock.now().toISOString(), deps.timers) : undefined;
      });
      result.reminded += actions.filter((a) => a.kind === 'remind').length;
      result.escalated += actions.filter((a) => a.kind === 'escalate').length;
      // the expiry's event stops its flow (the workflow driver)
      if (actions.some((a) => a.kind === 'expire')) result.expired.push(listed.id);
    } catch (err) {
      result.failed.push(`${listed.id}: ${(err as Error).message}`);
    }
  }
  return result;
}

/** Read, decide, write conditionally; on a lost race, read and decide again. `undefined` = nothing to write. */
async function update(deps: FlowDeps, id: string, decide: (cr: ChangeRequest) => Decision | undefined): Promise<ChangeRequest> {
  for (let attempt = 0; ; attempt++) {
    const { cr } = await getChange(deps, id);
    const decision = decide(cr);
    if (!decision) return cr;
    try {
      await deps.store.save(cr.version, decision.next, decision.audit);
      return decision.next;
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
    }
  }
}
