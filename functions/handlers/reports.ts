/**
 * GET /metrics (the report's figures over any period, grouped), POST /reports/{month} (admins: make the month's report now; the same the 1st of each month does),
 * GET /reports (the months with a report), GET /reports/{month}/{file} (report.md, report.json,
 * changes.csv, report.html).
 */
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.js';
import { MAX_METRICS_DAYS } from '../core/metrics.js';
import { REPORT_DEFINITIONS_VERSION } from '../core/report.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { MetricsQuerySchema, MonthSchema, ReportFileSchema } from '../http/schemas.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import { generateMonthlyReport, metricsBetween, type ReportDeps } from '../use-cases/reports.js';

export interface ReportsHandlerDeps {
  config: Config;
  reports: ReportDeps;
  directory: Directory;
}

const DAY = 86_400_000;
const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/** Every `ids` list replaced by nothing: the figures and their n only (ask with ids=true to drill down). */
function withoutIds<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutIds) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'ids')
        .map(([k, v]) => [k, withoutIds(v)]),
    ) as T;
  return value;
}

export function reportRoutes(deps: ReportsHandlerDeps): Record<string, Route> {
  return {
    'POST /reports/{month}': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      if (!actor.roles.includes('admin')) throw new ForbiddenError('only an admin may make a report now (the 1st of each month makes the previous one)');
      const month = parseWith(MonthSchema, event.pathParameters?.month, 'month');
      const result = await generateMonthlyReport(deps.reports, month);
      return json(result.unchanged ? 200 : 201, {
        month,
        unchanged: result.unchanged,
        files: result.files.map((f) => `/reports/${month}/${f}`),
        summary: {
          total: result.figures.total.n,
          successfulPercent: result.figures.successful.percent,
          rolledBackPercent: result.figures.rolledBack.percent,
          emergency: result.figures.emergency.ids.length,
        },
      });
    },
    'GET /metrics': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const q = parseWith(MetricsQuerySchema, event.queryStringParameters ?? {}, 'query');
      const to = q.to ?? deps.reports.clock.now().toISOString();
      const from = q.from ?? new Date(Date.parse(to) - 30 * DAY).toISOString();
      if (Date.parse(from) >= Date.parse(to)) throw new ValidationError([{ path: 'query.from', message: `must be before to (${to})` }]);
      if (Date.parse(to) - Date.parse(from) > MAX_METRICS_DAYS * DAY) {
        throw new ValidationError([{ path: 'query.from', message: `must be at most ${MAX_METRICS_DAYS} days before to: ask for a shorter period` }]);
      }
      const result = await metricsBetween(deps.reports, { from, to, groupBy: q.groupBy });
      const body = JSON.stringify({
        from,
        to,
        groupBy: q.groupBy ?? null,
        definitionsVersion: REPORT_DEFINITIONS_VERSION,
        ...(q.ids === 'true' ? result : withoutIds(result)),
      });
      // Lambda answers at most 6 MB: a drill-down that big is refused, not cut
      if (q.ids === 'true' && Buffer.byteLength(body) > MAX_ANSWER_BYTES) {
        throw new ValidationError([
          { path: 'query.ids', message: 'the ids of this period would make an answer over 5 MB: ask for a shorter period, or without ids' },
        ]);
      }
      return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
    },
    'GET /reports': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      return json(200, { months: await deps.reports.reports.months() });
    },
    'GET /reports/{month}/{file}': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const month = parseWith(MonthSchema, event.pathParameters?.month, 'month');
      const name = parseWith(ReportFileSchema, event.pathParameters?.file, 'file');
      const file = await deps.reports.reports.get(month, name);
      if (!file) throw new NotFoundError(`no report for ${month} yet (POST /reports/${month} makes one)`);
      return text(200, file.body, file.contentType, { 'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff' });
    },
  };
}

export const makeHandler = (deps: ReportsHandlerDeps) => httpApi(reportRoutes(deps));
