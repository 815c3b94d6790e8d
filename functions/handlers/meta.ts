/**
 * GET /health, GET /openapi.json, and the seed's templates (Tools & Resources → Templates): the
 * change request, the emergency change, the risk assessment and the change notification — public,
 * no table access.
 */
import { blankEmergencyTemplate, blankTemplate, riskAssessmentTemplate } from '../core/markdown.js';
import type { Config } from '../config.js';
import { notificationTemplate } from '../email/calendar-notices.js';
import { httpApi, type Route } from '../http/api.js';
import { openApiDocument } from '../http/openapi.js';
import { json, text } from '../http/responses.js';

export const TEMPLATE_PATHS = [
  '/templates/change-request.md',
  '/templates/emergency-change.md',
  '/templates/risk-assessment.md',
  '/templates/change-notification.md',
] as const;

export function metaRoutes(config: Pick<Config, 'rules'>): Record<string, Route> {
  // built on the first request for it, not at cold start: most invocations are /health
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  const templates: Record<(typeof TEMPLATE_PATHS)[number], string> = {
    '/templates/change-request.md': blankTemplate({ components: config.rules.components }),
    '/templates/emergency-change.md': blankEmergencyTemplate(),
    '/templates/risk-assessment.md': riskAssessmentTemplate(),
    '/templates/change-notification.md': notificationTemplate(),
  };
  return {
    'GET /health': async () => json(200, { status: 'ok' }),
    ...Object.fromEntries(TEMPLATE_PATHS.map((path) => [`GET ${path}`, async () => text(200, templates[path], 'text/markdown; charset=utf-8')])),
    'GET /openapi.json': async () => {
      openapi ??= openApiDocument();
      return json(200, openapi);
    },
  };
}

export const makeHandler = (config: Pick<Config, 'rules'>) => httpApi(metaRoutes(config));
