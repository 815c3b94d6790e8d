/**
 * The monitoring tools a deployment is configured with, for the evaluate task: a Prometheus-compatible
 * server (PROMETHEUS_URL and PROMETHEUS_QUERIES) and CloudWatch (CLOUDWATCH_METRICS). None: only the
 * evidence pipelines push counts.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type Config, ConfigError } from '../config.js';
import type { MetricsSource } from '../ports.js';
import { CloudWatchMetricsSource } from './aws/cloudwatch-source.js';
import { PrometheusMetricsSource } from './prometheus/metrics-source.js';

export function metricsSources(
  config: Pick<Config, 'PROMETHEUS_URL' | 'PROMETHEUS_QUERIES' | 'CLOUDWATCH_METRICS'>,
): { name: string; source: MetricsSource }[] {
  const sources: { name: string; source: MetricsSource }[] = [];
  if (config.PROMETHEUS_URL || config.PROMETHEUS_QUERIES) {
    if (!config.PROMETHEUS_URL || !config.PROMETHEUS_QUERIES) {
      throw new ConfigError('PROMETHEUS_URL and PROMETHEUS_QUERIES go together: the monitoring flow needs the server and what to ask it');
    }
    sources.push({ name: 'prometheus', source: new PrometheusMetricsSource(config.PROMETHEUS_URL, config.PROMETHEUS_QUERIES) });
  }
  if (config.CLOUDWATCH_METRICS) sources.push({ name: 'cloudwatch', source: new CloudWatchMetricsSource(new CloudWatchClient({}), config.CLOUDWATCH_METRICS) });
  return sources;
}
