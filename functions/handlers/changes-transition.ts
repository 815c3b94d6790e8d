/** POST /changes/{id}/{action}: submit, approve, reject, cancel, schedule, start, complete, rollback. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { NotFoundError } from '../core/errors.js';
import { httpApi, metrics, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf } from '../http/identity.js';
import { expectedVersion, jsonBody, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import { ActionSchema, ChangeIdSchema, TransitionBodySchema } from '../http/schemas.js';
import { changeView } from '../http/views.js';
import { transitionChange } from '../use-cases/changes.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import type { ChangeDeps } from '../use-cases/changes.js';

export interface ChangesTransitionDeps {
  config: Config;
  changes: ChangeDeps;
  directory: Directory;
}

export function changesTransitionRoutes(deps: ChangesTransitionDeps): Record<string, Route> {
  return {
    'POST /changes/{id}/{action}': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const action = ActionSchema.safeParse(event.pathParameters?.action);
      if (!action.success) {
        throw new NotFoundError(`no action "${event.pathParameters?.action}"; actions are ${ActionSchema.options.join(', ')}`);
      }
      const body = parseWith(TransitionBodySchema, jsonBody(event, deps.config.MAX_BODY_BYTES, false), 'body');
      const { cr, audit } = await transitionChange(deps.changes, actor, id, action.data, body, expectedVersion(event));
      metrics.addDimension('action', action.data);
      metrics.addMetric('Transition', MetricUnit.Count, 1);
      return json(200, changeView(cr, audit, { actor, rules: deps.config.rules }), { etag: `"${cr.version}"` });
    },
  };
}

export const makeHandler = (deps: ChangesTransitionDeps) => httpApi(changesTransitionRoutes(deps), { emitsMetrics: true });
