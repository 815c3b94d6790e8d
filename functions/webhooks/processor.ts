/** Consumes `WebhookReceived` from the bus (one rule) and does a delivery's work (use-cases/webhooks.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { type BusEvent, isDomainEvent } from '../core/events.js';
import { logger } from '../logger.js';
import { GATE_EVENTS, processDelivery, type ProcessingDeps, type ProcessingOutcome, revisitGates } from '../use-cases/webhooks.js';

/** The event types this consumer acts on (the stack's rule matches exactly these): deliveries, and what may open a waiting GitHub gate. */
export const PROCESSED_EVENTS = ['WebhookReceived', ...GATE_EVENTS] as const;

export const makeHandler = (deps: ProcessingDeps) =>
  middy<EventBridgeEvent<string, BusEvent>, ProcessingOutcome | { answered: number; waiting: number }>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      logger.appendKeys({ changeId: event.detail.changeId, eventId: event.detail.id, correlationId: event.id });
      if (typeof context?.getRemainingTimeInMillis === 'function') deps.once.registerLambdaContext?.(context);
      const detail = event.detail;
      if (isDomainEvent(detail)) return revisitGates(deps, detail);
      const outcome = await processDelivery(deps, detail);
      logger.debug('webhook delivery processed', { ...outcome });
      return outcome;
    });
