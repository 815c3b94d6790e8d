/**
 * The task states of the workflows (approval, emergency, monitoring) invoke this one function with
 * their Payload; it answers what the ASL selects as `$.Payload`. The local runtime calls the same
 * handler from the in-process interpreter.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../logger.js';
import { runWorkflowTask, type FlowDeps } from '../use-cases/approval-flow.js';
import { MONITORING_TASKS, type MonitoringDeps, runMonitoringTask } from '../use-cases/monitoring.js';

export type WorkflowTaskDeps = FlowDeps & Pick<MonitoringDeps, 'monitoring' | 'rollbackReportMinutes' | 'sources'>;

export const makeHandler = (deps: WorkflowTaskDeps) =>
  middy<Record<string, unknown>, Record<string, unknown>>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (payload) => {
      logger.appendKeys({ changeId: payload.changeId, task: payload.task });
      if ((MONITORING_TASKS as readonly unknown[]).includes(payload.task)) {
        return runMonitoringTask(deps, payload as { task: string; changeId?: unknown });
      }
      return runWorkflowTask(deps, payload);
    });
