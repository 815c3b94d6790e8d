/** POST /changes (JSON, or the Markdown template filled in), PATCH /changes/{id} (JSON merge patch). */
import { UnsupportedMediaTypeError } from '../core/errors.js';
import { parseContent } from '../core/lifecycle.js';
import { readChangeMarkdown } from '../core/markdown.js';
import { httpApi, metrics, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf } from '../http/identity.js';
import { bodyText, expectedVersion, jsonBody, mediaType, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import { ChangeIdSchema, PatchBodySchema } from '../http/schemas.js';
import { changeView } from '../http/views.js';
import { fileChange, reviseChange } from '../use-cases/changes.js';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import type { ChangeDeps } from '../use-cases/changes.js';

export interface ChangesWriteDeps {
  config: Config;
  changes: ChangeDeps;
  directory: Directory;
}

const MARKDOWN_TYPES = ['text/markdown', 'text/x-markdown'];
const JSON_PATCH_TYPES = ['application/json', 'application/merge-patch+json'];

export function changesWriteRoutes(deps: ChangesWriteDeps): Record<string, Route> {
  const max = deps.config.MAX_BODY_BYTES;
  return {
    'POST /changes': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const type = mediaType(event);
      const doc =
        type && MARKDOWN_TYPES.includes(type)
          ? readChangeMarkdown(bodyText(event, max), {
              components: deps.config.rules.components,
              timeZone: deps.config.ORG_TIMEZONE,
              now: deps.changes.clock.now().toISOString(),
            })
          : { content: parseContent(jsonBody(event, max, true)), template: undefined, warnings: [] };
      const { cr, audit } = await fileChange(deps.changes, actor, doc.content, doc.template);
      metrics.addMetric('ChangeFiled', MetricUnit.Count, 1);
      return json(201, changeView(cr, audit, { actor, rules: deps.config.rules }, doc.warnings), {
        location: `/changes/${cr.id}`,
        etag: `"${cr.version}"`,
      });
    },
    'PATCH /changes/{id}': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const type = mediaType(event);
      if (type && !JSON_PATCH_TYPES.includes(type)) {
        throw new UnsupportedMediaTypeError(`send the patch as application/merge-patch+json or application/json (got ${type})`);
      }
      const patch = parseWith(PatchBodySchema, jsonBody({ ...event, headers: { ...event.headers, 'content-type': 'application/json' } }, max, true), 'content');
      const { cr, audit } = await reviseChange(deps.changes, actor, id, patch, expectedVersion(event));
      metrics.addMetric('ChangeRevised', MetricUnit.Count, 1);
      return json(200, changeView(cr, audit, { actor, rules: deps.config.rules }), { etag: `"${cr.version}"` });
    },
  };
}

export const makeHandler = (deps: ChangesWriteDeps) => httpApi(changesWriteRoutes(deps), { emitsMetrics: true });
