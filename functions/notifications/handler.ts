/** Consumes domain events from the EventBridge bus (one rule, the notified types) and sends the emails. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DomainEvent } from '../core/events.js';
import { logger } from '../logger.js';
import { notify, type NotificationDeps } from './notify.js';

export const makeHandler = (deps: NotificationDeps) =>
  middy<EventBridgeEvent<string, DomainEvent>, { sent: number }>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      logger.appendKeys({ changeId: event.detail.changeId, eventId: event.detail.id, correlationId: event.id });
      if (typeof context?.getRemainingTimeInMillis === 'function') deps.once.registerLambdaContext?.(context);
      return notify(deps, event.detail);
    });
