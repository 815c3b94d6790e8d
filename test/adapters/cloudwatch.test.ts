/** The CloudWatch adapter of the monitoring flow, against aws-sdk-client-mock answering in GetMetricData's and DescribeAlarms' shapes. */
import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricsSource } from '../../functions/adapters/aws/cloudwatch-source.js';
import { loadConfig } from '../../functions/config.js';

const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const cw = mockClient(client);
afterEach(() => cw.reset());

const WINDOW = { from: '2026-12-02T10:00:00.000Z', to: '2026-12-02T10:01:00.000Z' };
const alb = { namespace: 'AWS/ApplicationELB', dimensions: { LoadBalancer: 'app/payments/123' } };
const source = () =>
  new CloudWatchMetricsSource(client, {
    'API Server': {
      fields: {
        requests: { ...alb, metricName: 'RequestCount', stat: 'Sum' },
        errorRatePercent: {
          expression: '100 * e / r',
          metrics: { e: { ...alb, metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' }, r: { ...alb, metricName: 'RequestCount', stat: 'Sum' } },
        },
        p95LatencyMs: { ...alb, metricName: 'TargetResponseTime', stat: 'p95' },
      },
      criticalAlarms: ['payments-5xx', 'payments-latency'],
    },
  });

describe('Rule: one GetMetricData call per component and interval, the interval as its period', () => {
  it('asks for each field over the interval and reads one value each; alarms in ALARM are the critical alerts', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'requests', Values: [1800], StatusCode: 'Complete' },
        { Id: 'errors', Values: [0.75], StatusCode: 'Complete' },
        { Id: 'latency', Values: [9.5], StatusCode: 'Complete' },
      ],
    });
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'payments-5xx', StateValue: 'ALARM' },
        { AlarmName: 'payments-latency', StateValue: 'OK' },
      ],
    });
    const reading = await source().read('API Server', WINDOW);
    expect(reading.sample).toEqual({ at: WINDOW.from, component: 'API Server', requests: 1800, errorRatePercent: 0.75, p95LatencyMs: 9.5, criticalAlerts: 1 });
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date(WINDOW.from));
    expect(input.EndTime).toEqual(new Date(WINDOW.to));
    expect(input.MetricDataQueries).toContainEqual({ Id: 'errors', Expression: '100 * errors_e / errors_r', ReturnData: true, Period: 60 });
    expect(input.MetricDataQueries).toContainEqual(
      expect.objectContaining({ Id: 'requests', MetricStat: expect.objectContaining({ Period: 60, Stat: 'Sum' }) }),
    );
    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['payments-5xx', 'payments-latency'] });
    expect(reading.queries?.errorRatePercent).toMatch(/^100 \* e \/ r \(e = AWS\/ApplicationELB HTTPCode_Target_5XX_Count Sum/);
  });
});

describe('Rule: no datapoint is no data, never zero; a refused or throttled call is a provider error', () => {
  it('an empty Values list leaves the field out', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'requests', Values: [], StatusCode: 'Complete' }] });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect((await source().read('API Server', WINDOW)).sample).toEqual({ at: WINDOW.from, component: 'API Server', criticalAlerts: 0 });
  });

  it('a throttled call is ERROR, in words', async () => {
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const reading = await source().read('API Server', WINDOW);
    expect(reading.sample).toBeUndefined();
    expect(reading.error).toBe('CloudWatch API Server: ThrottlingException: Rate exceeded');
  });

  it('a result CloudWatch may not give (Forbidden) is ERROR', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'latency', StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'not allowed' }] }],
    });
    expect((await source().read('API Server', WINDOW)).error).toBe('CloudWatch API Server p95LatencyMs: Forbidden (not allowed)');
  });
});

describe('Rule: CLOUDWATCH_METRICS that is not the documented shape stops the start, naming it', () => {
  it.each([
    ['not JSON', '{x', /CLOUDWATCH_METRICS: must be JSON/],
    ['an unknown field', '{"API Server":{"fields":{"latency":{}}}}', /CLOUDWATCH_METRICS: must map components to CloudWatch metrics/],
  ])('%s', (_what, value, message) => {
    expect(() => loadConfig({ CLOUDWATCH_METRICS: value })).toThrow(message);
  });
});
