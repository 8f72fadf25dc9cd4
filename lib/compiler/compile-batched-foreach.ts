/**
 * A batched foreach: the items run in child executions of `size` items each, so that no
 * execution's history passes Step Functions' 25,000 events however many items there are.
 *
 * The parent partitions the items into chunks (`States.ArrayPartition`) and runs a Map over the
 * chunks, one at a time; each chunk is an execution of the batch's own state machine
 * (`startExecution.sync:2`), which runs an inline Map over its items with the stage's
 * `concurrent` and the same item body as an unbatched foreach (`loop` is the item's index in the
 * whole list). A child execution never fails: it returns `{status, results?}` or
 * `{status: 'FAILED', errors}`, and the parent fails the stage with the item's error, as an
 * unbatched foreach would (fail-fast: later chunks do not start).
 *
 * With an `id`, each child returns its items' records trimmed to its share of the output budget,
 * and one `collect` in the parent keys them by item, as for an unbatched foreach.
 *
 * The history of each execution: the parent's Map takes about 12 events per chunk; a chunk's
 * execution about 15 plus, per item, 2 and the events of the item's states. The size is chosen
 * so that a chunk stays under {@link BATCH_EVENT_BUDGET}; the parent runs at most
 * {@link MAX_CHUNKS} chunks (`States.ArrayRange` makes at most 1,000 values).
 */
import type { ForeachStage } from '../config/index.ts';
import type { BatchInfo, CompileContext, StageScope, StateSink } from './compile-context.ts';
import type { CompiledWorkflow } from './compile-workflow.ts';
import type { Machine, State } from './asl/types.ts';
import { estimateHistoryEvents, MAX_HISTORY_EVENTS } from './asl/check-machine.ts';
import { escapeIntrinsicText } from './asl/intrinsic.ts';
import { childDocument } from './wire-context.ts';
import { foreachCollect, foreachItems, spilledRoute, stageInfo, stateMachinePlaceholder } from './compile-stages.ts';
import { containsTemplate } from './compile-expression.ts';

/** History events one chunk's execution may use: half the limit, leaving room for retries and estimates. */
export const BATCH_EVENT_BUDGET = MAX_HISTORY_EVENTS / 2;
/** The most chunks one batched foreach runs. */
export const MAX_CHUNKS = 1000;
/** Events of a chunk execution besides its items: start and end, the Map's own, the collect Task, the result. */
const CHUNK_FIXED_EVENTS = 16;
/** Events of the parent's Map per chunk: the iteration, the startExecution Task (6), the Choice and the result Pass. */
export const PARENT_EVENTS_PER_CHUNK = 12;

/** A foreach stage's item body as a machine, for estimates: the same states as it compiles to. */
function itemEvents(processor: Machine): number {
  return 2 + estimateHistoryEvents(processor, 10, false);
}

/** The chunk size that keeps a chunk's execution within {@link BATCH_EVENT_BUDGET}. */
export function chunkSizeFor(eventsPerItem: number): number {
  return Math.max(1, Math.min(10_000, Math.floor((BATCH_EVENT_BUDGET - CHUNK_FIXED_EVENTS) / eventsPerItem)));
}

/** The name of the state machine that runs the chunks of a job's `k`-th batched foreach. */
export function batchMachineName(workflow: string, job: string, k: number): string {
  return `${workflow}__${job}__batch${k}`;
}

/**
 * Whether a foreach is batched, and how many items a chunk holds: the stage's `batch`, or, when it
 * has none, a fixed list whose run in one execution could pass 80 % of the history limit. `body`
 * is the item processor (its events per item).
 */
export function foreachBatchSize(cx: CompileContext, stage: ForeachStage, body: Machine): number | undefined {
  const fixed = Array.isArray(stage.foreach) && !containsTemplate(stage.foreach) ? stage.foreach.length : undefined;
  if (stage.batch === undefined && fixed === undefined) return undefined;
  const perItem = itemEvents(body);
  const auto = chunkSizeFor(perItem);
  if (stage.batch === undefined) {
    if (fixed! * perItem <= MAX_HISTORY_EVENTS * 0.8) return undefined;
    cx.diagnostics.push({
      code: 'WF6009',
      severity: 'warning',
      message: `foreach stage "${stage.name}" runs its ${fixed} items in child executions of ${auto} items each, because one execution would record about ${fixed! * perItem} history events (the limit is ${MAX_HISTORY_EVENTS})`,
      location: stage.loc,
      note: 'set `batch:` on the stage to choose the chunk size and silence this warning',
    });
    return auto;
  }
  const size = stage.batch === 'auto' ? auto : stage.batch;
  if (size * perItem + CHUNK_FIXED_EVENTS > MAX_HISTORY_EVENTS * 0.8) {
    cx.diagnostics.push({
      code: 'WF6003',
      severity: 'warning',
      message: `foreach stage "${stage.name}": a chunk of ${size} items may record about ${size * perItem + CHUNK_FIXED_EVENTS} history events (Step Functions' limit is ${MAX_HISTORY_EVENTS} per execution)`,
      location: stage.fieldLocs.batch ?? stage.loc,
      note: `use \`batch: auto\` (${auto} items a chunk for this stage) or a smaller number`,
    });
  }
  return size;
}

/**
 * A batched foreach, from its item processor `body` (compiled as an unbatched foreach's: only where
 * `loop` comes from differs, and it is set here).
 */
export function compileBatchedForeach(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: string[], rec: string | undefined, next: string, fail: string, size: number, body: { value: { start: string; params: Record<string, unknown> }; sink: StateSink }): string {
  cx.requireStandard(stage, 'a batched foreach waits for its child executions (startExecution.sync)');
  const n = cx.nextId();
  const b = `$.__items${n}`;
  const name = batchMachineName(cx.workflow.name, scope.job.id, cx.nextBatch(scope.job.id));

  // The chunk machine: an inline Map over the chunk's items, then the chunk's result.
  const child = cx.inSink(() => {
    const cl = [...label, 'chunk'];
    const failed = cx.add([...cl, 'failed'], {
      Type: 'Pass',
      Parameters: { status: 'FAILED', errors: { 'name.$': '$.__caught.Error', 'message.$': '$.__caught.Cause' } },
      End: true,
    });
    const done = cx.add([...cl, 'done'], { Type: 'Pass', Parameters: rec ? { status: 'SUCCESS', 'results.$': '$.results.results' } : { status: 'SUCCESS' }, End: true });
    const trim = rec
      ? cx.add([...cl, 'trim'], {
          ...cx.lambdaTask({ action: 'collect', kind: 'chunk', 'results.$': '$.results', 'items.$': '$.chunk', 'share.$': '$.share' }),
          ResultSelector: { 'results.$': '$.Payload.results' },
          ResultPath: '$.results',
          Retry: [cx.transientRetry()],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed }],
          Next: done,
        })
      : done;
    // The document each item starts from: the fields the parent passed, a fresh `stages` frame, and
    // `loop` counted from the chunk's start.
    const selector: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body.value.params)) {
      const field = k.endsWith('.$') ? k.slice(0, -2) : k;
      if (field === 'item') selector[k] = v;
      else if (field === 'loop') selector['loop.$'] = 'States.MathAdd($.start, $$.Map.Item.Index)';
      else if (field === 'stages') selector.stages = {};
      else selector[`${field}.$`] = `$.${field}`;
    }
    return cx.add(cl, {
      Type: 'Map',
      ItemsPath: '$.chunk',
      MaxConcurrency: stage.concurrent,
      ItemSelector: selector,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...body.sink.machine(body.value.start) },
      ResultPath: rec ? '$.results' : null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed }],
      Next: trim,
    }, stageInfo(scope, stage, 'internal'));
  });
  cx.machines.push({ name, comment: `Workflow ${cx.workflow.name}, job ${scope.job.id}, stage ${stage.name}: a chunk of its items`, machine: child.sink.machine(child.value), batch: { size, itemsPath: b } });

  // The parent: each chunk's execution, one after another; a failed chunk fails the stage.
  const { params: docParams } = childDocument(scope, {}, { item: true, loop: true });
  const proc = cx.inSink(() => {
    const pl = [...label, 'batch'];
    const ok = cx.add([...pl, 'done'], rec ? { Type: 'Pass', OutputPath: '$.out.results', End: true } : { Type: 'Pass', Result: {}, End: true });
    const bad = cx.add([...pl, 'failed'], { Type: 'Fail', ErrorPath: '$.out.errors.name', CausePath: '$.out.errors.message' });
    const check = cx.add([...pl, 'check'], { Type: 'Choice', Choices: [{ Variable: '$.out.status', StringEquals: 'FAILED', Next: bad }], Default: ok });
    return cx.add(pl, {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: `\${${stateMachinePlaceholder(name)}}`, 'Input.$': '$' },
      ResultSelector: { 'out.$': '$.Output' },
      Retry: [cx.startExecutionRetry()],
      Next: check,
    });
  });
  const itemSelector: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(docParams)) if (k !== 'stages') itemSelector[k] = v;
  Object.assign(itemSelector, {
    'chunk.$': '$$.Map.Item.Value',
    'start.$': `States.ArrayGetItem(${b}.starts, $$.Map.Item.Index)`,
    'share.$': `States.ArrayLength(${b}.chunks)`,
    'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
  });
  const collected = rec ? foreachCollect(cx, label, rec, { 'results.$': `${b}.results`, chunked: true, useIndexAsKey: stage.useIndexAsKey }, next, fail) : next;
  const map = cx.add(label, {
    Type: 'Map',
    ItemsPath: `${b}.chunks`,
    MaxConcurrency: 1,
    ItemSelector: itemSelector,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...proc.sink.machine(proc.value) },
    // The chunks' results replace the items, which the run's document need not carry any further.
    ResultSelector: rec ? { 'results.$': '$' } : { chunks: 'done' },
    ResultPath: b,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, fail) }],
    Next: collected,
  }, stageInfo(scope, stage));
  // The chunks and where each starts; none for an empty list; too many is the stage's failure.
  const partition = cx.add([...label, 'partition'], {
    Type: 'Pass',
    Parameters: {
      'chunks.$': `States.ArrayPartition(${b}.items, ${size})`,
      'starts.$': `States.ArrayRange(0, States.MathAdd(${b}.n, -1), ${size})`,
    },
    ResultPath: b,
    Next: map,
  });
  const empty = cx.add([...label, 'no items'], { Type: 'Pass', Result: { chunks: [], starts: [] }, ResultPath: b, Next: map });
  const tooMany = cx.add([...label, 'too many items'], {
    Type: 'Pass',
    Parameters: {
      r: {
        status: 'FAILED',
        outputs: {},
        errors: { name: 'ForeachError', 'message.$': `States.Format('foreach stage "${escapeIntrinsicText(stage.name)}" has {} items; a batch of ${size} items per child execution runs at most ${size * MAX_CHUNKS}; raise \`batch\`', ${b}.n)` },
      },
    },
    ResultPath: '$.__caught',
    Next: fail,
  });
  const check = cx.add([...label, 'chunks?'], {
    Type: 'Choice',
    Choices: [
      { Variable: `${b}.n`, NumericEquals: 0, Next: empty },
      { Variable: `${b}.n`, NumericGreaterThan: size * MAX_CHUNKS, Next: tooMany },
    ],
    Default: partition,
  });
  const count = cx.add([...label, 'count'], { Type: 'Pass', Parameters: { 'items.$': b, 'n.$': `States.ArrayLength(${b})` }, ResultPath: b, Next: check });
  return foreachItems(cx, stage, scope, label, b, count, fail, spilledRoute(cx, stage, scope, label, rec, next, fail));
}

/**
 * Upper bounds of the history events of each execution a run makes when every batched foreach
 * of it runs `items` items (other Maps: 10 items): the workflow's own machine and each child
 * machine (a split job, a chunk), as {@link estimateHistoryEvents} counts them.
 */
export function historyBounds(compiled: CompiledWorkflow, workflow: string, items: number): Array<{ name: string; events: number }> {
  const batches = compiled.children.flatMap((c) => (c.batch ? [c.batch] : []));
  const itemsOf = (own?: BatchInfo) => (st: State): number => {
    if (own && st.ItemsPath === '$.chunk') return own.size;
    const b = batches.find((x) => st.ItemsPath === `${x.itemsPath}.chunks`);
    return b ? Math.ceil(items / b.size) : 10;
  };
  return [
    { name: workflow, events: estimateHistoryEvents(compiled.definition, itemsOf()) },
    ...compiled.children.map((c) => ({ name: c.name, events: estimateHistoryEvents(c.definition, itemsOf(c.batch)) })),
  ];
}
