/**
 * Measurements from CloudWatch: one GetMetricData call per component and interval, a query per
 * configured field (a metric's statistic, or a metric-math expression over named metrics) with the
 * interval as its period, and the component's critical alarms (DescribeAlarms) counted when in
 * ALARM. No datapoint is no data, never zero; a throttled or refused call is a provider error.
 */
import { type CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Sample } from '../../core/monitoring.js';
import type { MetricsSource, SourceReading } from '../../ports.js';
import { type CloudWatchMetrics, type MetricSpec, FIELD_IDS } from './cloudwatch-metrics.js';

export class CloudWatchMetricsSource implements MetricsSource {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly metrics: CloudWatchMetrics,
  ) {}

  components(): string[] {
    return Object.keys(this.metrics);
  }

  async read(component: string, window: { from: string; to: string }): Promise<SourceReading> {
    const config = this.metrics[component];
    if (!config) return { sample: undefined };
    const period = Math.max(1, Math.round((Date.parse(window.to) - Date.parse(window.from)) / 1000));
    const queries: MetricDataQuery[] = [];
    const described: Record<string, string> = {};
    for (const [field, spec] of Object.entries(config.fields ?? {}) as [keyof typeof FIELD_IDS, MetricSpec][]) {
      const id = FIELD_IDS[field];
      if ('expression' in spec) {
        for (const [name, metric] of Object.entries(spec.metrics)) {
          queries.push({ Id: `${id}_${name}`, ReturnData: false, MetricStat: stat(metric, period) });
        }
        const expression = Object.keys(spec.metrics).reduce((e, name) => e.replaceAll(new RegExp(`\\b${name}\\b`, 'g'), `${id}_${name}`), spec.expression);
        queries.push({ Id: id, Expression: expression, ReturnData: true, Period: period });
        described[field] = `${spec.expression} (${Object.entries(spec.metrics)
          .map(([n, m]) => `${n} = ${m.namespace} ${m.metricName} ${m.stat}`)
          .join(', ')})`;
      } else {
        queries.push({ Id: id, ReturnData: true, MetricStat: stat(spec, period) });
        described[field] = `${spec.namespace} ${spec.metricName} ${spec.stat} over ${period} s`;
      }
    }
    const sample: Sample = { at: window.from, component };
    try {
      if (queries.length) {
        const out = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(window.from),
            EndTime: new Date(window.to),
            ScanBy: 'TimestampDescending',
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          const field = (Object.entries(FIELD_IDS) as [keyof typeof FIELD_IDS, string][]).find(([, id]) => id === result.Id)?.[0];
          if (!field) continue;
          if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
            return {
              error: `CloudWatch ${component} ${field}: ${result.StatusCode}${result.Messages?.[0]?.Value ? ` (${result.Messages[0].Value})` : ''}`,
              queries: described,
            };
          }
          const value = result.Values?.[0];
          if (typeof value === 'number' && Number.isFinite(value)) sample[field] = value;
        }
      }
      if (config.criticalAlarms?.length) {
        const alarms = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: config.criticalAlarms }));
        sample.criticalAlerts =
          (alarms.MetricAlarms ?? []).filter((a) => a.StateValue === 'ALARM').length +
          (alarms.CompositeAlarms ?? []).filter((a) => a.StateValue === 'ALARM').length;
        described.criticalAlerts = `alarms in ALARM among ${config.criticalAlarms.join(', ')}`;
      }
    } catch (err) {
      const e = err as Error;
      return { error: `CloudWatch ${component}: ${e.name}: ${e.message}`, queries: described };
    }
    return { sample, queries: described };
  }
}

function stat(metric: { namespace: string; metricName: string; dimensions?: Record<string, string> | undefined; stat: string }, period: number) {
  return {
    Metric: {
      Namespace: metric.namespace,
      MetricName: metric.metricName,
      Dimensions: Object.entries(metric.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: period,
    Stat: metric.stat,
  };
}
