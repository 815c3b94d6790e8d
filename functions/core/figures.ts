/**
 * What every report figure is made of: a value with its `n` and the ids behind it, and durations
 * with their mean and nearest-rank percentiles. Shared by the monthly report, the metrics API, the
 * quarterly review and DORA's figures.
 */
export interface Figure {
  value: number | null;
  /** The count it is a share or a statistic of (for a count, the count itself). */
  n: number;
  /** The records behind it. */
  ids: string[];
}

export interface DurationFigure {
  n: number;
  meanMinutes: number | null;
  p50Minutes: number | null;
  p90Minutes: number | null;
  ids: string[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const percentOf = (part: number, whole: number) => (whole === 0 ? null : round1((100 * part) / whole));
export const minutesBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;

export class Ids {
  readonly ids: string[] = [];
  add(id: string) {
    this.ids.push(id);
  }
  figure(value: number | null = this.ids.length, n = this.ids.length): Figure {
    return { value, n, ids: this.ids };
  }
}

export class Durations {
  private readonly values: { id: string; minutes: number }[] = [];
  add(id: string, from: string | undefined, to: string | undefined) {
    if (!from || !to) return;
    const minutes = minutesBetween(from, to);
    if (Number.isFinite(minutes) && minutes >= 0) this.values.push({ id, minutes });
  }
  figure(): DurationFigure {
    const sorted = this.values.map((v) => v.minutes).sort((a, b) => a - b);
    const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
    return {
      n: sorted.length,
      meanMinutes: mean === null ? null : round1(mean),
      p50Minutes: percentile(sorted, 50) === null ? null : round1(percentile(sorted, 50)!),
      p90Minutes: percentile(sorted, 90) === null ? null : round1(percentile(sorted, 90)!),
      ids: this.values.map((v) => v.id),
    };
  }
}
