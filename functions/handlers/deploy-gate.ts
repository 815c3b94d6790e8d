/**
 * GET /changes/{id}/gate — the pull-style deploy gate any pipeline calls before deploying.
 * GET /changes/{id}/slots — the next free slots for the change.
 */
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { reader } from '../http/identity.js';
import { parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import { ChangeIdSchema, GateQuerySchema, SlotsQuerySchema } from '../http/schemas.js';
import { gate, slotsFor } from '../use-cases/calendar.js';
import { appDeps, calendarDeps, type AppDeps } from './deps.js';

export function deployGateRoutes(deps: AppDeps): Record<string, Route> {
  return {
    'GET /changes/{id}/gate': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(GateQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await gate(calendarDeps(deps), id, { revision: q.revision, at: q.at && new Date(q.at).toISOString() }));
    },
    'GET /changes/{id}/slots': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(SlotsQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await slotsFor(calendarDeps(deps), id, q.count));
    },
  };
}

export const makeHandler = (deps: AppDeps) => httpApi(deployGateRoutes(deps));
export const handler = makeHandler(appDeps());
