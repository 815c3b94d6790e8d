/** The monitoring flow's reads of CloudWatch, granted to the task function when the settings name metrics (CLOUDWATCH_METRICS). */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CloudWatchMetrics } from '../../functions/adapters/aws/cloudwatch-metrics.js';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

/**
 * What the evaluate task reads from CloudWatch: GetMetricData (no resource-level permissions) and
 * DescribeAlarms on exactly the critical alarms the settings name.
 */
export function grantMonitoringReads(fn: ChangeflowFunction, metrics: CloudWatchMetrics): void {
  const statements = [new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })];
  const alarms = [...new Set(Object.values(metrics).flatMap((m) => m.criticalAlarms ?? []))];
  if (alarms.length) {
    const stack = Stack.of(fn);
    statements.push(
      new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((name) =>
          stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ),
      }),
    );
  }
  const policy = new Policy(fn, 'MonitoringReadsPolicy', { roles: [fn.role], statements });
  acknowledge(
    policy,
    'IAM5[Resource::*]',
    'cloudwatch:GetMetricData supports no resource-level permissions (Service Authorization Reference for CloudWatch); only the workflow task function holds it, and only when metrics are configured.',
  );
}
