/**
 * POST /webhooks/github, /webhooks/gitlab, /webhooks/pagerduty, /webhooks/ci, /webhooks/slack (the Slack app's interactivity): deliveries in,
 * verified over the raw body and kept, answered before any work (202); GET /webhooks/deliveries:
 * the latest deliveries and what came of them (admins).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { ValidationError } from '../core/errors.js';
import { mustBeAdmin } from '../core/roles.js';
import { WEBHOOK_SOURCES, type WebhookSource } from '../core/webhooks.js';
import { httpApi, metrics, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { bodyText, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import type { Headers } from '../http/webhook-signatures.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import { type IntakeDeps, receiveDelivery, recentDeliveries } from '../use-cases/webhooks.js';

export interface WebhooksHandlerDeps {
  config: Config;
  intake: IntakeDeps;
  directory: Directory;
}

/**
 * The largest delivery taken. GitHub sends up to 25 MB, but the events ChangeFlow acts on are a
 * few KB; API Gateway itself stops at 10 MB.
 */
export const MAX_DELIVERY_BYTES = 2 * 1024 * 1024;

const UnauthorizedQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant such as 2026-11-01T00:00:00Z' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant such as 2026-12-01T00:00:00Z' }).optional(),
  })
  .strict();

const DeliveriesQuerySchema = z
  .object({
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
    source: z.enum(WEBHOOK_SOURCES, { error: `must be one of ${WEBHOOK_SOURCES.join(', ')}` }).optional(),
  })
  .strict();

function lowerHeaders(event: ApiEvent): Headers {
  return Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

export function webhookRoutes(deps: WebhooksHandlerDeps): Record<string, Route> {
  const intake =
    (source: WebhookSource): Route =>
    async (event) => {
      const answer = await receiveDelivery(deps.intake, source, bodyText(event, MAX_DELIVERY_BYTES), lowerHeaders(event));
      metrics.addDimension('source', source);
      metrics.addMetric(answer.duplicate ? 'WebhookRedelivery' : 'WebhookDelivery', MetricUnit.Count, 1);
      const flags: Record<string, string> = answer.duplicate ? { 'x-changeflow-duplicate': 'true' } : {};
      // Slack reads a body only as a dialog's answer (its field errors): otherwise an empty 200
      if (source === 'slack' && !('response_action' in answer.body)) return { statusCode: 200, headers: flags, body: '' };
      return json(answer.status, answer.body, flags);
    };
  return {
    ...Object.fromEntries(WEBHOOK_SOURCES.map((source) => [`POST /webhooks/${source}`, intake(source)])),
    'GET /webhooks/unauthorized': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const q = parseWith(UnauthorizedQuerySchema, event.queryStringParameters ?? {}, 'query');
      const to = q.to ?? deps.intake.clock.now().toISOString();
      const from = q.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
      if (Date.parse(from) >= Date.parse(to)) throw new ValidationError([{ path: 'query.from', message: `must be before to (${to})` }]);
      if (Date.parse(to) - Date.parse(from) > 400 * 86_400_000)
        throw new ValidationError([{ path: 'query.from', message: 'must be at most 400 days before to (unauthorized changes are kept 400 days)' }]);
      const items = await deps.intake.deliveries.unauthorized(from, to);
      return json(200, { from, to, count: items.length, items });
    },
    'GET /webhooks/deliveries': async (event: ApiEvent) => {
      const person = await actorOf(event, deps.config, deps.directory);
      mustBeAdmin(person, 'read the webhook deliveries');
      const q = parseWith(DeliveriesQuerySchema, event.queryStringParameters ?? {}, 'query');
      const items = await recentDeliveries(deps.intake, q);
      return json(200, { items: items.map(({ signal: _signal, ...d }) => d) });
    },
  };
}

export const makeHandler = (deps: WebhooksHandlerDeps) => httpApi(webhookRoutes(deps), { emitsMetrics: true });
