/**
 * cdk-nag (AwsSolutions) on the app exactly as bin/app.ts builds it.
 *
 * cdk-nag 3 is a CDK policy-validation plugin: it reports no annotations. At synth the framework
 * runs it, drops the findings acknowledged with `Validations.of(x).acknowledge(...)` into
 * `suppressedViolations`, writes `validation-report.json` into the cloud assembly, and (in memory,
 * as here) throws when an unacknowledged *error* remains. Unacknowledged *warnings* only show in
 * the report, so the test reads it and fails on any violation left, error or warning.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { SCHEDULED_JOBS } from '../../functions/jobs/schedules.js';
import { ROUTE_GROUPS, type WorkflowAccess } from '../../functions/routes.js';
import { buildChangeflowApp } from '../../lib/app.js';
import { WORKER_FUNCTIONS } from '../../lib/constructs/function.js';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  reason?: string;
  acknowledgedAt?: string;
}
interface PluginReport {
  pluginName: string;
  violations: Violation[];
  suppressedViolations?: Violation[];
}

function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** Synthesises the app and returns the AwsSolutions part of the validation report. */
function nagReport(app: App): PluginReport {
  const assembly = app.synth(); // throws, with the formatted report, on an unacknowledged error
  const report = JSON.parse(readFileSync(path.join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')) as { pluginReports: PluginReport[] };
  const nag = report.pluginReports.find((p) => p.pluginName === 'AwsSolutions');
  if (!nag) throw new Error(`no AwsSolutions report in ${JSON.stringify(report.pluginReports.map((p) => p.pluginName))}`);
  return nag;
}

const summary = (vs: Violation[]) => vs.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged error or warning', () => {
    const report = nagReport(
      (() => {
        const app = newApp();
        buildChangeflowApp(app);
        return app;
      })(),
    );
    expect(summary(report.violations)).toEqual([]);
  });

  it('leaves none either when the account and region are known (cdk-nag then writes them into the ARNs it names)', () => {
    const app = newApp();
    buildChangeflowApp(app, { account: '123456789012', region: 'eu-west-1' });
    expect(summary(nagReport(app).violations)).toEqual([]);
  });

  it('acknowledges exactly the expected findings, each on its own construct with a one-sentence reason', () => {
    const app = newApp();
    const stack = buildChangeflowApp(app);
    const suppressed = nagReport(app).suppressedViolations ?? [];
    const s = stack.stackName;
    const c = `${s}-Console`;
    const deployer = `${c}/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB`;

    for (const v of suppressed) {
      expect(v.reason, v.ruleName).toMatch(/^[A-Z][^\n]{20,}\.$/);
      expect(v.reason?.split(/\.\s/).length, `${v.ruleName}: one sentence`).toBe(1);
    }

    const found = suppressed.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)).sort();
    const tableFinding = /^AwsSolutions-IAM5\[Resource::<Table[0-9A-F]+\.Arn>\/index\/\*\]$/;
    const executionsFinding =
      /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<([A-Za-z]+)Workflow[0-9A-F]{8}\.Name>:\*\]$/;
    const jobs = SCHEDULED_JOBS.map((j) => j.name);
    const workers = Object.keys(WORKER_FUNCTIONS);
    const workflows = ['Approval', 'Emergency', 'Monitoring'];
    // the Step Functions calls each job and worker declares (WorkflowAccess in functions/routes.ts)
    const access = [
      ...SCHEDULED_JOBS.map((j) => [j.name, j.needs.workflows] as const),
      ...Object.entries(WORKER_FUNCTIONS).map(([n, w]) => [n, 'workflows' in w ? (w.workflows as WorkflowAccess) : undefined] as const),
    ];
    // a function with a call on a workflow's executions (start asks whether one exists; stop) has that wildcard
    const onExecutions = access.flatMap(([n, w]) =>
      ['approval', 'emergency', 'monitoring']
        .filter((name) => [...(w?.start ?? []), ...(w?.stop ?? [])].includes(name as 'approval'))
        .map((name) => [n, `${name[0]!.toUpperCase()}${name.slice(1)}`] as const),
    );
    expect(onExecutions.map(([n, w]) => `${n} ${w}`).sort()).toEqual([
      'WorkflowDriver Approval',
      'WorkflowDriver Emergency',
      'WorkflowDriver Monitoring',
      'WorkflowReconcile Approval',
      'WorkflowReconcile Emergency',
      'WorkflowReconcile Monitoring',
    ]);
    const deciders = access.filter(([, w]) => w?.decide).map(([n]) => n);
    expect(deciders.sort()).toEqual(['WorkflowDriver', 'WorkflowTasks']);
    // where each function sits (lib/constructs/): route functions and WorkflowTasks in the stack, jobs
    // under Jobs, the relay and the bus's consumers under their own construct
    const nested = ['Notifications', 'WorkflowDriver', 'EventRelay', 'WebhookProcessor', 'Outbound'];
    const fnPath = (n: string) => (jobs.includes(n) ? `${s}/Jobs/${n}` : nested.includes(n) ? `${s}/${n}/Function` : `${s}/${n}`);
    const dlqPath = (n: string) => `${s}/${n}DeadLetterQueue`;
    const expected = [
      // public routes only: everything else has the JWT authorizer
      ...ROUTE_GROUPS.flatMap((g) =>
        g.routes.filter((r) => r.public).map((r) => `AwsSolutions-APIG4 ${s}/HttpApi/${r.method}${r.path.replaceAll('/', '--')}/Resource`),
      ),
      // every function, route, job or worker: the runtime, X-Ray's Resource "*", the table's index wildcard
      ...[...ROUTE_GROUPS.map((g) => g.name), ...jobs, ...workers].map((n) => `AwsSolutions-IAM5[Resource::*] ${fnPath(n)}/Role/DefaultPolicy/Resource`),
      // (the relay reads the stream only, not the table)
      ...[...ROUTE_GROUPS.filter((g) => g.tableAccess !== 'none').map((g) => g.name), ...jobs, ...workers.filter((n) => n !== 'EventRelay')].map(
        (n) => `INDEX ${fnPath(n)}/Role/DefaultPolicy/Resource`,
      ),
      // each scheduler role: grantInvoke's `<function ARN>:*` (versions and aliases of that one function)
      ...jobs.map((n) => `INVOKE ${s}/Jobs/${n}SchedulerRole/DefaultPolicy/Resource`),
      // each state machine role: WorkflowTasks' versions and aliases; log delivery and X-Ray on "*"
      ...workflows.map((w) => `TASKS-INVOKE ${s}/${w}Workflow/Role/DefaultPolicy/Resource`),
      ...workflows.map((w) => `AwsSolutions-IAM5[Resource::*] ${s}/${w}Workflow/Role/DefaultPolicy/Resource`),
      // StopExecution / DescribeExecution on the executions of a state machine
      ...onExecutions.map(([n, w]) => `EXECUTIONS-${w} ${fnPath(n)}/Role/DefaultPolicy/Resource`),
      // SendTaskSuccess/Failure: the driver and the task function, on "*", each in a policy of its own
      ...deciders.map((n) => `AwsSolutions-IAM5[Resource::*] ${fnPath(n)}/TaskResponsePolicy/Resource`),
      // each dead-letter queue is itself the DLQ
      ...[...jobs, 'Notifications', 'WorkflowDriver', 'EventRelay', 'WebhookProcessor', 'Outbound'].map(
        (n) => `AwsSolutions-SQS3 ${dlqPath(n)}/Default/Resource`,
      ),
      // the keys are rotated by hand (their runbooks)
      `AwsSolutions-SMG4 ${s}/CalendarFeedKey/Resource`,
      `AwsSolutions-SMG4 ${s}/ApprovalLinkKey/Resource`,
      `AwsSolutions-SMG4 ${s}/CursorKey/Resource`,
      `AwsSolutions-SMG4 ${s}/WebhookSecrets/Resource`,
      `AwsSolutions-SMG4 ${s}/OutboundSecrets/Resource`,
      // the reports bucket: read through the API (its access log); the functions' grants on its reports/ prefix
      `AwsSolutions-S1 ${s}/ReportsBucket/Resource`,
      ...[...ROUTE_GROUPS.filter((g) => g.reports).map((g) => fnPath(g.name)), ...SCHEDULED_JOBS.filter((j) => j.needs.reports).map((j) => fnPath(j.name))].map(
        (p) => `REPORTS-PREFIX ${p}/Role/DefaultPolicy/Resource`,
      ),
      // the console's stack: CloudFront without geo restriction or WAF on the default certificate,
      // its buckets (files replaced at each deploy; the log bucket itself), and the CDK's own
      // BucketDeployment function
      ...['CFR1', 'CFR2', 'CFR4'].map((r) => `AwsSolutions-${r} ${c}/Console/Distribution/Resource`),
      `AwsSolutions-S1 ${c}/Console/Files/Resource`,
      `AwsSolutions-S1 ${c}/Console/AccessLogs/Resource`,
      `AwsSolutions-L1 ${deployer}/Resource`,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] ${deployer}/ServiceRole/Resource`,
      ...[
        'Resource::*',
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        'Resource::CONSOLE-FILES',
      ].map((f) => `AwsSolutions-IAM5[${f}] ${deployer}/ServiceRole/DefaultPolicy/Resource`),
    ].sort();
    const normalised = found
      .map((f) =>
        f.replace(/^\S+/, (rule) => {
          if (tableFinding.test(rule)) return 'INDEX';
          if (/^AwsSolutions-IAM5\[Resource::<ConsoleFiles[0-9A-F]{8}\.Arn>\/\*\]$/.test(rule)) return 'AwsSolutions-IAM5[Resource::CONSOLE-FILES]';
          if (/^AwsSolutions-IAM5\[Resource::<ReportsBucket[0-9A-F]{8}\.Arn>\/reports\/\*\]$/.test(rule)) return 'REPORTS-PREFIX';
          const executions = executionsFinding.exec(rule);
          if (executions) return `EXECUTIONS-${executions[1]}`;
          const invoke = /^AwsSolutions-IAM5\[Resource::<([A-Za-z]+)[0-9A-F]{8}\.Arn>:\*\]$/.exec(rule);
          if (invoke?.[1] === 'WorkflowTasks' && /\/(Approval|Emergency|Monitoring)Workflow\/Role\//.test(f)) return 'TASKS-INVOKE';
          // a job's function is Jobs<name> in the template, its scheduler role Jobs/<name>SchedulerRole
          const job = jobs.find((n) => invoke?.[1] === `Jobs${n}`);
          return job && f.includes(`/Jobs/${job}SchedulerRole/`) ? 'INVOKE' : rule;
        }),
      )
      .sort();
    expect(normalised).toEqual(expected);

    // the reasons say what is special about each case
    const reasonOf = (rule: string, pathPart: string) =>
      suppressed.find((v) => v.ruleName === rule && v.violatingConstructs.some((c) => c.constructPath.includes(pathPart)))?.reason;
    expect(reasonOf('AwsSolutions-APIG4', 'GET--calendar.ics')).toMatch(/bearer token.*feed key.*constant time/);
    expect(reasonOf('AwsSolutions-SMG4', 'CalendarFeedKey')).toMatch(/subscribed calendar URL.*docs\/runbooks\/calendar-feed-key\.md/);
    expect(reasonOf('AwsSolutions-SMG4', 'ApprovalLinkKey')).toMatch(/approval link.*docs\/runbooks\/approval-link-key\.md/);
    expect(reasonOf('AwsSolutions-SMG4', 'CursorKey')).toMatch(/cursors in flight/);
    for (const job of [...jobs, 'Notifications', 'WorkflowDriver', 'EventRelay', 'WebhookProcessor', 'Outbound'])
      expect(reasonOf('AwsSolutions-SQS3', `${dlqPath(job)}/`)).toMatch(/is the dead-letter queue/);
    for (const n of deciders) {
      expect(reasonOf('AwsSolutions-IAM5[Resource::*]', `${fnPath(n)}/TaskResponsePolicy/`)).toMatch(
        /SendTaskSuccess and SendTaskFailure .*no resource-level permissions.*only the workflow driver and the task function/,
      );
    }
    expect(reasonOf('AwsSolutions-IAM5[Resource::*]', 'ApprovalWorkflow/Role')).toMatch(/Logs delivery.*X-Ray/);
    for (const [n, w] of onExecutions) {
      const v = suppressed.find(
        (x) =>
          x.ruleName.includes(`<${w}Workflow`) &&
          executionsFinding.test(x.ruleName) &&
          x.violatingConstructs.some((c) => c.constructPath.includes(`${fnPath(n)}/Role/`)),
      );
      expect(v?.reason, `${n} ${w}`).toMatch(new RegExp(`only the executions of the ${w.toLowerCase()} state machine`));
    }
  });

  it('catches a finding nobody acknowledged (the check is live)', () => {
    const app = newApp();
    const stack = buildChangeflowApp(app);
    // A route with neither an authorizer nor an acknowledgement must stop the synth.
    const meta = stack.functions.get('Meta')!.fn;
    stack.api.addRoutes({ path: '/unguarded', methods: [HttpMethod.GET], integration: new HttpLambdaIntegration('Unguarded', meta) });
    expect(() => app.synth()).toThrow(/GET--unguarded\/Resource[\s\S]*AwsSolutions::AwsSolutions-APIG4/);
  });
});
