import { afterEach, describe, expect, it } from 'vitest';
import { TaskClosedError } from '../../functions/ports.js';
import { LocalWorkflowEngine, type LocalWorkflowEngineOptions, type LocalWorkflowEvent } from '../../local/workflow-engine.js';

type Payload = Record<string, unknown>;

/** A fake of the workflow task function: records every payload, answers per task. */
function fakeTasks(answers: Partial<Record<string, (payload: Payload) => unknown>> = {}) {
  const calls: Payload[] = [];
  const tasks = async (payload: Payload): Promise<unknown> => {
    calls.push(payload);
    const answer = answers[String(payload['task'])];
    return answer ? answer(payload) : {};
  };
  return { calls, tasks, named: (task: string) => calls.filter((c) => c['task'] === task) };
}

/** What the use case gives an emergency flow: the instants of its reminder and deadline, from the start of the work. */
const emergencyInput = { startedAt: '2026-11-24T15:00:00.000Z', remindAt: '2026-11-25T03:00:00.000Z', dueAt: '2026-11-25T15:00:00.000Z' };

const routeTo =
  (route: 'auto' | 'approval', slots: string[] = []) =>
  () => ({ route, slots });

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const engines: LocalWorkflowEngine[] = [];
function engineWith(options: LocalWorkflowEngineOptions): LocalWorkflowEngine {
  const engine = new LocalWorkflowEngine({ waitTimeScale: 0, ...options });
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown('test over')));
});

/** Starts an approval with two slots and returns the two request-approval calls (with their tokens). */
async function twoSlotApproval(name = 'CR-2-r3') {
  const fake = fakeTasks({ route: routeTo('approval', ['eng-manager', 'cto']) });
  const engine = engineWith({ tasks: fake.tasks });
  const id = await engine.start('approval', name, { changeId: 'CR-2', revision: 3 });
  const requests = await until(() => fake.named('request-approval').length === 2 && fake.named('request-approval'), 'two approval requests');
  const token = (slot: string) => String(requests.find((r) => r['slot'] === slot)?.['taskToken']);
  return { fake, engine, id, requests, token };
}

describe('local workflow engine: approval', () => {
  it('rule: an auto-routed change is approved by the flow itself (Route → AutoApprove → Approved)', async () => {
    // Prepare
    const fake = fakeTasks({ route: routeTo('auto') });
    const engine = engineWith({ tasks: fake.tasks });
    // Act
    const id = await engine.start('approval', 'CR-1-r1', { changeId: 'CR-1', revision: 1 });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(id).toBe('local:approval:CR-1-r1');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.finalState).toBe('Approved');
    expect(result.path).toEqual(['Route', 'ChooseRoute', 'AutoApprove', 'Approved']);
    expect(fake.calls).toEqual([
      { task: 'route', changeId: 'CR-1', revision: 1 },
      { task: 'auto-approve', changeId: 'CR-1', revision: 1 },
    ]);
    expect(result.output).toEqual({ changeId: 'CR-1', revision: 1, routing: { route: 'auto', slots: [] } });
  });

  it('rule: one callback task per slot, each with its own unguessable token (≥ 100 chars)', async () => {
    // Prepare / Act
    const { engine, id, requests } = await twoSlotApproval();
    // Assess
    const withoutToken = requests.map(({ taskToken: _t, ...rest }) => rest);
    expect(withoutToken).toEqual(
      expect.arrayContaining([
        { task: 'request-approval', changeId: 'CR-2', revision: 3, slot: 'eng-manager' },
        { task: 'request-approval', changeId: 'CR-2', revision: 3, slot: 'cto' },
      ]),
    );
    const tokens = requests.map((r) => r['taskToken']);
    for (const token of tokens) expect(String(token).length).toBeGreaterThanOrEqual(100);
    expect(new Set(tokens).size).toBe(2);
    expect(engine.status(id)).toBe('RUNNING');
    expect(engine.pendingTasks(id).map((p) => p.state)).toEqual(['WaitForDecision', 'WaitForDecision']);
  });

  it('rule: all slots filled → Approved (decisions kept in the output, in slot order)', async () => {
    // Prepare
    const { engine, id, token } = await twoSlotApproval();
    // Act — quorum filled out of order
    await engine.sendTaskSuccess(token('cto'), { slot: 'cto', by: 'u-carol' });
    expect(engine.status(id)).toBe('RUNNING');
    await engine.sendTaskSuccess(token('eng-manager'), { slot: 'eng-manager', by: 'u-erin' });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.finalState).toBe('Approved');
    expect((result.output as { decisions: unknown }).decisions).toEqual([
      { slot: 'eng-manager', by: 'u-erin' },
      { slot: 'cto', by: 'u-carol' },
    ]);
  });

  it('rule: a used token is closed — deciding twice throws TaskClosedError', async () => {
    // Prepare
    const { engine, token } = await twoSlotApproval();
    await engine.sendTaskSuccess(token('cto'), { by: 'u-carol' });
    // Act
    const again = engine.sendTaskSuccess(token('cto'), { by: 'u-carol' });
    const unknown = engine.sendTaskFailure('no-such-token', 'Rejected', 'x');
    // Assess
    await expect(again).rejects.toBeInstanceOf(TaskClosedError);
    await expect(unknown).rejects.toBeInstanceOf(TaskClosedError);
  });

  it('rule: a rejection by any required approver ends the flow in Rejected, and the other slot closes', async () => {
    // Prepare
    const { engine, id, token } = await twoSlotApproval();
    // Act
    await engine.sendTaskFailure(token('eng-manager'), 'Rejected', 'Rejected by u-erin: no rollback plan');
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.finalState).toBe('Rejected');
    expect(result.path).toEqual(['Route', 'ChooseRoute', 'RequestApprovals', 'Rejected']);
    expect((result.output as { error: unknown }).error).toEqual({ Error: 'Rejected', Cause: 'Rejected by u-erin: no rollback plan' });
    await expect(engine.sendTaskSuccess(token('cto'), {})).rejects.toBeInstanceOf(TaskClosedError);
    expect(engine.pendingTasks()).toEqual([]);
  });

  it.each(['Expired', 'Superseded'])('rule: a slot failed with %s ends the flow in Ended', async (error) => {
    // Prepare
    const { engine, id, token } = await twoSlotApproval();
    // Act
    await engine.sendTaskFailure(token('cto'), error, `${error} by the application`);
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.finalState).toBe('Ended');
    expect((result.output as { error: { Error: string } }).error.Error).toBe(error);
  });

  it('rule: the 8-day safety-net timeout of a callback ends the flow in Ended (States.Timeout) and closes its token', async () => {
    // Prepare — 691200 s × 1e-6 ≈ 0.7 s
    const fake = fakeTasks({ route: routeTo('approval', ['tech-lead']) });
    const engine = engineWith({ tasks: fake.tasks, taskTimeoutScale: 1e-6 });
    // Act
    const id = await engine.start('approval', 'CR-3-r1', { changeId: 'CR-3', revision: 1 });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.finalState).toBe('Ended');
    expect((result.output as { error: { Error: string } }).error.Error).toBe('States.Timeout');
    const token = String(fake.named('request-approval')[0]?.['taskToken']);
    await expect(engine.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskClosedError);
  });

  it('rule: stop aborts the execution (ABORTED) and voids its tokens; stopping again is not an error', async () => {
    // Prepare
    const { engine, id, token } = await twoSlotApproval();
    // Act
    await engine.stop(id, 'revision 4 supersedes revision 3');
    // Assess
    expect(engine.status(id)).toBe('ABORTED');
    expect((await engine.waitFor(id)).cause).toBe('revision 4 supersedes revision 3');
    await expect(engine.sendTaskSuccess(token('cto'), {})).rejects.toBeInstanceOf(TaskClosedError);
    await expect(engine.sendTaskFailure(token('eng-manager'), 'Rejected', 'late')).rejects.toBeInstanceOf(TaskClosedError);
    await expect(engine.stop(id, 'again')).resolves.toBeUndefined();
    await expect(engine.stop('local:approval:from-before-a-restart', 'cancel')).resolves.toBeUndefined();
    expect(engine.pendingTasks()).toEqual([]);
  });

  it('rule: start is idempotent on the name — the same id, one execution, one route call', async () => {
    // Prepare
    const fake = fakeTasks({ route: routeTo('approval', ['tech-lead']) });
    const engine = engineWith({ tasks: fake.tasks });
    // Act
    const first = await engine.start('approval', 'CR-4-r1', { changeId: 'CR-4', revision: 1 });
    const second = await engine.start('approval', 'CR-4-r1', { changeId: 'CR-4', revision: 1 });
    await until(() => fake.named('request-approval').length === 1, 'approval request');
    const other = await engine.start('approval', 'CR-4-r2', { changeId: 'CR-4', revision: 2 });
    // Assess
    expect(second).toBe(first);
    expect(other).toBe('local:approval:CR-4-r2');
    expect(engine.executions().map((e) => [e.id, e.status])).toEqual([
      ['local:approval:CR-4-r1', 'RUNNING'],
      ['local:approval:CR-4-r2', 'RUNNING'],
    ]);
    await until(() => fake.named('route').length === 2, 'second route');
    expect(fake.named('route').map((c) => c['revision'])).toEqual([1, 2]);
  });

  it('rule: a failing task function fails the execution with the error name, as a Lambda function error would', async () => {
    // Prepare
    const fake = fakeTasks({
      route: () => {
        throw new RangeError('no such change');
      },
    });
    const engine = engineWith({ tasks: fake.tasks });
    // Act
    const id = await engine.start('approval', 'CR-5-r1', { changeId: 'CR-5', revision: 1 });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RangeError');
    expect(JSON.parse(String(result.cause))).toEqual({ errorType: 'RangeError', errorMessage: 'no such change' });
  });

  it('rule: an unknown route fails in the UnknownRoute Fail state (a workflow error, not an engine fault)', async () => {
    // Prepare
    const fake = fakeTasks({ route: () => ({ route: 'sideways', slots: [] }) });
    const engine = engineWith({ tasks: fake.tasks });
    // Act
    const id = await engine.start('approval', 'CR-6-r1', { changeId: 'CR-6', revision: 1 });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('UnknownRoute');
    expect(result.finalState).toBe('UnknownRoute');
  });

  it('rule: onEvent sees the interpreter events and the token lifecycle', async () => {
    // Prepare
    const events: LocalWorkflowEvent[] = [];
    const fake = fakeTasks({ route: routeTo('approval', ['tech-lead']) });
    const engine = engineWith({ tasks: fake.tasks, onEvent: (e) => events.push(e) });
    const id = await engine.start('approval', 'CR-7-r1', { changeId: 'CR-7', revision: 1 });
    const request = await until(() => fake.named('request-approval')[0], 'approval request');
    // Act
    await engine.sendTaskSuccess(String(request['taskToken']), { by: 'u-tom' });
    await engine.waitFor(id, 5_000);
    // Assess
    const engineEvents = events.flatMap((e) => (e.source === 'engine' ? [e.type] : []));
    expect(engineEvents).toEqual(['TaskTokenIssued', 'TaskTokenClosed', 'ExecutionFinished']);
    const entered = events.flatMap((e) => (e.source === 'interpreter' && e.event.type === 'StateEntered' ? [e.event.state.name] : []));
    expect(entered).toEqual(['Route', 'ChooseRoute', 'RequestApprovals', 'WaitForDecision', 'Approved']);
    expect(events.every((e) => e.executionId === id)).toBe(true);
  });
});

describe('local workflow engine: emergency', () => {
  it('rule: post-approved by the 12 h reminder → Done early, no overdue check', async () => {
    // Prepare
    const fake = fakeTasks({ 'post-approval-reminder': () => ({ done: true }) });
    const engine = engineWith({ tasks: fake.tasks, waitTimeScale: 0 });
    // Act
    const id = await engine.start('emergency', 'CR-8-emergency', { changeId: 'CR-8', ...emergencyInput });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(id).toBe('local:emergency:CR-8-emergency');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Notify', 'WaitForReminder', 'Remind', 'PostApproved', 'Done']);
    expect(fake.calls).toEqual([
      { task: 'emergency-started', changeId: 'CR-8' },
      { task: 'post-approval-reminder', changeId: 'CR-8' },
    ]);
  });

  it('rule: not post-approved at 12 h → wait until due (24 h) → CheckOverdue → Done', async () => {
    // Prepare
    const fake = fakeTasks({ 'post-approval-reminder': () => ({ done: false }) });
    const engine = engineWith({ tasks: fake.tasks, waitTimeScale: 0 });
    // Act
    const id = await engine.start('emergency', 'CR-9-emergency', { changeId: 'CR-9', ...emergencyInput });
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Notify', 'WaitForReminder', 'Remind', 'PostApproved', 'WaitUntilDue', 'CheckOverdue', 'Done']);
    expect(fake.calls.map((c) => c['task'])).toEqual(['emergency-started', 'post-approval-reminder', 'post-approval-overdue']);
  });

  it.each([
    ['at the start of the work', '2026-11-24T15:00:00.000Z', [43_200, 86_400]],
    ['20 h after it (a flow started late, or again after a restart)', '2026-11-25T11:00:00.000Z', [0, 14_400]],
    ['after the deadline', '2026-11-26T00:00:00.000Z', [0, 0]],
  ])('rule: the waits last until the instants of the input, by the engine’s clock — %s', async (_, now, expected) => {
    // Prepare
    const seen: (number | undefined)[] = [];
    const fake = fakeTasks({ 'post-approval-reminder': () => ({ done: false }) });
    const engine = engineWith({
      tasks: fake.tasks,
      clock: { now: () => new Date(now) },
      waitTimeMs: (_state, seconds) => {
        seen.push(seconds);
        return 0;
      },
    });
    // Act
    const id = await engine.start('emergency', `CR-10-${seen.length}-${Date.parse(now)}`, { changeId: 'CR-10', ...emergencyInput });
    await engine.waitFor(id, 5_000);
    // Assess
    expect(seen).toEqual(expected);
  });

  it('rule: with waitTimeScale the same waits are compressed, and the flow runs to its end', async () => {
    const seen: number[] = [];
    const engine = engineWith({
      tasks: fakeTasks({ 'post-approval-reminder': () => ({ done: true }) }).tasks,
      clock: { now: () => new Date('2026-11-24T15:00:00.000Z') },
      waitTimeScale: 1e-5,
      onEvent: (e) => {
        if (e.source === 'interpreter' && e.event.type === 'StateEntered' && e.event.state.name === 'WaitForReminder') seen.push(1);
      },
    });
    const id = await engine.start('emergency', 'CR-10-scaled', { changeId: 'CR-10', ...emergencyInput });
    const result = await engine.waitFor(id, 5_000);
    expect(result.path).toEqual(['Notify', 'WaitForReminder', 'Remind', 'PostApproved', 'Done']);
    expect(seen).toEqual([1]);
  });

  it('rule: stopping during a Wait aborts at once and no later task runs', async () => {
    // Prepare — real 12 h wait
    const fake = fakeTasks();
    const engine = engineWith({ tasks: fake.tasks, waitTimeScale: 1, clock: { now: () => new Date('2026-11-24T15:00:00.000Z') } });
    const id = await engine.start('emergency', 'CR-12-emergency', { changeId: 'CR-12', ...emergencyInput });
    await until(() => fake.calls.length === 1, 'notify');
    // Act
    await engine.stop(id, 'closed with post-incident review');
    // Assess
    expect(engine.status(id)).toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.map((c) => c['task'])).toEqual(['emergency-started']);
  });
});

describe('local workflow engine: guards', () => {
  // A Task whose Catch on States.ALL leads to another Task.
  const catchAll = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:f', Payload: { task: 'work' } },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Fallback' }],
        End: true,
      },
      Fallback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:f', Payload: { task: 'fallback' } },
        End: true,
      },
    },
  };

  it('rule: a task that succeeds takes its Next, not the Catch (control)', async () => {
    // Prepare
    const fake = fakeTasks({ work: () => ({ ok: true }) });
    const engine = engineWith({ tasks: fake.tasks, definitions: { approval: catchAll } });
    // Act
    const id = await engine.start('approval', 'control', {});
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Work']);
    expect(result.output).toEqual({ ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { ok: true } });
  });

  it('rule: a TypeError thrown by the task function itself is a normal, catchable task error (as from Lambda)', async () => {
    // Prepare
    const fake = fakeTasks({
      work: () => {
        throw new TypeError('bug in the handler');
      },
    });
    const engine = engineWith({ tasks: fake.tasks, definitions: { approval: catchAll } });
    // Act
    const id = await engine.start('approval', 'task-error', {});
    const result = await engine.waitFor(id, 5_000);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Work', 'Fallback']);
    expect(fake.calls.map((c) => c['task'])).toEqual(['work', 'fallback']);
  });

  it('rule: a Task the engine cannot map to the local task function is refused at construction (never a real AWS call)', () => {
    // Prepare
    const sqs = {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: 'https://example.invalid/q', MessageBody: 'x' },
          End: true,
        },
      },
    };
    // Act / Assess
    expect(() => new LocalWorkflowEngine({ tasks: async () => ({}), definitions: { emergency: sqs } })).toThrow(/cannot run locally/);
  });
});
