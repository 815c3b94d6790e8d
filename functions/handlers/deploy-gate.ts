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
import type { Config } from '../config.js';
import type { CalendarDeps } from '../use-cases/calendar.js';
import type { FreezeStore } from '../ports.js';

export interface DeployGateDeps {
  config: Config;
  /** The gate refuses a change a freeze holds, inside the freeze. */
  calendar: CalendarDeps & { freezes: Pick<FreezeStore, 'freezes'> };
}

export function deployGateRoutes(deps: DeployGateDeps): Record<string, Route> {
  return {
    'GET /changes/{id}/gate': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(GateQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await gate(deps.calendar, id, { revision: q.revision, at: q.at && new Date(q.at).toISOString() }));
    },
    'GET /changes/{id}/slots': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const q = parseWith(SlotsQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await slotsFor(deps.calendar, id, q.count));
    },
  };
}

export const makeHandler = (deps: DeployGateDeps) => httpApi(deployGateRoutes(deps));
