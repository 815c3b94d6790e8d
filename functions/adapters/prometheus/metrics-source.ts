/**
 * Measurements from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics):
 * one instant query (`GET /api/v1/query?query=…&time=…`) per configured field of a component,
 * evaluated at the end of the interval, with `$window` in the query standing for the interval's
 * length (`[60s]`). What Prometheus answers is read as it documents it
 * (https://prometheus.io/docs/prometheus/latest/querying/api/): a vector with one series or a
 * scalar is the value; an empty vector is no data (never zero); several series are an error (the
 * query must aggregate them); NaN and ±Inf are no data; an error answer, a timeout or an unreachable
 * server is a provider error, in words.
 */
import * as z from 'zod';
import type { Sample } from '../../core/monitoring.js';
import type { MetricsSource, SourceReading } from '../../ports.js';

import { type ComponentQueries, QUERY_FIELDS } from './queries.js';

const value = z.tuple([z.number(), z.string()]);
const Answer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value })) }),
      z.object({ resultType: z.literal('scalar'), result: value }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** Milliseconds a query may take before the interval counts as a provider error. */
export const QUERY_TIMEOUT_MS = 5000;

export class PrometheusMetricsSource implements MetricsSource {
  constructor(
    private readonly baseUrl: string,
    private readonly queries: ComponentQueries,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  components(): string[] {
    return Object.keys(this.queries);
  }

  async read(component: string, window: { from: string; to: string }): Promise<SourceReading> {
    const fields = this.queries[component];
    if (!fields) return { sample: undefined };
    const seconds = Math.round((Date.parse(window.to) - Date.parse(window.from)) / 1000);
    const sample: Sample = { at: window.from, component };
    const resolved: Record<string, string> = {};
    for (const field of QUERY_FIELDS) {
      const template = fields[field];
      if (!template) continue;
      const query = template.replaceAll('$window', `${seconds}s`);
      resolved[field] = query;
      const got = await this.query(query, window.to);
      if ('error' in got) return { error: `${component} ${field}: ${got.error}`, queries: resolved };
      if (got.value !== undefined) sample[field] = got.value;
    }
    return { sample, queries: resolved };
  }

  private async query(query: string, at: string): Promise<{ value: number | undefined } | { error: string }> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('query', query);
    url.searchParams.set('time', String(Date.parse(at) / 1000));
    let res: Response;
    try {
      res = await this.fetchFn(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
    } catch (err) {
      const e = err as Error;
      return { error: e.name === 'TimeoutError' ? `no answer within ${QUERY_TIMEOUT_MS} ms` : `unreachable (${e.message})` };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { error: `answered ${res.status} without JSON` };
    }
    const parsed = Answer.safeParse(body);
    if (!parsed.success) return { error: `answered ${res.status} with a body that is not a Prometheus API answer` };
    const answer = parsed.data;
    if (answer.status === 'error') return { error: `answered ${res.status} ${answer.errorType ?? 'error'}: ${answer.error ?? ''}`.trim() };
    const data = answer.data;
    if (data.resultType === 'scalar') return { value: number(data.result[1]) };
    if (data.resultType !== 'vector') return { error: `the query returned a ${data.resultType}, not an instant vector: ${query}` };
    if (data.result.length === 0) return { value: undefined };
    if (data.result.length > 1) return { error: `the query returned ${data.result.length} series; aggregate them (sum, max) into one: ${query}` };
    return { value: number(data.result[0]!.value[1]) };
  }
}

/** Prometheus writes numbers as strings; NaN and ±Inf say nothing about the interval. */
function number(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
