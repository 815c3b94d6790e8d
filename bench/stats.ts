/** Latency samples and their summary. Nearest-rank percentiles: no interpolation to hide a slow tail. */
import { performance } from 'node:perf_hooks';

export interface Summary {
  n: number;
  p50: number;
  p95: number;
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

/** Milliseconds a promise-returning call takes, with its value. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : '–');
export const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–');

/** The middle sample, or the mean of the two middle ones: the figure of the cold-start table, where few samples are taken. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The list started at its `k`-th item and wrapped around: round k of an interleaved run goes in this order. */
export function rotated<T>(items: readonly T[], k: number): T[] {
  if (items.length === 0) return [];
  const start = ((k % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
