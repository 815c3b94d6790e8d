/**
 * Scheduled (the 1st of each month, 06:00 in the organisation's zone): last month's report
 * (use-cases/reports.ts), and when it is new or changed a MonthlyReportReady event, which emails
 * the summary and the link to REPORT_RECIPIENTS and posts it to #leadership. A run again the same
 * day writes nothing and announces nothing; one that died after writing the files announces them on the next run.
 */
import { createHash } from 'node:crypto';
import { EVENT_SCHEMA_VERSION } from '../core/events.js';
import type { ServiceEvents } from '../ports.js';
import { quarterOf } from '../core/quarterly.js';
import { generateMonthlyReport, generateQuarterlyReview, lastMonth, type ReportDeps } from '../use-cases/reports.js';
import { scheduledJob } from './job.js';

export interface MonthlyReportJobDeps extends ReportDeps {
  events: ServiceEvents;
}

export async function runMonthlyReport(deps: MonthlyReportJobDeps, month = lastMonth(deps.clock.now(), deps.timeZone)) {
  const result = await generateMonthlyReport(deps, month);
  // the month that ends a quarter brings the quarter's review (seed: Continuous Improvement)
  const { quarter, last } = quarterOf(month);
  const review = last ? await generateQuarterlyReview(deps, quarter) : undefined;
  const reviewMarkdown = review ? ((await deps.reports.get(quarter, 'review.md'))?.body ?? '') : '';
  // Announced even when the files were already there: a run that died between writing them and
  // announcing them is announced by the next; the event's id (month and content) makes it once.
  const f = result.figures;
  const markdown = (await deps.reports.get(month, 'report.md'))?.body ?? '';
  const version = createHash('sha256').update(markdown).update(reviewMarkdown).digest('hex').slice(0, 16);
  const announced = await deps.events.publishOnce({
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: `REPORT#${month}#${version}`,
    type: 'MonthlyReportReady',
    time: deps.clock.now().toISOString(),
    detail: {
      month,
      files: result.files.map((name) => `/reports/${month}/${name}`),
      total: f.total.n,
      finished: f.finished.n,
      successfulPercent: f.successful.percent,
      rolledBackPercent: f.rolledBack.percent,
      emergency: f.emergency.ids.length,
      unauthorized: f.unauthorized.n,
      incidentsSuggested: f.incidents.suggested.n,
      ...(review ? { review: { quarter, files: review.files.map((name) => `/reports/${quarter}/${name}`) } } : {}),
    },
  });
  return { month, announced, failed: [] as string[] };
}

export const makeHandler = (deps: MonthlyReportJobDeps) => scheduledJob('monthly-report', () => runMonthlyReport(deps));
