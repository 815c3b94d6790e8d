/**
 * Infra assertions for the approvals (issue 3, sections 6 and 7): the two state machines, their
 * logging, tracing, definition and role; who may start, stop and decide Step Functions executions;
 * the event bus, who may publish to it and the rule that feeds the notifications (dead-letter queue
 * on both hops); the approval link key; PUBLIC_BASE_URL. Bundling is skipped, as in stack.test.ts.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_KEY_BYTES } from '../../functions/core/approval-link.js';
import { EVENT_SOURCE } from '../../functions/core/events.js';
import { SCHEDULED_JOBS } from '../../functions/jobs/schedules.js';
import type { WorkflowName } from '../../functions/ports.js';
import { ROUTE_GROUPS, type WorkflowAccess } from '../../functions/routes.js';
import { NOTIFIED_EVENTS } from '../../functions/notifications/notify.js';
import { DRIVEN_EVENTS } from '../../functions/use-cases/workflow-driver.js';
import { OUTBOX_PREFIX } from '../../functions/adapters/dynamodb/outbox.js';
import { TABLE_KEYS } from '../../functions/adapters/dynamodb/table.js';
import { buildChangeflowApp } from '../../lib/app.js';
import { ChangeflowStack } from '../../lib/changeflow-stack.js';
import { APPROVAL_LINKS_PATH } from '../../lib/constructs/api.js';
import { IDEMPOTENCY_KEY_PREFIX } from '../../lib/constructs/data.js';
import { REPO_ROOT, WORKER_FUNCTIONS } from '../../lib/constructs/function.js';
import { hasWorkflowAccess } from '../../lib/constructs/workflows.js';
import { DEFAULT_EVENT_BUS_NAME } from '../../lib/settings.js';
import { actionsOf, ISSUER, resourcesOf, SKIP_BUNDLING, synth, type Statement } from './synth.js';
import { DEFAULT_TIMERS } from '../../functions/core/approval-flow.js';
import { workflowDurations } from '../../functions/core/durations.js';
import { definitionText, loadDefinition, placeholders, WORKFLOW_NAMES, withNumbers } from '../../lib/workflows/definitions.js';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string | string[] };
const logicalId = (stack: ChangeflowStack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnRole);
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

/** Every function of the stack (routes, jobs, workers) by name, with its role. */
function allFunctions(stack: ChangeflowStack) {
  return [
    ...[...stack.functions.values()].map((f) => ({ name: f.group.name, fn: f.fn, role: f.role })),
    ...[...stack.jobs.values()].map((j) => ({ name: j.job.name, fn: j.fn, role: j.role })),
    ...[...stack.workers.values()].map((w) => ({ name: w.name as string, fn: w.fn, role: w.role })),
  ];
}

/** Every Allow statement of every policy attached to a role. */
function statementsOf(stack: ChangeflowStack, template: Template, role: { node: { defaultChild?: unknown } }): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(stack, role) }]) } });
  return Object.values(policies)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow');
}

/** The roles (logical ids) holding an Allow statement that matches, in any IAM policy of the template. */
function rolesWith(template: Template, matches: (s: Statement) => boolean): string[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => s.Effect === 'Allow' && matches(s)))
    .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref))
    .sort();
}

type State = Record<string, any> & { Type: string };
type Machine = { StartAt: string; States: Record<string, State> };

/** Every state, Map item processors and Parallel branches included. */
function allStates(machine: Machine): Record<string, State> {
  const out: Record<string, State> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    out[name] = state;
    const inner = (state['ItemProcessor'] ?? state['Iterator']) as Machine | undefined;
    if (inner) Object.assign(out, allStates(inner));
    for (const branch of (state['Branches'] as Machine[] | undefined) ?? []) Object.assign(out, allStates(branch));
  }
  return out;
}

/**
 * What each function may do with Step Functions, pinned. No function serving a request is in it:
 * the workflows follow the domain events (functions/use-cases/workflow-driver.ts).
 */
const EXPECTED_WORKFLOW_ACCESS: Record<string, { start: WorkflowName[]; stop: WorkflowName[]; decide: boolean }> = {
  // submitted → approval, emergency started → emergency; decisions complete or fail a slot's task;
  // an edit, cancel, rejection or expiry stops the approval
  WorkflowDriver: { start: ['approval', 'emergency', 'monitoring'], stop: ['approval', 'monitoring'], decide: true },
  // the safety net: starts a flow whose start was never delivered (and asks whether one was)
  WorkflowReconcile: { start: ['approval', 'emergency', 'monitoring'], stop: [], decide: false },
  // a slot's task whose decision came before it started completes itself
  WorkflowTasks: { start: [], stop: [], decide: true },
};

/** The functions that publish to the bus: the outbox's relay, and nothing else (a write's events are outbox items of its transaction). */
const EXPECTED_PUBLISHERS = ['EventRelay'];

describe('the approvals in the stack', () => {
  let stack: ChangeflowStack;
  let template: Template;
  let resources: Record<string, Resource>;
  let tasksFnId: string;
  let smId: Record<WorkflowName, string>;

  beforeAll(() => {
    ({ stack, template } = synth());
    resources = template.toJSON().Resources;
    tasksFnId = logicalId(stack, stack.workers.get('WorkflowTasks')!.fn);
    smId = {
      approval: logicalId(stack, stack.workflows.get('approval')!.stateMachine),
      emergency: logicalId(stack, stack.workflows.get('emergency')!.stateMachine),
      monitoring: logicalId(stack, stack.workflows.get('monitoring')!.stateMachine),
    };
  });

  const fnProps = (fn: { node: { defaultChild?: unknown } }) => resources[logicalId(stack, fn)]!.Properties;
  const envOf = (fn: { node: { defaultChild?: unknown } }) => fnProps(fn).Environment.Variables as Record<string, unknown>;
  const executionsArn = (name: WorkflowName) => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', getAtt(smId[name], 'Name'), ':*'],
    ],
  });

  describe('state machines', () => {
    it('are exactly the three workflows of lib/workflows, all Standard (callbacks and hours-long waits need Standard)', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
      expect([...stack.workflows.keys()]).toEqual(WORKFLOW_NAMES);
      for (const name of WORKFLOW_NAMES) expect(resources[smId[name]]!.Properties.StateMachineType, name).toBe('STANDARD');
    });

    it.each(WORKFLOW_NAMES)('%s logs ALL events, without their data, to its own log group with a retention, and is traced by X-Ray', (name) => {
      const props = resources[smId[name]]!.Properties;
      expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      expect(props.LoggingConfiguration.Destinations).toHaveLength(1);
      const logGroupId: string = props.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      expect(logGroupId).toBe(logicalId(stack, stack.workflows.get(name)!.logGroup));
      expect(resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30, LogGroupName: `/aws/vendedlogs/states/Test-${name}` },
      });
      expect(props.TracingConfiguration).toEqual({ Enabled: true });
    });

    it('keeps task tokens and change content out of CloudWatch Logs: no state machine logs execution data', () => {
      // the approval's callback task hands its token to WorkflowTasks in its payload: with the
      // execution data in the logs, whoever reads them could decide the approval
      const callbacks = Object.values(allStates(JSON.parse(definitionText('approval')) as Machine)).filter((s) =>
        JSON.stringify(s.Parameters ?? {}).includes('"$$.Task.Token"'),
      );
      expect(callbacks.length).toBeGreaterThan(0);
      for (const name of WORKFLOW_NAMES) expect(resources[smId[name]]!.Properties.LoggingConfiguration.IncludeExecutionData, name).toBe(false);
    });

    it.each(WORKFLOW_NAMES)('%s is the ASL file, inlined with the core’s durations written in and the WorkflowTasks ARN substituted', (name) => {
      const props = resources[smId[name]]!.Properties;
      const durations = workflowDurations(DEFAULT_TIMERS);
      // DefinitionBody.fromString: the text itself, not an S3 location (fromFile would upload an asset)
      expect(props.DefinitionS3Location).toBeUndefined();
      expect(typeof props.DefinitionString).toBe('string');
      expect(JSON.parse(props.DefinitionString)).toEqual(JSON.parse(withNumbers(definitionText(name), durations)));
      // every placeholder has a substitution and every substitution a placeholder
      expect(Object.keys(props.DefinitionSubstitutions).sort()).toEqual(placeholders(name).filter((k) => !(k in durations)));
      expect(props.DefinitionSubstitutions).toEqual({ WorkflowTasksFunctionArn: getAtt(tasksFnId) });
    });

    it.each(WORKFLOW_NAMES)('every Task state of %s invokes the WorkflowTasks function, and only it', (name) => {
      const props = resources[smId[name]]!.Properties;
      // substitute as CloudFormation will, with a marker standing for each substitution's value
      const marker = (key: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${key}-${JSON.stringify(props.DefinitionSubstitutions[key])}`;
      const substituted = loadDefinition(name, {
        ...Object.fromEntries(Object.keys(props.DefinitionSubstitutions).map((k) => [k, marker(k)])),
        ...Object.fromEntries(Object.entries(workflowDurations(DEFAULT_TIMERS)).filter(([k]) => placeholders(name).includes(k))),
      }) as Machine;
      const states = allStates(substituted);
      expect(Object.keys(states)).toEqual(Object.keys(allStates(JSON.parse(definitionText(name)) as Machine)));
      const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [stateName, task] of tasks) {
        expect(task.Resource, stateName).toMatch(/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/);
        expect(task.Parameters.FunctionName, stateName).toBe(marker('WorkflowTasksFunctionArn'));
      }
      expect(JSON.stringify(substituted)).not.toContain('${');
    });

    it.each(WORKFLOW_NAMES)('the role of %s is assumed by Step Functions and may invoke the WorkflowTasks function, nothing else', (name) => {
      const { stateMachine } = stack.workflows.get(name)!;
      const roleId = logicalId(stack, stateMachine.role);
      expect(resources[smId[name]]!.Properties.RoleArn).toEqual(getAtt(roleId));
      expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'states.amazonaws.com' } }),
      ]);
      expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
      expect(resources[roleId]!.Properties.Policies).toBeUndefined();
      const fnArn = getAtt(tasksFnId);
      expect(statementsOf(stack, template, stateMachine.role)).toEqual([
        // execution logging: the log delivery API has no resource-level permissions
        {
          Effect: 'Allow',
          Action: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          Resource: '*',
        },
        // X-Ray tracing
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*' },
        // the function and its versions/aliases
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fnArn, { 'Fn::Join': ['', [fnArn, ':*']] }] },
      ]);
    });

    it('only the two state machine roles may invoke the WorkflowTasks function', () => {
      const invokers = rolesWith(
        template,
        (s) => actionsOf(s).some((a) => a === 'lambda:InvokeFunction' || a === 'lambda:*') && JSON.stringify(s.Resource).includes(`"${tasksFnId}"`),
      );
      expect(invokers).toEqual(WORKFLOW_NAMES.map((n) => logicalId(stack, stack.workflows.get(n)!.stateMachine.role)).sort());
      // and no resource policy lets anything else (an API route, a rule) invoke it
      const permissions = Object.values(resources).filter(
        (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(`"${tasksFnId}"`),
      );
      expect(permissions).toEqual([]);
    });

    it.each(WORKFLOW_NAMES)('an execution of %s that fails sets off an alarm pointing to the runbook', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: smId[name] } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/workflow-failed\\.md'),
      });
    });
  });

  describe('the WorkflowTasks function', () => {
    it('is built from functions/lambda/workflow-tasks.ts, reads and writes the table (no delete) and publishes nothing itself', () => {
      expect(WORKER_FUNCTIONS.WorkflowTasks.entry).toBe('functions/lambda/workflow-tasks.ts');
      const { role, fn } = stack.workers.get('WorkflowTasks')!;
      const actions = statementsOf(stack, template, role).flatMap(actionsOf);
      expect(actions).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
      );
      expect(actions.filter((a) => /^dynamodb:(DeleteItem|BatchWriteItem|PartiQLDelete|Scan|\*)$/.test(a))).toEqual([]);
      expect(actions.filter((a) => a.startsWith('events:'))).toEqual([]);
      expect(envOf(fn).EVENT_BUS_NAME).toBeUndefined();
    });

    it('knows no state machine ARN and may only complete callback tasks (the state machines reference it, not the other way round)', () => {
      const { role, fn } = stack.workers.get('WorkflowTasks')!;
      expect(envOf(fn).APPROVAL_STATE_MACHINE_ARN).toBeUndefined();
      expect(envOf(fn).EMERGENCY_STATE_MACHINE_ARN).toBeUndefined();
      expect(
        statementsOf(stack, template, role)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('states:')),
      ).toEqual(['states:SendTaskSuccess', 'states:SendTaskFailure']);
    });
  });

  describe('Step Functions permissions (least privilege)', () => {
    it('the jobs and workers declare exactly the Step Functions calls their code makes, and no route group has any', () => {
      const declared = (access: WorkflowAccess | undefined) => ({ start: access?.start ?? [], stop: access?.stop ?? [], decide: access?.decide ?? false });
      const workers = Object.entries(WORKER_FUNCTIONS).map(([n, w]) => [n, 'workflows' in w ? (w.workflows as WorkflowAccess) : undefined] as const);
      const all = [...SCHEDULED_JOBS.map((j) => [j.name, j.needs.workflows] as const), ...workers];
      expect(ROUTE_GROUPS.filter((g) => 'workflows' in g).map((g) => g.name)).toEqual([]);
      expect(Object.fromEntries(all.filter(([, a]) => hasWorkflowAccess(a)).map(([n, a]) => [n, declared(a)]))).toEqual(EXPECTED_WORKFLOW_ACCESS);
    });

    it('states:StartExecution: on the declared state machines only, for the functions that start executions', () => {
      for (const { name, role } of allFunctions(stack)) {
        const starts = statementsOf(stack, template, role).filter((s) => actionsOf(s).includes('states:StartExecution'));
        for (const s of starts) expect(actionsOf(s), name).toEqual(['states:StartExecution']);
        expect(starts.flatMap(resourcesOf), name).toEqual((EXPECTED_WORKFLOW_ACCESS[name]?.start ?? []).map((w) => ({ Ref: smId[w] })));
      }
    });

    it('states:StopExecution and DescribeExecution: on the executions of the declared state machines only (Describe for a starter, Stop and Describe for a stopper)', () => {
      for (const { name, role } of allFunctions(stack)) {
        const onExecutions = statementsOf(stack, template, role).filter((s) =>
          actionsOf(s).some((a) => a === 'states:StopExecution' || a === 'states:DescribeExecution'),
        );
        const access = EXPECTED_WORKFLOW_ACCESS[name];
        const expected = [
          ...(access?.start ?? []).map((w) => ({ Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executionsArn(w) })),
          ...(access?.stop ?? []).map((w) => ({ Effect: 'Allow', Action: ['states:StopExecution', 'states:DescribeExecution'], Resource: executionsArn(w) })),
        ];
        expect(onExecutions, name).toEqual(expected);
      }
      expect(rolesWith(template, (s) => actionsOf(s).includes('states:StopExecution'))).toEqual(
        ['WorkflowDriver'].map((n) => logicalId(stack, allFunctions(stack).find((f) => f.name === n)!.role)).sort(),
      );
    });

    it('states:SendTaskSuccess / SendTaskFailure: only the workflow driver and the task function, and no other role of the stack', () => {
      const decides = (s: Statement) => actionsOf(s).some((a) => /^states:(SendTask(Success|Failure|Heartbeat)|\*)$/.test(a) || a === '*');
      const deciders = ['WorkflowDriver', 'WorkflowTasks'];
      const decisionRoles = deciders.map((n) => logicalId(stack, stack.workers.get(n as 'WorkflowDriver')!.role)).sort();
      expect(rolesWith(template, decides)).toEqual(decisionRoles);
      // nothing else grants them either: no inline role policy, no managed policy
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type === 'AWS::IAM::Policy') continue;
        expect(JSON.stringify(r.Properties ?? {}), id).not.toMatch(/states:SendTask/);
      }
      for (const name of deciders) {
        const s = statementsOf(stack, template, stack.workers.get(name as 'WorkflowDriver')!.role).filter(decides);
        // Resource "*": these actions take a task token and support no resource-level permissions
        expect(s, name).toEqual([{ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: '*' }]);
      }
    });

    it('no role may use any other Step Functions action, nor states:*', () => {
      const allowed = new Set([
        'states:StartExecution',
        'states:StopExecution',
        'states:DescribeExecution',
        'states:SendTaskSuccess',
        'states:SendTaskFailure',
      ]);
      const used = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as Statement[]).flatMap(actionsOf).filter((a) => a.startsWith('states:') || a === '*'),
      );
      expect(used.filter((a) => !allowed.has(a))).toEqual([]);
    });

    it('gives both state machine ARNs to every function that starts or stops executions (the adapter is built from both), and to no other', () => {
      for (const { name, fn } of allFunctions(stack)) {
        const env = envOf(fn);
        const access = EXPECTED_WORKFLOW_ACCESS[name];
        if (access && access.start.length + access.stop.length > 0) {
          expect(env.APPROVAL_STATE_MACHINE_ARN, name).toEqual({ Ref: smId.approval });
          expect(env.EMERGENCY_STATE_MACHINE_ARN, name).toEqual({ Ref: smId.emergency });
        } else {
          expect(env.APPROVAL_STATE_MACHINE_ARN, name).toBeUndefined();
          expect(env.EMERGENCY_STATE_MACHINE_ARN, name).toBeUndefined();
        }
      }
    });
  });

  describe('the event bus', () => {
    it(`is a custom bus named ${DEFAULT_EVENT_BUS_NAME} by default, another by props, and refuses the default bus`, () => {
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: DEFAULT_EVENT_BUS_NAME });
      synth({ eventBusName: 'changeflow-staging' }).template.hasResourceProperties('AWS::Events::EventBus', { Name: 'changeflow-staging' });
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { identity: { issuer: ISSUER }, eventBusName: 'default' })).toThrow(
        /eventBusName \(EVENT_BUS_NAME\): must be/,
      );
      expect(() => new ChangeflowStack(app, 'B', { identity: { issuer: ISSUER }, eventBusName: 'with space' })).toThrow(
        /eventBusName \(EVENT_BUS_NAME\): must be/,
      );
    });

    it('keeps 14 days of the events in an archive, for replay', () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: getAtt(logicalId(stack, stack.eventBus)),
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: 14,
      });
    });

    it('only the outbox relay may PutEvents, on this bus only, and is told its name: no function that writes change requests publishes', () => {
      const busArn = getAtt(logicalId(stack, stack.eventBus));
      for (const { name, role, fn } of allFunctions(stack)) {
        const puts = statementsOf(stack, template, role).filter((s) => actionsOf(s).some((a) => a.startsWith('events:') || a === '*'));
        if (EXPECTED_PUBLISHERS.includes(name)) {
          expect(puts, name).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }]);
          expect(envOf(fn).EVENT_BUS_NAME, name).toEqual({ Ref: logicalId(stack, stack.eventBus) });
        } else {
          expect(puts, name).toEqual([]);
          expect(envOf(fn).EVENT_BUS_NAME, name).toBeUndefined();
        }
      }
      expect(rolesWith(template, (s) => actionsOf(s).some((a) => a.startsWith('events:')))).toEqual(
        EXPECTED_PUBLISHERS.map((n) => logicalId(stack, allFunctions(stack).find((f) => f.name === n)!.role)).sort(),
      );
    });
  });

  describe('notifications', () => {
    let notifications: { fn: { node: { defaultChild?: unknown } }; role: { node: { defaultChild?: unknown } } };
    let fnId: string;
    let queueId: string;
    let ruleId: string;

    beforeAll(() => {
      notifications = stack.workers.get('Notifications')!;
      fnId = logicalId(stack, notifications.fn);
      queueId = logicalId(stack, stack.notificationsDeadLetterQueue);
      ruleId = logicalId(stack, stack.notificationsRule);
    });

    it('a rule on the bus matches source changeflow and exactly the notified event types, and targets the Notifications function, with a dead-letter queue and a retry policy', () => {
      expect(WORKER_FUNCTIONS.Notifications.entry).toBe('functions/lambda/notifications.ts');
      // the notifications', the workflow driver's, the webhook processor's and the outbound consumer's
      template.resourceCountIs('AWS::Events::Rule', 4);
      expect(resources[ruleId]!.Properties).toMatchObject({
        EventBusName: { Ref: logicalId(stack, stack.eventBus) },
        State: 'ENABLED',
        EventPattern: { source: [EVENT_SOURCE], 'detail-type': [...NOTIFIED_EVENTS] },
      });
      expect(Object.keys(resources[ruleId]!.Properties.EventPattern).sort()).toEqual(['detail-type', 'source']);
      expect(resources[ruleId]!.Properties.Targets).toEqual([
        {
          Id: expect.any(String),
          Arn: getAtt(fnId),
          DeadLetterConfig: { Arn: getAtt(queueId) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        },
      ]);
      // EventBridge may invoke the function from this rule only
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fnId),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(ruleId),
      });
    });

    it('a failure inside the function lands in the same queue after Lambda retried it twice (EventBridge invokes asynchronously)', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 7200,
        DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } },
      });
    });

    it('the dead-letter queue is encrypted, refuses plain HTTP, takes messages from the rule only (besides the function role), keeps them 14 days, and has an alarm', () => {
      expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      const policies = Object.values(resources).filter(
        (r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
      );
      expect(policies).toHaveLength(1);
      const statements = policies[0]!.Properties.PolicyDocument.Statement as (Statement & { Principal: unknown })[];
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } },
          }),
        ]),
      );
      expect(statements.filter((s) => s.Effect === 'Allow')).toHaveLength(1);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        Threshold: 1,
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/notifications-dlq\\.md'),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/notifications-dlq\\.md'),
      });
    });

    it('the function reads the directory and writes, updates and deletes only its dedupe records (IDEMPOTENCY#…), and puts only communication log entries (COMM#…), nothing else in the table', () => {
      const tableArn = getAtt(logicalId(stack, stack.table));
      const dynamo = statementsOf(stack, template, notifications.role).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toEqual([
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }] },
        {
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: tableArn,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${IDEMPOTENCY_KEY_PREFIX}*`] } },
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: tableArn,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COMM#*'] } },
        },
      ]);
    });

    it('the function may send email only as the sending identity, as the email jobs do', () => {
      const ses = statementsOf(stack, template, notifications.role).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      expect(ses).toEqual([
        {
          Effect: 'Allow',
          Action: 'ses:SendEmail',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/changeflow@example.com'],
            ],
          },
        },
      ]);
      const { stack: st, template: t } = synth({ mail: { sesIdentity: 'corp.example', configurationSet: 'changeflow-events' } });
      const scoped = statementsOf(st, t, st.workers.get('Notifications')!.role).filter((s) => actionsOf(s).includes('ses:SendEmail'));
      expect(JSON.stringify(scoped.flatMap(resourcesOf))).toMatch(/:identity\/corp\.example".*:configuration-set\/changeflow-events"/);
    });

    it('the function may do nothing else: no Step Functions, no events, no other secret', () => {
      const actions = statementsOf(stack, template, notifications.role).flatMap(actionsOf);
      expect(actions.filter((a) => a.startsWith('states:') || a.startsWith('events:') || a === '*')).toEqual([]);
      expect(envOf(notifications.fn).EVENT_BUS_NAME).toBeUndefined();
    });

    it('links point at the API by default (PUBLIC_BASE_URL), at publicBaseUrl when given; http and a base path are refused', () => {
      expect(envOf(notifications.fn).PUBLIC_BASE_URL).toEqual({
        'Fn::Join': ['', ['https://', { Ref: logicalId(stack, stack.api) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/']],
      });
      const custom = synth({ publicBaseUrl: 'https://changes.example.com' });
      expect(
        custom.template.toJSON().Resources[logicalId(custom.stack, custom.stack.workers.get('Notifications')!.fn)].Properties.Environment.Variables
          .PUBLIC_BASE_URL,
      ).toBe('https://changes.example.com');
      // only the functions that write links (emails; Slack and PagerDuty; GitHub's comments) are told where they point
      const linkWriters = ['Notifications', 'Outbound', 'WebhookProcessor'];
      for (const name of linkWriters)
        expect(envOf(stack.workers.get(name as 'Outbound')!.fn).PUBLIC_BASE_URL, name).toEqual(envOf(notifications.fn).PUBLIC_BASE_URL);
      for (const { name, fn } of allFunctions(stack)) if (!linkWriters.includes(name)) expect(envOf(fn).PUBLIC_BASE_URL, name).toBeUndefined();
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { identity: { issuer: ISSUER }, publicBaseUrl: 'http://changes.example.com' })).toThrow(
        /publicBaseUrl \(PUBLIC_BASE_URL\): must be an https URL/,
      );
      // the confirmation page posts to /approvals/decide: a base path would lose the decision
      expect(() => new ChangeflowStack(app, 'B', { identity: { issuer: ISSUER }, publicBaseUrl: 'https://example.com/changeflow' })).toThrow(/no path/);
      expect(() => new ChangeflowStack(app, 'C', { identity: { issuer: ISSUER }, publicBaseUrl: 'https://changes.example.com/' })).not.toThrow();
    });
  });

  describe('the outbox relay (the table stream to the bus)', () => {
    let relay: { fn: { node: { defaultChild?: unknown } }; role: { node: { defaultChild?: unknown } } };
    let queueId: string;
    beforeAll(() => {
      relay = stack.workers.get('EventRelay')!;
      queueId = logicalId(stack, stack.node.findChild('EventRelayDeadLetterQueue').node.findChild('Default') as never);
    });

    it('the table has a stream of new images, the view the outbox needs and the one ensureTable gives DynamoDB Local', () => {
      expect(resources[logicalId(stack, stack.table)]!.Properties.StreamSpecification).toEqual({ StreamViewType: TABLE_KEYS.streamView });
      expect(TABLE_KEYS.streamView).toBe('NEW_IMAGE');
    });

    it('the stream invokes EventRelay with new outbox items only, from the oldest record, in order, a failing record retried alone, then into its dead-letter queue', () => {
      expect(WORKER_FUNCTIONS.EventRelay.entry).toBe('functions/lambda/event-relay.ts');
      const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      expect(mappings[0]!.Properties).toEqual({
        FunctionName: { Ref: logicalId(stack, relay.fn) },
        EventSourceArn: getAtt(logicalId(stack, stack.table), 'StreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 25,
        ParallelizationFactor: 1,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 12 * 3600,
        DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } },
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: OUTBOX_PREFIX }] } } } }) }],
        },
      });
    });

    it('EventRelay may read the stream and PutEvents on the bus, and nothing of the table itself', () => {
      const statements = statementsOf(stack, template, relay.role);
      const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
      expect(dynamo.sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].sort());
      expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('states:') || a.startsWith('ses:') || a.startsWith('secretsmanager:'))).toEqual([]);
    });

    it('its dead-letter queue has an alarm that names the runbook, and the stack outputs its URL', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/event-relay-dlq\\.md'),
      });
      template.hasOutput('EventRelayDeadLetterQueueUrl', { Value: { Ref: queueId } });
    });
  });

  describe('the workflow driver', () => {
    let driver: { fn: { node: { defaultChild?: unknown } }; role: { node: { defaultChild?: unknown } } };
    let ruleId: string;
    let queueId: string;
    beforeAll(() => {
      driver = stack.workers.get('WorkflowDriver')!;
      ruleId = logicalId(stack, stack.node.findChild('WorkflowDriver').node.findChild('Rule') as never);
      queueId = logicalId(stack, stack.node.findChild('WorkflowDriverDeadLetterQueue').node.findChild('Default') as never);
    });

    it('a rule on the bus sends it exactly the events that move a workflow, with a dead-letter queue and a retry policy', () => {
      expect(WORKER_FUNCTIONS.WorkflowDriver.entry).toBe('functions/lambda/workflow-driver.ts');
      expect(resources[ruleId]!.Properties).toMatchObject({
        EventBusName: { Ref: logicalId(stack, stack.eventBus) },
        EventPattern: { source: [EVENT_SOURCE], 'detail-type': [...DRIVEN_EVENTS] },
        Targets: [
          {
            Id: expect.any(String),
            Arn: getAtt(logicalId(stack, driver.fn)),
            DeadLetterConfig: { Arn: getAtt(queueId) },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
          },
        ],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(stack, driver.fn) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } },
      });
    });

    it('reads the table and writes nothing in it, sends no email and publishes nothing', () => {
      const actions = statementsOf(stack, template, driver.role).flatMap(actionsOf);
      expect(actions.filter((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|\*)$/.test(a))).toEqual([]);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('events:'))).toEqual([]);
    });

    it('its dead-letter queue has an alarm that names the runbook', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/workflow-driver-dlq\\.md'),
      });
    });
  });

  describe('the approval link key', () => {
    let secretId: string;

    beforeAll(() => {
      secretId = logicalId(stack, stack.approvalLinkSecret);
    });

    it('is generated: 64 letters and digits, which the functions decode as base64 to 48 bytes (at least the 32 they require)', () => {
      const gen = resources[secretId]!.Properties.GenerateSecretString;
      expect(gen).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 });
      // letters and digits are base64 characters: any such value decodes to 3/4 of its length
      expect(Buffer.from('aZ09'.repeat(16), 'base64').byteLength).toBe(48);
      expect(48).toBeGreaterThanOrEqual(MIN_KEY_BYTES);
    });

    it('is readable by ApprovalLinks and Reports (verify) and Notifications (signs) only, and named in their environment only', () => {
      const readers = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(`"${secretId}"`))
        .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref))
        .sort();
      const linkGroup = ROUTE_GROUPS.find((g) => g.routes.some((r) => r.path === APPROVAL_LINKS_PATH))!;
      expect(linkGroup.name).toBe('ApprovalLinks');
      expect(readers).toEqual(
        [
          logicalId(stack, stack.functions.get('ApprovalLinks')!.role),
          logicalId(stack, stack.functions.get('Reports')!.role),
          logicalId(stack, stack.workers.get('Notifications')!.role),
        ].sort(),
      );
      for (const { name, role, fn } of allFunctions(stack)) {
        const reads = statementsOf(stack, template, role).filter((s) => JSON.stringify(s.Resource).includes(`"${secretId}"`));
        if (name === 'ApprovalLinks' || name === 'Reports' || name === 'Notifications') {
          expect(reads, name).toEqual([
            { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: secretId } },
          ]);
          expect(envOf(fn).APPROVAL_LINK_SECRET_ID, name).toEqual({ Ref: secretId });
        } else {
          expect(envOf(fn).APPROVAL_LINK_SECRET_ID, name).toBeUndefined();
        }
        expect(envOf(fn).APPROVAL_LINK_KEY, name).toBeUndefined(); // the key itself never sits in an environment
      }
    });
  });

  describe('the template as a whole', () => {
    it('has no dependency cycle (state machines → WorkflowTasks; route functions → state machines; Notifications → API URL)', () => {
      const refs = (v: unknown, out: Set<string>): void => {
        if (Array.isArray(v)) {
          for (const x of v) refs(x, out);
        } else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k === 'Ref' && typeof x === 'string' && resources[x]) out.add(x);
            else if (k === 'Fn::GetAtt') out.add(Array.isArray(x) ? String(x[0]) : String(x).split('.')[0]!);
            else refs(x, out);
          }
        }
      };
      const graph = new Map<string, Set<string>>();
      for (const [id, r] of Object.entries(resources)) {
        const deps = new Set<string>([r.DependsOn ?? []].flat());
        refs(r.Properties, deps);
        graph.set(id, deps);
      }
      const state = new Map<string, 'visiting' | 'done'>();
      const trail: string[] = [];
      const visit = (n: string): string[] | undefined => {
        state.set(n, 'visiting');
        trail.push(n);
        for (const m of graph.get(n) ?? []) {
          if (state.get(m) === 'visiting') return [...trail.slice(trail.indexOf(m)), m];
          if (!state.has(m)) {
            const cycle = visit(m);
            if (cycle) return cycle;
          }
        }
        trail.pop();
        state.set(n, 'done');
        return undefined;
      };
      for (const n of graph.keys()) if (!state.has(n)) expect(visit(n), 'cycle').toBeUndefined();
    });

    it('every runbook an alarm or an acknowledgement points to exists', () => {
      const text = JSON.stringify(template.toJSON());
      const runbooks = new Set([...text.matchAll(/docs\/runbooks\/[a-z0-9-]+\.md/g)].map((m) => m[0]));
      for (const r of ['workflow-failed', 'notifications-dlq']) expect(runbooks).toContain(`docs/runbooks/${r}.md`);
      for (const runbook of [...runbooks, 'docs/runbooks/approval-link-key.md']) expect(existsSync(path.join(REPO_ROOT, runbook)), runbook).toBe(true);
    });
  });
});

describe('the app (bin/app.ts): approval settings from context', () => {
  it('reads the bus name, the public base URL and the approval timers', () => {
    const app = new App({
      context: {
        ...SKIP_BUNDLING,
        jwtIssuer: ISSUER,
        eventBusName: 'changeflow-staging',
        publicBaseUrl: 'https://changes.example.com',
        remindEveryHours: '12',
        escalateAfterHours: '36',
        expireAfterHours: '120',
      },
    });
    const stack = buildChangeflowApp(app);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'changeflow-staging' });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REMIND_EVERY_HOURS: '12', ESCALATE_AFTER_HOURS: '36', EXPIRE_AFTER_HOURS: '120' }) },
    });
    const notifications = template.toJSON().Resources[stack.getLogicalId(stack.workers.get('Notifications')!.fn.node.defaultChild as CfnRole)];
    expect(notifications.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://changes.example.com');
  });

  it('refuses a timer that is not a positive number, naming the context key', () => {
    const app = new App({ context: { ...SKIP_BUNDLING, remindEveryHours: 'daily' } });
    expect(() => buildChangeflowApp(app)).toThrow(
      /approvalTimers\.remindEveryHours \(-c remindEveryHours, REMIND_EVERY_HOURS\): must be a positive number of hours, got "daily"/,
    );
  });
});

describe('monitoring settings', () => {
  it('the interval and the rollback report time of the settings are the waits of the deployed monitoring flow, and every function is told them', () => {
    const { template: t } = synth({ monitoring: { intervalSeconds: 30, rollbackReportMinutes: 45, minutes: 'normal=90' } });
    const machines = Object.values(t.toJSON().Resources as Record<string, { Type: string; Properties: { DefinitionString?: unknown } }>).filter(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    const monitoring = machines.map((m) => JSON.parse(String(m.Properties.DefinitionString))).find((d) => d.States.WaitOneInterval);
    expect(monitoring.States.WaitOneInterval.Seconds).toBe(30);
    expect(monitoring.States.WaitForRollbackReport.Seconds).toBe(45 * 60);
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ MONITORING_MINUTES: 'normal=90', MONITORING_INTERVAL_SECONDS: '30', ROLLBACK_REPORT_TIMEOUT_MINUTES: '45' }),
      },
    });
  });

  it('a Prometheus query set that is not JSON stops the synth, naming the setting', () => {
    expect(() => synth({ monitoring: { prometheusUrl: 'https://prom.example.com', prometheusQueries: '{not json' } })).toThrow(
      /monitoring\.prometheusQueries \(-c prometheusQueries, PROMETHEUS_QUERIES\): must be JSON/,
    );
  });

  const cloudwatchStatements = (t: Template) =>
    Object.values(t.toJSON().Resources as Record<string, { Type: string; Properties: { PolicyDocument?: { Statement: Statement[] } } }>)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument?.Statement ?? [])
      .filter((st) => actionsOf(st).some((a) => a.startsWith('cloudwatch:')));

  it('with CloudWatch metrics configured, the task function may GetMetricData and DescribeAlarms on exactly the named alarms; without, nobody reads CloudWatch', () => {
    expect(cloudwatchStatements(synth().template)).toEqual([]);
    const metrics = {
      'API Server': {
        fields: { requests: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', stat: 'Sum' } },
        criticalAlarms: ['payments-5xx'],
      },
    };
    const { template: t } = synth({ monitoring: { cloudwatchMetrics: JSON.stringify(metrics) } });
    const found = cloudwatchStatements(t);
    expect(found.map((st) => [actionsOf(st), resourcesOf(st)])).toEqual([
      [['cloudwatch:GetMetricData'], ['*']],
      [
        ['cloudwatch:DescribeAlarms'],
        [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:payments-5xx'],
            ],
          },
        ],
      ],
    ]);
  });
});
