/** GET /changes, GET /changes/{id} (JSON with its audit trail and communication log, or Markdown when the id ends in `.md`). */
import type { Config } from '../config.js';
import { renderChangeMarkdown, renderEmergencyMarkdown } from '../core/markdown.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { bindingOf, openCursor, sealCursor } from '../http/cursor.js';
import { reader } from '../http/identity.js';
import { parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { ChangeIdSchema, ListQuerySchema, MarkdownQuerySchema } from '../http/schemas.js';
import { changeSummary, changeView } from '../http/views.js';
import type { ChangeStore, CommunicationLog, Directory, MirrorStore, MonitoringStore } from '../ports.js';
import { monitoringView } from '../use-cases/monitoring-view.js';
import { getChange, listChanges } from '../use-cases/read-changes.js';

export interface ChangesReadDeps {
  config: Config;
  store: ChangeStore;
  directory: Directory;
  /** Seals and opens list cursors (http/cursor.ts). */
  cursorKey: () => Promise<Uint8Array>;
  /** The measurements of monitoring periods (GET /changes/{id}/monitoring). */
  monitoring: MonitoringStore;
  /** The notices sent about each change (its communication log). */
  communications: Pick<CommunicationLog, 'of'>;
  /** The change's Jira/Linear issue, for the teams that mirror (none: no link shown). */
  mirrors?: Pick<MirrorStore, 'get'> | undefined;
}

export function changesReadRoutes(deps: ChangesReadDeps): Record<string, Route> {
  return {
    'GET /changes': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const query = parseWith(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const [key, binding] = [await deps.cursorKey(), bindingOf(query)];
      const page = await listChanges(deps, { ...query, after: query.cursor ? openCursor(query.cursor, binding, key) : undefined });
      return json(200, { items: page.items.map(changeSummary), cursor: page.next ? sealCursor(page.next, binding, key) : null });
    },
    'GET /changes/{id}': async (event: ApiEvent) => {
      const raw = event.pathParameters?.id ?? '';
      const markdown = raw.endsWith('.md');
      const id = parseWith(ChangeIdSchema, markdown ? raw.slice(0, -3) : raw, 'id');
      const [viewer, { cr, audit }, communications, mirror] = await Promise.all([
        reader(event, deps.config, deps.directory),
        getChange(deps, id),
        deps.communications.of(id),
        deps.mirrors?.get(id) ?? null,
      ]);
      if (markdown) {
        // on the template it was filed on, unless asked for another (?template=change-request|emergency-change)
        const asked = parseWith(MarkdownQuerySchema, event.queryStringParameters ?? {}, 'query').template ?? cr.template;
        const body =
          asked === 'emergency-change' && cr.content.category === 'emergency'
            ? renderEmergencyMarkdown(cr)
            : renderChangeMarkdown(cr, { components: deps.config.rules.components, communications, timeZone: deps.config.ORG_TIMEZONE });
        return text(200, body, 'text/markdown; charset=utf-8', { etag: `"${cr.version}"` });
      }
      const tracked = mirror ? { tracker: mirror.tracker, key: mirror.issue.key, url: mirror.issue.url, syncedAt: mirror.updatedAt } : undefined;
      return json(
        200,
        { ...changeView(cr, audit, { actor: viewer, rules: deps.config.rules }), communications, ...(tracked ? { mirror: tracked } : {}) },
        { etag: `"${cr.version}"` },
      );
    },
    'GET /changes/{id}/monitoring': async (event: ApiEvent) => {
      const id = parseWith(ChangeIdSchema, event.pathParameters?.id, 'id');
      const [, view] = await Promise.all([reader(event, deps.config, deps.directory), monitoringView(deps, id)]);
      const { cr, measurements, judgement } = view;
      if (!cr.monitoring)
        return json(200, {
          changeId: cr.id,
          state: cr.state,
          monitoring: null,
          message: 'not deployed yet: the period starts with POST /changes/{id}/deployed',
        });
      return json(200, {
        changeId: cr.id,
        state: cr.state,
        deployedAt: cr.deployedAt,
        until: cr.monitoringUntil,
        verdict: cr.monitoring.verdict,
        reasons: cr.monitoring.reasons,
        fired: cr.monitoring.fired ?? [],
        baseline: cr.monitoring.baseline ?? null,
        now: judgement,
        criteria: cr.monitoring.plan.criteria.map((c) => ({ ...c, measurements: measurements.filter((m) => m.criterion === c.id) })),
        intervalSeconds: cr.monitoring.plan.intervalSeconds,
        rulesVersion: cr.monitoring.plan.rulesVersion,
      });
    },
  };
}

export const makeHandler = (deps: ChangesReadDeps) => httpApi(changesReadRoutes(deps));
