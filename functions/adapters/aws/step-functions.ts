/**
 * WorkflowEngine on AWS Step Functions (Standard workflows; callbacks need Standard).
 */
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { requireSettings, type Config } from '../../config.js';
import { TaskClosedError, type TaskCallbacks, type WorkflowEngine, type WorkflowName } from '../../ports.js';

/** SendTaskFailure / StopExecution limits (characters). */
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32_768;

/** `arn:…:states:region:account:stateMachine:Name` + execution name → `arn:…:states:region:account:execution:Name:name`. */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

/** Cuts to at most `max` UTF-16 units without leaving half a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
}

/** A token that is unknown, malformed, already used, or whose task timed out or was stopped. */
const CLOSED_TASK_ERRORS = new Set(['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut']);

function isClosedTaskError(error: unknown): boolean {
  return CLOSED_TASK_ERRORS.has(errorName(error) ?? '');
}

/**
 * The callback tasks alone: what the WorkflowTasks function needs (a task completes itself when its
 * decision came first) without the state machines' ARNs, which would make the stack a cycle.
 */
export class StepFunctionsTaskCallbacks implements TaskCallbacks {
  constructor(protected readonly client: SFNClient) {}

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (isClosedTaskError(error)) throw new TaskClosedError((error as Error).message, { cause: error });
      throw error;
    }
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: truncate(error, MAX_ERROR_LENGTH),
          cause: truncate(cause, MAX_CAUSE_LENGTH),
        }),
      );
    } catch (failure) {
      if (isClosedTaskError(failure)) throw new TaskClosedError((failure as Error).message, { cause: failure });
      throw failure;
    }
  }
}

export class StepFunctionsEngine extends StepFunctionsTaskCallbacks implements WorkflowEngine {
  /** The engine of a function that starts, stops or decides workflows: it needs every state machine's ARN. */
  static fromConfig(config: Config, who: string): StepFunctionsEngine {
    const arns = requireSettings(
      config,
      ['APPROVAL_STATE_MACHINE_ARN', 'EMERGENCY_STATE_MACHINE_ARN', 'MONITORING_STATE_MACHINE_ARN'],
      `${who} starts, stops or decides workflows`,
    );
    return new StepFunctionsEngine(new SFNClient({}), {
      approval: arns.APPROVAL_STATE_MACHINE_ARN,
      emergency: arns.EMERGENCY_STATE_MACHINE_ARN,
      monitoring: arns.MONITORING_STATE_MACHINE_ARN,
    });
  }

  constructor(
    client: SFNClient,
    private readonly stateMachineArns: Record<WorkflowName, string>,
  ) {
    super(client);
  }

  executionIdOf(workflow: WorkflowName, name: string): string {
    return executionArn(this.stateMachineArns[workflow], name);
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<string> {
    const stateMachineArn = this.stateMachineArns[workflow];
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return out.executionArn ?? executionArn(stateMachineArn, name);
    } catch (error) {
      // Same name and input while running is answered with success by AWS itself; a closed execution
      // or another input gives ExecutionAlreadyExists. Either way the name is taken by that execution.
      if (errorName(error) === 'ExecutionAlreadyExists') return executionArn(stateMachineArn, name);
      throw error;
    }
  }

  async exists(workflow: WorkflowName, name: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArns[workflow], name) }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  }

  async stop(executionId: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: executionId, cause: truncate(cause, MAX_CAUSE_LENGTH) }));
    } catch (error) {
      // Stopping an execution that already ended is not an error: check, and rethrow only if it still runs.
      let status: string | undefined;
      try {
        status = (await this.client.send(new DescribeExecutionCommand({ executionArn: executionId }))).status;
      } catch {
        throw error;
      }
      if (status === undefined || status === 'RUNNING' || status === 'PENDING_REDRIVE') throw error;
    }
  }
}
