/**
 * What the compilers of the stage kinds share (compile-stages.ts and the `compile-<kind>.ts` files
 * beside it): the progress info of a stage's states, its retries, its timeout, and the workflow's
 * `extras.env` that templates see as `env`. It sits below every stage kind's compiler, so none of
 * them imports another to reach it.
 */
import type { Stage } from '../config/index.ts';
import type { CompileContext, StageScope, StateInfo } from './compile-context.ts';
import type { State } from './asl/types.ts';
import { containsTemplate, rootsOfValue } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';

const WHERE_ROOTS: ReadonlySet<string> = new Set(['matrix', 'branch', 'loop']);

/**
 * What a state stands for, for progress reporting: its stage, where it runs (matrix combination,
 * parallel branch, foreach index) and, for a templated name, what renders it. A name that reads
 * `env` is shown as written (the workflow's env is not in scope here).
 */
export function stageInfo(scope: StageScope, stage: Stage, role: StateInfo['role'] = 'stage', failed = false): StateInfo {
  const nameRoots = containsTemplate(stage.name) ? rootsOfValue(stage.name) : undefined;
  const title = nameRoots && !nameRoots.has('env') ? { message: stage.name, ctx: wireContext(scope, nameRoots, undefined) } : undefined;
  const where = wireContext(scope, WHERE_ROOTS, undefined);
  return {
    job: scope.job.id,
    stage: stage.id ?? stage.name,
    name: stage.name,
    role,
    ...(failed ? { failed } : {}),
    ...(title ? { title } : {}),
    ...(Object.keys(where).length ? { where } : {}),
  };
}

/** The workflow's `extras.env` (what templates see as `env`, over the runner's own), if it has one. */
export function workflowEnv(cx: CompileContext): Record<string, unknown> | undefined {
  const e = cx.workflow.extras?.env;
  return e && typeof e === 'object' ? (e as Record<string, unknown>) : undefined;
}

/**
 * Retry for a stage's own failures with a static `retry` (a templated one needs {@link counterRetry}).
 * `errors` are the Task errors that mean the stage itself failed. @default a runner's StageFailed and the Task's timeout
 */
export function retriers(stage: Stage, errors: readonly string[] = ['StageFailed', 'States.Timeout']): State['Retry'] {
  if (typeof stage.retry === 'number' && stage.retry > 0) {
    const p = stage.retryPolicy;
    return [{
      ErrorEquals: [...errors],
      IntervalSeconds: p?.delay ?? 1,
      MaxAttempts: stage.retry,
      BackoffRate: p?.backoff ?? 1.2,
      ...(p?.maxDelay !== undefined ? { MaxDelaySeconds: p.maxDelay } : {}),
      ...(p?.jitter ? { JitterStrategy: 'FULL' as const } : {}),
    }];
  }
  return undefined;
}

/**
 * The wait before each retry of a counter loop (a Wait state takes whole seconds): the policy's
 * delay growing by its backoff, capped at its max-delay; 1 s growing ×1.2 without one. (A loop has
 * no jitter: that is a Retry field.)
 */
function retryWaits(stage: Stage): number[] {
  const p = stage.retryPolicy;
  return Array.from({ length: 20 }, (_, n) => Math.min(p?.maxDelay ?? Infinity, Math.max(1, Math.round((p?.delay ?? 1) * (p?.backoff ?? 1.2) ** n))));
}

/**
 * Wraps an action Task in a retry counter loop: for a templated `retry` (the count is resolved
 * before the first attempt) and for a stage that reads `retry` (the attempt number). A failure goes
 * round the loop, with the same 1 s × 1.2 waits as a Retry block, until the count is used up.
 * `taskName` is the state each attempt starts at; `retry` (when there is a loop) is where a failed
 * attempt goes, with its failure in `$.__caught.r`.
 */
export function counterRetry(cx: CompileContext, stage: Stage, scope: StageScope, label: string[], taskName: string, fail: string, path: string | undefined): { start: string; retry?: string } {
  if (path === undefined) return { start: taskName };
  const check = cx.reserve([...label, 'retry?']);
  const bump = cx.add([...label, 'retry count'], {
    Type: 'Pass',
    Parameters: { 'max.$': `${path}.max`, 'n.$': `States.MathAdd(${path}.n, 1)`, 'wait.$': `States.ArrayGetItem(States.Array(${retryWaits(stage).join(', ')}), ${path}.n)` },
    ResultPath: path,
    Next: cx.add([...label, 'retry wait'], { Type: 'Wait', SecondsPath: `${path}.wait`, Next: taskName }),
  });
  cx.put(check, {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: `${path}.max`, IsNumeric: true }, { Variable: `${path}.n`, NumericLessThanPath: `${path}.max` }], Next: bump }],
    Default: fail,
  });
  const init = (next: string): string => {
    if (typeof stage.retry === 'number') return cx.add([...label, 'retry init'], { Type: 'Pass', Result: { max: stage.retry, n: 0 }, ResultPath: path, Next: next });
    // The runner renders a templated count and holds it to 0-19, as validate holds a static one.
    const setMax = cx.add([...label, 'retry init'], { Type: 'Pass', Parameters: { 'max.$': '$.__r.max', n: 0 }, ResultPath: path, Next: next });
    return cx.evalTask([...label, 'retry'], { max: { kind: 'value', raw: stage.retry, mode: 'retry' } }, wireContext(scope, rootsOfValue(stage.retry), workflowEnv(cx)), '$.__r', setMax, fail);
  };
  return { start: init(taskName), retry: check };
}

/** The counter path for a stage that needs {@link counterRetry}, and the scope its Task sees. */
export function retryScope(cx: CompileContext, stage: Stage, scope: StageScope, roots: ReadonlySet<string>): { path?: string; scope: StageScope } {
  if (typeof stage.retry !== 'string' && !roots.has('retry')) return { scope };
  const path = `$.__retry${cx.nextId()}`;
  return { path, scope: { ...scope, roots: { ...scope.roots, retry: `${path}.n` } } };
}

/**
 * A stage's timeout in whole seconds: its own, capped by its job's (ASL has no timeout on a group
 * of states, so a job timeout bounds each action stage of the job).
 */
export function effectiveTimeout(stage: Stage, scope: StageScope): number | undefined {
  const limits = [stage.timeout, scope.job.timeout].filter((t): t is number => t !== undefined);
  return limits.length ? Math.ceil(Math.min(...limits)) : undefined;
}

/**
 * The longest a stage may run in a runner Lambda: Lambda's 900 s, less the time the runner needs to
 * stop the stage's process and answer with its record (so the stage fails as a timed-out stage,
 * not as a Lambda that was killed).
 */
export const LAMBDA_STAGE_MAX_SECONDS = 880;

/** The timeout of a stage that runs in a runner Lambda: {@link effectiveTimeout}, at most {@link LAMBDA_STAGE_MAX_SECONDS}. */
export function lambdaStageTimeout(stage: Stage, scope: StageScope): number {
  return Math.min(effectiveTimeout(stage, scope) ?? LAMBDA_STAGE_MAX_SECONDS, LAMBDA_STAGE_MAX_SECONDS);
}

/** Reports a stage whose own `timeout` is longer than a runner Lambda can run (WF6010). */
export function checkLambdaTimeout(cx: CompileContext, stage: Stage): void {
  if (stage.timeout === undefined || stage.timeout <= LAMBDA_STAGE_MAX_SECONDS) return;
  cx.diagnostics.push({
    code: 'WF6010',
    severity: 'error',
    message: `${stage.kind} stage "${stage.name}" has timeout ${stage.timeout} s, but it runs in a Lambda function, which stops after 900 s (a stage gets at most ${LAMBDA_STAGE_MAX_SECONDS} s)`,
    location: stage.fieldLocs.timeout ?? stage.loc,
    note: `lower the timeout to ${LAMBDA_STAGE_MAX_SECONDS} or less, or run the work as a docker stage (ECS Fargate has no such limit); a long job can also be split into several stages`,
  });
}
