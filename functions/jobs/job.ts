/**
 * A scheduled job's Lambda entry: Powertools logging with a correlation id per run, the Lambda
 * context handed to `Once` so a claim held by a run that died is released. Invoked by EventBridge
 * Scheduler in AWS and by the local scheduler locally; the payload carries nothing it needs.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { logger } from '../http/api.js';
import type { AppDeps } from '../handlers/deps.js';

export function scheduledJob<T>(name: string, deps: AppDeps, run: (deps: AppDeps) => Promise<T>) {
  return middy<unknown, T>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (_event: unknown, context: Context) => {
      logger.appendKeys({ job: name, correlationId: context?.awsRequestId ?? randomUUID() });
      if (typeof context?.getRemainingTimeInMillis === 'function') deps.once.registerLambdaContext(context);
      const result = await run(deps);
      logger.info(`${name} done`, { result: result as Record<string, unknown> });
      return result;
    });
}
