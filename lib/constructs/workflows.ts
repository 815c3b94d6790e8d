/**
 * The approval and emergency workflows: one Standard state machine per ASL file of lib/workflows,
 * its log group and an alarm on its failed executions, and who may start, stop and decide them.
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type CfnStateMachine, DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowName } from '../../functions/ports.js';
import type { WorkflowAccess } from '../../functions/routes.js';
import type { LogSettings } from '../settings.js';
import { definitionText, placeholders, WORKFLOW_NAMES, withNumbers } from '../workflows/definitions.js';
import { ALARM_PERIOD, RunbookAlarm } from './alarms.js';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

/** Whether a function makes any Step Functions call (and so needs both state machine ARNs). */
export function hasWorkflowAccess(access: WorkflowAccess | undefined): boolean {
  return Boolean(access && ((access.start?.length ?? 0) > 0 || (access.stop?.length ?? 0) > 0 || access.decide));
}

/** A workflow's state machine and what watches it. */
export interface ChangeflowWorkflow {
  readonly name: WorkflowName;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly failedAlarm: Alarm;
}

export interface ChangeflowWorkflowsProps {
  /** The function every task state invokes; the state machines may invoke it and nothing else. */
  readonly tasks: ChangeflowFunction;
  /** The durations the ASL files take by substitution, from the core and the settings (`workflowDurations`). */
  readonly durations: Record<string, number>;
  readonly logs: Required<LogSettings>;
  /**
   * Whom the failed-execution alarms notify.
   *
   * @default - nobody
   */
  readonly alarmAction?: IAlarmAction;
}

export class ChangeflowWorkflows extends Construct {
  readonly all: ReadonlyMap<WorkflowName, ChangeflowWorkflow>;

  constructor(scope: Construct, id: string, props: ChangeflowWorkflowsProps) {
    super(scope, id);
    this.all = new Map(WORKFLOW_NAMES.map((name) => [name, this.newWorkflow(name, props)]));
  }

  /** Exactly the Step Functions calls a function declares (WorkflowAccess in functions/routes.ts). */
  grant(fn: ChangeflowFunction, access: WorkflowAccess | undefined): void {
    for (const name of new Set(access?.start ?? [])) this.grantStart(fn, name);
    for (const name of new Set(access?.stop ?? [])) this.grantStop(fn, name);
    if (access?.decide) this.grantDecide(fn);
  }

  /**
   * states:StartExecution on this one state machine, and DescribeExecution on its executions (the
   * reconciler asks whether one was started).
   */
  grantStart(fn: ChangeflowFunction, name: WorkflowName): void {
    this.workflow(name).stateMachine.grantStartExecution(fn.role);
    this.grantOnExecutions(fn, name, ['states:DescribeExecution']);
    this.tellArns(fn);
  }

  /**
   * states:StopExecution, and DescribeExecution to tell an execution that already ended, on the
   * executions of this one state machine: `arn:…:execution:<state machine name>:*`.
   */
  grantStop(fn: ChangeflowFunction, name: WorkflowName): void {
    this.grantOnExecutions(fn, name, ['states:StopExecution', 'states:DescribeExecution']);
    this.tellArns(fn);
  }

  /** Actions on the executions of one state machine: `arn:…:execution:<state machine name>:*`. */
  private grantOnExecutions(fn: ChangeflowFunction, name: WorkflowName, actions: string[]): void {
    const stack = Stack.of(this);
    const { stateMachine } = this.workflow(name);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const smId = stack.getLogicalId(stateMachine.node.defaultChild as CfnStateMachine);
    // how cdk-nag writes the ARN: a pseudo parameter as <AWS::Name>, a known value (env given) as is
    const pseudo = (value: string, pseudoName: string) => (Token.isUnresolved(value) ? `<AWS::${pseudoName}>` : value);
    const arnPrefix = `arn:${pseudo(stack.partition, 'Partition')}:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}`;
    acknowledge(
      fn.role,
      `IAM5[Resource::${arnPrefix}:execution:<${smId}.Name>:*]`,
      `The wildcard covers only the executions of the ${name} state machine, whose names (one per change and revision) are not known in advance.`,
    );
  }

  /**
   * states:SendTaskSuccess and SendTaskFailure, which complete an approval's callback task: on "*",
   * in a policy of the function's own, so that its acknowledgement carries its own reason. The task
   * token is all the call needs: no state machine ARN is told (WorkflowTasks, which the state
   * machines reference, could not be told theirs without a cycle).
   */
  grantDecide(fn: ChangeflowFunction): void {
    const policy = new Policy(fn, 'TaskResponsePolicy', {
      roles: [fn.role],
      statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] })],
    });
    acknowledge(
      policy,
      'IAM5[Resource::*]',
      'SendTaskSuccess and SendTaskFailure take a task token and support no resource-level permissions (Service Authorization Reference for Step Functions), so only the workflow driver and the task function hold them, on Resource "*".',
    );
  }

  private workflow(name: WorkflowName): ChangeflowWorkflow {
    const workflow = this.all.get(name);
    if (!workflow) throw new Error(`no workflow ${name}: lib/workflows has ${WORKFLOW_NAMES.join(', ')}`);
    return workflow;
  }

  /** A function with any Step Functions permission is told every ARN: the adapter is built from them. */
  private tellArns(fn: ChangeflowFunction): void {
    fn.addEnvironment('APPROVAL_STATE_MACHINE_ARN', this.workflow('approval').stateMachine.stateMachineArn);
    fn.addEnvironment('EMERGENCY_STATE_MACHINE_ARN', this.workflow('emergency').stateMachine.stateMachineArn);
    fn.addEnvironment('MONITORING_STATE_MACHINE_ARN', this.workflow('monitoring').stateMachine.stateMachineArn);
  }

  /**
   * One Standard state machine from its ASL file: every event logged, without its data, to a log
   * group with a retention, X-Ray tracing on, and a role that may invoke the WorkflowTasks function only
   * (besides the log delivery and tracing calls that logging and X-Ray need).
   */
  private newWorkflow(name: WorkflowName, props: ChangeflowWorkflowsProps): ChangeflowWorkflow {
    const stack = Stack.of(this);
    const title = `${name[0]!.toUpperCase()}${name.slice(1)}`;
    const id = `${title}Workflow`;
    // the durations are written into the text here; CloudFormation substitutes the ARN
    const text = withNumbers(definitionText(name), props.durations);
    const substitutions: Record<string, string> = { WorkflowTasksFunctionArn: props.tasks.fn.functionArn };
    // every placeholder of the file has its substitution, and every substitution a placeholder
    const wanted = placeholders(name).filter((key) => !Object.hasOwn(props.durations, key));
    if (JSON.stringify(wanted) !== JSON.stringify(Object.keys(substitutions).sort())) {
      throw new Error(
        `lib/workflows/${name}.asl.json uses the placeholders ${wanted.join(', ')}, the stack substitutes ${Object.keys(substitutions).join(', ')}`,
      );
    }

    // The state machine and its log group are children of the stack, not of this construct: they
    // keep the logical IDs they had before the constructs (test/infra/logical-ids.test.ts).
    // Step Functions adds a log group to the account's CloudWatch Logs resource policy, which has
    // a size limit; under /aws/vendedlogs/ it adds one wildcard instead of one entry per group.
    const logGroup = new LogGroup(stack, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-${name}`,
      retention: props.logs.retention,
      removalPolicy: props.logs.removalPolicy,
    });
    const stateMachine = new StateMachine(stack, id, {
      stateMachineType: StateMachineType.STANDARD, // callbacks (waitForTaskToken) need Standard
      // fromString, not fromFile: fromFile uploads the file as an S3 asset and the template only
      // points at it, while fromString inlines the text, so the template carries the definition
      // and the infra tests can compare it with the ASL file. The placeholders stay as they are
      // in the file; CloudFormation substitutes them (DefinitionSubstitutions).
      definitionBody: DefinitionBody.fromString(text),
      definitionSubstitutions: substitutions,
      // Every event (cdk-nag SF1), but not its input and output: the approval's callback payload carries
      // the task token that decides it, and every state's data the change request itself.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    props.tasks.fn.grantInvoke(stateMachine.role);

    const taskFnId = stack.getLogicalId(props.tasks.fn.node.defaultChild as CfnFunction);
    acknowledge(
      stateMachine.role,
      `IAM5[Resource::<${taskFnId}.Arn>:*]`,
      'The wildcard covers only the versions and aliases of the WorkflowTasks function, which grantInvoke adds next to its unqualified ARN.',
    );
    acknowledge(
      stateMachine.role,
      'IAM5[Resource::*]',
      'The CloudWatch Logs delivery calls that execution logging needs and the X-Ray PutTraceSegments and PutTelemetryRecords calls of tracing do not support resource-level permissions, so they need Resource "*".',
    );

    const failedAlarm = new RunbookAlarm(this, `${title}FailedAlarm`, {
      summary: `ChangeFlow ${name} workflow: an execution failed`,
      metric: stateMachine.metricFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
      runbook: 'workflow-failed',
      action: props.alarmAction,
    });
    return { name, stateMachine, logGroup, failedAlarm };
  }
}
