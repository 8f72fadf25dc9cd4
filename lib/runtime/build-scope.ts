/**
 * The expression scope a runner evaluates against, built from the context the state machine sent.
 * `stages` merges the visible stage scopes (inner ids shadow outer ones); `needs` is derived from
 * `jobs` for the needed ids, with `result` in GitHub Actions spelling.
 */
import type { StatusFacts } from '../expr/index.ts';
import type { Status, WireContext } from '../protocol/index.ts';

const GITHUB_RESULT: Record<string, string> = {
  SUCCESS: 'success',
  FAILED: 'failure',
  SKIP: 'skipped',
  CANCEL: 'cancelled',
  WAIT: 'waiting',
};

const PLAIN_ROOTS = ['params', 'release', 'run', 'jobs', 'matrix', 'item', 'loop', 'branch', 'case', 'error'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The status of a job record (`status`, else `result` in either spelling), or undefined. */
function jobStatus(job: unknown): Status | undefined {
  if (!isRecord(job)) return undefined;
  const s = job.status ?? job.result;
  if (typeof s !== 'string') return undefined;
  const upper = s.toUpperCase();
  const fromGithub = Object.entries(GITHUB_RESULT).find(([, g]) => g === s)?.[0];
  return (fromGithub ?? upper) as Status;
}

/**
 * The `needs` root: for each needed job, its `jobs.<id>` record with `result` in GitHub spelling
 * (`success`, `failure`, `skipped`, `cancelled`) and `outputs` (`{}` when absent). A needed job
 * without a record (it never ran) reads as skipped.
 */
function buildNeeds(ctx: WireContext): Record<string, unknown> {
  const needs: Record<string, unknown> = {};
  for (const id of ctx.needs ?? []) {
    const job = ctx.jobs?.[id];
    const record = isRecord(job) ? job : {};
    const status = jobStatus(job) ?? 'SKIP';
    needs[id] = {
      ...record,
      result: GITHUB_RESULT[status] ?? status.toLowerCase(),
      outputs: isRecord(record.outputs) ? record.outputs : {},
    };
  }
  return needs;
}

/** The prefix of runner environment variables that templates may read as `env.<NAME>`. */
export const ENV_PREFIX = 'WORKFLOW_ENV_';

/**
 * The runner's own environment as `env` sees it: only `WORKFLOW_ENV_<NAME>` variables, as
 * `<NAME>` (a Lambda's environment also holds its credentials, which templates must never read).
 */
export function runnerEnv(processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(processEnv)) if (k.startsWith(ENV_PREFIX) && v !== undefined) out[k.slice(ENV_PREFIX.length)] = v;
  return out;
}

/**
 * The expression scope for a wire context: `params`, `release`, `run`, `env`, `jobs`, `needs`,
 * `stages`, `matrix`, `item`, `loop`, `branch`, `case`, `error`, each only when the context has it.
 */
export function buildScope(ctx: WireContext, processEnv: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const root of PLAIN_ROOTS) {
    if (ctx[root] !== undefined) scope[root] = ctx[root];
  }
  if (ctx.env !== undefined) scope.env = { ...runnerEnv(processEnv), ...ctx.env };
  if (ctx.retry !== undefined) scope.retry = ctx.retry;
  if (ctx.needs !== undefined) scope.needs = buildNeeds(ctx);
  if (ctx.scopes !== undefined) {
    const stages: Record<string, unknown> = {};
    // A list, or (from state machine Parameters, which cannot hold paths in lists) a map keyed 0, 1, ...
    const list = Array.isArray(ctx.scopes)
      ? ctx.scopes
      : Object.entries(ctx.scopes as Record<string, Record<string, unknown>>).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
    for (const s of list) Object.assign(stages, s);
    scope.stages = dryRunStages(stages, 'stages');
  }
  if (isRecord(scope.jobs)) {
    const jobs: Record<string, unknown> = {};
    for (const [id, job] of Object.entries(scope.jobs)) {
      jobs[id] = isRecord(job) && isRecord(job.stages) ? { ...job, stages: dryRunStages(job.stages, `jobs.${id}.stages`) } : job;
    }
    scope.jobs = jobs;
  }
  return scope;
}

/**
 * True for the outputs of a stage a dry run stood in for: `{dryrun: "would ..."}` and nothing else
 * (the acting stage did not run, so its real outputs do not exist).
 */
function isDryRunOutputs(outputs: unknown): outputs is Record<string, unknown> {
  return isRecord(outputs) && typeof outputs.dryrun === 'string' && Object.keys(outputs).length === 1;
}

/**
 * Stage records with the outputs of dry-run stages made readable: any output name they are asked
 * for reads as the text `<dryrun: stages.<id>.outputs.<name>>`, so later stages render (and say
 * what they would do with it) instead of failing on an output the dry run could not produce.
 */
function dryRunStages(stages: Record<string, unknown>, where: string): Record<string, unknown> {
  if (!Object.values(stages).some((r) => isRecord(r) && isDryRunOutputs(r.outputs))) return stages;
  const out: Record<string, unknown> = {};
  for (const [id, record] of Object.entries(stages)) {
    out[id] = isRecord(record) && isDryRunOutputs(record.outputs) ? { ...record, outputs: dryRunOutputs(record.outputs, `${where}.${id}.outputs`) } : record;
  }
  return out;
}

function dryRunOutputs(outputs: Record<string, unknown>, where: string): Record<string, unknown> {
  const marker = (key: string): string => `<dryrun: ${where}.${key}>`;
  return new Proxy(outputs, {
    get: (target, key) => (typeof key === 'string' && !Object.hasOwn(target, key) ? marker(key) : Reflect.get(target, key)),
    has: (target, key) => typeof key === 'string' || Reflect.has(target, key),
    getOwnPropertyDescriptor: (target, key) =>
      typeof key === 'string' && !Object.hasOwn(target, key)
        ? { value: marker(key), writable: false, enumerable: false, configurable: true }
        : Reflect.getOwnPropertyDescriptor(target, key),
  });
}

/**
 * The facts `success()`, `failure()` and `cancelled()` read. Job level: success when every needed
 * job succeeded, failure when any needed job failed. Stage level: a stage only runs while its job
 * is healthy, so success is true and failure false. `cancelled` is false: a stopped run never
 * reaches a runner.
 */
export function statusFacts(ctx: WireContext, level: 'job' | 'stage'): StatusFacts {
  if (level === 'stage') return { success: true, failure: false, cancelled: false };
  const statuses = (ctx.needs ?? []).map((id) => jobStatus(ctx.jobs?.[id]));
  return {
    success: statuses.every((s) => s === 'SUCCESS'),
    failure: statuses.some((s) => s === 'FAILED'),
    cancelled: false,
  };
}
