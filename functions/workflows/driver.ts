/** Consumes the domain events that move the workflows (one rule on the bus) and starts, decides or stops them. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DomainEvent } from '../core/events.js';
import { logger } from '../logger.js';
import { driveWorkflows, type DriverDeps, type DriverOutcome } from '../use-cases/workflow-driver.js';

export const makeHandler = (deps: DriverDeps) =>
  middy<EventBridgeEvent<string, DomainEvent>, { outcome: DriverOutcome }>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ changeId: event.detail.changeId, eventId: event.detail.id, correlationId: event.id });
      return { outcome: await driveWorkflows(deps, event.detail) };
    });
