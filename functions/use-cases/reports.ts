/**
 * The monthly report (docs/reports.md): the month's changes read page by page from the index of
 * changes by creation time (gsi3, never a Scan), folded into the figures as they come
 * (core/report.ts: counts, ids and durations are kept, not the changes), then written as the
 * seed's Markdown, JSON with every figure's n and ids, CSV with one row per change, and an HTML
 * page with charts. Regenerating a month writes nothing when nothing changed.
 */
import { DateTime } from 'luxon';
import { micromark } from 'micromark';
import { gfmTable, gfmTableHtml } from 'micromark-extension-gfm-table';
import { csvLine, CSV_HEADER, csvRow, type MonthFigures, MonthAggregator, monthlyMarkdown, monthRange, previousMonth, trends } from '../core/report.js';
import type { ChangeStore, Clock, CommunicationLog, DeliveryStore, ReportFile, ReportStore } from '../ports.js';
import { type GroupBy, MetricsAggregator } from '../core/metrics.js';
import { DoraAggregator, type DoraFigures, doraReadRange, doraWindow } from '../core/dora.js';
import { QuarterAggregator, type QuarterFigures, quarterlyMarkdown, quarterRange } from '../core/quarterly.js';

export interface ReportDeps {
  store: Pick<ChangeStore, 'list' | 'listDeployed'>;
  deliveries: Pick<DeliveryStore, 'unauthorized'>;
  /** The notices sent (the communication log); without, the report says they were not counted. */
  communications?: Pick<CommunicationLog, 'between'> | undefined;
  reports: ReportStore;
  clock: Clock;
  timeZone: string;
}

/** Changes read per Query page. */
export const REPORT_PAGE = 500;
/** Earlier months a report's trends compare with. */
export const TREND_MONTHS = 3;

/** Every change an index holds in [from, to), a page of REPORT_PAGE at a time: the one read loop of every report. */
async function eachChange(
  list: ChangeStore['list'] | ChangeStore['listDeployed'],
  from: string,
  to: string,
  each: (cr: import('../core/change-request.js').ChangeRequest) => void,
): Promise<void> {
  let after: Record<string, string> | undefined;
  do {
    const page = await list({ from, to, limit: REPORT_PAGE, after });
    for (const cr of page.items) each(cr);
    after = page.next;
  } while (after);
}

/** The month before now, in the organisation's zone: what the report of the 1st is about. */
export function lastMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months: 1 }).toFormat('yyyy-MM');
}

/** Folds the month's changes into its figures; `each` sees every change once (the CSV rows). */
export async function monthFigures(
  deps: Omit<ReportDeps, 'reports'>,
  month: string,
  each?: (cr: import('../core/change-request.js').ChangeRequest) => void,
): Promise<MonthFigures> {
  const { from, to } = monthRange(month, deps.timeZone);
  const agg = new MonthAggregator(month, deps.timeZone);
  await eachChange(deps.store.list.bind(deps.store), from, to, (cr) => {
    agg.add(cr);
    each?.(cr);
  });
  agg.addUnauthorized((await deps.deliveries.unauthorized(from, to)).map((u) => u.key));
  if (deps.communications) agg.addCommunications(await deps.communications.between(from, to));
  return agg.result();
}

/** The earlier months' figures: from their reports when written, else counted now. */
async function earlier(deps: ReportDeps, month: string): Promise<MonthFigures[]> {
  const out: MonthFigures[] = [];
  let m = month;
  for (let i = 0; i < TREND_MONTHS; i++) {
    m = previousMonth(m);
    const kept = await deps.reports.get(m, 'report.json');
    out.unshift(kept ? (JSON.parse(kept.body) as { figures: MonthFigures }).figures : await monthFigures(deps, m));
  }
  return out;
}

export interface ReportResult {
  month: string;
  unchanged: boolean;
  files: string[];
  figures: MonthFigures;
}

export async function generateMonthlyReport(deps: ReportDeps, month: string): Promise<ReportResult> {
  const rows: string[] = [csvLine(CSV_HEADER)];
  const perWeek = new Map<string, { total: number; completed: number; rolledBack: number; finished: number }>();
  const figures = await monthFigures(deps, month, (cr) => {
    rows.push(csvLine(csvRow(cr)));
    const week = DateTime.fromISO(cr.createdAt, { zone: deps.timeZone }).startOf('week').toFormat('yyyy-MM-dd');
    const w = perWeek.get(week) ?? { total: 0, completed: 0, rolledBack: 0, finished: 0 };
    w.total++;
    if (cr.state === 'completed') w.completed++;
    if (cr.state === 'rolled_back') w.rolledBack++;
    if (['completed', 'rolled_back', 'failed'].includes(cr.state)) w.finished++;
    perWeek.set(week, w);
  });
  const previous = await earlier(deps, month);
  const { from, to } = monthRange(month, deps.timeZone);
  const dora = await doraBetween(deps, { from, to, label: month });
  const markdown = monthlyMarkdown(figures, previous, dora);
  const weeks = [...perWeek.entries()].sort(([a], [b]) => a.localeCompare(b));
  const files: ReportFile[] = [
    { name: 'report.md', contentType: 'text/markdown; charset=utf-8', body: markdown },
    {
      name: 'report.json',
      contentType: 'application/json',
      // one line: every id of every figure is in it, and indentation would double its size
      body: `${JSON.stringify({ figures, dora, weeks: Object.fromEntries(weeks), trends: trends(figures, previous), previous: previous.map((p) => p.month) })}\n`,
    },
    { name: 'changes.csv', contentType: 'text/csv; charset=utf-8', body: `${rows.join('\r\n')}\r\n` },
    { name: 'report.html', contentType: 'text/html; charset=utf-8', body: reportHtml(figures, markdown, weeks, previous) },
  ];
  const { unchanged } = await deps.reports.put(month, files);
  return { month, unchanged, files: files.map((f) => f.name), figures };
}

// ---------------------------------------------------------------------------------------------
// the HTML page: the Markdown rendered by micromark, with SVG charts (no script, no external asset)

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A bar chart: one bar per label, its value written above it, an accessible title. */
function bars(title: string, data: { label: string; value: number }[], unit = ''): string {
  const width = Math.max(320, data.length * 64 + 40);
  const height = 200;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bar = (d: { label: string; value: number }, i: number) => {
    const h = Math.round((d.value / max) * 130);
    const x = 30 + i * 64;
    return `<rect x="${x}" y="${160 - h}" width="40" height="${h}" fill="#1f5fa8"><title>${escapeXml(d.label)}: ${d.value}${unit}</title></rect><text x="${x + 20}" y="${154 - h}" text-anchor="middle" font-size="12">${d.value}${unit}</text><text x="${x + 20}" y="178" text-anchor="middle" font-size="11">${escapeXml(d.label)}</text>`;
  };
  return `<figure><svg role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeXml(title)}</title><line x1="20" y1="160" x2="${width - 10}" y2="160" stroke="#555"/>${data.map(bar).join('')}</svg><figcaption>${escapeXml(title)}</figcaption></figure>`;
}

function reportHtml(
  f: MonthFigures,
  markdown: string,
  weeks: [string, { total: number; completed: number; rolledBack: number; finished: number }][],
  previous: MonthFigures[],
): string {
  const charts = [
    bars(
      'Changes created per week (week starting)',
      weeks.map(([w, v]) => ({ label: w.slice(5), value: v.total })),
    ),
    bars(
      'Success rate per week, % of finished changes',
      weeks.filter(([, v]) => v.finished > 0).map(([w, v]) => ({ label: w.slice(5), value: Math.round((100 * v.completed) / v.finished) })),
      '%',
    ),
    bars(
      'Rollback rate by month, % of finished changes',
      [...previous, f].map((m) => ({ label: m.month, value: m.rolledBack.percent ?? 0 })),
      '%',
    ),
    bars(
      'Median time to deploy by month, hours',
      [...previous, f].map((m) => ({ label: m.month, value: m.timeToDeploy.p50Minutes === null ? 0 : Math.round(m.timeToDeploy.p50Minutes / 6) / 10 })),
      ' h',
    ),
  ];
  return page(`Change Management Report ${f.month}`, markdown, charts);
}

/** A report as a page: the Markdown rendered by micromark, then its charts; no script, no external asset. */
function page(title: string, markdown: string, charts: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #111; background: #fff; }
figure { margin: 1.5rem 0; overflow-x: auto; } figcaption { font-size: .9rem; color: #333; }
table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; }
svg text { fill: #111; }
</style>
</head>
<body>
<main>
${micromark(markdown, { extensions: [gfmTable()], htmlExtensions: [gfmTableHtml()] })}
<section aria-label="Charts">
<h2>Charts</h2>
${charts.join('\n')}
</section>
</main>
</body>
</html>
`;
}

/** The metrics API (GET /metrics): the report's figures over any period, grouped, from the same index pages. */
export async function metricsBetween(
  deps: Omit<ReportDeps, 'reports'>,
  query: { from: string; to: string; groupBy?: GroupBy | undefined },
): Promise<ReturnType<MetricsAggregator['result']>> {
  const agg = new MetricsAggregator(query.groupBy, deps.timeZone, { from: query.from, to: query.to });
  await eachChange(deps.store.list.bind(deps.store), query.from, query.to, (cr) => agg.add(cr));
  agg.addUnauthorized((await deps.deliveries.unauthorized(query.from, query.to)).map((u) => u.key));
  return agg.result();
}

/**
 * DORA's five metrics per service for a window (core/dora.ts): the deployed changes read from their
 * own index (gsi5, by deployment time), from a week before the window to a week after it (never
 * past now), so a rollback, incident or fix near an edge is seen.
 */
export async function doraBetween(deps: Pick<ReportDeps, 'store' | 'clock'>, window: { from: string; to: string; label: string }): Promise<DoraFigures> {
  const agg = new DoraAggregator(window);
  const read = doraReadRange(window, deps.clock.now());
  await eachChange(deps.store.listDeployed.bind(deps.store), read.from, read.to, (cr) => agg.add(cr));
  return agg.result();
}

/** DORA for `30d` (rolling, ending now) or a month such as `2026-11`. */
export const doraFor = (deps: Pick<ReportDeps, 'store' | 'clock' | 'timeZone'>, label: string) =>
  doraBetween(deps, doraWindow(label, deps.clock.now(), deps.timeZone));

export interface ReviewResult {
  quarter: string;
  unchanged: boolean;
  files: string[];
  review: QuarterFigures;
}

/**
 * The quarterly review (seed: Continuous Improvement; core/quarterly.ts): one pass over the
 * quarter's changes by creation time, DORA over the quarter, written beside the monthly reports
 * under the quarter's name (`2026-Q4`) as review.md, review.json and review.html.
 */
export async function generateQuarterlyReview(deps: ReportDeps, quarter: string): Promise<ReviewResult> {
  const { from, to } = quarterRange(quarter, deps.timeZone);
  const agg = new QuarterAggregator(quarter, deps.timeZone);
  await eachChange(deps.store.list.bind(deps.store), from, to, (cr) => agg.add(cr));
  agg.addUnauthorized((await deps.deliveries.unauthorized(from, to)).map((u) => u.key));
  const review = agg.result();
  const dora = await doraBetween(deps, { from, to, label: quarter });
  const markdown = quarterlyMarkdown(review, dora);
  const charts = [
    bars(
      'Success rate by month, % of finished changes',
      review.months.map((m) => ({ label: m.month, value: m.successful.percent ?? 0 })),
      '%',
    ),
    bars(
      'Automation goals, % met',
      review.goals.map((g, i) => ({ label: `goal ${i + 1}`, value: g.percent ?? 0 })),
      '%',
    ),
  ];
  const files: ReportFile[] = [
    { name: 'review.md', contentType: 'text/markdown; charset=utf-8', body: markdown },
    { name: 'review.json', contentType: 'application/json', body: `${JSON.stringify({ review, dora })}\n` },
    { name: 'review.html', contentType: 'text/html; charset=utf-8', body: page(`Quarterly Change Review ${quarter}`, markdown, charts) },
  ];
  const { unchanged } = await deps.reports.put(quarter, files);
  return { quarter, unchanged, files: files.map((f) => f.name), review };
}
