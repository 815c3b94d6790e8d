import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionArn, StepFunctionsEngine } from '../../functions/adapters/aws/step-functions.js';
import { TaskClosedError } from '../../functions/ports.js';

const APPROVAL_SM = 'arn:aws:states:eu-central-1:123456789012:stateMachine:ChangeflowApproval';
const EMERGENCY_SM = 'arn:aws:states:eu-central-1:123456789012:stateMachine:ChangeflowEmergency';
const $metadata = { httpStatusCode: 400 };

describe('StepFunctionsEngine', () => {
  const client = new SFNClient({ region: 'eu-central-1' });
  const sfn = mockClient(client);
  let engine: StepFunctionsEngine;

  beforeEach(() => {
    sfn.reset();
    engine = new StepFunctionsEngine(client, {
      approval: APPROVAL_SM,
      emergency: EMERGENCY_SM,
      monitoring: `${EMERGENCY_SM.replace(/Emergency/g, 'Monitoring')}`,
    });
  });
  afterEach(() => sfn.reset());

  it('rule: start runs the named execution on the workflow state machine with the input as JSON', async () => {
    // Prepare
    const arn = `${APPROVAL_SM.replace(':stateMachine:', ':execution:')}:CR-1-r2`;
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    // Act
    const id = await engine.start('approval', 'CR-1-r2', { changeId: 'CR-1', revision: 2 });
    // Assess
    expect(id).toBe(arn);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn: APPROVAL_SM });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: APPROVAL_SM,
      name: 'CR-1-r2',
      input: '{"changeId":"CR-1","revision":2}',
    });
  });

  it('rule: start is idempotent on the name — ExecutionAlreadyExists answers the existing execution ARN', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata }));
    // Act
    const id = await engine.start('emergency', 'CR-9-emergency', { changeId: 'CR-9', startedAt: '2026-11-24T15:00:00.000Z' });
    // Assess
    expect(id).toBe('arn:aws:states:eu-central-1:123456789012:execution:ChangeflowEmergency:CR-9-emergency');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: EMERGENCY_SM,
      name: 'CR-9-emergency',
      input: '{"changeId":"CR-9","startedAt":"2026-11-24T15:00:00.000Z"}',
    });
  });

  it('rule: other start errors are not swallowed', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ValidationException({ message: 'bad name', $metadata }));
    // Act / Assess
    await expect(engine.start('approval', 'x y', {})).rejects.toBeInstanceOf(ValidationException);
  });

  it('rule: an execution ARN is the state machine ARN with execution:<machine>:<name> (any partition)', () => {
    // Prepare / Act / Assess
    expect(executionArn('arn:aws-us-gov:states:us-gov-west-1:1:stateMachine:M', 'n')).toBe('arn:aws-us-gov:states:us-gov-west-1:1:execution:M:n');
    expect(() => executionArn('arn:aws:lambda:eu-central-1:1:function:f', 'n')).toThrow(/Not a state machine ARN/);
  });

  it('rule: stop sends StopExecution with the cause (truncated to 32768)', async () => {
    // Prepare
    const arn = executionArn(APPROVAL_SM, 'CR-1-r1');
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    // Act
    await engine.stop(arn, 'x'.repeat(40_000));
    // Assess
    expect(sfn).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: arn, cause: 'x'.repeat(32_768) });
  });

  it('rule: stopping an execution that already ended is not an error', async () => {
    // Prepare
    const arn = executionArn(APPROVAL_SM, 'CR-1-r1');
    sfn.on(StopExecutionCommand).rejects(new ValidationException({ message: 'Execution is not running', $metadata }));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'ABORTED', stateMachineArn: APPROVAL_SM, startDate: new Date() });
    // Act
    await engine.stop(arn, 'revision 2 superseded revision 1');
    // Assess
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: arn });
  });

  it('rule: a stop that fails on a still RUNNING or unknown execution throws', async () => {
    // Prepare
    const arn = executionArn(APPROVAL_SM, 'CR-1-r1');
    sfn.on(StopExecutionCommand).rejects(new ValidationException({ message: 'throttled?', $metadata }));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'RUNNING', stateMachineArn: APPROVAL_SM, startDate: new Date() });
    // Act / Assess
    await expect(engine.stop(arn, 'cancel')).rejects.toBeInstanceOf(ValidationException);

    // Prepare
    sfn.reset();
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata }));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata }));
    // Act / Assess
    await expect(engine.stop(arn, 'cancel')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('rule: sendTaskSuccess sends the token and the output as JSON', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});
    // Act
    await engine.sendTaskSuccess('token-1', { decision: 'approved', by: 'u-tom' });
    // Assess
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken: 'token-1' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"decision":"approved","by":"u-tom"}',
    });
  });

  it('rule: sendTaskFailure sends error (≤256) and cause (≤32768), truncated', async () => {
    // Prepare
    sfn.on(SendTaskFailureCommand).resolves({});
    // Act
    await engine.sendTaskFailure('token-2', 'R'.repeat(300), 'c'.repeat(33_000));
    await engine.sendTaskFailure('token-3', 'Rejected', 'Rejected by u-tom: no rollback plan');
    // Assess
    const inputs = sfn.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { taskToken: 'token-2', error: 'R'.repeat(256), cause: 'c'.repeat(32_768) },
      { taskToken: 'token-3', error: 'Rejected', cause: 'Rejected by u-tom: no rollback plan' },
    ]);
  });

  it.each([
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata })],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid token', $metadata })],
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata })],
  ])('rule: a closed task (%s) surfaces as TaskClosedError from success and failure alike', async (_name, make) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(make());
    sfn.on(SendTaskFailureCommand).rejects(make());
    // Act
    const success = engine.sendTaskSuccess('old-token', { decision: 'approved' });
    const failure = engine.sendTaskFailure('old-token', 'Rejected', 'no');
    // Assess
    await expect(success).rejects.toBeInstanceOf(TaskClosedError);
    await expect(failure).rejects.toBeInstanceOf(TaskClosedError);
  });

  it('rule: other task errors (e.g. InvalidOutput, throttling) are not mistaken for a closed task', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(new ValidationException({ message: 'Rate exceeded', $metadata }));
    // Act / Assess
    await expect(engine.sendTaskSuccess('token', {})).rejects.toBeInstanceOf(ValidationException);
  });
});
