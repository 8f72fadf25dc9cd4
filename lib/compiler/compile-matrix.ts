/**
 * Matrix jobs → a Map state. Strategy keys hold the matrix values' text (dots, brackets, `$`, any
 * script), so no path the machine reads is built from a key: whether a strategy failed is read from
 * the Map's list of statuses, and the keyed map is built by a ResultSelector whose field names are
 * the keys (a field name is never parsed as a path) or, for a matrix computed at run time, by the
 * stage runner.
 */
import type { Job } from '../config/index.ts';
import { matrixCombinations } from '../config/matrix-combinations.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { compileStages } from './compile-stages.ts';
import { rootsOfValue } from './compile-expression.ts';
import { childDocument, wireContext } from './wire-context.ts';
import { withOutputs } from './with-outputs.ts';

const MAP_INLINE_MAX = 40;

/**
 * A matrix job's body: a Map over its combinations (known now, or computed at run time by the
 * expression engine), each running the job's stages in its own document; the results keyed by
 * strategy key at `$.jobs.<id>.strategies`; `ok` when every strategy succeeded, else `failed`.
 */
export function compileMatrix(cx: CompileContext, job: Job, scope: StageScope, ok: string, failed: string): string {
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
