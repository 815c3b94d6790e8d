/** The monitoring tools a deployment is configured with (PROMETHEUS_URL and PROMETHEUS_QUERIES), for the evaluate task. */
import { type Config, ConfigError } from '../../config.js';
import type { MetricsSource } from '../../ports.js';
import { PrometheusMetricsSource } from './metrics-source.js';

export function metricsSources(config: Pick<Config, 'PROMETHEUS_URL' | 'PROMETHEUS_QUERIES'>): { name: string; source: MetricsSource }[] {
  if (!config.PROMETHEUS_URL && !config.PROMETHEUS_QUERIES) return [];
  if (!config.PROMETHEUS_URL || !config.PROMETHEUS_QUERIES) {
    throw new ConfigError('PROMETHEUS_URL and PROMETHEUS_QUERIES go together: the monitoring flow needs the server and what to ask it');
  }
  return [{ name: 'prometheus', source: new PrometheusMetricsSource(config.PROMETHEUS_URL, config.PROMETHEUS_QUERIES) }];
}
