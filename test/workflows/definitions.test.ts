import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMERS } from '../../functions/core/approval-flow.js';
import { APPROVAL_TASK_MARGIN_HOURS, EMERGENCY_POST_APPROVAL_HOURS, EMERGENCY_REMINDER_HOURS, workflowDurations } from '../../functions/core/durations.js';
import { emergencyTimers } from '../../functions/core/lifecycle.js';
import type { WorkflowName } from '../../functions/ports.js';
import { definitionText, loadDefinition, placeholders, WORKFLOW_NAMES, WORKFLOWS } from '../../lib/workflows/definitions.js';

// asl-validator ships no type declarations: load it as the CommonJS function it is.
type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:changeflow-workflow-tasks';

type State = Record<string, unknown> & { Type: string };
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

const DURATIONS = workflowDurations(DEFAULT_TIMERS);
const load = (name: WorkflowName) =>
  loadDefinition(name, {
    WorkflowTasksFunctionArn: ARN,
    ...Object.fromEntries(Object.entries(DURATIONS).filter(([k]) => placeholders(name).includes(k))),
  }) as Machine;

describe('workflow definitions', () => {
  it.each(WORKFLOW_NAMES)('rule: the %s definition is valid ASL once substituted (asl-validator, ARNs and paths checked)', (name) => {
    // Prepare
    const definition = load(name);
    // Act
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(WORKFLOW_NAMES)('rule: no placeholder of the %s definition survives substitution', (name) => {
    // Prepare / Act
    const text = JSON.stringify(load(name));
    // Assess
    expect(text).not.toMatch(/\$\{/);
    expect(text).toContain(ARN);
  });

  it.each([
    ['approval', ['ApprovalTaskTimeoutSeconds', 'WorkflowTasksFunctionArn']],
    ['emergency', ['WorkflowTasksFunctionArn']],
  ] as const)('rule: the %s definition has the placeholders the stack and the local engine substitute', (name, expected) => {
    expect(placeholders(name)).toEqual(expected);
  });

  it.each(WORKFLOW_NAMES)('rule: no duration is written in the %s file: each comes from the core, by substitution or from the input', (name) => {
    // Prepare
    const raw = allStates(JSON.parse(definitionText(name)) as Machine);
    // Act / Assess
    for (const [state, s] of Object.entries(raw)) {
      for (const field of ['Seconds', 'Timestamp', 'TimeoutSeconds', 'HeartbeatSeconds'] as const) {
        if (s[field] !== undefined) expect(String(s[field]), `${name}.${state}.${field}`).toMatch(/^\$\{\w+\}$/);
      }
    }
  });

  it('rule: the approval task’s safety-net timeout is the core’s: the expiry plus one day', () => {
    const wait = allStates(load('approval'))['WaitForDecision']!;
    expect(wait['TimeoutSeconds']).toBe((DEFAULT_TIMERS.expireAfterHours + APPROVAL_TASK_MARGIN_HOURS) * 3600);
    const strict = allStates(
      loadDefinition('approval', {
        WorkflowTasksFunctionArn: ARN,
        ApprovalTaskTimeoutSeconds: workflowDurations({ expireAfterHours: 48 }).ApprovalTaskTimeoutSeconds!,
      }) as Machine,
    );
    expect(strict['WaitForDecision']!['TimeoutSeconds']).toBe((48 + 24) * 3600);
  });

  it('rule: the monitoring flow waits one interval between judgements and the rollback report timeout for a rollback, as configured', () => {
    const s = allStates(load('monitoring'));
    expect(s['WaitOneInterval']!['Seconds']).toBe(60);
    expect(s['WaitForRollbackReport']!['Seconds']).toBe(30 * 60);
    const d = workflowDurations(DEFAULT_TIMERS, { intervalSeconds: 5, rollbackReportMinutes: 2 });
    expect([d.MonitoringIntervalSeconds, d.RollbackReportTimeoutSeconds]).toEqual([5, 120]);
  });

  it('rule: the emergency waits are the instants the core computes from the start of the work', () => {
    const s = allStates(load('emergency'));
    expect(s['WaitForReminder']!['TimestampPath']).toBe('$.remindAt');
    expect(s['WaitUntilDue']!['TimestampPath']).toBe('$.dueAt');
    const timers = emergencyTimers('2026-11-24T15:00:00.000Z');
    expect(Date.parse(timers.remindAt) - Date.parse('2026-11-24T15:00:00.000Z')).toBe(EMERGENCY_REMINDER_HOURS * 3_600_000);
    expect(Date.parse(timers.dueAt) - Date.parse('2026-11-24T15:00:00.000Z')).toBe(EMERGENCY_POST_APPROVAL_HOURS * 3_600_000);
  });

  it.each(WORKFLOW_NAMES)('rule: every Task state of the %s definition invokes the one tasks function (Lambda invoke, with Payload)', (name) => {
    // Prepare
    const states = Object.entries(allStates(load(name))).filter(([, s]) => s.Type === 'Task');
    // Act / Assess
    expect(states.length).toBeGreaterThan(0);
    for (const [, state] of states) {
      expect(['arn:aws:states:::lambda:invoke', 'arn:aws:states:::lambda:invoke.waitForTaskToken']).toContain(state['Resource']);
      const parameters = state['Parameters'] as { FunctionName: string; Payload: Record<string, unknown> };
      expect(parameters.FunctionName).toBe(ARN);
      expect(typeof parameters.Payload['task']).toBe('string');
    }
  });

  it('rule: WORKFLOWS names one existing .asl.json file per workflow', () => {
    // Prepare / Act
    const entries = Object.entries(WORKFLOWS);
    // Assess
    expect(entries.map(([name]) => name).sort()).toEqual(['approval', 'emergency', 'monitoring']);
    for (const [name, path] of entries) {
      expect(path).toMatch(new RegExp(`lib/workflows/${name}\\.asl\\.json$`));
      expect(() => JSON.parse(definitionText(name as 'approval'))).not.toThrow();
    }
  });

  it('rule: loading with a placeholder left unresolved throws, naming it', () => {
    // Prepare / Act / Assess
    expect(() => loadDefinition('approval', DURATIONS)).toThrow(/unresolved placeholder.*\$\{WorkflowTasksFunctionArn\}/);
  });

  it('rule: loading with a substitution the definition does not use throws (typos are caught)', () => {
    // Prepare / Act / Assess
    expect(() => loadDefinition('emergency', { WorkflowTasksFunctionArn: ARN, WorkflowTaskFunctionArn: ARN })).toThrow(
      /not used by the definition: WorkflowTaskFunctionArn/,
    );
  });

  it('rule: substituted values are JSON-escaped, so a value cannot break the definition', () => {
    // Prepare
    const odd = 'arn:with"quote\\and-backslash';
    // Act
    const definition = loadDefinition('emergency', { WorkflowTasksFunctionArn: odd }) as Machine;
    // Assess
    expect((allStates(definition)['Notify']!['Parameters'] as { FunctionName: string }).FunctionName).toBe(odd);
  });

  it('rule: approval is Route → Choice(auto → AutoApprove → Approved | approval → RequestApprovals Map of callback tasks | ended → Ended)', () => {
    // Prepare
    const machine = load('approval');
    const states = allStates(machine);
    // Act
    const route = states['Route']!;
    const choice = states['ChooseRoute'] as unknown as { Choices: { Variable: string; StringEquals: string; Next: string }[] };
    const map = states['RequestApprovals']!;
    const wait = states['WaitForDecision']!;
    // Assess
    expect(machine.StartAt).toBe('Route');
    expect((route['Parameters'] as { Payload: unknown }).Payload).toEqual({ task: 'route', 'changeId.$': '$.changeId', 'revision.$': '$.revision' });
    expect((route['Retry'] as { ErrorEquals: string[] }[])[0]?.ErrorEquals).toEqual([
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ]);
    expect(choice.Choices.map((c) => [c.StringEquals, c.Next])).toEqual([
      ['auto', 'AutoApprove'],
      ['approval', 'RequestApprovals'],
      // a start delivered after the change moved on (superseded, cancelled) ends at once
      ['ended', 'Ended'],
    ]);
    expect(states['AutoApprove']?.['Next']).toBe('Approved');
    expect(map['MaxConcurrency']).toBe(0);
    expect(map['ItemSelector']).toEqual({ 'changeId.$': '$.changeId', 'revision.$': '$.revision', 'slot.$': '$$.Map.Item.Value' });
    expect(map['Next']).toBe('Approved');
    expect((map['Catch'] as { ErrorEquals: string[]; Next: string }[]).map((c) => [c.ErrorEquals, c.Next])).toEqual([
      [['Rejected'], 'Rejected'],
      [['Expired', 'Superseded', 'States.Timeout'], 'Ended'],
    ]);
    expect(wait['Resource']).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait['TimeoutSeconds']).toBe(DURATIONS.ApprovalTaskTimeoutSeconds);
    expect((wait['Parameters'] as { Payload: Record<string, unknown> }).Payload['taskToken.$']).toBe('$$.Task.Token');
    for (const end of ['Approved', 'Rejected', 'Ended']) expect(states[end]?.Type).toBe('Succeed');
  });

  it('rule: emergency is Notify → until remindAt → Remind → (done → Done | until dueAt → CheckOverdue → Done)', () => {
    // Prepare
    const machine = load('emergency');
    const s = allStates(machine);
    // Act
    const chain = [machine.StartAt, s['Notify']?.['Next'], s['WaitForReminder']?.['Next'], s['Remind']?.['Next']];
    // Assess
    expect(chain).toEqual(['Notify', 'WaitForReminder', 'Remind', 'PostApproved']);
    expect(s['PostApproved']?.['Choices']).toEqual([{ Variable: '$.reminder.done', BooleanEquals: true, Next: 'Done' }]);
    expect(s['PostApproved']?.['Default']).toBe('WaitUntilDue');
    expect(s['WaitUntilDue']?.['Next']).toBe('CheckOverdue');
    expect(s['CheckOverdue']?.['Next']).toBe('Done');
    expect(s['Done']?.Type).toBe('Succeed');
  });

  it.each(['approval', 'emergency'] as const)(
    'rule: every task state of %s retries what a data outage throws (throttling, 503, timeouts) with backoff, so a short outage fails no flow',
    (name) => {
      const tasks = Object.entries(allStates(load(name))).filter(([, st]) => st.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [state, task] of tasks) {
        const retries = task['Retry'] as { ErrorEquals: string[]; MaxAttempts: number; BackoffRate: number }[];
        const transient = retries.find((r) => r.ErrorEquals.includes('ServiceUnavailable'));
        expect(transient, state).toBeDefined();
        expect(transient!.ErrorEquals, state).toEqual(
          expect.arrayContaining(['ThrottlingException', 'ProvisionedThroughputExceededException', 'TimeoutError']),
        );
        expect(transient!.MaxAttempts, state).toBeGreaterThanOrEqual(5);
        expect(transient!.BackoffRate, state).toBeGreaterThan(1);
      }
    },
  );
});
