/**
 * The quarterly review (seed: Continuous Improvement): the success-rate trend over the quarter's
 * months, the incident root causes, the automation opportunities (standard-catalogue candidates
 * with their evidence), the lessons learned that should change a template or a process, and the
 * seed's five automation goals with where the team stands on each. Pure and streaming: one pass
 * over the quarter's changes feeds the quarter's figures, each month's, and the goals.
 *
 * The goals, measured (definitions version 1; each a share with its n and the changes short of it):
 * - Automated testing (100% of changes): deployed changes a pipeline reported smoke tests for.
 * - Automated rollback (standard changes): standard changes rolled back whose rollback a trigger or
 *   a pipeline started (not a person), of the standard changes rolled back; and standard changes
 *   whose monitoring period had rollback triggers to fire, of the standard changes deployed.
 * - Automated approval (low-risk changes): low-risk changes the service approved (route `auto`), of
 *   the low-risk changes approved.
 * - Automated notification (all changes): changes that went out with their timeline notices, of the
 *   changes that reached their window (scheduled or later).
 * - Automated validation (all changes): finished deployed changes whose monitoring period was judged
 *   on evidence (a measured verdict), of the finished deployed changes.
 */
import { DateTime } from 'luxon';
import type { ChangeRequest } from './change-request.js';
import { type DoraFigures, doraMarkdown } from './dora.js';
import { percentOf } from './figures.js';
import { lessonLines, type MonthFigures, MonthAggregator, rootCauseLines, someIds } from './report.js';

export const QUARTERLY_DEFINITIONS_VERSION = 1;

/** `2026-Q4` → its months and its range in the zone. */
export function quarterRange(quarter: string, timeZone: string): { from: string; to: string; months: string[] } {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m) throw new RangeError(`not a quarter: ${quarter} (write it as 2026-Q4)`);
  const start = DateTime.fromObject({ year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + 1, day: 1 }, { zone: timeZone });
  return {
    from: start.toUTC().toISO()!,
    to: start.plus({ months: 3 }).toUTC().toISO()!,
    months: [0, 1, 2].map((i) => start.plus({ months: i }).toFormat('yyyy-MM')),
  };
}

/** The quarter a month belongs to, and whether the month is its last. */
export function quarterOf(month: string): { quarter: string; last: boolean } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { quarter: `${y}-Q${Math.ceil(m / 3)}`, last: m % 3 === 0 };
}

export interface Goal {
  goal: string;
  measure: string;
  percent: number | null;
  /** Changes meeting it, of `n`. */
  met: number;
  n: number;
  /** The changes short of it (what to automate next). */
  short: string[];
  status: 'met' | 'not yet' | 'nothing to measure';
}

export interface QuarterFigures {
  quarter: string;
  timeZone: string;
  from: string;
  to: string;
  definitionsVersion: number;
  figures: MonthFigures;
  months: MonthFigures[];
  goals: Goal[];
}

class Share {
  met = 0;
  n = 0;
  readonly short: string[] = [];
  add(id: string, ok: boolean) {
    this.n++;
    if (ok) this.met++;
    else this.short.push(id);
  }
  goal(goal: string, measure: string, target = 100): Goal {
    const percent = percentOf(this.met, this.n);
    return {
      goal,
      measure,
      percent,
      met: this.met,
      n: this.n,
      short: this.short,
      status: this.n === 0 ? 'nothing to measure' : (percent ?? 0) >= target ? 'met' : 'not yet',
    };
  }
}

const FINISHED = ['completed', 'rolled_back', 'failed'];
const REACHED_WINDOW = ['scheduled', 'in_progress', 'monitoring', 'rolling_back', 'completed', 'rolled_back', 'failed'];
const MEASURED = ['passed', 'trigger', 'not-met'];

export class QuarterAggregator {
  private readonly quarterFigures: MonthAggregator;
  private readonly monthly: Map<string, MonthAggregator>;
  private readonly range: ReturnType<typeof quarterRange>;
  private readonly testing = new Share();
  private readonly rollbackAutomatic = new Share();
  private readonly rollbackTriggers = new Share();
  private readonly approval = new Share();
  private readonly notification = new Share();
  private readonly validation = new Share();

  constructor(
    readonly quarter: string,
    readonly timeZone: string,
  ) {
    this.range = quarterRange(quarter, timeZone);
    this.quarterFigures = new MonthAggregator(quarter, timeZone, { from: this.range.from, to: this.range.to });
    this.monthly = new Map(this.range.months.map((m) => [m, new MonthAggregator(m, timeZone)]));
  }

  add(cr: ChangeRequest): void {
    this.quarterFigures.add(cr);
    this.monthly.get(DateTime.fromISO(cr.createdAt, { zone: this.timeZone }).toFormat('yyyy-MM'))?.add(cr);
    const deployments = cr.deployments ?? [];
    if (cr.deployedAt)
      this.testing.add(
        cr.id,
        deployments.some((d) => d.step === 'smoke_tests' && d.authorized),
      );
    if (cr.content.category === 'standard') {
      if (cr.state === 'rolled_back') {
        const byTrigger = Boolean(cr.monitoring?.rollbackRequestedAt) && !cr.monitoring?.fired?.includes('person');
        this.rollbackAutomatic.add(cr.id, byTrigger || deployments.some((d) => d.step === 'rolled_back' && d.authorized));
      }
      if (cr.deployedAt)
        this.rollbackTriggers.add(
          cr.id,
          (cr.monitoring?.plan.criteria ?? []).some((c) => c.kind === 'rollback-trigger'),
        );
    }
    if (cr.riskLevel === 'low' && cr.approvedAt) this.approval.add(cr.id, cr.approvalRequirement?.route === 'auto');
    if (REACHED_WINDOW.includes(cr.state) && cr.content.category !== 'emergency') this.notification.add(cr.id, (cr.notices?.length ?? 0) > 0);
    if (cr.deployedAt && FINISHED.includes(cr.state)) this.validation.add(cr.id, MEASURED.includes(cr.monitoring?.verdict ?? '') && !cr.monitoring?.decidedBy);
  }

  addUnauthorized(keys: string[]): void {
    this.quarterFigures.addUnauthorized(keys);
  }

  result(): QuarterFigures {
    return {
      quarter: this.quarter,
      timeZone: this.timeZone,
      from: this.range.from,
      to: this.range.to,
      definitionsVersion: QUARTERLY_DEFINITIONS_VERSION,
      figures: this.quarterFigures.result(),
      months: [...this.monthly.values()].map((m) => m.result()),
      goals: [
        this.testing.goal('Automated testing (100% of changes)', 'deployed changes a pipeline reported smoke tests for'),
        this.rollbackAutomatic.goal(
          'Automated rollback (standard changes)',
          'standard changes rolled back by a rollback trigger or a pipeline, of the standard changes rolled back',
        ),
        this.rollbackTriggers.goal('Automated rollback (standard changes): triggers armed', 'standard changes deployed with rollback triggers to fire'),
        this.approval.goal('Automated approval (low-risk changes)', 'low-risk changes approved by the service, of the low-risk changes approved'),
        this.notification.goal(
          'Automated notification (all changes)',
          'planned changes that reached their window with their timeline notices sent (emergencies notify by their own path)',
        ),
        this.validation.goal(
          'Automated validation (all changes)',
          'finished deployed changes whose monitoring period was judged on evidence, not passed or failed by a person',
        ),
      ],
    };
  }
}

const pct = (p: number | null) => (p === null ? 'n/a' : `${p}%`);

/** The review as Markdown: what the quarterly meeting reads. */
export function quarterlyMarkdown(q: QuarterFigures, dora?: DoraFigures): string {
  const f = q.figures;
  const trend = q.months
    .map(
      (m) =>
        `| ${m.month} | ${m.total.n} | ${m.finished.n} | ${pct(m.successful.percent)} | ${pct(m.rolledBack.percent)} | ${m.emergency.ids.length} | ${m.incidents.confirmed.n} |`,
    )
    .join('\n');
  const goals = q.goals
    .map((g) => `| ${g.goal} | ${g.status === 'met' ? '[x]' : '[ ]'} ${g.status} | ${pct(g.percent)} (${g.met} of ${g.n}) | ${g.measure} |`)
    .join('\n');
  const shortOf = q.goals
    .filter((g) => g.short.length)
    .map((g) => `- ${g.goal}: ${g.short.slice(0, 20).join(', ')}${g.short.length > 20 ? ` and ${g.short.length - 20} more (review.json)` : ''}`)
    .join('\n');
  return `# Quarterly Change Review - ${q.quarter}

## Change success rate
| Month | Changes | Finished | Successful | Rolled back | Emergency | Causing incidents |
| --- | --- | --- | --- | --- | --- | --- |
${trend}
| **${q.quarter}** | ${f.total.n} | ${f.finished.n} | ${pct(f.successful.percent)} | ${pct(f.rolledBack.percent)} | ${f.emergency.ids.length} | ${f.incidents.confirmed.n} |

## Incident root causes
${rootCauseLines(f.rootCauses, '', 'none this quarter', 'review.json')}

## Automation opportunities
${
  f.standardCandidates.length
    ? f.standardCandidates
        .map((c) => `- Standard-catalogue candidate: normal changes to ${c.components.join(', ')} succeeded ${c.n} of ${c.n} (evidence: ${someIds(c.ids, 20)})`)
        .join('\n')
    : '- no standard-catalogue candidate (three finished normal changes to the same components, all successful)'
}

## Templates and processes to update (lessons learned)
${lessonLines(f.lessonsLearned, '', 'no lessons learned recorded this quarter', 'review.json')}

## Automation goals
| Goal | Status | Where we stand | Measured as |
| --- | --- | --- | --- |
${goals}
${shortOf ? `\nShort of the goal:\n${shortOf}\n` : ''}
${dora ? `${doraMarkdown(dora)}\n` : ''}_Changes created in ${q.quarter} (${q.timeZone}). Definitions: docs/reports.md. Every figure, with the ids behind it, is in review.json._
`;
}
