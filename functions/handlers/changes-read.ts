/** GET /changes, GET /changes/{id} (JSON with its audit trail, or Markdown when the id ends in `.md`). */
import { renderChangeMarkdown } from '../core/markdown.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { reader } from '../http/identity.js';
import { parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { ChangeIdSchema, ListQuerySchema } from '../http/schemas.js';
import { changeSummary, changeView } from '../http/views.js';
import { getChange, listChanges } from '../use-cases/read-changes.js';
import { appDeps, type AppDeps } from './deps.js';

export function changesReadRoutes(deps: AppDeps): Record<string, Route> {
  return {
    'GET /changes': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const query = parseWith(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listChanges(deps, query);
      return json(200, { items: page.items.map(changeSummary), cursor: page.cursor ?? null });
    },
    'GET /changes/{id}': async (event: ApiEvent) => {
      const raw = event.pathParameters?.id ?? '';
      const markdown = raw.endsWith('.md');
      const id = parseWith(ChangeIdSchema, markdown ? raw.slice(0, -3) : raw, 'id');
      const [viewer, { cr, audit }] = await Promise.all([reader(event, deps.config, deps.directory), getChange(deps, id)]);
      if (markdown) {
        return text(200, renderChangeMarkdown(cr, { components: deps.config.rules.components }), 'text/markdown; charset=utf-8', {
          etag: `"${cr.version}"`,
        });
      }
      return json(200, changeView(cr, audit, { actor: viewer, rules: deps.config.rules }), { etag: `"${cr.version}"` });
    },
  };
}

export const makeHandler = (deps: AppDeps) => httpApi(changesReadRoutes(deps));
export const handler = makeHandler(appDeps());
