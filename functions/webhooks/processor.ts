/** Consumes `WebhookReceived` from the bus (one rule) and does a delivery's work (use-cases/webhooks.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ServiceEvent } from '../core/events.js';
import { logger } from '../logger.js';
import { processDelivery, type ProcessingDeps, type ProcessingOutcome } from '../use-cases/webhooks.js';

/** The event types this consumer acts on (the stack's rule matches exactly these). */
export const PROCESSED_EVENTS = ['WebhookReceived'] as const;

export const makeHandler = (deps: ProcessingDeps) =>
  middy<EventBridgeEvent<string, ServiceEvent>, ProcessingOutcome>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      logger.appendKeys({ changeId: event.detail.changeId, eventId: event.detail.id, correlationId: event.id });
      if (typeof context?.getRemainingTimeInMillis === 'function') deps.once.registerLambdaContext?.(context);
      const outcome = await processDelivery(deps, event.detail);
      logger.info('webhook delivery processed', { ...outcome });
      return outcome;
    });
