/** POST/GET /subscriptions, DELETE /subscriptions/{id}, GET /subscriptions/{id}/deliveries, POST /subscriptions/{id}/redeliver (admins). */
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf } from '../http/identity.js';
import { jsonBody, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import { DeliveriesLimitSchema, RedeliverBodySchema, SubscriptionBodySchema, SubscriptionIdSchema } from '../http/schemas.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import { listSubscriptions, redeliver, subscribe, subscriptionDeliveries, type SubscriptionDeps, unsubscribe } from '../use-cases/subscriptions.js';

export interface SubscriptionsHandlerDeps {
  config: Config;
  subscriptions: SubscriptionDeps;
  directory: Directory;
}

export function subscriptionRoutes(deps: SubscriptionsHandlerDeps): Record<string, Route> {
  const who = (event: ApiEvent) => actorOf(event, deps.config, deps.directory);
  const id = (event: ApiEvent) => parseWith(SubscriptionIdSchema, event.pathParameters?.id, 'id');
  return {
    'POST /subscriptions': async (event) => {
      const actor = await who(event);
      const body = parseWith(SubscriptionBodySchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      const created = await subscribe(deps.subscriptions, actor, body);
      return json(201, created, { location: `/subscriptions/${created.id}` });
    },
    'GET /subscriptions': async (event) => json(200, { items: await listSubscriptions(deps.subscriptions, await who(event)) }),
    'DELETE /subscriptions/{id}': async (event) => {
      await unsubscribe(deps.subscriptions, await who(event), id(event));
      return { statusCode: 204, headers: {}, body: '' };
    },
    'GET /subscriptions/{id}/deliveries': async (event) => {
      const actor = await who(event);
      const q = parseWith(DeliveriesLimitSchema, event.queryStringParameters ?? {}, 'query');
      return json(200, { items: await subscriptionDeliveries(deps.subscriptions, actor, id(event), q.limit) });
    },
    'POST /subscriptions/{id}/redeliver': async (event) => {
      const actor = await who(event);
      const body = parseWith(RedeliverBodySchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      return json(200, await redeliver(deps.subscriptions, actor, id(event), body.delivery));
    },
  };
}

export const makeHandler = (deps: SubscriptionsHandlerDeps) => httpApi(subscriptionRoutes(deps));
