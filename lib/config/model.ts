/**
 * The typed workflow model: what the config layer builds from YAML and every later stage
 * (compiler, runtime, CDK) consumes. Aliases are resolved here (`args` → `with`, `message` → `raise`,
 * `{type: local}` → `local`), defaults are applied, and every node keeps the location it came from.
 * Template strings stay raw (`"${{ params.x }}"`); the expression engine parses them where used.
 */
import type { Location } from '../diagnostics/index.ts';

/** A value as written in YAML: may contain `${{ }}` templates anywhere in its strings. */
export type RawValue = unknown;

/** A condition: a YAML boolean, or a string in one of the three condition forms. */
export type Condition = boolean | string;

/** Param types of the dialect. */
export type ParamType = 'str' | 'int' | 'float' | 'decimal' | 'bool' | 'datetime' | 'date' | 'choice' | 'map' | 'array';

/** One declared workflow param. */
export interface Param {
  name: string;
  type: ParamType;
  /** True when a default was declared (a default may be `null`). */
  hasDefault: boolean;
  default?: unknown;
  description?: string;
  /** True when there is no default and the param was not marked `required: false`. */
  required: boolean;
  /** For `choice`: the allowed values. */
  options?: unknown[];
  secret: boolean;
  loc: Location;
}

/** A cron schedule in Unix 5-field form, with its IANA time zone. */
export interface Schedule {
  cron: string;
  timezone: string;
  loc: Location;
}

/** The normalised `on` block (list form and map form both end up here). */
export interface Triggers {
  schedules: Schedule[];
  manual: boolean;
}

/** Trigger rules (reference-engine spelling). */
export type TriggerRule =
  | 'all_success'
  | 'all_failed'
  | 'all_done'
  | 'one_success'
  | 'one_failed'
  | 'none_failed'
  | 'none_skipped';

/**
 * A concurrency group (`concurrency:` on a workflow or a job, GitHub Actions spelling): runs (or
 * jobs) in one group never hold more than `limit` slots at once, across executions.
 */
export interface Concurrency {
  /** The group's name as written; may hold templates (rendered when the run or job starts). */
  group: string;
  /** Slots of the group; default 1. */
  limit: number;
  /** True: a new holder stops the runs that hold the group (GitHub's `cancel-in-progress`). */
  cancelInProgress: boolean;
  loc: Location;
}

/** A job's matrix strategy. */
export interface Strategy {
  /** Axis name → list of values, or a template string that yields a list at run time. */
  matrix: Record<string, unknown[] | string>;
  include: Record<string, unknown>[];
  exclude: Record<string, unknown>[];
  /** Combinations at once; undefined = all. */
  maxParallel?: number;
  failFast: boolean;
  loc: Location;
}

/** One job. */
export interface Job {
  id: string;
  desc?: string;
  needs: string[];
  /** Undefined = default (`success()`). */
  if?: Condition;
  triggerRule: TriggerRule;
  /** True when `trigger-rule` was written (the default was not just applied). */
  triggerRuleSet: boolean;
  /**
   * `trigger-rule: {min-success: N}`: the job runs when at least N of its needs succeeded (it waits
   * for all of them to end, as `all_done` does, which is then its `triggerRule`).
   */
  minSuccess?: number;
  /** `concurrency:` of the job: it holds a slot of the group from its start to its end. */
  concurrency?: Concurrency;
  strategy?: Strategy;
  stages: Stage[];
  retry: number;
  timeout?: number;
  runsOn: 'lambda' | 'local';
  /** Output name → template. */
  outputs: Record<string, string>;
  loc: Location;
  /** Location of each field's value by YAML key (`needs`, `if`, ...). */
  fieldLocs: Record<string, Location>;
}

/** How a stage's retries wait (Step Functions' Retry fields). */
export interface RetryPolicy {
  /** Seconds before the first retry (IntervalSeconds). */
  delay: number;
  /** Multiplier of the wait after each retry (BackoffRate). */
  backoff: number;
  /** The longest wait in seconds (MaxDelaySeconds). */
  maxDelay?: number;
  /** Random waits up to the computed one (JitterStrategy FULL). */
  jitter: boolean;
}

/** The fields every stage has. */
export interface StageBase {
  name: string;
  id?: string;
  desc?: string;
  if?: Condition;
  /** Attempts after the first, 0-19, or a template rendered at run time. */
  retry: number | string;
  /** How retries wait, from `retry: {max, delay, backoff, max-delay, jitter}`; absent: 1 s growing ×1.2. */
  retryPolicy?: RetryPolicy;
  timeout?: number;
  continueOnError: boolean;
  extras: Record<string, unknown>;
  loc: Location;
  /** Location of each field's value by YAML key. */
  fieldLocs: Record<string, Location>;
}

export interface EmptyStage extends StageBase { kind: 'empty'; echo?: string; sleep?: number | string }
export interface BashStage extends StageBase { kind: 'bash'; bash: string; env: Record<string, RawValue> }
export interface PyStage extends StageBase { kind: 'py'; run: string; vars: Record<string, RawValue> }
export interface VirtualPyStage extends StageBase {
  kind: 'virtual-py';
  run: string;
  vars: Record<string, RawValue>;
  deps: string[];
  version: string;
}
export interface CallStage extends StageBase {
  kind: 'call';
  /** `<registry>/<function>@<tag>` as written. */
  uses: string;
  registry: string;
  func: string;
  tag: string;
  with: Record<string, RawValue>;
}
export interface TriggerStage extends StageBase { kind: 'trigger'; trigger: string; params: Record<string, RawValue> }
export interface ParallelStage extends StageBase {
  kind: 'parallel';
  /** Branch name → stages, in the order written. */
  branches: Record<string, Stage[]>;
  maxWorkers: number;
}
export interface ForeachStage extends StageBase {
  kind: 'foreach';
  /** A list, or a template string yielding a list. */
  foreach: unknown[] | string;
  stages: Stage[];
  concurrent: number;
  useIndexAsKey: boolean;
  /**
   * Run the items in child executions of this many items each (`auto`: as many as keep each
   * execution's history well under the limit). Unset: batched only when a fixed list is too long.
   */
  batch?: number | 'auto';
  /** Items from S3 (`foreach: {s3: ...}`): a Distributed Map reads them; `foreach` is then `[]`. */
  s3?: S3ItemSource;
  /** For an S3 foreach: how many failed items the stage tolerates (a count or a percentage). @default none */
  toleratedFailure?: { count: number } | { percent: number };
}

/** Where an S3 foreach's items come from: the objects under a prefix, or the records of a manifest. */
export interface S3ItemSource {
  /** The bucket (text or a template). */
  bucket: string;
  /** The objects under this prefix are the items (`{key, size, etag}`). */
  prefix?: string;
  /** The manifest whose records are the items. */
  key?: string;
  /** The manifest's format: from `format`, else the key's extension (`.json`, `.jsonl`, `.csv`). */
  format?: 'json' | 'jsonl' | 'csv';
}
export interface CaseMatch {
  /** The case value as text; `_` or `else` is the default branch. */
  case: string;
  isDefault: boolean;
  stages: Stage[];
  loc: Location;
}
export interface CaseStage extends StageBase {
  kind: 'case';
  case: string;
  match: CaseMatch[];
  skipNotMatch: boolean;
}
export interface UntilStage extends StageBase {
  kind: 'until';
  /** Initial item (default 0). */
  item: RawValue;
  until: Condition;
  stages: Stage[];
  maxLoop: number;
}
export interface RaiseStage extends StageBase { kind: 'raise'; raise: string }
export interface DockerStage extends StageBase {
  kind: 'docker';
  image: string;
  tag: string;
  env: Record<string, RawValue>;
  volume: Record<string, string>;
  auth: Record<string, string>;
  /** A command line (run through `sh -c`) or a list of arguments. */
  cmd?: string | string[];
}
export interface TryStage extends StageBase { kind: 'try'; try: Stage[]; catch: Stage[]; finally: Stage[] }
export interface GroupStage extends StageBase { kind: 'group'; stages: Stage[] }
/** Waits for a signal (an approval) sent with `wf signal RUN NAME`; its outputs are the signal's data. */
export interface WaitStage extends StageBase {
  kind: 'wait';
  /** The signal's name (an id). */
  signal: string;
  /** Seconds to wait before the stage fails; undefined = the stage's `timeout`, else the run's. */
  waitTimeout?: number;
}

/** Any stage, discriminated by `kind`. */
export type Stage =
  | EmptyStage
  | BashStage
  | PyStage
  | VirtualPyStage
  | CallStage
  | TriggerStage
  | ParallelStage
  | ForeachStage
  | CaseStage
  | UntilStage
  | RaiseStage
  | DockerStage
  | TryStage
  | GroupStage
  | WaitStage;

/** Every stage kind. */
export type StageKind = Stage['kind'];

/** One workflow. */
export interface Workflow {
  name: string;
  /** Path of the file it came from, as discovered. */
  file: string;
  desc?: string;
  params: Record<string, Param>;
  on: Triggers;
  /** Job id → job, in the order written. */
  jobs: Record<string, Job>;
  tags: string[];
  /** Seconds; default 3600 or `WORKFLOW_CORE_TIMEOUT`. */
  timeout: number;
  maxJobParallel?: number;
  /** `concurrency:` of the workflow: a run holds a slot of the group from its start to its end. */
  concurrency?: Concurrency;
  /** Seconds after the logical date by which a release must start, else it is SKIP (`StartDeadlineMissed`). */
  startDeadline?: number;
  execution: 'standard' | 'express';
  extras: Record<string, unknown>;
  loc: Location;
  fieldLocs: Record<string, Location>;
}
