/** The shape of PROMETHEUS_QUERIES: per component, one instant query per field a sample can carry. */
export const QUERY_FIELDS = ['requests', 'errorRatePercent', 'p95LatencyMs', 'databaseErrors', 'criticalAlerts'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];
export type ComponentQueries = Record<string, Partial<Record<QueryField, string>>>;
