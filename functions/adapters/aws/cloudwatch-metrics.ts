/** The shape of CLOUDWATCH_METRICS: per component, a CloudWatch query per field a sample can carry, and its critical alarms. */
import * as z from 'zod';

const Metric = z.strictObject({
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.record(z.string(), z.string()).optional(),
  /** Sum, Average, p95, … */
  stat: z.string().min(1),
});
const Spec = z.union([Metric, z.strictObject({ expression: z.string().min(1), metrics: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), Metric) })]);

export const CloudWatchMetricsSchema = z.record(
  z.string().min(1),
  z.strictObject({
    fields: z
      .strictObject({
        requests: Spec.optional(),
        errorRatePercent: Spec.optional(),
        p95LatencyMs: Spec.optional(),
        databaseErrors: Spec.optional(),
      })
      .optional(),
    /** Alarm names whose ALARM state counts as a critical alert firing. */
    criticalAlarms: z.array(z.string().min(1)).max(100).optional(),
  }),
);
export type CloudWatchMetrics = z.infer<typeof CloudWatchMetricsSchema>;
export type MetricSpec = z.infer<typeof Spec>;

/** GetMetricData query ids by field (ids must start with a lowercase letter). */
export const FIELD_IDS = { requests: 'requests', errorRatePercent: 'errors', p95LatencyMs: 'latency', databaseErrors: 'dberrors' } as const;
