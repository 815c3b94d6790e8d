/**
 * A scheduled job's Lambda handler: Powertools logging with a correlation id per run. Invoked by EventBridge
 * Scheduler in AWS and by the local scheduler locally; the payload carries nothing it needs.
 *
 * A job goes through all its items, each its own idempotent step; items that failed are listed in
 * the result and, after the others were done, fail the run, so that its retry and its alarm see
 * them (a retried run redoes only what is still due).
 */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../logger.js';

export class JobItemsFailedError extends Error {
  override name = 'JobItemsFailedError';
  constructor(
    readonly job: string,
    readonly failed: string[],
  ) {
    super(`${job}: ${failed.length} item(s) failed and will be retried by the next run: ${failed.join('; ')}`);
  }
}

export function scheduledJob<T extends { failed?: string[] }>(name: string, run: () => Promise<T>) {
  return middy<unknown, T>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (_event: unknown, context: Context) => {
      logger.appendKeys({ job: name, correlationId: context?.awsRequestId ?? randomUUID() });
      const result = await run();
      logger.info(`${name} done`, { result: result as Record<string, unknown> });
      if (result.failed?.length) throw new JobItemsFailedError(name, result.failed);
      return result;
    });
}
