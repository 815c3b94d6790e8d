/** GET /health, GET /templates/change-request.md, GET /openapi.json — public, no table access. */
import { blankTemplate } from '../core/markdown.js';
import { loadConfig, type Config } from '../config.js';
import { httpApi, type Route } from '../http/api.js';
import { openApiDocument } from '../http/openapi.js';
import { json, text } from '../http/responses.js';

export function metaRoutes(config: Pick<Config, 'rules'>): Record<string, Route> {
  const openapi = openApiDocument();
  const template = blankTemplate({ components: config.rules.components });
  return {
    'GET /health': async () => json(200, { status: 'ok' }),
    'GET /templates/change-request.md': async () => text(200, template, 'text/markdown; charset=utf-8'),
    'GET /openapi.json': async () => json(200, openapi),
  };
}

export const makeHandler = (config: Pick<Config, 'rules'>) => httpApi(metaRoutes(config));
export const handler = makeHandler(loadConfig());
