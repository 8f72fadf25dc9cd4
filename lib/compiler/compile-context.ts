/**
 * Shared state of one compilation: the states being emitted, name allocation, diagnostics, and
 * the helpers every construct uses to emit Lambda tasks, evaluation tasks and failure handling.
 *
 * Compilation runs in continuation-passing style: a construct is compiled with the name of the
 * state that follows it (`next`) and the name of the state to go to when it fails (`fail`), and
 * returns the name of its first state. Failures are normalised into `$.__caught.r`
 * (`{status: 'FAILED', outputs?, errors}`) before control reaches a `fail` target.
 */
import type { Diagnostic } from '../diagnostics/index.ts';
import type { Workflow, Job } from '../config/index.ts';
import { Placeholders, type EvalItem, ErrorNames } from '../protocol/index.ts';
import type { Catcher, ChoiceRule, Machine, Retrier, State } from './asl/types.ts';
import { ECS_RUN_TASK_ERRORS, LAMBDA_SERVICE_ERRORS, START_EXECUTION_ERRORS } from './asl/rules/index.ts';
import { StateNames } from './state-names.ts';
import { hasPathKey, type PathScope } from './compile-expression.ts';

/** Options for {@link compileWorkflow}. */
export interface CompileOptions {
  /** Workflows by name, for `trigger` stages. @default the workflow alone */
  workflows?: ReadonlyMap<string, Workflow>;
  /** Whether `dryrun` releases are compiled in: action stages only echo. @default false */
  dryrun?: boolean;
  /** Split the workflow into one child state machine per job: when needed, always, or never. @default 'auto' */
  split?: 'auto' | 'jobs' | 'off';
  /**
   * Run the jobs of a graph that is not series-parallel each as soon as its needs are done
   * (`auto`; see compile-dag.ts), or always by the series-parallel plan (`off`). @default 'auto'
   */
  jobGraph?: 'auto' | 'off';
}

/** A chunk machine's batch: the items per chunk, and where the parent keeps its items (`<path>.chunks` is what its Map runs over). */
export interface BatchInfo {
  size: number;
  itemsPath: string;
}

/** A template and the `ctx` Parameters (see wire-context.ts) the engine renders it with from a state's input. */
export interface RenderedText {
  message: string;
  ctx: Record<string, unknown>;
}

/** What the compiler knows about a state, for progress reporting and tests. */
export interface StateInfo {
  job?: string;
  stage?: string;
  /**
   * `stage`: the state that runs the stage (entered = started, exited = ended); `stage-open` /
   * `stage-close`: the first and last state of a stage made of several (group, case, until, try);
   * `job`: the job's start; `job-end`: a state that ends the job; `run-result`: the state whose
   * output is the result document.
   */
  role: 'stage' | 'stage-open' | 'stage-close' | 'job' | 'job-end' | 'run-result' | 'run-end' | 'internal';
  /** The stage's name as written (for display). */
  name?: string;
  /** The state records a failure (a raise, a container that failed). */
  failed?: boolean;
  /** For an echo stage: the message template and the `ctx` Parameters to render it with (progress output). */
  echo?: RenderedText;
  /** For a stage whose name is a template: the name and the `ctx` Parameters to render it with (progress output). */
  title?: RenderedText;
  /**
   * Parameters that read where the state runs, for progress output: `matrix` (the combination),
   * `branch` (the parallel branch's name), `loop` (the foreach item's index, the until iteration's number), those that apply.
   */
  where?: Record<string, unknown>;
  /** The state records the stage as skipped (its `if` did not hold). */
  skipped?: boolean;
  /** For a docker stage: what the ECS task definition holds (the local engine runs it with docker). */
  docker?: { image: string; tag: string; volume: Record<string, string>; auth: Record<string, string>; placeholder: string };
}

/** One frame of stage records visible at a point in the machine. */
export interface Frame {
  path: string;
  ids: Set<string>;
}

/** The compile-time scope of a list of stages. */
export interface StageScope extends PathScope {
  frames: Frame[];
  job: Job;
  /** Paths of scalar roots copied into child documents (Map iterations, Parallel branches). */
  prefix: string[];
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** A label (`[job, stage name, ...]`) as words for messages: `job "build" › stage "Deploy" › ...`. */
export function describeLabel(label: readonly string[]): string {
  const [job, stage, ...rest] = label;
  const parts = [`job "${job}"`];
  if (stage !== undefined) parts.push(`stage "${stage}"`);
  for (const r of rest) parts.push(r);
  return parts.join(' › ');
}

/** Holds the states of one machine (the top level, a branch, or an item processor). */
export class StateSink {
  readonly states: Record<string, State> = {};
  add(name: string, state: State): string {
    this.states[name] = state;
    return name;
  }
  machine(startAt: string): Machine {
    return { StartAt: startAt, States: this.states };
  }
}

/** Compilation state shared by every construct of one workflow. */
export class CompileContext {
  readonly names = new StateNames();
  readonly diagnostics: Diagnostic[] = [];
  readonly info: Record<string, StateInfo> = {};
  /** Task definition placeholders handed out (one per docker stage). */
  readonly taskDefinitions = new Set<string>();
  /** Child state machines this compile adds (batched foreach stages), each before the machines that start it. */
  readonly machines: Array<{ name: string; comment: string; machine: Machine; batch: BatchInfo }> = [];
  private counter = 0;
  /** The sink states are currently added to. */
  sink: StateSink;

  constructor(
    readonly workflow: Workflow,
    readonly options: CompileOptions,
  ) {
    this.sink = new StateSink();
  }

  /** Reports a stage that Express workflows cannot run (they have no `.sync` or task-token waits). */
  requireStandard(stage: { name: string; loc: import('../diagnostics/index.ts').Location }, why: string): void {
    if (this.workflow.execution !== 'express') return;
    this.diagnostics.push({
      code: 'WF6006',
      severity: 'error',
      message: `stage "${stage.name}" cannot run in an Express workflow: ${why}`,
      location: stage.loc,
      note: 'use `execution: standard`, or move the stage into a Standard workflow started with a trigger stage',
    });
  }

  private readonly batches = new Map<string, number>();
  /** The number of a job's next batched foreach (names its chunk machine). */
  nextBatch(job: string): number {
    const k = (this.batches.get(job) ?? 0) + 1;
    this.batches.set(job, k);
    return k;
  }

  /** A fresh number for scratch paths (`$.u3`, `$.__m3`). */
  nextId(): number {
    return ++this.counter;
  }

  /** Adds a state under a newly allocated name and returns the name. */
  add(parts: string[], state: State, info?: StateInfo): string {
    const name = this.names.allocate(...parts);
    this.sink.add(name, state);
    if (info) this.info[name] = info;
    return name;
  }

  /** Allocates a name now and adds the state later (for loops that point back to themselves). */
  reserve(parts: string[]): string {
    return this.names.allocate(...parts);
  }

  /** Adds a state under a reserved name. */
  put(name: string, state: State, info?: StateInfo): string {
    this.sink.add(name, state);
    if (info) this.info[name] = info;
    return name;
  }

  /** Runs `fn` with states going to a new sink (a Parallel branch or Map item processor). */
  inSink<T>(fn: () => T): { value: T; sink: StateSink } {
    const saved = this.sink;
    const sink = new StateSink();
    this.sink = sink;
    try {
      return { value: fn(), sink };
    } finally {
      this.sink = saved;
    }
  }

  /** A Lambda invoke Task's resource fields for the stage runner. */
  lambdaTask(payload: Record<string, unknown>, fn: 'stage' | 'py' = 'stage'): Pick<State, 'Type' | 'Resource' | 'Parameters'> {
    const placeholder = fn === 'stage' ? Placeholders.stageRunner : Placeholders.pyRunner;
    // The runner keeps the values of these params out of the messages it writes (on AWS too).
    const secrets = Object.values(this.workflow.params).filter((p) => p.secret).map((p) => p.name);
    // …and reads their values from references, only those of this run (`secretRun`: its id and parent).
    const full = secrets.length ? { ...payload, secrets, 'secretValues.$': '$.params', 'secretRun.$': '$.run' } : payload;
    return { Type: 'Task', Resource: LAMBDA_INVOKE, Parameters: { FunctionName: `\${${placeholder}}`, Payload: full } };
  }

  /** Retry for the Lambda service's transient errors (never user failures). */
  transientRetry(): Retrier {
    return { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 };
  }

  /** Retry for a throttled `states:startExecution` (the child did not start, so starting again is safe). */
  startExecutionRetry(): Retrier {
    return { ErrorEquals: [...START_EXECUTION_ERRORS], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 };
  }

  /** Retry for a throttled or failed `ecs:runTask` call (no task was started). */
  ecsRetry(): Retrier {
    return { ErrorEquals: [...ECS_RUN_TASK_ERRORS], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 };
  }

  private readonly hubs = new Map<StateSink, { entry: string; route: string; keys: Map<string, string> }>();

  /**
   * The failure hub of the current machine (top level, branch or item processor): the states every
   * runner failure goes through. A runner failure carries the failed record as JSON in the Lambda
   * error message (`StageFailed`, or `ExpressionError` for an expression that could not be
   * evaluated), with the `key` the request gave; the hub parses it into `$.__caught.r` once, then a
   * Choice on the key routes to where that request's failure goes. Sharing the parsing keeps each
   * stage's failure handling to a route in that Choice.
   */
  private hub(): { entry: string; route: string; keys: Map<string, string> } {
    let hub = this.hubs.get(this.sink);
    if (hub) return hub;
    const entry = this.reserve(['failure']);
    const record = this.reserve([entry, 'record']);
    const route = this.reserve([entry, 'route']);
    this.put(entry, {
      Type: 'Pass',
      Parameters: { 'lambda.$': 'States.StringToJson($.__caught.Cause)' },
      ResultPath: '$.__caught',
      Next: record,
    });
    this.put(record, {
      Type: 'Pass',
      Parameters: { 'r.$': 'States.StringToJson($.__caught.lambda.errorMessage)' },
      ResultPath: '$.__caught',
      Next: route,
    });
    this.put(route, { Type: 'Choice', Choices: [] });
    hub = { entry, route, keys: new Map() };
    this.hubs.set(this.sink, hub);
    return hub;
  }

  /**
   * The Catch of a Task that invokes a runner Lambda, and the `key` to put in its request. A stage
   * failure or an expression error goes through the failure hub to `target`; with `retry`, a stage
   * failure (not an expression error: it would fail the same way) or a timeout goes to `retry`
   * instead (a counter loop). Any other error (a timeout, a service error) becomes
   * `{name: Error, message: Cause}` on the spot.
   */
  lambdaCatch(label: string[], target: string, retry?: string): { catchers: Catcher[]; key: string } {
    const hub = this.hub();
    const id = `${target}\u0000${retry ?? ''}`;
    let key = hub.keys.get(id);
    if (!key) {
      key = `f${hub.keys.size + 1}`;
      hub.keys.set(id, key);
      const route = this.sink.states[hub.route]!;
      const byKey: ChoiceRule = { Variable: '$.__caught.r.key', StringEquals: key };
      if (retry) route.Choices!.push({ And: [byKey, { Variable: '$.__caught.r.errors.name', StringEquals: ErrorNames.expression }], Next: target });
      route.Choices!.push({ ...byKey, Next: retry ?? target });
      if (route.Default === undefined) {
        // A failure without a key (a runner that died before it could answer) takes the first route.
        route.Default = target;
        route.Choices!.unshift({ Not: { Variable: '$.__caught.r.key', IsPresent: true }, Next: target });
      }
    }
    return {
      key,
      catchers: [
        { ErrorEquals: [ErrorNames.stageFailed, ErrorNames.expression], ResultPath: '$.__caught', Next: hub.entry },
        ...(retry ? [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.__caught', Next: this.genericFailure([...label, 'timeout'], retry) }] : []),
        { ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: this.genericFailure(label, target) },
      ],
    };
  }

  /** The Catch of a Task that is not a runner Lambda: every error becomes `{name: Error, message: Cause}`. */
  catchers(label: string[], target: string): Catcher[] {
    return [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: this.genericFailure(label, target) }];
  }

  /** A state turning `$.__caught = {Error, Cause}` into a failed record, then going to `target`. */
  genericFailure(label: string[], target: string): string {
    return this.add([...label, 'error'], {
      Type: 'Pass',
      Parameters: { r: { status: 'FAILED', outputs: {}, errors: { 'name.$': '$.__caught.Error', 'message.$': '$.__caught.Cause' } } },
      ResultPath: '$.__caught',
      Next: target,
    });
  }

  /** A state that records the normalised failure at `recordPath` (if any) then goes to `target`. */
  recordFailure(label: string[], recordPath: string | undefined, target: string, extraOutputs?: Record<string, unknown>): string {
    if (!recordPath) return target;
    const params: Record<string, unknown> = { status: 'FAILED', 'errors.$': '$.__caught.r.errors' };
    if (extraOutputs) params.outputs = extraOutputs;
    else params['outputs.$'] = '$.__caught.r.outputs';
    return this.add([...label, 'record failure'], { Type: 'Pass', Parameters: params, ResultPath: recordPath, Next: target });
  }

  /** An `eval` Task: evaluates items with the expression engine and stores `{name: value}` at `resultPath`. */
  evalTask(label: string[], items: Record<string, EvalItem>, ctx: Record<string, unknown>, resultPath: string, next: string, fail: string): string {
    const selector: Record<string, unknown> = {};
    for (const k of Object.keys(items)) selector[`${k}.$`] = `$.Payload.${k}`;
    const name = this.reserve([...label, 'evaluate']);
    const { catchers, key } = this.lambdaCatch(label, fail);
    this.put(name, {
      ...this.lambdaTask({ action: 'eval', key, what: describeLabel(label), ...(hasPathKey(items) ? { itemsJson: JSON.stringify(items) } : { items }), ctx }),
      ResultSelector: selector,
      ResultPath: resultPath,
      Retry: [this.transientRetry()],
      Catch: catchers,
      Next: next,
    });
    return name;
  }
}
