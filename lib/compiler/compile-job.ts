/**
 * Jobs → states. A job starts with a Choice that skips it when it already ran (a resumed run) or
 * when its condition and trigger rule say no; it then records `{status: 'WAIT', stages: {}}` at
 * `$.jobs.<id>`, runs its stages (once, or once per matrix combination in a Map), and sets its
 * final status. A failing job records its errors and the run goes on.
 */
import type { Job, TriggerRule } from '../config/index.ts';
import type { ChoiceRule } from './asl/types.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { compileStages, conditionChoice } from './compile-stages.ts';
import { conditionAst, mentionsStatus } from './compile-expression.ts';
import { jobConcurrency } from './compile-concurrency.ts';
import { minSuccessJoin } from './compile-join.ts';
import { compileMatrix } from './compile-matrix.ts';
import { withOutputs } from './with-outputs.ts';

function statusRule(job: string, status: string): ChoiceRule {
  return { Variable: `$.jobs.${job}.status`, StringEquals: status };
}

function all(rules: ChoiceRule[]): ChoiceRule | true {
  if (rules.length === 0) return true;
  return rules.length === 1 ? rules[0]! : { And: rules };
}

function any(rules: ChoiceRule[]): ChoiceRule | false {
  if (rules.length === 0) return false;
  return rules.length === 1 ? rules[0]! : { Or: rules };
}

/** The trigger rule as a native Choice rule over the needed jobs' statuses. */
export function triggerRuleChoice(rule: TriggerRule, needs: readonly string[]): ChoiceRule | boolean {
  const each = (s: string): ChoiceRule[] => needs.map((n) => statusRule(n, s));
  switch (rule) {
    case 'all_success':
      return all(each('SUCCESS'));
    case 'all_failed':
      return all(each('FAILED'));
    case 'all_done':
      return true;
    case 'one_success':
      return any(each('SUCCESS'));
    case 'one_failed':
      return any(each('FAILED'));
    case 'none_failed': {
      const r = any(each('FAILED'));
      return r === false ? true : { Not: r };
    }
    case 'none_skipped': {
      const r = any(each('SKIP'));
      return r === false ? true : { Not: r };
    }
  }
}

/** True when the job's `if` takes over from the default "needs succeeded" rule. */
function conditionOverridesDefault(job: Job): boolean {
  if (job.if === undefined) return false;
  if (typeof job.if === 'boolean') return false;
  const ast = conditionAst(job.if);
  if (ast) return mentionsStatus(ast);
  return /\b(always|failure|success|cancelled)\s*\(|\b(needs|jobs)(\.[A-Za-z0-9_-]+|\[[^\]]*\])(\.(result|status)\b|\[\s*['"](result|status)['"]\s*\])/.test(job.if);
}

function jobScope(cx: CompileContext, job: Job): StageScope {
  return {
    // A matrix job's stages live in each strategy's own document, not in the job record.
    frames: job.strategy ? [] : [{ path: `$.jobs.${job.id}.stages`, ids: new Set() }],
    roots: {},
    needs: new Set(job.needs),
    level: 'job',
    params: new Set(Object.values(cx.workflow.params).filter((p) => !p.secret).map((p) => p.name)),
    secretParams: new Set(Object.values(cx.workflow.params).filter((p) => p.secret).map((p) => p.name)),
    job,
    prefix: [],
  };
}

/** Compiles one job; `next` follows it whatever its outcome. Returns its entry state. */
export function compileJob(cx: CompileContext, job: Job, next: string): string {
  const label = [job.id];
  const jobPath = `$.jobs.${job.id}`;
  const scope = jobScope(cx, job);
  // A job in a concurrency group holds a slot from its start to its end (compile-concurrency.ts).
  const concurrency = jobConcurrency(cx, job, scope);
  const ended = (): string => (concurrency ? concurrency.release(next) : next);
  const end = (status: string): string =>
    cx.add([...label, status === 'SUCCESS' ? 'succeeded' : 'failed'], { Type: 'Pass', Result: status, ResultPath: `${jobPath}.status`, Next: ended() }, { job: job.id, role: 'job-end' });
  const startName = cx.reserve([...label, 'start']);
  const failed = withJobRetry(cx, job, startName, cx.add([...label, 'errors'], { Type: 'Pass', InputPath: '$.__caught.r.errors', ResultPath: `${jobPath}.errors`, Next: end('FAILED') }));
  // The job record exists from `start` on; a condition that cannot be evaluated fails before it.
  const conditionFailed = cx.add([...label, 'condition failed'], {
    Type: 'Pass',
    Parameters: { status: 'FAILED', 'errors.$': '$.__caught.r.errors' },
    ResultPath: jobPath,
    Next: next,
  }, { job: job.id, role: 'job-end' });
  const body = job.strategy
    ? compileMatrix(cx, job, scope, end('SUCCESS'), failed)
    : compileStages(cx, job.stages, scope, label, withOutputs(cx, job, scope, [job.id, 'outputs'], `${jobPath}.outputs`, end('SUCCESS'), failed), failed);
  const startRecord = job.strategy ? { status: 'WAIT' } : { status: 'WAIT', stages: {} };
  const start = cx.put(startName, { Type: 'Pass', Result: startRecord, ResultPath: jobPath, Next: concurrency ? concurrency.acquire(body, failed) : body }, { job: job.id, role: 'job' });
  const skip = cx.add([...label, 'skip'], { Type: 'Pass', Result: { status: 'SKIP' }, ResultPath: jobPath, Next: next }, { job: job.id, role: 'job-end' });

  const join = minSuccessJoin(cx, job);
  const defaultRule = join ? join.rule : conditionOverridesDefault(job) && !job.triggerRuleSet ? true : triggerRuleChoice(job.triggerRule, job.needs);
  const joined = (first: string): string => (join?.prelude ? join.prelude(first) : first);
  let entry: string;
  if (defaultRule === false) entry = skip;
  else {
    const extra = defaultRule === true ? undefined : defaultRule;
    entry = conditionChoice(cx, job.if ?? true, scope, label, start, skip, conditionFailed, extra);
    if (entry === start && extra) entry = cx.add([...label, 'condition'], { Type: 'Choice', Choices: [{ ...extra, Next: start }], Default: skip });
  }
  // A resumed run (rerun) carries the jobs that already succeeded: they are not run again.
  const resumed: ChoiceRule = { Variable: jobPath, IsPresent: true, Next: next };
  const entryState = cx.sink.states[entry];
  if (entryState?.Type === 'Choice' && entry !== start && entry !== skip) {
    entryState.Choices = [resumed, ...(entryState.Choices ?? [])];
    return joined(entry);
  }
  return joined(cx.add([...label, 'resume?'], { Type: 'Choice', Choices: [resumed], Default: entry }));
}

/** Job-level `retry`: a failed job starts again (fresh stages) until its attempts are used. */
function withJobRetry(cx: CompileContext, job: Job, start: string, failed: string): string {
  if (!job.retry) return failed;
  // The counter lives outside the job record so a restart keeps it.
  const counter = `$.__jr${cx.nextId()}`;
  const restart = cx.reserve([job.id, 'restart']);
  const bump = cx.add([job.id, 'retry count'], { Type: 'Pass', Parameters: { 'n.$': `States.MathAdd(${counter}.n, 1)` }, ResultPath: counter, Next: restart });
  const init = cx.add([job.id, 'retry first'], { Type: 'Pass', Result: { n: 1 }, ResultPath: counter, Next: restart });
  cx.put(restart, { Type: 'Wait', Seconds: 1, Next: start });
  return cx.add([job.id, 'retry?'], {
    Type: 'Choice',
    Choices: [
      { And: [{ Variable: counter, IsPresent: true }, { Variable: `${counter}.n`, NumericGreaterThanEquals: job.retry }], Next: failed },
      { Variable: counter, IsPresent: true, Next: bump },
    ],
    Default: init,
  });
}
