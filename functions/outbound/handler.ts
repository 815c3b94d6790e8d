/** Consumes the domain events from the bus (one rule: every type but WebhookReceived) and sends them out (send.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { BusEvent } from '../core/events.js';
import { logger } from '../logger.js';
import { sendOutbound, type OutboundDeps, type OutboundResult } from './send.js';

export { OUTBOUND_EVENTS } from '../core/outbound.js';

export const makeHandler = (deps: OutboundDeps) =>
  middy<EventBridgeEvent<string, BusEvent>, OutboundResult>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      logger.appendKeys({ changeId: event.detail.changeId, eventId: event.detail.id, correlationId: event.id });
      if (typeof context?.getRemainingTimeInMillis === 'function') deps.once.registerLambdaContext?.(context);
      const result = await sendOutbound(deps, event.detail);
      if (result.sent.length || result.refused.length) logger.info('sent out', { ...result });
      return result;
    });
