/**
 * WorkflowEngine in-process: runs the SAME Amazon States Language files as Step Functions, with the
 * maintained interpreter `aws-local-stepfunctions` (3.0.0).
 *
 * How the ASL maps onto this process:
 * - Every Task state (only `arn:aws:states:::lambda:invoke` and `…lambda:invoke.waitForTaskToken`
 *   are accepted) calls `tasks(Payload)`, the function the Lambda handler wraps. A plain invoke
 *   returns `{ StatusCode: 200, Payload: result }` like Lambda's Invoke, so the definitions' own
 *   `$.Payload…` selectors work unchanged. No Task ever falls through to a real Lambda call.
 * - A `.waitForTaskToken` Task gets a fresh random token per task (the interpreter only offers one
 *   fixed `$$.Task.Token` for a whole run), passed in the payload where the definition says
 *   `$$.Task.Token`; the task stays pending until `sendTaskSuccess` / `sendTaskFailure`, and its
 *   result is the output sent, as on AWS. Its `TimeoutSeconds` is enforced here so the token closes.
 * - A Wait with `Seconds` waits that long; one with `TimestampPath` (`$.field` of the execution's
 *   input) waits until that instant by the engine's clock — so an execution started again after a
 *   restart waits only for the time that is left. Both can be compressed (`waitTimeScale`,
 *   `waitTimeMs`).
 */
import { randomBytes } from 'node:crypto';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { DEFAULT_TIMERS } from '../functions/core/approval-flow.js';
import { workflowDurations } from '../functions/core/durations.js';
import { loadDefinition, placeholders, WORKFLOW_NAMES } from '../lib/workflows/definitions.js';
import { TaskClosedError, type WorkflowEngine, type WorkflowName } from '../functions/ports.js';

// ---------------------------------------------------------------------------------------------
// Types

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskHandler = TaskHandlers[string];
type JsonValue = Awaited<ReturnType<TaskHandler>>;
type RunHandle = ReturnType<StateMachine['run']>;
/** An event of the interpreter's log (state entered/exited/failed/caught, map iterations, …). */
export type InterpreterEvent = RunHandle['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionResult {
  status: ExecutionStatus;
  /** The execution's output (SUCCEEDED only). */
  output?: unknown;
  /** Error name and cause (FAILED, or the stop cause for ABORTED). */
  error?: string;
  cause?: string;
  /** The last top-level state entered, e.g. 'Approved', 'Rejected', 'Ended', 'Done'. */
  finalState?: string;
  /** Top-level states entered, in order (states inside a Map are not listed). */
  path: string[];
}

export interface ExecutionInfo extends ExecutionResult {
  id: string;
  workflow: WorkflowName;
  name: string;
  input: Record<string, unknown>;
  startedAt: Date;
  stoppedAt?: Date;
}

export interface PendingTask {
  token: string;
  executionId: string;
  state: string;
  payload: Record<string, unknown>;
}

export type LocalWorkflowEvent =
  | { executionId: string; source: 'interpreter'; event: InterpreterEvent }
  | {
      executionId: string;
      source: 'engine';
      type: 'TaskTokenIssued' | 'TaskTokenClosed' | 'ExecutionFinished';
      state?: string;
      detail?: unknown;
    };

export interface LocalWorkflowEngineOptions {
  /** The workflow task function (what the Lambda handler wraps): gets the Task's Payload, returns Lambda's Payload. */
  tasks: (payload: Record<string, unknown>) => Promise<unknown>;
  /** Multiplies every Wait state's `Seconds` (1 = real time, the default; 0 = no wait; 1e-5 = 43200 s → 432 ms). */
  waitTimeScale?: number;
  /** Per Wait state, milliseconds to wait instead; `undefined` falls back to `waitTimeScale`. Wins over the scale. */
  waitTimeMs?: (state: string, seconds: number | undefined) => number | undefined;
  /** The clock a `TimestampPath` wait counts by (the application's clock; tests move it). */
  clock?: { now(): Date };
  /** The durations the definitions take by substitution (functions/core/durations.ts `workflowDurations`). */
  durations?: Record<string, number>;
  /**
   * Where executions are kept, so that a restart of the local system resumes the ones still
   * running (DynamoDB Local in `npm start`); without it they live in memory only.
   */
  store?: ExecutionStore;
  /** Multiplies callback tasks' `TimeoutSeconds` (default 1), so tests can reach the timeout path. */
  taskTimeoutScale?: number;
  /** Log sink: the interpreter's events and the engine's own. Exceptions thrown here are ignored. */
  onEvent?: (event: LocalWorkflowEvent) => void;
  /** Substituted for `${WorkflowTasksFunctionArn}` (never called: every Task maps to `tasks`). */
  functionArn?: string;
  /** Engine tests only: run these definitions instead of the repository's files. */
  definitions?: Partial<Record<WorkflowName, object>>;
}

// ---------------------------------------------------------------------------------------------
// Internals

export const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:changeflow-workflow-tasks-local';
/** What `$$.Task.Token` resolves to in the interpreter; replaced by a fresh token in each callback task. */
const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;
const MAX_OUTPUT_BYTES = 262_144;
/** setTimeout's limit (about 24.8 days); longer timers would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface TaskStateInfo {
  callback: boolean;
  timeoutSeconds?: number;
}

interface StateInfo {
  tasks: Map<string, TaskStateInfo>;
  waits: Map<string, { seconds?: number; inputField?: string }>;
  topLevel: Set<string>;
}

/** A workflow error (a task function's error, a SendTaskFailure, a timeout): its name is what a Catch matches. */
function workflowError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface Execution {
  id: string;
  workflow: WorkflowName;
  name: string;
  input: Record<string, unknown>;
  startedAt: Date;
  stoppedAt?: Date;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  path: string[];
  finalState?: string;
  run?: RunHandle;
  tokens: Set<string>;
  done: Promise<void>;
  /** The writes of its record, one after the other, so a later one never lands first. */
  kept?: Promise<void>;
}

interface Callback {
  executionId: string;
  state: string;
  payload: Record<string, unknown>;
  resolve: (output: JsonValue) => void;
  reject: (error: Error) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  return value;
}

/** Collects Task and Wait states, Map and Parallel contents included; rejects what cannot run locally. */
function inspect(workflow: string, definition: StateMachineDefinition): StateInfo {
  const info: StateInfo = { tasks: new Map(), waits: new Map(), topLevel: new Set(Object.keys(definition.States)) };
  const walk = (machine: Pick<StateMachineDefinition, 'States'>) => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Task') {
        const callback = state.Resource === LAMBDA_INVOKE_CALLBACK;
        if (!callback && state.Resource !== LAMBDA_INVOKE) {
          throw new Error(`Workflow '${workflow}', state '${name}': resource ${state.Resource} cannot run locally (only ${LAMBDA_INVOKE}[.waitForTaskToken])`);
        }
        if (!isObject(state.Parameters) || !isObject(state.Parameters['Payload'])) {
          throw new Error(`Workflow '${workflow}', state '${name}': Parameters.Payload must be an object`);
        }
        const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
        info.tasks.set(name, { callback, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
      } else if (state.Type === 'Wait') {
        const path = (state as { TimestampPath?: unknown }).TimestampPath;
        if (path !== undefined && !(typeof path === 'string' && /^\$\.\w+$/.test(path))) {
          throw new Error(
            `Workflow '${workflow}', state '${name}': a TimestampPath runs locally only as a field of the execution input ($.name), got ${String(path)}`,
          );
        }
        info.waits.set(name, {
          ...(typeof state.Seconds === 'number' ? { seconds: state.Seconds } : {}),
          ...(typeof path === 'string' ? { inputField: path.slice(2) } : {}),
        });
      } else if (state.Type === 'Map') {
        const inner = state.ItemProcessor ?? state.Iterator;
        if (inner) walk(inner);
      } else if (state.Type === 'Parallel') {
        for (const branch of state.Branches) walk(branch);
      }
    }
  };
  walk(definition);
  return info;
}

// ---------------------------------------------------------------------------------------------

/** An execution as kept across restarts: enough to start it again with the same input. */
export interface ExecutionRecord {
  id: string;
  workflow: WorkflowName;
  name: string;
  input: Record<string, unknown>;
  status: ExecutionStatus;
  startedAt: string;
  /** The top-level state it last entered: where a running one waits (for people watching; a resume starts from the first state). */
  state?: string | undefined;
}

export interface ExecutionStore {
  get(id: string): Promise<ExecutionRecord | undefined>;
  put(record: ExecutionRecord): Promise<void>;
  running(): Promise<ExecutionRecord[]>;
}

export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly machines = new Map<WorkflowName, { machine: StateMachine; info: StateInfo }>();
  private readonly runs = new Map<string, Execution>();
  private readonly callbacks = new Map<string, Callback>();

  constructor(private readonly options: LocalWorkflowEngineOptions) {
    for (const workflow of WORKFLOW_NAMES) {
      const definition = (options.definitions?.[workflow] ??
        loadDefinition(workflow, {
          WorkflowTasksFunctionArn: options.functionArn ?? LOCAL_FUNCTION_ARN,
          // the durations this definition takes by substitution
          ...Object.fromEntries(Object.entries(options.durations ?? workflowDurations(DEFAULT_TIMERS)).filter(([key]) => placeholders(workflow).includes(key))),
        })) as StateMachineDefinition;
      const info = inspect(workflow, definition);
      // The interpreter validates the definition (asl-validator, ARNs and paths checked).
      this.machines.set(workflow, { machine: new StateMachine(definition), info });
    }
  }

  private now(): number {
    return (this.options.clock?.now() ?? new Date()).getTime();
  }

  static executionId(workflow: WorkflowName, name: string): string {
    return `local:${workflow}:${name}`;
  }

  executionIdOf(workflow: WorkflowName, name: string): string {
    return LocalWorkflowEngine.executionId(workflow, name);
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<string> {
    const entry = this.machines.get(workflow);
    if (!entry) throw new Error(`Unknown workflow: ${workflow}`);
    const id = LocalWorkflowEngine.executionId(workflow, name);
    // Idempotent on the name, like StartExecution: the name stays taken by its execution.
    if (this.runs.has(id)) return id;
    const kept = await this.options.store?.get(id);
    if (kept) {
      // started before a restart: one still running runs again, from its first state and with its
      // own input (each step is idempotent, and a wait lasts only what is left of it)
      if (kept.status === 'RUNNING' && !this.runs.has(id)) this.run(entry, kept.id, kept.workflow, kept.name, kept.input, new Date(kept.startedAt));
      return id;
    }
    const startedAt = new Date();
    await this.options.store?.put({
      id,
      workflow,
      name,
      input: toJson(input) as Record<string, unknown>,
      status: 'RUNNING',
      startedAt: startedAt.toISOString(),
    });
    if (!this.runs.has(id)) this.run(entry, id, workflow, name, input, startedAt);
    return id;
  }

  /** Whether an execution of that name was ever started, before a restart included. */
  async exists(workflow: WorkflowName, name: string): Promise<boolean> {
    const id = LocalWorkflowEngine.executionId(workflow, name);
    return this.runs.has(id) || Boolean(await this.options.store?.get(id));
  }

  /** Starts again every execution that was running when the local system last stopped (or died). */
  async resume(): Promise<string[]> {
    const running = (await this.options.store?.running()) ?? [];
    for (const r of running) await this.start(r.workflow, r.name, r.input);
    return running.map((r) => r.id);
  }

  private run(
    entry: { machine: StateMachine; info: StateInfo },
    id: string,
    workflow: WorkflowName,
    name: string,
    input: Record<string, unknown>,
    startedAt: Date,
  ): void {
    const execution: Execution = {
      id,
      workflow,
      name,
      input: toJson(input) as Record<string, unknown>,
      startedAt,
      status: 'RUNNING',
      path: [],
      tokens: new Set(),
      done: Promise.resolve(),
    };
    this.runs.set(id, execution);
    let began!: () => void;
    const beginning = new Promise<void>((ok) => (began = ok));
    execution.done = beginning.then(() => this.execute(execution, entry.machine, entry.info));
    // Like StartExecution, return before the first state runs.
    setImmediate(began);
  }

  async stop(executionId: string, cause: string): Promise<void> {
    const execution = this.runs.get(executionId);
    if (!execution) {
      if (!/^local:(approval|emergency|monitoring):/.test(executionId)) throw new Error(`InvalidArn: not a local execution id: ${executionId}`);
      // kept from before a restart and not resumed (yet): it stops where it is
      const kept = await this.options.store?.get(executionId);
      if (kept?.status === 'RUNNING') await this.options.store?.put({ ...kept, status: 'ABORTED' });
      return;
    }
    if (execution.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.error = 'Stopped';
    execution.cause = truncate(cause, MAX_CAUSE_LENGTH);
    execution.stoppedAt = new Date();
    execution.run?.abort();
    this.closeTokens(execution, 'execution stopped');
    await execution.done;
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    const json = JSON.stringify(output);
    if (json === undefined || Buffer.byteLength(json, 'utf8') > MAX_OUTPUT_BYTES) {
      throw workflowError('InvalidOutput', 'The output is not JSON or exceeds 262144 bytes');
    }
    const callback = this.takeCallback(taskToken);
    callback.resolve(JSON.parse(json) as JsonValue);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const callback = this.takeCallback(taskToken);
    callback.reject(workflowError(truncate(error, MAX_ERROR_LENGTH), truncate(cause, MAX_CAUSE_LENGTH)));
  }

  /** All executions this engine started, oldest first. */
  executions(): ExecutionInfo[] {
    return [...this.runs.values()].map((e) => this.info(e));
  }

  status(executionId: string): ExecutionStatus | undefined {
    return this.runs.get(executionId)?.status;
  }

  describe(executionId: string): ExecutionInfo | undefined {
    const execution = this.runs.get(executionId);
    return execution && this.info(execution);
  }

  /** Callback tasks waiting for a decision. */
  pendingTasks(executionId?: string): PendingTask[] {
    return [...this.callbacks.entries()]
      .filter(([, c]) => executionId === undefined || c.executionId === executionId)
      .map(([token, c]) => ({ token, executionId: c.executionId, state: c.state, payload: c.payload }));
  }

  /**
   * Resolves when the execution has ended (and all its events are processed). One not started
   * yet is waited for too: executions start when their change's event is delivered, after the
   * request that made the change has answered.
   */
  async waitFor(executionId: string, timeoutMs?: number): Promise<ExecutionResult> {
    const until = Date.now() + (timeoutMs ?? 10_000);
    while (!this.runs.has(executionId) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const execution = this.runs.get(executionId);
    if (!execution) throw new Error(`Execution ${executionId} was not started within ${timeoutMs ?? 10_000} ms`);
    if (timeoutMs === undefined) {
      await execution.done;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Execution ${executionId} still ${execution.status} after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([execution.done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.result(execution);
  }

  private shuttingDown = false;

  /**
   * Stops every running execution (process shutdown, test teardown). Kept executions stay
   * RUNNING in the store, so the next start resumes them, as a restart of Step Functions' own
   * service would not notice.
   */
  async shutdown(cause = 'engine shut down'): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.runs.values()].filter((e) => e.status === 'RUNNING').map((e) => this.stop(e.id, cause)));
  }

  // -------------------------------------------------------------------------------------------

  private async execute(execution: Execution, machine: StateMachine, info: StateInfo): Promise<void> {
    if (execution.status !== 'RUNNING') return; // stopped before it began
    // How long each Wait lasts, worked out when the execution reaches it (the interpreter reads
    // the override at that moment): an instant is counted down by the engine's clock.
    const waitTimeOverrides: Record<string, number> = {};
    const scale = this.options.waitTimeScale ?? 1;
    for (const [state, wait] of info.waits) {
      Object.defineProperty(waitTimeOverrides, state, {
        enumerable: true,
        get: () => {
          const until = wait.inputField ? execution.input[wait.inputField] : undefined;
          const seconds = typeof until === 'string' ? Math.max(0, (Date.parse(until) - this.now()) / 1000) : wait.seconds;
          const custom = this.options.waitTimeMs?.(state, seconds);
          if (custom !== undefined) return Math.max(0, Math.round(custom));
          return seconds === undefined ? undefined : Math.max(0, Math.round(seconds * 1000 * scale));
        },
      });
    }
    const taskResourceLocalHandlers: TaskHandlers = {};
    for (const [state, task] of info.tasks) {
      taskResourceLocalHandlers[state] = (input) => {
        const result = this.runTask(execution, state, task, input);
        // The interpreter may drop this promise (on abort): mark it handled; the interpreter
        // still sees the rejection when it awaits.
        result.catch(() => undefined);
        return result;
      };
    }

    let outcome: { ok: true; output: unknown } | { ok: false; error: unknown };
    let drained: Promise<void>;
    try {
      const run = machine.run(execution.input as JsonValue, {
        overrides: { taskResourceLocalHandlers, waitTimeOverrides },
        context: {
          Execution: { Id: execution.id, Name: execution.name },
          StateMachine: { Id: `local:${execution.workflow}`, Name: execution.workflow },
          Task: { Token: TOKEN_PLACEHOLDER },
        },
      });
      execution.run = run;
      drained = this.drain(execution, info, run.eventLogs);
      outcome = await run.result.then(
        (output) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    } catch (error) {
      outcome = { ok: false, error };
      drained = Promise.resolve();
    }
    await drained;
    this.finish(execution, outcome);
  }

  private async drain(execution: Execution, info: StateInfo, events: AsyncGenerator<InterpreterEvent>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.type === 'StateEntered' && event.index === undefined && info.topLevel.has(event.state.name)) {
          execution.path.push(event.state.name);
          execution.finalState = event.state.name;
          this.keep(execution);
        }
        this.emit({ executionId: execution.id, source: 'interpreter', event });
      }
    } catch {
      // the event log is for watching: a broken one does not change the execution's outcome
    }
  }

  private finish(execution: Execution, outcome: { ok: true; output: unknown } | { ok: false; error: unknown }): void {
    execution.stoppedAt ??= new Date();
    if (execution.status === 'ABORTED') {
      // stopped: keep the stop's error and cause
    } else if (outcome.ok) {
      execution.status = 'SUCCEEDED';
      execution.output = outcome.output;
    } else {
      const error = outcome.error as Error | undefined;
      if (error?.name === 'ExecutionAbortedError') {
        execution.status = 'ABORTED';
      } else if (error?.name === 'ExecutionTimeoutError') {
        execution.status = 'FAILED';
        execution.error = 'States.Timeout';
        execution.cause = 'The execution timed out';
      } else {
        const inner = (error?.name === 'ExecutionError' ? error.cause : error) as Error | undefined;
        execution.status = 'FAILED';
        execution.error = inner?.name ?? 'Error';
        execution.cause = inner?.message ?? String(outcome.error);
      }
    }
    this.closeTokens(execution, `execution ${execution.status.toLowerCase()}`);
    this.keep(execution);
    this.emit({ executionId: execution.id, source: 'engine', type: 'ExecutionFinished', detail: this.result(execution) });
  }

  private async runTask(execution: Execution, state: string, task: TaskStateInfo, input: JsonValue): Promise<JsonValue> {
    if (execution.status !== 'RUNNING') {
      throw workflowError('Local.ExecutionNotRunning', `Task '${state}' not run: execution is ${execution.status}`);
    }
    const parameters = isObject(input) ? input : {};
    const payload = isObject(parameters['Payload']) ? parameters['Payload'] : {};
    if (!task.callback) {
      return { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: toJson(await this.callTasks(payload)) };
    }

    const token = randomBytes(96).toString('base64url');
    const withToken = replaceDeep(payload, TOKEN_PLACEHOLDER, token) as Record<string, unknown>;
    const decision = new Promise<JsonValue>((resolve, reject) => {
      this.callbacks.set(token, { executionId: execution.id, state, payload: withToken, resolve, reject });
    });
    decision.catch(() => undefined); // a failure may arrive before it is awaited
    execution.tokens.add(token);
    this.emit({ executionId: execution.id, source: 'engine', type: 'TaskTokenIssued', state, detail: { token } });

    let timer: NodeJS.Timeout | undefined;
    const ms = task.timeoutSeconds === undefined ? undefined : task.timeoutSeconds * 1000 * (this.options.taskTimeoutScale ?? 1);
    if (ms !== undefined && ms <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        const callback = this.callbacks.get(token);
        if (!callback) return;
        this.closeToken(token, 'timed out');
        callback.reject(workflowError('States.Timeout', `Task '${state}' timed out`));
      }, ms);
    }
    try {
      await this.callTasks(withToken);
    } catch (error) {
      this.closeToken(token, 'task function failed');
      clearTimeout(timer);
      throw error;
    }
    try {
      return await decision;
    } finally {
      clearTimeout(timer);
    }
  }

  private async callTasks(payload: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.options.tasks(payload);
    } catch (error) {
      // As Lambda reports a function error: the error's name is the catchable error.
      const e = error instanceof Error ? error : new Error(String(error));
      throw workflowError(e.name || 'Error', JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message }));
    }
  }

  private takeCallback(token: string): Callback {
    const callback = this.callbacks.get(token);
    if (!callback) throw new TaskClosedError('Task token is unknown, or its task was already closed, timed out or stopped');
    this.closeToken(token, 'completed');
    return callback;
  }

  private closeToken(token: string, reason: string): void {
    const callback = this.callbacks.get(token);
    if (!callback) return;
    this.callbacks.delete(token);
    this.runs.get(callback.executionId)?.tokens.delete(token);
    this.emit({ executionId: callback.executionId, source: 'engine', type: 'TaskTokenClosed', state: callback.state, detail: { reason } });
  }

  /** Closes every open token of the execution; the waiting tasks are released so their timers end. */
  private closeTokens(execution: Execution, reason: string): void {
    for (const token of [...execution.tokens]) {
      const callback = this.callbacks.get(token);
      this.closeToken(token, reason);
      callback?.reject(workflowError('States.Aborted', `Task closed: ${reason}`));
    }
  }

  private result(execution: Execution): ExecutionResult {
    return {
      status: execution.status,
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      ...(execution.finalState !== undefined ? { finalState: execution.finalState } : {}),
      path: [...execution.path],
    };
  }

  private info(execution: Execution): ExecutionInfo {
    return {
      id: execution.id,
      workflow: execution.workflow,
      name: execution.name,
      input: execution.input,
      startedAt: execution.startedAt,
      ...(execution.stoppedAt ? { stoppedAt: execution.stoppedAt } : {}),
      ...this.result(execution),
    };
  }

  /** Records how an execution ended, unless the engine is shutting down (then it is resumed at the next start). */
  private keep(execution: Execution): void {
    if (!this.options.store || this.shuttingDown) return;
    const record: ExecutionRecord = {
      id: execution.id,
      workflow: execution.workflow,
      name: execution.name,
      input: execution.input,
      status: execution.status,
      startedAt: execution.startedAt.toISOString(),
      state: execution.finalState,
    };
    const store = this.options.store;
    execution.kept = (execution.kept ?? Promise.resolve())
      .then(() => store.put(record))
      .catch((err) => this.emit({ executionId: execution.id, source: 'engine', type: 'ExecutionFinished', detail: { keepFailed: String(err) } }));
  }

  private emit(event: LocalWorkflowEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // logging must not break a workflow
    }
  }
}
