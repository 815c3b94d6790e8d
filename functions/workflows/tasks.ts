/**
 * The task states of both workflows (approval and emergency) invoke this one function with their
 * Payload; it answers what the ASL selects as `$.Payload`. The local runtime calls the same
 * handler from the in-process interpreter.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../logger.js';
import { runWorkflowTask, type FlowDeps } from '../use-cases/approval-flow.js';

export const makeHandler = (deps: FlowDeps) =>
  middy<Record<string, unknown>, Record<string, unknown>>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (payload) => {
      logger.appendKeys({ changeId: payload.changeId, task: payload.task });
      return runWorkflowTask(deps, payload);
    });
