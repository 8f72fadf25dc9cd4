/**
 * The wire protocol between compiled state machines and the stage runners (the Lambda functions on
 * AWS, the in-process handlers locally). The compiler writes these payloads into Task `Parameters`;
 * the runtime reads them. Templates arrive unrendered except where the compiler resolved a plain
 * path natively; the runtime renders them with the one expression engine.
 */

/** Stage statuses as they appear in results. */
export type Status = 'SUCCESS' | 'FAILED' | 'SKIP' | 'CANCEL' | 'WAIT';

/** An error as it appears in results. */
export interface ErrorInfo {
  name: string;
  message: string;
}

/** A stage's record in the result document. */
export interface StageRecord {
  status: Status;
  outputs?: Record<string, unknown>;
  errors?: ErrorInfo;
}

/**
 * The context a runner evaluates templates against. Only the roots a stage reads are sent.
 * `scopes` holds the stage records visible to the stage, outermost first; inner ids shadow outer.
 */
export interface WireContext {
  params?: Record<string, unknown>;
  release?: Record<string, unknown>;
  run?: Record<string, unknown>;
  jobs?: Record<string, unknown>;
  /** Ids of the jobs the current job needs (to build `needs`). */
  needs?: string[];
  /** Outermost first: a list, or a map keyed `0`, `1`, ... (how state machine Parameters send it). */
  scopes?: Record<string, unknown>[] | Record<string, Record<string, unknown>>;
  matrix?: Record<string, unknown>;
  item?: unknown;
  loop?: number;
  branch?: string;
  case?: unknown;
  /** Inside the catch stages of a try stage: the failure of its try, `{name, message}`. */
  error?: unknown;
  /** The workflow's `extras.env`; runners add their `WORKFLOW_ENV_*` variables. */
  env?: Record<string, unknown>;
  /** The attempt number of a stage being retried (0 on the first attempt). */
  retry?: number;
}

/** The static part of a stage that a runner needs: its raw fields (templates unrendered). */
export interface StageSpec {
  kind: 'bash' | 'py' | 'virtual-py' | 'call' | 'docker';
  name: string;
  id?: string;
  timeout?: number;
  /** Kind fields as written: bash/env, run/vars/deps/version, uses/with, image/tag/env/cmd/volume/auth. */
  fields: Record<string, unknown>;
  /** True for `dryrun` releases: the stage only echoes what it would do. */
  dryrun?: boolean;
}

/** Request to run one action stage (bash, call, py, virtual py, docker). */
export interface RunStageRequest {
  action: 'stage';
  stage: StageSpec;
  ctx: WireContext;
  /** Values the compiler resolved natively by path, keyed by the template text they replace. */
  resolved?: Record<string, unknown>;
}

/** One expression to evaluate in an {@link EvalRequest}. */
export type EvalItem =
  | { kind: 'condition'; cond: boolean | string; facts?: 'job' | 'stage' }
  | { kind: 'value'; raw: unknown; mode?: ValueMode }
  | { kind: 'matrix'; matrix: Record<string, unknown>; include: Record<string, unknown>[]; exclude: Record<string, unknown>[] };

/**
 * How an `eval` value item is rendered: `text`/`python`/`bash` as the expression engine renders
 * templates; `list` must yield a list (foreach items); `seconds` a number of seconds rounded up to a
 * whole number (sleep); `python-parts` splits py code into text and value parts for the Python
 * runner (see {@link PyRunRequest.code}); `ecs-overrides` turns a docker stage's `{env, cmd}` into
 * ECS's `{environment: [{Name, Value}], command}` (a text command runs through `sh -c` with its
 * templates as quoted variable references whose values join the environment).
 */
export type ValueMode = 'text' | 'python' | 'bash' | 'list' | 'seconds' | 'retry' | 'python-parts' | 'ecs-overrides';

/**
 * Request to evaluate expressions the compiler could not express in ASL: conditions, rendered
 * values, case values, foreach items, until conditions, and matrix combinations whose axes are
 * computed at run time (`matrix` gives `[{key, matrix}]` by GitHub Actions' include/exclude rules). Returns `{[name]: value}`;
 * a condition that is not boolean fails with `ExpressionError`.
 */
export interface EvalRequest {
  action: 'eval';
  items: Record<string, EvalItem>;
  /** Where the expressions are written (`job "build" › stage "Deploy"`), for messages. */
  what?: string;
  ctx: WireContext;
}

/** Request to turn a Map state's ordered results into keyed outputs. */
export interface CollectRequest {
  action: 'collect';
  /**
   * `chunk`: one chunk of a batched foreach, trimmed to its share of the output budget; `records`:
   * the item records of one batch of an S3 foreach, trimmed to {@link BATCH_RECORDS_BYTES}.
   */
  kind: 'foreach' | 'matrix' | 'chunk' | 'records';
  /**
   * Map iteration results in item order: for foreach and chunk, each item's stages; for a
   * `chunked` foreach, the chunks' trimmed records (one list per chunk); for matrix, the records.
   */
  results: Array<Record<string, unknown>> | Array<Array<Record<string, unknown>>>;
  /** For foreach and chunk: the items (for a `chunked` foreach: each record's `item`). */
  items?: unknown[];
  useIndexAsKey?: boolean;
  /** For foreach: `results` holds the chunks of a batched foreach. */
  chunked?: boolean;
  /** For chunk: how many chunks share the output budget. */
  share?: number;
}

/** What one batch of an S3 foreach returns at most (its item records): under the 256 KiB of a state's output. */
export const BATCH_RECORDS_BYTES = 200 * 1024;

/**
 * Request to count an S3 foreach's item records, which a Distributed Map's ResultWriter wrote
 * (`results`: the `ResultWriterDetails` of the Map's output, naming the run's manifest), and to hold
 * the count of failed items to the stage's tolerance. Returns `{count, succeeded, failed, results}`;
 * past the tolerance it fails with `StageFailed` (the record keeps those outputs).
 */
export interface TallyRequest {
  action: 'tally';
  key?: string;
  results: { Bucket: string; Key: string };
  tolerated?: { count: number } | { percent: number };
  /** The stage's name, for messages. */
  stage?: string;
}

/** A declared param as the compiler passes it to {@link PrepareRequest}. */
export interface DeclaredParam {
  type: string;
  required: boolean;
  default?: unknown;
  options?: unknown[];
  secret?: boolean;
}

/**
 * Request to prepare a run's input when it did not come through `parameterize` (a schedule, a
 * trigger, the raw API): params checked and coerced, release and run filled in. Returns
 * `{params, release, run, jobs}`; wrong params fail with `ParamError`.
 */
export interface PrepareRequest {
  action: 'prepare';
  workflow: string;
  params: Record<string, DeclaredParam>;
  input: Record<string, unknown>;
  executionName?: string;
}

/**
 * Request sent by a `wait` stage's Task (`lambda:invoke.waitForTaskToken`): the runner stores the
 * task token under the run's signal item, where `wf signal` finds it (and sends the answer at once
 * when the signal came first). Locally the engine's own handler waits for the answer instead.
 */
export interface SignalWaitRequest {
  action: 'signal-wait';
  /** The task token (`$$.Task.Token`). */
  token: string;
  /** The run's id and workflow. */
  run: string;
  workflow: string;
  /** The signal's name. */
  signal: string;
  /** The stage's name, for messages. */
  stage: string;
  /** The execution that waits (`$$.Execution.Id`). */
  execution: string;
  /** The audit table. */
  table: string;
  /** Seconds the stage waits. */
  timeout: number;
}

/**
 * Request to free the slots of a concurrency group held by executions that are no longer running
 * (they were stopped, timed out or died before releasing). Returns `{reclaimed: [holder keys]}`.
 */
export interface ConcurrencyReclaimRequest {
  action: 'concurrency-reclaim';
  /** The group's item key (`concurrency#<group>`). */
  key: string;
  table: string;
}

/**
 * Request to stop every other holder of a concurrency group (`cancel-in-progress: true`) and free
 * their slots. Returns `{stopped: [holder keys]}`.
 */
export interface ConcurrencyCancelRequest {
  action: 'concurrency-cancel';
  key: string;
  /** The holder key of the run (or job) that asks; it is kept. */
  holder: string;
  /** Why, recorded with the stopped executions. */
  cause: string;
  table: string;
}

/** Request for a release's start deadline: `logicalDate` + `seconds` as an ISO timestamp (`{deadline}`). */
export interface StartDeadlineRequest {
  action: 'start-deadline';
  logicalDate: string;
  seconds: number;
}

/**
 * Request sent when a job of a graph run in its own branch (see compile-dag.ts) is about to start
 * (`lambda:invoke.waitForTaskToken`): the task token is kept until every job in `needs` is done,
 * then answered with `jobs` and `{<job>: record}` for each job of `ancestors` (at once when they
 * are done already): the branch's new `$.jobs`. Locally the engine's own handler waits instead.
 */
export interface NeedsWaitRequest {
  action: 'needs-wait';
  token: string;
  /** The execution whose jobs these are (`$$.Execution.Id`). */
  execution: string;
  job: string;
  /** The jobs to wait for. */
  needs: string[];
  /** The jobs whose records to hand over (the needs, and what they need, transitively). */
  ancestors: string[];
  /** The records the waiting branch has (`$.jobs`: those of a resumed run); the answer adds the ancestors' to them. */
  jobs?: Record<string, unknown>;
  table: string;
}

/** Request sent when a job of a graph run in its own branch is done: its record is kept, and every waiting job whose needs are now done is answered. */
export interface JobDoneRequest {
  action: 'job-done';
  execution: string;
  job: string;
  record: unknown;
  table: string;
}

/**
 * Request sent when a trigger stage's child run failed (`states:startExecution.sync:2` failed with
 * `caught`: `{Error, Cause}`, the Cause being the child's DescribeExecution JSON). The answer is the
 * stage's failed record: the child's `{status, params, jobs}` as its outputs (read from the child's
 * last result state, in its execution history), and the child's failure as its error.
 */
export interface ChildOutcomeRequest {
  action: 'child-outcome';
  /** The workflow the stage started. */
  workflow: string;
  caught: { Error?: unknown; Cause?: unknown };
}

/**
 * Request sent when a run with secret params has finished its jobs: the runner deletes the run's
 * stored secrets (`<prefix>/<run id>/…`, the run named by the request's `secretRun`).
 */
export interface ForgetSecretsRequest {
  action: 'forget-secrets';
}

/** Any request the stage runner accepts. */
export type RunnerRequest = RunStageRequest | EvalRequest | CollectRequest | TallyRequest | PrepareRequest | SignalWaitRequest | ConcurrencyReclaimRequest | ConcurrencyCancelRequest | StartDeadlineRequest | NeedsWaitRequest | JobDoneRequest | ChildOutcomeRequest | ForgetSecretsRequest;

export {
  CoordinationKeys,
  SignalErrors,
  groupItemKey,
  decodeHolders,
  signalItemKey,
  decodeSignal,
  answerSignalUpdate,
  waitSignalUpdate,
  signalOutcome,
  type AttributeValue,
  type CoordinationItem,
  type SlotHolder,
  type SignalStatus,
  type SignalState,
  type SignalAnswer,
} from './coordination-items.ts';

/**
 * Request to the Python runner (py-runner Lambda, or `python3 functions/py-runner/handler.py`
 * locally). Everything is already rendered: `code` is text parts and values; a value part is
 * written for its place (lib/expr/python-sites.ts): in code as a Python literal, with `in: 'string'`
 * or `'fstring'` as text escaped for the string literal it sits in. So no expression engine runs in
 * Python and no value is ever read as code. The keyed form (state machine Parameters, which cannot
 * hold paths in lists) has `t<i>` text, `v<i>` code values, `s<i>` string values, `f<i>` f-string
 * values; `i` gives the order.
 */
export interface PyRunRequest {
  action: 'py' | 'virtual-py';
  name: string;
  code: string | Array<string | { value: unknown; in?: 'string' | 'fstring' }> | Record<string, unknown>;
  vars: Record<string, unknown>;
  /** The context roots given to the code as globals (`params`, `stages`, `matrix`, `item`, ...). */
  globals: Record<string, unknown>;
  /** For virtual py: packages to install, and the Python version asked for. */
  deps?: string[];
  version?: string;
  timeout?: number;
}

/** Response of a successful (or skipped) stage. */
export interface StageResponse {
  status: 'SUCCESS' | 'SKIP';
  outputs: Record<string, unknown>;
}

/**
 * Error names the runners throw. A stage failure is thrown (not returned) so that the state
 * machine's Catch and Retry apply; its message is the JSON of the failed {@link StageRecord}.
 */
export const ErrorNames = {
  stageFailed: 'StageFailed',
  expression: 'ExpressionError',
  timeout: 'StageTimeout',
  badRequest: 'BadRequest',
  param: 'ParamError',
} as const;

/** Placeholders the compiler writes into definitions; CDK and the local engine fill them. */
export const Placeholders = {
  stageRunner: 'StageRunnerFunctionArn',
  pyRunner: 'PyRunnerFunctionArn',
  auditTable: 'AuditTableName',
  cluster: 'EcsClusterArn',
  subnets: 'EcsSubnet',
  securityGroup: 'EcsSecurityGroup',
  /** `ENABLED` in public subnets (the task pulls its image over the internet), `DISABLED` in private ones. */
  assignPublicIp: 'EcsAssignPublicIp',
  /** The bucket Distributed Maps write their results to (an S3 foreach's per-item records). */
  resultsBucket: 'ResultsBucket',
  /** Child state machine ARN: `StateMachine_<workflow>` with non-alphanumerics as `_`. */
  stateMachinePrefix: 'StateMachine_',
  taskDefinitionPrefix: 'TaskDefinition_',
} as const;

export { SECRET_REF_KEY, SECRETS_PREFIX_ENV, isSecretRef, runOfSecretName, secretName, type SecretRef } from './secret-refs.ts';
export { SPILL_REF_KEY, SPILL_PREFIX, RESULTS_BUCKET_ENV, SPILL_TO_CALLER_ENV, isSpillRef, spillRefProblem, type SpillRef } from './spill-refs.ts';
