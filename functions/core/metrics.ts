/**
 * The metrics API's figures (GET /metrics): the report's definitions (core/report.ts, the same
 * version) over any period, grouped by week, month, team, category or component. Each group's
 * figures carry their `n` and the ids behind them, to drill to the records. A change with several
 * components counts in each of their groups; a change with none is in "(none)". Pure.
 */
import { DateTime } from 'luxon';
import type { ChangeRequest } from './change-request.js';
import { type MonthFigures, MonthAggregator } from './report.js';

export const GROUP_BY = ['week', 'month', 'team', 'category', 'component'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The longest period one request may cover. */
export const MAX_METRICS_DAYS = 400;

/** The groups a change falls in. */
export function groupsOf(cr: ChangeRequest, by: GroupBy, timeZone: string): string[] {
  switch (by) {
    case 'week':
      return [DateTime.fromISO(cr.createdAt, { zone: timeZone }).startOf('week').toFormat('yyyy-MM-dd')];
    case 'month':
      return [DateTime.fromISO(cr.createdAt, { zone: timeZone }).toFormat('yyyy-MM')];
    case 'team':
      return [cr.requestor.team ?? '(none)'];
    case 'category':
      return [cr.content.category];
    case 'component': {
      const all = [...(cr.content.description?.components ?? []), ...(cr.content.description?.otherComponents ?? [])];
      return all.length ? [...new Set(all)] : ['(none)'];
    }
  }
}

/** The figures of a group, without what only a whole month has (the report's trends and candidates stay in the report). */
export type GroupFigures = Omit<MonthFigures, 'month' | 'rootCauses' | 'standardCandidates' | 'lessonsLearned' | 'unauthorized'> & { group: string };

export class MetricsAggregator {
  private readonly overall: MonthAggregator;
  private readonly groups = new Map<string, MonthAggregator>();

  constructor(
    private readonly by: GroupBy | undefined,
    private readonly timeZone: string,
    private readonly range: { from: string; to: string },
  ) {
    this.overall = new MonthAggregator('all', timeZone, range);
  }

  add(cr: ChangeRequest): void {
    this.overall.add(cr);
    if (!this.by) return;
    for (const g of groupsOf(cr, this.by, this.timeZone)) {
      const agg = this.groups.get(g) ?? new MonthAggregator(g, this.timeZone, this.range);
      this.groups.set(g, agg);
      agg.add(cr);
    }
  }

  addUnauthorized(keys: string[]): void {
    this.overall.addUnauthorized(keys);
  }

  result(): { overall: MonthFigures; groups: GroupFigures[] } {
    const strip = (f: MonthFigures): GroupFigures => {
      const { month, rootCauses: _r, standardCandidates: _s, lessonsLearned: _l, unauthorized: _u, ...rest } = f;
      return { group: month, ...rest };
    };
    return {
      overall: this.overall.result(),
      groups: [...this.groups.values()].map((a) => strip(a.result())).sort((a, b) => a.group.localeCompare(b.group)),
    };
  }
}
