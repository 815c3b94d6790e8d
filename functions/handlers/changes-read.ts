/** GET /changes, GET /changes/{id} (JSON with its audit trail, or Markdown when the id ends in `.md`). */
import { renderChangeMarkdown } from '../core/markdown.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { ChangeIdSchema, ListQuerySchema } from '../http/schemas.js';
import { changeSummary, changeView } from '../http/views.js';
import { getChange, listChanges } from '../use-cases/changes.js';
import { gate, slotsFor } from '../use-cases/calendar.js';
import { actorFromEvent } from '../http/identity.js';
import { appDeps, calendarDeps, type AppDeps } from './deps.js';
import { z } from 'zod';

export function changesReadRoutes(deps: AppDeps): Record<string, Route> {
  return {
    'GET /changes': async (event: ApiEvent) => {
      const query = parseWith(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listChanges(deps, query);
      return json(200, { items: page.items.map(changeSummary), cursor: page.cursor ?? null });
    },
    'GET /changes/{id}': async (event: ApiEvent) => {
      const raw = event.pathParameters?.id ?? '';
      const markdown = raw.endsWith('.md');
      const id = parseWith(ChangeIdSchema, markdown ? raw.slice(0, -3) : raw, 'id');
      const { cr, audit } = await getChange(deps, id);
      if (markdown) {
        return text(200, renderChangeMarkdown(cr, { components: deps.config.rules.components }), 'text/markdown; charset=utf-8', {
          etag: `"${cr.version}"`,
        });
      }
      return json(200, changeView(cr, audit), { etag: `"${cr.version}"` });
    },
  };
}

const GateQuerySchema = z
  .object({
    revision: z.coerce.number().int('must be a whole number').positive().optional(),
    at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).optional(),
  })
  .strict();
const SlotsQuerySchema = z.object({ count: z.coerce.number().int('must be a whole number').min(1).max(20).default(5) }).strict();

function calendarReadRoutes(deps: AppDeps): Record<string, Route> {
  const names = { rolesClaim: deps.config.ROLES_CLAIM, teamClaim: deps.config.TEAM_CLAIM };
  return {
    'GET /changes/{id}/gate': async (event: ApiEvent) => {
      actorFromEvent(event, names);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(GateQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await gate(calendarDeps(deps), id, { revision: q.revision, at: q.at && new Date(q.at).toISOString() }));
    },
    'GET /changes/{id}/slots': async (event: ApiEvent) => {
      actorFromEvent(event, names);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(SlotsQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await slotsFor(calendarDeps(deps), id, q.count));
    },
  };
}

export const makeHandler = (deps: AppDeps) => httpApi({ ...changesReadRoutes(deps), ...calendarReadRoutes(deps) });
export const handler = makeHandler(appDeps());
