/** POST /changes/{id}/{action}: every action of the lifecycle table; POST /changes/{id}/metrics: monitoring evidence; POST /changes/{id}/notes: the implementation record; POST /changes/{id}/incidents/{incident}: a suggested cause confirmed or dismissed. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { NotFoundError } from '../core/errors.js';
import { httpApi, metrics, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf } from '../http/identity.js';
import { expectedVersion, jsonBody, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import {
  ActionSchema,
  ChangeIdSchema,
  IncidentDecisionSchema,
  IncidentIdSchema,
  MetricsBodySchema,
  NoteBodySchema,
  TransitionBodySchema,
} from '../http/schemas.js';
import { changeView } from '../http/views.js';
import { decideIncident, noteChange, transitionChange } from '../use-cases/changes.js';
import { recordEvidence } from '../use-cases/monitoring.js';
import type { Config } from '../config.js';
import type { Directory, MonitoringStore } from '../ports.js';
import type { ChangeDeps } from '../use-cases/changes.js';

export interface ChangesTransitionDeps {
  config: Config;
  changes: ChangeDeps;
  directory: Directory;
  /** The evidence of monitoring periods (POST /changes/{id}/metrics). */
  monitoring: MonitoringStore;
}

export function changesTransitionRoutes(deps: ChangesTransitionDeps): Record<string, Route> {
  return {
    'POST /changes/{id}/metrics': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const body = parseWith(MetricsBodySchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      const receipt = await recordEvidence({ store: deps.changes.store, monitoring: deps.monitoring, clock: deps.changes.clock }, actor, id, body);
      metrics.addMetric('MonitoringEvidence', MetricUnit.Count, receipt.samples + receipt.reports);
      return json(202, receipt);
    },
    'POST /changes/{id}/incidents/{incident}': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const incident = parseWith(IncidentIdSchema, event.pathParameters?.incident, 'incident');
      const body = parseWith(IncidentDecisionSchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      const { cr, audit } = await decideIncident(deps.changes, actor, id, incident, body.decision, body.reason);
      return json(200, changeView(cr, audit, { actor, rules: deps.config.rules }), { etag: `"${cr.version}"` });
    },
    'POST /changes/{id}/notes': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const body = parseWith(NoteBodySchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      const { cr, audit } = await noteChange(deps.changes, actor, id, body);
      return json(201, changeView(cr, audit, { actor, rules: deps.config.rules }), { etag: `"${cr.version}"` });
    },
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
