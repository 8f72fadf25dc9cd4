/**
 * Jobs → states. A job starts with a Choice that skips it when it already ran (a resumed run) or
 * when its condition and trigger rule say no; it then records `{status: 'WAIT', stages: {}}` at
 * `$.jobs.<id>`, runs its stages (once, or once per matrix combination in a Map), and sets its
 * final status. A failing job records its errors and the run goes on.
 */
import type { Job, TriggerRule } from '../config/index.ts';
import { matrixCombinations } from '../config/matrix-combinations.ts';
import type { ChoiceRule } from './asl/types.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { compileStages, conditionChoice } from './compile-stages.ts';
import { conditionAst, mentionsStatus } from './compile-expression.ts';
import { childDocument, wireContext } from './wire-context.ts';
import { nativeParameters, rootsOfValue } from './compile-expression.ts';
import type { EvalItem } from '../protocol/index.ts';
import { jobConcurrency } from './compile-concurrency.ts';
import { minSuccessJoin } from './compile-join.ts';

const MAP_INLINE_MAX = 40;

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
  return /\b(always|failure|success|cancelled)\s*\(|\bneeds\.[A-Za-z0-9_-]+\.(result|status)\b/.test(job.if);
}

function jobScope(cx: CompileContext, job: Job): StageScope {
  return {
    // A matrix job's stages live in each strategy's own document, not in the job record.
    frames: job.strategy ? [] : [{ path: `$.jobs.${job.id}.stages`, ids: new Set() }],
    roots: {},
    needs: new Set(job.needs),
    level: 'job',
    params: new Set(Object.keys(cx.workflow.params)),
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

/**
 * Job `outputs` (GitHub style): rendered when the job's stages have succeeded, into `target`
 * (`$.jobs.<id>.outputs`, where `needs.<id>.outputs.<name>` reads them, or a strategy's `outputs`).
 */
function withOutputs(cx: CompileContext, job: Job, scope: StageScope, label: string[], target: string, next: string, fail: string): string {
  if (Object.keys(job.outputs).length === 0) return next;
  const native = nativeParameters(job.outputs, scope);
  if (native) return cx.add(label, { Type: 'Pass', Parameters: native, ResultPath: target, Next: next });
  const items: Record<string, EvalItem> = {};
  const names = Object.keys(job.outputs);
  names.forEach((k, i) => (items[`o${i}`] = { kind: 'value', raw: job.outputs[k] }));
  const roots = rootsOfValue(Object.values(job.outputs));
  const rename: Record<string, unknown> = {};
  names.forEach((k, i) => (rename[`${k}.$`] = `$.__out.o${i}`));
  const place = cx.add(label, { Type: 'Pass', Parameters: rename, ResultPath: target, Next: next });
  return cx.evalTask(label, items, wireContext(scope, roots, undefined), '$.__out', place, fail);
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

function compileMatrix(cx: CompileContext, job: Job, scope: StageScope, ok: string, failed: string): string {
  const strategy = job.strategy!;
  const label = [job.id, 'matrix'];
  const dynamic = Object.values(strategy.matrix).some((v) => typeof v === 'string');
  const combos = dynamic ? undefined : matrixCombinations(strategy.matrix as Record<string, unknown[]>, strategy.include, strategy.exclude);
  const hasOutputs = Object.keys(job.outputs).length > 0;
  const everyKey = combos ? new Set(Object.keys(strategy.matrix).filter((k) => combos.every((c) => k in c.matrix))) : new Set<string>();
  const proc = cx.inSink(() => {
    const item = dynamic ? { 'matrix.$': '$$.Map.Item.Value.matrix', 'key.$': '$$.Map.Item.Value.key' } : { 'matrix.$': '$$.Map.Item.Value' };
    const { params, scope: inner } = childDocument(scope, hasOutputs ? { ...item, outputs: {} } : item, { matrix: true });
    const il = [job.id, 'strategy'];
    const keyField = dynamic ? { 'key.$': '$.key' } : {};
    const outputsField = hasOutputs ? { 'outputs.$': '$.outputs' } : {};
    const end = cx.add([...il, 'end'], { Type: 'Pass', Parameters: { ...keyField, 'matrix.$': '$.matrix', status: 'SUCCESS', 'stages.$': '$.stages', ...outputsField }, End: true });
    const bad = strategy.failFast
      ? cx.add([...il, 'fail fast'], { Type: 'Fail', Error: 'StrategyFailed', CausePath: '$.__caught.r.errors.message' })
      : cx.add([...il, 'failed'], { Type: 'Pass', Parameters: { ...keyField, 'matrix.$': '$.matrix', status: 'FAILED', 'stages.$': '$.stages', ...outputsField, 'errors.$': '$.__caught.r.errors' }, End: true });
    const stageScope: StageScope = { ...inner, matrixKeys: everyKey, level: 'stage' };
    const done = hasOutputs ? withOutputs(cx, job, stageScope, [...il, 'outputs'], '$.outputs', end, bad) : end;
    const body = compileStages(cx, job.stages, stageScope, il, done, bad);
    return { start: body, params };
  });
  const n = cx.nextId();
  let concurrency = strategy.maxParallel ?? 0;
  if (concurrency > MAP_INLINE_MAX) {
    cx.diagnostics.push({
      code: 'WF6004',
      severity: 'warning',
      message: `job "${job.id}": max-parallel ${concurrency} is more than an inline Map runs at once; it runs ${MAP_INLINE_MAX} at a time`,
      location: strategy.loc,
      note: `write max-parallel: ${MAP_INLINE_MAX} or less to silence this`,
    });
  }
  if (concurrency > MAP_INLINE_MAX || (concurrency === 0 && (combos?.length ?? MAP_INLINE_MAX + 1) > MAP_INLINE_MAX)) concurrency = MAP_INLINE_MAX;
  const strategyFailed = cx.add([...label, 'strategy failed'], {
    Type: 'Pass',
    Parameters: { r: { status: 'FAILED', outputs: {}, errors: { name: 'StrategyError', message: `job "${job.id}": a matrix strategy failed` } } },
    ResultPath: '$.__caught',
    Next: failed,
  });
  const mapState = (selector: Record<string, unknown>, resultPath: string, next: string): string =>
    cx.add([job.id, 'matrix'], {
      Type: 'Map',
      ItemsPath: `$.__m${n}`,
      ...(concurrency ? { MaxConcurrency: concurrency } : {}),
      ItemSelector: proc.value.params,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...proc.sink.machine(proc.value.start) },
      ResultSelector: selector,
      ResultPath: resultPath,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, failed) }],
      Next: next,
    }, { job: job.id, role: 'internal' });

  // Whether any strategy failed is read from the Map's list of statuses, never through a strategy
  // key: a key holds the matrix values' text, which a JSONPath name could not always spell. The
  // job's outputs are the last combination's (GitHub Actions takes the last strategy to finish).
  const outputs = hasOutputs ? { 'outputs.$': '$[*].outputs' } : {};
  const lastOutputs = `States.ArrayGetItem($.__mr${n}.outputs, States.MathAdd(States.ArrayLength($.__mr${n}.outputs), -1))`;
  const succeeded = hasOutputs
    ? cx.add([...label, 'outputs'], { Type: 'Pass', Parameters: { 'v.$': lastOutputs }, ResultPath: `$.__mr${n}`, Next: cx.add([...label, 'outputs', 'place'], { Type: 'Pass', InputPath: `$.__mr${n}.v`, ResultPath: `$.jobs.${job.id}.outputs`, Next: ok }) })
    : ok;
  const check = cx.add([...label, 'status'], {
    Type: 'Choice',
    Choices: [{ Variable: `$.__mr${n}.failed`, BooleanEquals: true, Next: strategyFailed }],
    Default: succeeded,
  });
  const anyFailedPass = cx.add([...label, 'any failed'], {
    Type: 'Pass',
    Parameters: { 'failed.$': `States.ArrayContains($.__mr${n}.statuses, 'FAILED')`, ...(hasOutputs ? { 'outputs.$': `$.__mr${n}.outputs` } : {}) },
    ResultPath: `$.__mr${n}`,
    Next: check,
  });
  if (combos) {
    // Combinations known now: the results come back in order, so each is keyed by its index.
    const strategies: Record<string, unknown> = {};
    combos.forEach((c, i) => (strategies[`${c.key}.$`] = `$[${i}]`));
    const place = cx.add([...label, 'record'], { Type: 'Pass', InputPath: `$.__mr${n}.strategies`, ResultPath: `$.jobs.${job.id}.strategies`, Next: anyFailedPass });
    const map = mapState({ strategies, 'statuses.$': '$[*].status', ...outputs }, `$.__mr${n}`, place);
    return cx.add([...label, 'combinations'], { Type: 'Pass', Result: combos.map((c) => c.matrix), ResultPath: `$.__m${n}`, Next: map });
  }
  // Axes computed at run time: the expression engine builds the combinations, the stage runner
  // keys the results, and the statuses say whether a strategy failed.
  const collectCatch = cx.lambdaCatch(label, failed);
  const collect = cx.add([...label, 'collect'], {
    ...cx.lambdaTask({ action: 'collect', key: collectCatch.key, kind: 'matrix', 'results.$': `$.__mr${n}.results` }),
    ResultSelector: { status: 'WAIT', 'strategies.$': '$.Payload' },
    ResultPath: `$.jobs.${job.id}`,
    Retry: [cx.transientRetry()],
    Catch: collectCatch.catchers,
    Next: anyFailedPass,
  });
  const map = mapState({ 'results.$': '$', 'statuses.$': '$[*].status', ...outputs }, `$.__mr${n}`, collect);
  const setItems = cx.add([...label, 'combinations'], { Type: 'Pass', InputPath: `$.__mx${n}.combos`, ResultPath: `$.__m${n}`, Next: map });
  const ctxRoots = new Set<string>();
  for (const v of Object.values(strategy.matrix)) rootsOfValue(v, ctxRoots);
  return cx.evalTask(label, { combos: { kind: 'matrix', matrix: strategy.matrix, include: strategy.include, exclude: strategy.exclude } }, wireContext(scope, ctxRoots, undefined), `$.__mx${n}`, setItems, failed);
}
