/**
 * GET /metrics (the report's figures over any period, grouped), POST /reports/{month} (admins: make the month's report now; the same the 1st of each month does),
 * GET /reports (the months with a report), GET /reports/{month}/{file} (report.md, report.json,
 * changes.csv, report.html).
 */
import { NotFoundError, ValidationError } from '../core/errors.js';
import { mustBeAdmin } from '../core/roles.js';
import { REPORT_LINK_DAYS, verifyReportLink } from '../core/report-link.js';
import { MAX_METRICS_DAYS } from '../core/metrics.js';
import { REPORT_DEFINITIONS_VERSION } from '../core/report.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { DoraQuerySchema, MetricsQuerySchema, PeriodSchema, ReportFileSchema, ReviewFileSchema } from '../http/schemas.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import { doraFor, generateMonthlyReport, generateQuarterlyReview, metricsBetween, type ReportDeps } from '../use-cases/reports.js';
import { DORA_DEFINITIONS_VERSION } from '../core/dora.js';

export interface ReportsHandlerDeps {
  config: Config;
  reports: ReportDeps;
  directory: Directory;
  /** Verifies the signed links of the report's email (core/report-link.ts). */
  linkKey: () => Promise<Uint8Array>;
}

/** How long the presigned URL a report link or a signed-in reader is sent to lives. */
const PRESIGNED_SECONDS = 300;

/** The file itself, or, where the store hands out its own short-lived URLs (S3), a redirect to one. */
async function serveFile(deps: ReportsHandlerDeps, period: string, name: string) {
  const missing = () => new NotFoundError(`no ${period.includes('Q') ? 'review' : 'report'} for ${period} yet (POST /reports/${period} makes one)`);
  if (deps.reports.reports.downloadUrl) {
    const url = await deps.reports.reports.downloadUrl(period, name, PRESIGNED_SECONDS);
    if (!url) throw missing();
    return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
  }
  const file = await deps.reports.reports.get(period, name);
  if (!file) throw missing();
  return text(200, file.body, file.contentType, { 'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff' });
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
      mustBeAdmin(actor, 'make a report now (the 1st of each month makes the previous one)');
      const period = parseWith(PeriodSchema, event.pathParameters?.month, 'month');
      if (period.includes('Q')) {
        const review = await generateQuarterlyReview(deps.reports, period);
        return json(review.unchanged ? 200 : 201, {
          quarter: period,
          unchanged: review.unchanged,
          files: review.files.map((f) => `/reports/${period}/${f}`),
          summary: {
            total: review.review.figures.total.n,
            successfulPercent: review.review.figures.successful.percent,
            goals: review.review.goals.map((g) => ({ goal: g.goal, status: g.status, percent: g.percent, n: g.n })),
          },
        });
      }
      const month = period;
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
    'GET /metrics/dora': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const q = parseWith(DoraQuerySchema, event.queryStringParameters ?? {}, 'query');
      const result = await doraFor(deps.reports, q.window ?? '30d');
      const services = q.service ? result.services.filter((s) => s.service === q.service) : result.services;
      if (q.service && !services.length) throw new NotFoundError(`no production deployment of ${q.service} in ${result.label}`);
      const body = JSON.stringify({
        ...(q.ids === 'true' ? { ...result, services } : withoutIds({ ...result, services })),
        definitionsVersion: DORA_DEFINITIONS_VERSION,
      });
      if (q.ids === 'true' && Buffer.byteLength(body) > MAX_ANSWER_BYTES) {
        throw new ValidationError([
          { path: 'query.ids', message: 'the ids of this window would make an answer over 5 MB: ask for one service, or without ids' },
        ]);
      }
      return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
    },
    'GET /reports': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const periods = await deps.reports.reports.periods();
      return json(200, { months: periods.filter((p) => !p.includes('Q')), quarters: periods.filter((p) => p.includes('Q')) });
    },
    'GET /reports/{month}/{file}': async (event: ApiEvent) => {
      await reader(event, deps.config, deps.directory);
      const month = parseWith(PeriodSchema, event.pathParameters?.month, 'month');
      const name = parseWith(month.includes('Q') ? ReviewFileSchema : ReportFileSchema, event.pathParameters?.file, 'file');
      return serveFile(deps, month, name);
    },
    'GET /report-links/{token}': async (event: ApiEvent) => {
      const result = verifyReportLink(event.pathParameters?.token, await deps.linkKey(), deps.reports.clock.now().toISOString());
      if (!result.ok) {
        const why = {
          malformed: 'this is not a report link ChangeFlow made: open the link from the email as it came',
          forged: 'this is not a report link ChangeFlow made: open the link from the email as it came',
          expired: `this report link has expired (they work ${REPORT_LINK_DAYS} days): sign in and open the report from GET /reports`,
        }[result.reason];
        // a person opened it from a mail client: words, not JSON
        return text(result.reason === 'expired' ? 410 : 400, `${why}\n`, 'text/plain; charset=utf-8', { 'cache-control': 'no-store' });
      }
      return serveFile(deps, result.claims.period, result.claims.file);
    },
  };
}

export const makeHandler = (deps: ReportsHandlerDeps) => httpApi(reportRoutes(deps));
