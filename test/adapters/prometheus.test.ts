/**
 * The Prometheus adapter against a local HTTP server answering `/api/v1/query` in Prometheus' own
 * response format (https://prometheus.io/docs/prometheus/latest/querying/api/).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrometheusMetricsSource } from '../../functions/adapters/prometheus/metrics-source.js';

type Answer = { status: number; body: unknown } | 'not-json';
let answers: Record<string, Answer> = {};
const asked: { query: string; time: string }[] = [];
let server: Server;
let base: string;

const vector = (...values: string[]) => ({
  status: 200,
  body: { status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { instance: `i${i}` }, value: [1797433800, v] })) } },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/prom/api/v1/query') {
      res.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    asked.push({ query, time: url.searchParams.get('time') ?? '' });
    const answer = Object.entries(answers).find(([k]) => query.startsWith(k))?.[1] ?? vector();
    if (answer === 'not-json') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  answers = {};
  asked.length = 0;
});

const WINDOW = { from: '2026-12-02T10:00:00.000Z', to: '2026-12-02T10:01:00.000Z' };
const source = () =>
  new PrometheusMetricsSource(base, {
    'API Server': {
      requests: 'requests_total[$window]',
      errorRatePercent: 'error_rate[$window]',
      p95LatencyMs: 'p95',
      databaseErrors: 'db_errors',
    },
  });

describe('Rule: each configured field is one instant query at the end of the interval, its window resolved', () => {
  it('sends the query with $window as the interval and time as the interval end in seconds; one series is the value', async () => {
    answers = { requests_total: vector('1200'), error_rate: vector('0.5'), p95: vector('8.25'), db_errors: vector('0') };
    const reading = await source().read('API Server', WINDOW);
    expect(reading.sample).toEqual({ at: WINDOW.from, component: 'API Server', requests: 1200, errorRatePercent: 0.5, p95LatencyMs: 8.25, databaseErrors: 0 });
    expect(asked[0]).toEqual({ query: 'requests_total[60s]', time: String(Date.parse(WINDOW.to) / 1000) });
    expect(reading.queries).toMatchObject({ requests: 'requests_total[60s]', errorRatePercent: 'error_rate[60s]' });
  });

  it('a scalar answer is the value', async () => {
    answers = { p95: { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1797433800, '4.5'] } } } };
    expect((await source().read('API Server', WINDOW)).sample?.p95LatencyMs).toBe(4.5);
  });
});

describe('Rule: an empty answer is no data, never zero', () => {
  it('an empty vector leaves the field out; NaN and +Inf too', async () => {
    answers = { requests_total: vector(), error_rate: vector('NaN'), p95: vector('+Inf'), db_errors: vector('3') };
    const { sample } = await source().read('API Server', WINDOW);
    expect(sample).toEqual({ at: WINDOW.from, component: 'API Server', databaseErrors: 3 });
  });

  it('a component without queries has no reading', async () => {
    expect(await source().read('Database', WINDOW)).toEqual({ sample: undefined });
  });
});

describe('Rule: what cannot be read is a provider error, in words', () => {
  it.each([
    ['two series', { requests_total: vector('1', '2') }, /returned 2 series; aggregate them/],
    [
      'an error answer',
      { requests_total: { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' } } },
      /answered 400 bad_data: parse error at char 5/,
    ],
    ['a body that is not JSON', { requests_total: 'not-json' as const }, /answered 502 without JSON/],
    ['a matrix', { requests_total: { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } } }, /returned a matrix/],
    ['an unknown shape', { requests_total: { status: 200, body: { data: 1 } } }, /not a Prometheus API answer/],
  ])('%s', async (_what, given, message) => {
    answers = given as typeof answers;
    const reading = await source().read('API Server', WINDOW);
    expect(reading.sample).toBeUndefined();
    expect(reading.error).toMatch(message);
    expect(reading.error).toMatch(/^API Server requests: /);
  });

  it('a server nobody answers at', async () => {
    const gone = new PrometheusMetricsSource('http://127.0.0.1:9/prom', { 'API Server': { requests: 'x' } });
    expect((await gone.read('API Server', WINDOW)).error).toMatch(/unreachable/);
  });
});
