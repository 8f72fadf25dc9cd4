/**
 * Test helpers for compiled state machines: loading a config directory, walking every state of a
 * machine (Parallel branches and Map item processors included), and running a compiled definition
 * on the local engine with stub Task handlers whose every call is recorded.
 */
import '../../lib/local/polyfill.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { localJobGraph } from '../../lib/runtime/job-graph.ts';
import { loadWorkflows, parameterize, type LoadResult, type Workflow } from '../../lib/config/index.ts';
import { compileWorkflow, type CompiledWorkflow, type Machine, type State } from '../../lib/compiler/index.ts';
import { handleRequest } from '../../lib/runtime/index.ts';

/** The repository's test folder. */
export const TEST_DIR = new URL('../', import.meta.url).pathname;

/** Loads a config directory with no WORKFLOW_CORE_* settings from the environment. */
export function loadConf(conf: string): LoadResult {
  return loadWorkflows({ conf, env: {} });
}

/** A conformance case: its folder name, config directory and `case.json`. */
export interface ConformanceCase {
  name: string;
  conf: string;
  spec: { command?: string; workflow: string; params?: Record<string, unknown>; exit?: number; expect?: Record<string, unknown> };
}

/** Every conformance case under test/conformance, by folder name. */
export function conformanceCases(): ConformanceCase[] {
  const root = join(TEST_DIR, 'conformance');
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'case.json')))
    .sort()
    .map((name) => ({ name, conf: join(root, name, 'conf'), spec: JSON.parse(readFileSync(join(root, name, 'case.json'), 'utf8')) as ConformanceCase['spec'] }));
}

/** A state with the name of the machine (top level, branch or item processor) that holds it. */
export interface WalkedState {
  name: string;
  state: State;
  /** Names of the Parallel/Map states enclosing it, outermost first. */
  within: string[];
}

/** Every state of a machine, nested machines included, in definition order. */
export function walkStates(m: Machine, within: string[] = [], into: WalkedState[] = []): WalkedState[] {
  for (const [name, state] of Object.entries(m.States)) {
    into.push({ name, state, within });
    for (const b of state.Branches ?? []) walkStates(b, [...within, name], into);
    if (state.ItemProcessor) walkStates(state.ItemProcessor, [...within, name], into);
  }
  return into;
}

/** Names of every state (nested included). */
export function stateNames(m: Machine): string[] {
  return walkStates(m).map((s) => s.name);
}

/** The state with this name anywhere in the machine; throws when there is none. */
export function stateNamed(m: Machine, name: string): State {
  const found = walkStates(m).find((s) => s.name === name);
  if (!found) throw new Error(`no state named "${name}"; states are:\n${stateNames(m).join('\n')}`);
  return found.state;
}

/** A Lambda-shaped error, as the local engine and Lambda report a runner's thrown error. */
export function lambdaError(name: string, message: string): Error {
  const e = new Error(JSON.stringify({ errorType: name, errorMessage: message }));
  e.name = name;
  return e;
}

/** The error a stage runner throws for a failed stage (`StageFailed`, the failed record as JSON). */
export function stageFailedError(message = 'boom', outputs: Record<string, unknown> = {}, key?: string): Error {
  return lambdaError('StageFailed', JSON.stringify({ status: 'FAILED', outputs, errors: { name: 'StageError', message }, ...(key ? { key } : {}) }));
}

/** One recorded Task call. */
export interface TaskCall {
  state: string;
  input: Record<string, unknown>;
}

/** What a stub stage returns: outputs, or a failure. */
export type StubReply = { outputs: Record<string, unknown> } | { fail: string; outputs?: Record<string, unknown> };

/** Options of {@link runStubbed}. */
export interface StubOptions {
  /** Raw params (coerced as `wf run` does). @default {} */
  params?: Record<string, unknown>;
  /**
   * Replies of action stages (bash, call, py, docker), by Task state name: a reply, or a function
   * of the request payload and the attempt number (1-based). @default `{outputs: {}}`
   */
  stages?: Record<string, StubReply | ((payload: Record<string, any>, attempt: number) => StubReply)>;
  /** Other workflows, for `trigger` stages (run stubbed with the same options). */
  workflows?: ReadonlyMap<string, Workflow>;
  /** Jobs already done (a resumed run). @default {} */
  jobs?: Record<string, unknown>;
  /** The release lock key the run claims (`lock` in the input). @default none */
  lock?: string;
  /** Whether the release lock is already taken (the audit table's conditional write fails). @default false */
  lockTaken?: boolean;
}

/** The outcome of a stubbed run. */
export interface StubRun {
  compiled: CompiledWorkflow;
  /** Names of the states entered, in order (nested machines included). */
  entered: string[];
  /** Every Task call, in order. */
  calls: TaskCall[];
  /** The run's result document (the output of its result state, also on a failed run). */
  doc: Record<string, unknown> & { status: string; jobs: Record<string, any> };
  /** The runs of triggered child workflows, in start order. */
  children: StubRun[];
  /** For a failed execution: the Fail state's error name and cause. */
  failure?: { name: string; cause: string };
  /** How many times a state was entered. */
  count(state: string): number;
  /** The input of each entry into a state, in order. */
  inputs(state: string): unknown[];
}

function isPyRunner(st: State): boolean {
  return String((st.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName ?? '').includes('PyRunner');
}

/**
 * Runs a workflow's compiled definition on the local engine. Stage Tasks reply from
 * `options.stages`; `eval`, `collect` and `prepare` requests are computed by the runtime's own
 * handler (they are pure); trigger Tasks run the child workflow stubbed; docker Tasks exit 0.
 * Every Wait and retry interval is zero.
 */
export async function runStubbed(workflow: Workflow, options: StubOptions = {}): Promise<StubRun> {
  const compiled = compileWorkflow(workflow, { workflows: options.workflows });
  const { params, errors } = parameterize(workflow, options.params ?? {});
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  const input = {
    prepared: true,
    params,
    release: { logical_date: '2024-01-01T00:00:00Z', type: 'normal' },
    run: { id: 'r1', workflow: workflow.name },
    jobs: options.jobs ?? {},
    ...(options.lock ? { lock: options.lock } : {}),
  };
  return execute(workflow, compiled, input, options);
}

async function execute(workflow: Workflow, compiled: CompiledWorkflow, input: Record<string, unknown>, options: StubOptions): Promise<StubRun> {
  const calls: TaskCall[] = [];
  const children: StubRun[] = [];
  const childHistories = new Map<string, unknown[]>();
  const attempts = new Map<string, number>();
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const waitTimeOverrides: Record<string, number> = {};
  // Jobs of a graph wait for each other in memory, as the local engine's own handlers do.
  const graph = localJobGraph();
  for (const { name, state } of walkStates(compiled.definition)) {
    if (state.Retry?.length) retryIntervalOverrides[name] = 0;
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    handlers[name] = async (raw) => {
      const req = raw as Record<string, unknown>;
      calls.push({ state: name, input: req });
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      if (resource.endsWith(':lambda:invoke.waitForTaskToken') && (req.Payload as { action?: string }).action === 'needs-wait') return graph.needsWait(req.Payload as never);
      if (resource.endsWith(':lambda:invoke') && (req.Payload as { action?: string }).action === 'job-done') return { Payload: await graph.jobDone(req.Payload as never) };
      if (resource.endsWith(':lambda:invoke')) {
        const payload = req.Payload as Record<string, unknown>;
        if (!isPyRunner(state) && payload.action !== 'stage') {
          try {
            return { Payload: await handleRequest(payload as never, payload.action === 'child-outcome' ? { coordination: { childHistory: async (arn: string) => childHistories.get(arn) } as never } : {}) };
          } catch (e) {
            throw lambdaError((e as Error).name, (e as Error).message);
          }
        }
        return { Payload: reply(name, payload, attempt, options) };
      }
      if (resource.includes(':states:startExecution')) {
        const arn = String(req.StateMachineArn);
        const child = [...(options.workflows?.values() ?? [])].find((w) => arn === `\${StateMachine_${w.name.replace(/[^A-Za-z0-9]/g, '_')}}`);
        if (!child) throw lambdaError('States.TaskFailed', `no child workflow for ${arn}`);
        const run = await execute(child, compileWorkflow(child, { workflows: options.workflows }), req.Input as Record<string, unknown>, options);
        children.push(run);
        if (run.doc.status === 'FAILED') {
          // As on AWS: the child's DescribeExecution, without output; its document is in its history.
          const executionArn = `arn:aws:states:local:000000000000:execution:${child.name}:${children.length}`;
          childHistories.set(executionArn, [{ type: 'ExecutionFailed' }, { type: 'FailStateEntered' }, { type: 'PassStateExited', stateExitedEventDetails: { name: 'run.FAILED', output: JSON.stringify(run.doc) } }]);
          throw Object.assign(new Error(JSON.stringify({ ExecutionArn: executionArn, Status: 'FAILED', Error: 'WorkflowFailed', Cause: `workflow "${child.name}" FAILED` })), { name: 'States.TaskFailed' });
        }
        return { Output: run.doc, Status: 'SUCCEEDED' };
      }
      if (resource.includes(':ecs:runTask')) return { Containers: [{ ExitCode: 0 }] };
      if (resource.endsWith(':dynamodb:putItem')) {
        if (options.lockTaken) throw lambdaError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
        return {};
      }
      throw new Error(`no stub for resource ${resource}`);
    };
  }
  const machine = new StateMachine(JSON.parse(compiled.json), { validationOptions: { checkArn: false, checkPaths: false } });
  const run = input.run as { id: string };
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides, waitTimeOverrides },
    context: { Execution: { Id: `local:${workflow.name}:${run.id}`, Name: run.id, Input: input, StartTime: '2024-01-01T00:00:00.000Z' }, Task: { Token: 'stub-token' } } as never,
  });
  const entered: string[] = [];
  const enteredInputs: unknown[] = [];
  let resultDoc: StubRun['doc'] | undefined;
  const resultStates = new Set(Object.entries(compiled.states).filter(([, i]) => i.role === 'run-result').map(([n]) => n));
  const watching = (async () => {
    for await (const ev of execution.eventLogs) {
      if (ev.type === 'StateEntered') {
        entered.push(ev.state.name);
        enteredInputs.push(ev.state.input);
      }
      if (ev.type === 'StateExited' && resultStates.has(ev.state.name)) resultDoc = ev.state.output as StubRun['doc'];
    }
  })();
  let failure: StubRun['failure'];
  try {
    await execution.result;
  } catch (e) {
    if (!(e instanceof ExecutionError)) throw e;
    const cause = (e as { cause?: { name?: string; message?: string } }).cause;
    failure = { name: cause?.name ?? '', cause: cause?.message ?? '' };
  }
  await watching;
  if (!resultDoc) throw new Error(`the run ended without a result document (${failure?.name}: ${failure?.cause})\nentered: ${entered.join(' > ')}`);
  return {
    compiled,
    entered,
    calls,
    children,
    doc: resultDoc,
    failure,
    count: (s) => entered.filter((n) => n === s).length,
    inputs: (s) => enteredInputs.filter((_, i) => entered[i] === s),
  };
}

function reply(state: string, payload: Record<string, unknown>, attempt: number, options: StubOptions): Record<string, unknown> {
  const spec = options.stages?.[state];
  const r = typeof spec === 'function' ? spec(payload, attempt) : spec ?? { outputs: {} };
  // Like the runners, a failure carries the request's key (the machine routes the failure by it).
  if ('fail' in r) throw stageFailedError(r.fail, r.outputs, typeof payload.key === 'string' ? payload.key : undefined);
  return { status: 'SUCCESS', outputs: r.outputs };
}

/** The value at a dotted path of a document (`jobs.main.stages.x.status`). */
export function at(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
