/**
 * Runs a compiled workflow on the embedded engine (`aws-local-stepfunctions`): the same definition
 * that deploys to AWS, with every Task routed to the handler code the Lambdas run. Lambda errors are
 * reproduced in the Lambda runtime's shape and cut at Step Functions' cause limit (task-failure.ts)
 * so the machine's Catch states see exactly what they see on AWS.
 */
import './polyfill.ts';
import { ownMachine } from './engine-fail-fast.ts';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { StateMachine, ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { Workflow } from '../config/index.ts';
import { parameterize } from '../config/parameterize.ts';
import { compileWorkflow, stateMachinePlaceholder, type CompiledMachine, type CompiledWorkflow, type CompileOptions, type Machine, type State, type StateInfo } from '../compiler/index.ts';
import { buildScope, handleRequest, hideSecretRefs, keyedFailure, LineSplitter, resolveSecretRefs, resolveSpilled, runPython, spillOutputs, storeSecretParams, type ChildHistoryEvent, type SecretStore, type SpillStore } from '../runtime/index.ts';
import { renderTemplate } from '../expr/index.ts';
import { resolveParameters } from './resolve-parameters.ts';
import { exactIntrinsics, withOwnTypes, type ExactIntrinsics } from './exact-intrinsics.ts';
import { lambdaFailure, taskFailure } from './task-failure.ts';
import { runDockerLocally, type EcsRunTask } from './run-docker-locally.ts';
import { localContext, localCoordination, localExecutionId, registerExecution, takesConcurrencySlot, watchStopRequests } from './local-coordination.ts';
import { SECRET_REF_KEY, SPILL_TO_CALLER_ENV, type PyRunRequest, type RunnerRequest, type StageResponse, type WireContext } from '../protocol/index.ts';
import { localSecretStore } from './local-secret-store.ts';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { ensureBucket, LOCAL_RESULTS_BUCKET, localDistributedMaps, runDistributedMap } from './run-distributed-map.ts';
import { openLocalS3, type LocalS3 } from './local-s3.ts';

/** A progress event of a local run. */
export interface RunEvent {
  /** `stage-line`: a line the stage's process printed, as it came; `stage-attempt-failed`: one attempt of the stage failed (see `retrying`). */
  type: 'job-start' | 'job-end' | 'stage-start' | 'stage-end' | 'stage-failed' | 'stage-line' | 'stage-attempt-failed';
  workflow: string;
  job?: string;
  stage?: string;
  status?: string;
  at: number;
  /** For `*-end`: milliseconds since the matching start. */
  ms?: number;
  /** Map iteration index, when inside one. */
  index?: number;
  /** For an echo stage: its rendered message. */
  message?: string;
  /** Inside a matrix job: the combination's values, in axis order. */
  matrix?: unknown[];
  /** Inside a parallel branch: the branch's name. */
  branch?: string;
  /** Inside a foreach: the item's index (from 0); inside an until: the iteration's number (from 1). The template root `loop`. */
  loop?: number;
  /** For a `stage-end` of a stage whose `if` did not hold: `true` (its status is `SKIP`). */
  skipped?: boolean;
  /** For `stage-line` and `stage-attempt-failed`: the stage's id (its record's key). */
  id?: string;
  /** For `stage-line`: the stream (`log` for what py code prints: the Python runner sends print() and stderr alike). */
  stream?: 'stdout' | 'stderr' | 'log';
  /** For `stage-line`: the line, without its newline, as printed (not escaped; secrets masked by the stage runner). */
  line?: string;
  /** For `stage-line` and `stage-attempt-failed`: the attempt of the stage, from 1. */
  attempt?: number;
  /** For `stage-attempt-failed`: the error of the attempt (its whole message). */
  error?: { name: string; message: string };
  /** For `stage-attempt-failed`: the stage will run again (its retry allows another attempt). */
  retrying?: boolean;
}

/** Options for {@link runLocal}. */
export interface RunLocalOptions {
  /** Every workflow by name (for `trigger` stages). @default just this one */
  workflows?: ReadonlyMap<string, Workflow>;
  /** Raw params (coerced here). @default {} */
  params?: Record<string, unknown>;
  /** The release: logical date (ISO) and type. @default now, `normal` */
  release?: { logical_date?: string; type?: string };
  /** The run id. @default a new one */
  runId?: string;
  /** More fields of the run document's `run` (a rerun's `parent`, say). */
  run?: Record<string, unknown>;
  /** Jobs already done (a rerun resumes after them). @default {} */
  jobs?: Record<string, unknown>;
  /** Stops the run (CANCEL). */
  signal?: AbortSignal;
  /** Progress callback. */
  onEvent?: (e: RunEvent) => void;
  /** Lines a py stage prints (its stdout and stderr), with the stage's name. */
  onLog?: (stage: string, line: string) => void;
  /**
   * What stages print, line by line as it comes (`stage-line`: bash stdout and stderr, py prints
   * and tracebacks), and each failed attempt of a stage (`stage-attempt-failed`), labelled as
   * progress labels its stage. The run's own stages only (not those of a triggered workflow).
   */
  onStageLog?: (e: RunEvent) => void;
  /**
   * Every event of the engine's logs, as it comes (benchmarks count transitions with it), with the
   * id of the execution it belongs to: the run's own, a child machine's (a split job, a chunk of a
   * batched foreach), or a `trigger` stage's child run's.
   */
  onRawEvent?: (e: { type: string; state?: { name: string }; index?: number }, execution: string) => void;
  /** Replaces every retry wait and retry-loop Wait with this many milliseconds (tests). */
  retryWaitMs?: number;
  /** Run echoes only: action stages report what they would do. @default false */
  dryrun?: boolean;
  /** How to split the workflow into child machines (see `compileWorkflow`). @default 'auto' */
  split?: CompileOptions['split'];
  /** Whether jobs of a graph that is not series-parallel run as a graph (see `compileWorkflow`). @default 'auto' */
  jobGraph?: CompileOptions['jobGraph'];
  /** The audit table the machine's DynamoDB tasks (the release claim) write to. */
  store?: { client: DynamoDBClient; table: string };
  /** Where secret params are kept during the run. @default the local store's table, or memory without a store (local-secret-store.ts) */
  secretStore?: SecretStore;
  /** A release lock key (`lock#<minute>`): the run claims it first and is SKIP when it is taken. */
  lock?: string;
  /** The S3 client S3 foreach stages read their items from and write their results to. @default the local S3 server of `WORKFLOW_CORE_AUDIT_PATH` (else `.wf`), started when needed */
  s3?: S3Client;
}

/** The result document (docs/running.md). */
export interface ResultDocument {
  status: 'SUCCESS' | 'FAILED' | 'SKIP' | 'CANCEL';
  run: { id: string; workflow: string; [k: string]: unknown };
  params: Record<string, unknown>;
  release: Record<string, unknown>;
  jobs: Record<string, unknown>;
  errors: Array<{ name: string; message: string }>;
}

/**
 * Thrown when the params are wrong: nothing ran. `problems` are the messages (what a deployed run's
 * prepare step reports); `reports` the same with each one's code and fix, for the command line.
 */
export class RunInputError extends Error {
  constructor(
    readonly problems: string[],
    readonly reports: string[] = problems,
  ) {
    super(problems.join('\n'));
    this.name = 'RunInputError';
  }
}

/** A new run id: sortable by time, unique. */
export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 17);
  return `${ts}-${randomBytes(4).toString('hex')}`;
}

/** Every Task state of a machine with its name, nested branches and item processors included. */
export function taskStates(m: Machine, into: Array<[string, State]> = []): Array<[string, State]> {
  for (const [name, st] of Object.entries(m.States)) {
    if (st.Type === 'Task') into.push([name, st]);
    for (const b of st.Branches ?? []) taskStates(b, into);
    if (st.ItemProcessor) taskStates(st.ItemProcessor, into);
  }
  return into;
}

function waitStates(m: Machine, into: string[] = []): string[] {
  for (const [name, st] of Object.entries(m.States)) {
    if (st.Type === 'Wait' && (st.SecondsPath?.startsWith('$.__retry') || name.endsWith('restart'))) into.push(name);
    for (const b of st.Branches ?? []) waitStates(b, into);
    if (st.ItemProcessor) waitStates(st.ItemProcessor, into);
  }
  return into;
}

/** Step Functions' limit on a state's input or output (256 KiB); the local engine has none, so runs check it here. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The result of a run whose state passed {@link MAX_PAYLOAD_BYTES}, failed as AWS would fail it. */
function payloadFailure(input: Record<string, unknown>, w: Workflow, tooLarge: { state: string; bytes: number }): ResultDocument {
  return failedRun(
    input,
    w,
    'States.DataLimitExceeded',
    `the output of state "${tooLarge.state}" is ${tooLarge.bytes} bytes, over Step Functions' limit of ${MAX_PAYLOAD_BYTES} bytes for a state's input or output; the run fails there on AWS (no Catch handles it), so it fails here too. Keep large data out of the run's document: stage outputs over 32 KB are cut already, but many stages, a long foreach list or large params add up`,
  );
}

const compiled = new WeakMap<Workflow, Map<string, CompiledWorkflow>>();
/** Engine machines by definition text: an engine machine runs any number of executions. */
const machines = new Map<string, StateMachine>();
function compileOnce(w: Workflow, dryrun: boolean, split: CompileOptions['split'], jobGraph: CompileOptions['jobGraph']): CompiledWorkflow {
  const key = `${dryrun}/${split ?? 'auto'}/${jobGraph ?? 'auto'}`;
  let forWorkflow = compiled.get(w);
  if (!forWorkflow) compiled.set(w, (forWorkflow = new Map()));
  let c = forWorkflow.get(key);
  if (!c) forWorkflow.set(key, (c = compileWorkflow(w, { dryrun, ...(split ? { split } : {}), ...(jobGraph ? { jobGraph } : {}) })));
  return c;
}

/** A Python runner request with its secret references replaced by their values (kept in memory only). */
async function withSecretValues(req: PyRunRequest, store: SecretStore): Promise<PyRunRequest> {
  const named = (req as { secrets?: unknown }).secrets;
  if (!Array.isArray(named) || !named.length || !JSON.stringify(req).includes(SECRET_REF_KEY)) return req;
  const run = (req.globals as { run?: { id?: unknown; parent?: unknown } }).run ?? {};
  const runs = new Set([run.id, run.parent].filter((x): x is string => typeof x === 'string'));
  const out = { ...req } as PyRunRequest & { secretValues?: unknown };
  for (const key of ['globals', 'vars', 'code', 'secretValues'] as const) {
    if (out[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = (await resolveSecretRefs(out[key], store, runs)).value;
  }
  return out;
}

/** Runs a workflow locally and resolves with its result document (never rejects for a failed run). */
export async function runLocal(workflow: Workflow, options: RunLocalOptions = {}): Promise<ResultDocument> {
  const { params, errors } = parameterize(workflow, options.params ?? {});
  if (errors.length) throw new RunInputError(errors.map((e) => e.message), errors.map((e) => e.report()));
  const forged = Object.values(workflow.params).filter((p) => !p.secret && JSON.stringify(params[p.name] ?? null).includes(SECRET_REF_KEY)).map((p) => p.name);
  if (forged.length) throw new RunInputError(forged.map((n) => `param "${n}" holds a secret reference, but it is not declared secret: true`));
  const runId = options.runId ?? newRunId();
  // Secret params go into the run as references, as on AWS; the values stay in the local store.
  const secrets = options.secretStore ?? localSecretStore(options.store);
  const secretNames = Object.values(workflow.params).filter((p) => p.secret && params[p.name] !== null && params[p.name] !== undefined).map((p) => p.name);
  const input = {
    prepared: true,
    params: secretNames.length ? await storeSecretParams(params, secretNames, secrets, runId) : params,
    release: { logical_date: options.release?.logical_date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), type: options.release?.type ?? 'normal' },
    run: { ...options.run, id: runId, workflow: workflow.name },
    jobs: options.jobs ?? {},
    ...(options.lock ? { lock: options.lock } : {}),
  };
  try {
    return await execute(workflow, input, { ...options, secretStore: secrets });
  } finally {
    await secrets.deleteRun(runId).catch(() => undefined);
  }
}

async function execute(workflow: Workflow, input: Record<string, unknown>, options: RunLocalOptions): Promise<ResultDocument> {
  const compiledWf = compileOnce(workflow, options.dryrun ?? false, options.split, options.jobGraph);
  const { definition } = compiledWf;
  const all = options.workflows ?? new Map([[workflow.name, workflow]]);
  // Stops the run's processes when the run is cancelled or times out.
  const stop = new AbortController();
  const signal = stop.signal;
  // Every running stage and child execution listens for the stop: many at once is normal.
  setMaxListeners(0, signal);
  const secretStore = options.secretStore ?? localSecretStore(options.store);
  // S3 (an S3 foreach's items and results, values too big for the state): the given client, else
  // the local server, opened when first needed.
  let localS3: LocalS3 | undefined;
  let s3Client: Promise<S3Client> | undefined;
  const s3 = (): Promise<S3Client> => (s3Client ??= options.s3 ? Promise.resolve(options.s3) : openLocalS3().then((l) => (localS3 = l).client));
  let resultsBucket: Promise<S3Client> | undefined;
  const spill: SpillStore = { bucket: LOCAL_RESULTS_BUCKET, s3: () => (resultsBucket ??= s3().then((c) => ensureBucket(c, LOCAL_RESULTS_BUCKET))) };
  // The Python runner gets the values of the references its request holds (stdin, never a state).
  const runPy = async (req: PyRunRequest, sink?: LineSink): Promise<unknown> => {
    // What the code prints comes as it is printed (unbuffered), a line at a time.
    const lines = sink ? new LineSplitter((l) => sink('log', l)) : undefined;
    const onLog = options.onLog || lines ? (text: string): void => {
      options.onLog?.(req.name, text);
      lines?.push(text);
    } : undefined;
    try {
      // Spilled values are read here, and outputs too big for the state are spilled here, as the
      // stage runner does (on AWS the Python runner does both itself).
      const unspilled = { ...req, globals: (await resolveSpilled(req.globals, spill)) as PyRunRequest['globals'], vars: (await resolveSpilled(req.vars, spill)) as PyRunRequest['vars'] };
      const env = { [SPILL_TO_CALLER_ENV]: '1', ...(onLog ? { PYTHONUNBUFFERED: '1' } : {}) };
      const result = (await runPython(await withSecretValues(unspilled, secretStore), { signal, env, ...(onLog ? { onLog } : {}) })) as StageResponse;
      return { ...result, outputs: await spillOutputs(result.outputs ?? {}, spill) };
    } finally {
      lines?.end();
    }
  };
  // Attempts of each stage so far, by state and place (a retried Task runs its handler again).
  const attempts = new Map<string, number>();
  // Failed attempts that will be retried, by state: their StateFailed events are not a stage's end.
  const retryPending = new Map<string, number>();
  const children = new Map(compiledWf.children.map((c) => [c.name, c]));
  // Signals and concurrency slots live in the local store (see local-coordination.ts).
  // The tail of each failed child run's history, as GetExecutionHistory gives it newest first: what
  // a trigger stage reads of its failed child (lib/runtime/child-outcome.ts).
  const failedChildren = new Map<string, ChildHistoryEvent[]>();
  const coordination = localCoordination(options.store, signal, async (arn) => failedChildren.get(arn));
  // A state whose output passes the payload limit fails the run, as on AWS (checked as events come in).
  let tooLarge: { state: string; bytes: number } | undefined;
  let stopRun = (): void => stop.abort();
  const tooLargeIn = (state: string, bytes: number): void => {
    if (tooLarge) return;
    tooLarge = { state, bytes };
    stopRun();
  };
  /** Task handlers for a definition: every Task routed to the code its Lambda or service runs. */
  const buildHandlers = (def: Machine, info: Record<string, StateInfo>): Record<string, (input: unknown) => Promise<unknown>> => {
    const handlers: Record<string, (input: unknown, sink?: LineSink) => Promise<unknown>> = {};
    for (const [name, st] of taskStates(def)) {
      const resource = st.Resource ?? '';
      const fn = (st.Parameters as { FunctionName?: string } | undefined)?.FunctionName ?? '';
      if (resource.endsWith(':lambda:invoke') && fn.includes('PyRunner')) {
        handlers[name] = async (p, sink) => {
          const req = (p as { Payload: PyRunRequest & { key?: string } }).Payload;
          try {
            return { Payload: await runPy(req, sink) };
          } catch (e) {
            // The Python runner adds the key itself; a runner that could not start or died did not.
            throw lambdaFailure(typeof req.key === 'string' ? keyedFailure(e, req.key) : e);
          }
        };
      } else if (resource.endsWith(':lambda:invoke.waitForTaskToken')) {
        // No task tokens locally: the handler waits for the answer itself, and ends as the
        // SendTaskSuccess / SendTaskFailure of the answer would end the Task on AWS.
        handlers[name] = async (p) => handleRequest((p as { Payload: RunnerRequest }).Payload, { signal, coordination, secretStore });
      } else if (resource.endsWith(':lambda:invoke')) {
        handlers[name] = async (p, sink) => {
          try {
            const req = (p as { Payload: RunnerRequest }).Payload;
            return { Payload: await handleRequest(req, { signal, runPy, coordination, secretStore, spill, ...(sink ? { onLine: sink } : {}), ...(req.action === 'tally' ? { s3: await s3() } : {}) }) };
          } catch (e) {
            throw lambdaFailure(e);
          }
        };
      } else if (resource.includes(':states:startExecution')) {
        handlers[name] = async (p) => {
          const arn = (p as { StateMachineArn: string }).StateMachineArn;
          const childName = arn.replace(/^local:/, '');
          const jobMachine = children.get(childName);
          if (jobMachine) return { Output: await runChildMachine(jobMachine, (p as { Input: Record<string, unknown> }).Input), Status: 'SUCCEEDED' };
          const child = all.get(childName);
          if (!child) throw Object.assign(new Error(`no workflow named "${childName}" to trigger`), { name: 'States.TaskFailed' });
          const childInput = (p as { Input: Record<string, unknown> }).Input;
          const id = newRunId();
          let doc: ResultDocument;
          try {
            doc = await execute(child, { ...childInput, run: { ...(childInput.run as object), id } }, { ...options, secretStore, onEvent: undefined, onStageLog: undefined });
          } finally {
            await secretStore.deleteRun(id).catch(() => undefined);
          }
          if (doc.status === 'FAILED' || doc.status === 'CANCEL') {
            // As on AWS: the Task fails with the child's DescribeExecution (no output), and the
            // child's document is the output of its result state, in its history.
            const executionArn = localExecutionId(childName, id);
            const output = JSON.stringify(doc);
            const truncated = Buffer.byteLength(output) > MAX_PAYLOAD_BYTES;
            failedChildren.set(executionArn, doc.status === 'CANCEL' ? [{ type: 'ExecutionAborted' }] : [
              { type: 'ExecutionFailed' },
              { type: 'FailStateEntered' },
              { type: 'PassStateExited', stateExitedEventDetails: { name: 'run.FAILED', output: truncated ? output.slice(0, MAX_PAYLOAD_BYTES / 4) : output, outputDetails: { truncated } } },
            ]);
            const status = doc.status === 'CANCEL' ? 'ABORTED' : 'FAILED';
            const described = { ExecutionArn: executionArn, StateMachineArn: arn, Name: id, Status: status, Input: JSON.stringify(childInput), Error: 'WorkflowFailed', Cause: `workflow "${childName}" run ${id} ${doc.status}` };
            throw Object.assign(new Error(JSON.stringify(described)), { name: 'States.TaskFailed' });
          }
          return { Output: doc, Status: 'SUCCEEDED' };
        };
      } else if (resource.startsWith('arn:aws:states:::dynamodb:')) {
        handlers[name] = async (p) => dynamoLocally(resource, p as Record<string, unknown>, options.store);
      } else if (resource.includes(':ecs:runTask')) {
        const docker = info[name]?.docker;
        handlers[name] = async (p) => runDockerLocally(name, docker, p as EcsRunTask, signal);
      } else {
        handlers[name] = async () => {
          const e = new Error(`the local engine cannot run "${resource}" (state "${name}")`);
          e.name = 'States.TaskFailed';
          throw e;
        };
      }
    }
    // Distributed Maps run here (run-distributed-map.ts): each batch a child execution of the processor.
    for (const [name, st] of localDistributedMaps(def).maps) {
      handlers[name] = async (p) => {
        const task = p as { input: unknown; execution: string };
        const runChild = (processor: Machine, childInput: unknown): Promise<unknown> => runChildMachine({ name: `${workflow.name}/${name}`, definition: processor, states: info }, childInput as Record<string, unknown>);
        return runDistributedMap(name, st, task, { s3, signal, runChild });
      };
    }
    // Step Functions cuts every Task's error name and cause to its limits, whatever the service.
    const out: Record<string, (input: unknown) => Promise<unknown>> = {};
    const states = new Map(taskStates(def));
    for (const [name, handler] of Object.entries(handlers)) {
      out[name] = async (raw) => {
        // A stage's Task carries its state's input (see withStateInput), for the label of its lines.
        const { params: p, stateInput } = takeStateInput(raw);
        const stage = stateInput !== undefined && options.onStageLog ? stageLabel(info[name], stateInput, workflow.name) : undefined;
        let attempt = 0;
        if (stage) {
          const place = `${name}#${JSON.stringify([stage.matrix ?? '', stage.branch ?? '', stage.loop ?? '', stage.stage])}`;
          attempts.set(place, (attempt = (attempts.get(place) ?? 0) + 1));
        }
        const sink: LineSink | undefined = stage ? (stream, line) => options.onStageLog!({ type: 'stage-line', ...stage, stream, line, attempt, at: Date.now() }) : undefined;
        try {
          return await handler(p, sink);
        } catch (e) {
          const thrown = taskFailure(e);
          if (stage) {
            const error = attemptError(e);
            const retrying = !signal.aborted && error.status !== 'CANCEL' && attempt <= retriesOf(states.get(name), thrown.name);
            // The engine reports the state failed before it retries it: progress waits for the last attempt.
            if (retrying) retryPending.set(name, (retryPending.get(name) ?? 0) + 1);
            options.onStageLog!({ type: 'stage-attempt-failed', ...stage, attempt, error: { name: error.name, message: error.message }, retrying, at: Date.now() });
          }
          throw thrown;
        }
      };
    }
    return out;
  };
  /** The definition the engine runs: child machines' placeholders filled, exact intrinsics (exact-intrinsics.ts). */
  const fill = (def: Machine, info: Record<string, StateInfo>): ExactIntrinsics => {
    const byPlaceholder = new Map([...all.keys(), ...children.keys()].map((k) => [stateMachinePlaceholder(k), k]));
    const filled = localDistributedMaps(JSON.parse(JSON.stringify(def).replace(/\$\{(StateMachine_[A-Za-z0-9_]+)\}/g, (_, p: string) => `local:${byPlaceholder.get(p) ?? p}`)) as Machine).definition;
    return exactIntrinsics(options.onStageLog ? withStateInput(filled, info) : filled);
  };
  /** The context of a job machine's execution (a split workflow). */
  const childContext = (name: string, childInput: unknown): Record<string, unknown> => {
    const id = newRunId();
    return localContext(localExecutionId(name, id), id, childInput);
  };
  /** Runs one child machine (a split job, a foreach chunk); resolves with its output. */
  const runChildMachine = async (child: Pick<CompiledMachine, 'name' | 'definition' | 'states'>, childInput: Record<string, unknown>): Promise<unknown> => {
    if (signal.aborted) throw Object.assign(new Error('the run was stopped'), { name: 'States.TaskFailed' });
    const exact = fill(child.definition, child.states);
    const m = ownMachine(new StateMachine(exact.definition as never, { validationOptions: { noValidate: true } }));
    const context = childContext(child.name, childInput);
    const ex = m.run(childInput as never, { overrides: { taskResourceLocalHandlers: exact.wrap(buildHandlers(child.definition, child.states)) as never }, context: context as never });
    const progress = watchEvents(withOwnTypes(ex.eventLogs as AsyncGenerator<unknown>, exact.passStates), child.states, workflow.name, {}, options.onEvent, options.onRawEvent, String((context.Execution as { Id: string }).Id), tooLargeIn, retryPending);
    const onAbort = (): void => ex.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await ex.result;
    } catch (e) {
      throw Object.assign(new Error((e as Error).message), { name: 'States.TaskFailed' });
    } finally {
      signal.removeEventListener('abort', onAbort);
      await progress.catch(() => undefined);
    }
  };
  const exact = fill(definition, compiledWf.states);
  const handlers = exact.wrap(buildHandlers(definition, compiledWf.states));
  const text = JSON.stringify(exact.definition);
  // The compiler checks every machine it emits (asl-validator in its tests, structure on every
  // compile), so the engine's own validation is skipped: it costs 0.1-0.3 s per run.
  let machine = machines.get(text);
  if (!machine) {
    machine = ownMachine(new StateMachine(JSON.parse(text), { validationOptions: { noValidate: true } }));
    machines.set(text, machine);
    if (machines.size > 64) machines.delete(machines.keys().next().value!);
  }
  const retryOverrides: Record<string, number> = {};
  const waitOverrides: Record<string, number> = {};
  if (options.retryWaitMs !== undefined) {
    for (const [name, st] of taskStates(definition)) if (st.Retry?.length) retryOverrides[name] = options.retryWaitMs;
    for (const name of waitStates(definition)) waitOverrides[name] = options.retryWaitMs;
  }
  const run = (input as { run: { id: string } }).run;
  const executionId = localExecutionId(workflow.name, run.id);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides, waitTimeOverrides: waitOverrides },
    context: localContext(executionId, run.id, input) as never,
  });
  const onAbort = (): void => {
    stop.abort();
    execution.abort();
  };
  stopRun = onAbort;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Another run may stop this one (a concurrency group with cancel-in-progress).
  let stopCause: string | undefined;
  const stopBy = (cause: string): void => {
    stopCause = cause;
    onAbort();
  };
  const unregister = registerExecution(executionId, stopBy);
  const unwatch = options.store && takesConcurrencySlot(definition) ? watchStopRequests(options.store, executionId, stopBy) : undefined;
  // The result document is the output of the run's result state: read it from the event log
  // (a failed run's Fail state only names the run in its cause, on AWS as here).
  const seen: { result?: ResultDocument; jobs?: Record<string, unknown> } = {};
  const progress = watchEvents(withOwnTypes(execution.eventLogs as AsyncGenerator<unknown>, exact.passStates), compiledWf.states, workflow.name, seen, options.onEvent, options.onRawEvent, executionId, tooLargeIn, retryPending);
  const sofar = (): Record<string, unknown> => ({ ...input, jobs: { ...(input as { jobs?: object }).jobs, ...seen.jobs } });
  try {
    const out = (await execution.result) as unknown as ResultDocument;
    await progress.catch(() => undefined);
    return tooLarge ? payloadFailure(sofar(), workflow, tooLarge) : out;
  } catch (e) {
    stop.abort();
    await progress.catch(() => undefined);
    if (tooLarge) return payloadFailure(sofar(), workflow, tooLarge);
    if (e instanceof ExecutionAbortedError || options.signal?.aborted) return cancelled(sofar(), workflow, stopCause);
    if (e instanceof ExecutionError) {
      const cause = (e as { cause?: { name?: string; message?: string } }).cause;
      if (cause?.name === 'WorkflowFailed' && seen.result) return seen.result;
      // A built-in error is the engine's own (Task errors reach it as plain Errors, task-failure.ts):
      // an intrinsic function that failed, say `States.StringToJson` of a cut cause. No Catch handles
      // that on Step Functions either; it names it States.Runtime.
      if (cause instanceof SyntaxError || cause instanceof TypeError || cause instanceof RangeError) {
        return failedRun(sofar(), workflow, 'States.Runtime', `a state's intrinsic function failed: ${cause.message}`);
      }
      return failedRun(sofar(), workflow, cause?.name ?? 'ExecutionError', cause?.message ?? e.message);
    }
    if (e instanceof ExecutionTimeoutError) return failedRun(sofar(), workflow, 'States.Timeout', `the run took longer than its timeout of ${workflow.timeout} s`);
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    localS3?.close();
    unregister();
    unwatch?.();
    await progress.catch(() => undefined);
  }
}

/**
 * A `dynamodb:*` integration Task run against the local store with the AWS SDK: the same request
 * Step Functions would send, and errors named as Step Functions names them
 * (`DynamoDB.ConditionalCheckFailedException`).
 */
async function dynamoLocally(resource: string, params: Record<string, unknown>, store: RunLocalOptions['store']): Promise<unknown> {
  if (!store) throw Object.assign(new Error('this run writes to the audit table, but no local audit store is open'), { name: 'States.TaskFailed' });
  const input = { ...params, TableName: store.table } as never;
  const action = resource.slice('arn:aws:states:::dynamodb:'.length);
  try {
    switch (action) {
      case 'putItem':
        return await store.client.send(new PutItemCommand(input));
      case 'updateItem':
        return await store.client.send(new UpdateItemCommand(input));
      case 'getItem':
        return await store.client.send(new GetItemCommand(input));
      case 'deleteItem':
        return await store.client.send(new DeleteItemCommand(input));
      default:
        throw Object.assign(new Error(`the local engine does not run dynamodb:${action}`), { name: 'States.TaskFailed' });
    }
  } catch (e) {
    const err = e as Error;
    if (err.name?.startsWith('States.')) throw err;
    throw Object.assign(new Error(err.message), { name: `DynamoDB.${err.name}` });
  }
}

/** An echo stage's message (or a templated stage name) rendered against the state's input; the raw text when it cannot be. */
function echoText(echo: NonNullable<StateInfo['echo']>, input: unknown): string {
  try {
    // A secret's reference shows as `***`: the progress line never reads the value.
    const ctx = hideSecretRefs(resolveParameters(echo.ctx, input)) as WireContext;
    const value = renderTemplate(echo.message, { scope: buildScope(ctx) });
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return echo.message;
  }
}

/** Receives a line a stage printed (see {@link RunLocalOptions.onStageLog}). */
type LineSink = (stream: 'stdout' | 'stderr' | 'log', line: string) => void;

/** The key of a stage Task's Parameters that carries the state's input to its local handler. */
const STATE_INPUT = '\u2063state-input';

/**
 * The machine with each stage's runner Task given its state's input as one more Parameter (for the
 * local engine only: the handler takes it off before the request goes on), so the lines the stage
 * prints are labelled as its progress lines are, matrix values, branch and foreach index included.
 */
function withStateInput(m: Machine, info: Record<string, StateInfo>): Machine {
  const states: Record<string, State> = {};
  for (const [name, st] of Object.entries(m.States)) {
    let out = st;
    const resource = st.Resource ?? '';
    if (st.Type === 'Task' && info[name]?.role === 'stage' && resource.endsWith(':lambda:invoke') && st.Parameters && typeof st.Parameters === 'object') {
      out = { ...st, Parameters: { ...(st.Parameters as Record<string, unknown>), [`${STATE_INPUT}.$`]: '$' } };
    }
    if (st.Branches) out = { ...out, Branches: st.Branches.map((b) => withStateInput(b, info)) };
    if (st.ItemProcessor) out = { ...out, ItemProcessor: { ...st.ItemProcessor, ...withStateInput(st.ItemProcessor, info) } };
    states[name] = out;
  }
  return { ...m, States: states };
}

/** A Task's Parameters without the state input {@link withStateInput} added, and that input. */
function takeStateInput(p: unknown): { params: unknown; stateInput?: unknown } {
  if (p === null || typeof p !== 'object' || !(STATE_INPUT in p)) return { params: p };
  const { [STATE_INPUT]: stateInput, ...params } = p as Record<string, unknown>;
  return { params, stateInput };
}

/** How a stage is labelled in its lines: as its progress lines label it. */
function stageLabel(i: StateInfo | undefined, input: unknown, workflow: string): Omit<RunEvent, 'type' | 'at'> | undefined {
  if (!i?.job) return undefined;
  return { workflow, job: i.job, stage: i.title ? echoText(i.title, input) : (i.name ?? i.stage), ...(i.stage !== undefined ? { id: i.stage } : {}), ...whereFields(i.where, input) };
}

/** The error of a failed attempt: a stage's failed record's error (StageFailed carries the record as JSON), else the error itself. */
function attemptError(e: unknown): { name: string; message: string; status?: string } {
  const err = (e ?? {}) as { name?: unknown; message?: unknown };
  let name = typeof err.name === 'string' ? err.name : 'Error';
  let message = typeof err.message === 'string' ? err.message : String(e);
  const json = (text: string): Record<string, unknown> | undefined => {
    try {
      const v = JSON.parse(text) as unknown;
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  // A Lambda's failure (task-failure.ts) carries the runner's error as `{errorType, errorMessage}`.
  const lambda = json(message);
  if (lambda && typeof lambda.errorMessage === 'string') {
    name = typeof lambda.errorType === 'string' ? lambda.errorType : name;
    message = lambda.errorMessage;
  }
  const record = json(message) as { status?: unknown; errors?: { name?: unknown; message?: unknown } } | undefined;
  if (record?.errors && typeof record.errors === 'object') {
    return { name: String(record.errors.name ?? name), message: String(record.errors.message ?? ''), ...(typeof record.status === 'string' ? { status: record.status } : {}) };
  }
  return { name, message };
}

/** How many times a Task's Retry runs it again after an error of this name (its first retrier for the name, as Step Functions picks). */
function retriesOf(st: State | undefined, error: string): number {
  const retrier = st?.Retry?.find((r) => r.ErrorEquals.includes(error) || (r.ErrorEquals.includes('States.ALL') && !error.startsWith('States.Runtime')));
  return retrier ? (retrier.MaxAttempts ?? 3) : 0;
}

/** Where a state runs, read from its input: the matrix combination's values, the parallel branch, the foreach index or until iteration. */
function whereFields(where: StateInfo['where'], input: unknown): Pick<RunEvent, 'matrix' | 'branch' | 'loop'> {
  if (!where) return {};
  let ctx: { matrix?: unknown; branch?: unknown; loop?: unknown };
  try {
    ctx = hideSecretRefs(resolveParameters(where, input)) as typeof ctx;
  } catch {
    return {};
  }
  const out: Pick<RunEvent, 'matrix' | 'branch' | 'loop'> = {};
  if (ctx.matrix !== null && typeof ctx.matrix === 'object' && !Array.isArray(ctx.matrix)) out.matrix = Object.values(ctx.matrix);
  if (typeof ctx.branch === 'string') out.branch = ctx.branch;
  if (typeof ctx.loop === 'number') out.loop = ctx.loop;
  return out;
}

function baseDoc(input: Record<string, unknown>): Omit<ResultDocument, 'status' | 'errors'> {
  const i = input as unknown as ResultDocument;
  return { run: i.run, params: i.params, release: i.release, jobs: i.jobs ?? {} };
}

function cancelled(input: Record<string, unknown>, _w: Workflow, cause?: string): ResultDocument {
  return { status: 'CANCEL', ...baseDoc(input), errors: [{ name: 'Cancelled', message: cause ?? 'the run was cancelled' }] };
}

function failedRun(input: Record<string, unknown>, _w: Workflow, name: string, message: string): ResultDocument {
  return { status: 'FAILED', ...baseDoc(input), errors: [{ name, message }] };
}

async function watchEvents(events: AsyncGenerator<unknown>, info: Record<string, StateInfo>, workflow: string, seen: { result?: ResultDocument; jobs?: Record<string, unknown> }, onEvent: ((e: RunEvent) => void) | undefined, onRaw: RunLocalOptions['onRawEvent'], execution: string, onTooLarge: (state: string, bytes: number) => void, retryPending: Map<string, number> = new Map()): Promise<void> {
  const started = new Map<string, number>();
  const failed = new Set<string>();
  const emit = onEvent ?? ((): void => undefined);
  for await (const raw of events) {
    const ev = raw as { type: string; timestamp: number; index?: number; state?: { name: string; output?: unknown } };
    onRaw?.(ev, execution);
    if (!ev.state) continue;
    if (ev.type === 'StateExited') {
      const bytes = Buffer.byteLength(JSON.stringify(ev.state.output) ?? '');
      if (bytes > MAX_PAYLOAD_BYTES) onTooLarge(ev.state.name, bytes);
    }
    const i = info[ev.state.name];
    if (!i) continue;
    if (i.role === 'run-result' && ev.type === 'StateExited') seen.result = ev.state.output as ResultDocument;
    // The jobs finished so far, for a run that is cancelled or times out before its result.
    if (i.role === 'job-end' && ev.type === 'StateExited' && i.job) {
      const job = (ev.state.output as { jobs?: Record<string, unknown> } | undefined)?.jobs?.[i.job];
      if (job !== undefined) seen.jobs = { ...seen.jobs, [i.job]: job };
    }
    if (!onEvent) continue;
    const input = (ev.state as { input?: unknown }).input;
    const where = whereFields(i.where, input);
    const place = [ev.index ?? '', ...(where.matrix ?? []), where.branch ?? '', where.loop ?? ''].map((v) => JSON.stringify(v)).join(',');
    const key = `${ev.state.name}#${place}`;
    const stageKey = `${i.job}/${i.stage}#${place}`;
    const base = { workflow, job: i.job, stage: i.title ? echoText(i.title, input) : (i.name ?? i.stage), at: ev.timestamp, index: ev.index, ...where };
    if (i.skipped) {
      // A skipped stage is one line: it ends as it starts.
      if (ev.type === 'StateExited') emit({ type: 'stage-end', ...base, status: 'SKIP', skipped: true });
      continue;
    }
    if (ev.type === 'StateEntered') {
      started.set(key, ev.timestamp);
      if (i.role === 'job') emit({ type: 'job-start', workflow, job: i.job, at: ev.timestamp });
      else if (i.role === 'stage' || i.role === 'stage-open') {
        started.set(stageKey, ev.timestamp);
        const message = i.echo ? echoText(i.echo, input) : undefined;
        emit({ type: 'stage-start', ...base, ...(message !== undefined ? { message } : {}) });
      }
    } else if (ev.type === 'StateExited' || ev.type === 'StateFailed' || ev.type === 'StateCaught') {
      const t0 = started.get(i.role === 'stage' ? key : stageKey);
      const ms = t0 === undefined ? undefined : ev.timestamp - t0;
      if (i.role === 'job-end') {
        const out = ev.state.output as { jobs?: Record<string, { status?: string }> } | undefined;
        emit({ type: 'job-end', workflow, job: i.job, status: out?.jobs?.[i.job!]?.status, at: ev.timestamp });
      } else if (i.role === 'stage' && ev.type !== 'StateExited') {
        const pending = ev.type === 'StateFailed' ? (retryPending.get(ev.state.name) ?? 0) : 0;
        if (pending > 0) {
          retryPending.set(ev.state.name, pending - 1);
          continue;
        }
        if (!failed.has(key)) emit({ type: 'stage-failed', ...base, ms });
        failed.add(key);
      } else if (i.role === 'stage' || i.role === 'stage-close') {
        if (i.role === 'stage' && failed.delete(key)) continue;
        emit({ type: i.failed ? 'stage-failed' : 'stage-end', ...base, ms });
      }
    }
  }
}
