/**
 * A foreach over S3 (`foreach: {s3: {bucket, prefix}}` or `{s3: {bucket, key}}`): a Distributed
 * Map. Its ItemReader lists the objects under the prefix (`s3:listObjectsV2`, each item
 * `{key, size, etag}`) or reads the manifest (`s3:getObject`, JSON array, JSONL or CSV with a header
 * row: each item one record). Its ItemBatcher gives each child execution `batch` items and, as
 * BatchInput, the run's document fields the items' stages read (params, stages of enclosing frames,
 * ...). A child execution (Express when its states allow it, Standard otherwise) runs its items one
 * after another in an inline Map; an item that fails is recorded `{status: FAILED, item, stages,
 * errors}` and the batch goes on, so that failures count per item. The batch returns its records
 * trimmed to {@link BATCH_RECORDS_BYTES} (a `collect` of kind `records`), and the ResultWriter
 * writes every batch's output to the results bucket under `wf-foreach/<workflow>/<run>/<stage>/`.
 *
 * After the Map, a `tally` Task reads the results (the ResultWriter's manifest and files), counts
 * the items, and holds the failed ones to `tolerated-failure`: the stage's outputs are
 * `{count, succeeded, failed, results: {bucket, key}}` (key: the manifest), and past the tolerance
 * the stage fails with those outputs. The Map itself carries the same tolerance
 * (`ToleratedFailureCount` or `ToleratedFailurePercentage`), which counts the items of batches whose
 * execution failed as a whole (a runner that could not answer), as Step Functions does.
 */
import type { ForeachStage, S3ItemSource } from '../config/index.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import type { Machine, State } from './asl/types.ts';
import { estimateHistoryEvents } from './asl/check-machine.ts';
import { escapeIntrinsicText } from './asl/intrinsic.ts';
import { childDocument, wireContext } from './wire-context.ts';
import { containsTemplate, rootsOfValue } from './compile-expression.ts';
import { compileStages } from './compile-stages.ts';
import { stageInfo, workflowEnv } from './stage-parts.ts';
import { chunkSizeFor } from './compile-batched-foreach.ts';
import { Placeholders } from '../protocol/index.ts';

type Label = string[];

/** The most items one batch (child execution) of an S3 foreach takes with `batch: auto`. */
export const MAX_AUTO_BATCH = 1000;

/** Where an S3 foreach's results go in the results bucket: `wf-foreach/<workflow>/<run id>/<stage>`. */
export const RESULTS_PREFIX = 'wf-foreach';

/** ItemReader `InputType` by manifest format. */
const INPUT_TYPES = { json: 'JSON', jsonl: 'JSONL', csv: 'CSV' } as const;

/** Whether a child execution of these states must be Standard: it waits (`.sync`, a task token, a Wait state). */
export function needsStandard(m: Machine): boolean {
  return Object.values(m.States).some(
    (st) =>
      st.Type === 'Wait' ||
      /\.sync(:\d+)?$|\.waitForTaskToken$/.test(st.Resource ?? '') ||
      (st.Branches ?? []).some(needsStandard) ||
      (st.ItemProcessor !== undefined && needsStandard(st.ItemProcessor)),
  );
}

/** The ItemReader of a source: its fields as literals, or read from `at` (rendered templates). */
function itemReader(s3: S3ItemSource, at: string | undefined): NonNullable<State['ItemReader']> {
  const field = (name: string, value: string, key: string): Record<string, unknown> => (at && containsTemplate(value) ? { [`${name}.$`]: `${at}.${key}` } : { [name]: value });
  const bucket = field('Bucket', s3.bucket, 'bucket');
  if (s3.prefix !== undefined) {
    return { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { ...bucket, ...field('Prefix', s3.prefix, 'prefix') } };
  }
  const format = s3.format ?? 'json';
  return {
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: INPUT_TYPES[format], ...(format === 'csv' ? { CSVHeaderLocation: 'FIRST_ROW' } : {}) },
    Parameters: { ...bucket, ...field('Key', s3.key!, 'key') },
  };
}

/**
 * One item of a batch: its stages, ending with the item's record. A failed stage does not fail the
 * batch: the item's record says FAILED, with the error.
 */
function itemBody(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label): string {
  const { scope: inner } = childDocument(scope, {}, { item: true, loop: true });
  const il = [...label, 'item'];
  const ok = cx.add([...il, 'end'], { Type: 'Pass', Parameters: { status: 'SUCCESS', 'item.$': '$.item', 'stages.$': '$.stages' }, End: true });
  const failed = cx.add([...il, 'failed'], {
    Type: 'Pass',
    Parameters: { status: 'FAILED', 'item.$': '$.item', 'stages.$': '$.stages', 'errors.$': '$.__caught.r.errors' },
    End: true,
  });
  return compileStages(cx, stage.stages, inner, il, ok, failed);
}

/** Compiles an S3 foreach (see the file comment); returns its first state. */
export function compileS3Foreach(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string): string {
  const s3 = stage.s3!;
  cx.requireStandard(stage, 'a foreach over S3 is a Distributed Map, which runs only in Standard workflows');
  const n = cx.nextId();
  const src = `$.__s3${n}`;
  const templated = [s3.bucket, s3.prefix ?? '', s3.key ?? ''].some((t) => containsTemplate(t));
  const item = s3.prefix !== undefined ? { key: '$$.Map.Item.Value.Key', size: '$$.Map.Item.Value.Size', etag: '$$.Map.Item.Value.Etag' } : undefined;
  const selector = item ? { item: Object.fromEntries(Object.entries(item).map(([k, v]) => [`${k}.$`, v])), 'loop.$': '$$.Map.Item.Index' } : undefined;
  const where = compileDistributedForeach(cx, stage, scope, label, rec, next, fail, { reader: itemReader(s3, templated ? src : undefined), selector, batch: stage.batch });
  if (!templated) return where;
  const fields: Record<string, { kind: 'value'; raw: string; mode: 'text' }> = { bucket: { kind: 'value', raw: s3.bucket, mode: 'text' } };
  if (s3.prefix !== undefined) fields.prefix = { kind: 'value', raw: s3.prefix, mode: 'text' };
  if (s3.key !== undefined) fields.key = { kind: 'value', raw: s3.key, mode: 'text' };
  return cx.evalTask(label, fields, wireContext(scope, rootsOfValue([s3.bucket, s3.prefix ?? '', s3.key ?? '']), workflowEnv(cx)), src, where, fail);
}

/**
 * The route of a list foreach whose list was too big for the state: the runner wrote it to S3 as
 * a JSON array (spill-values.ts) and left its reference at `ref`; a Distributed Map reads it back,
 * as for a foreach over a JSON manifest, in batches of `batch` items (by default as many as keep a
 * child's history well under the limit). `label` must differ from the inline route's.
 */
export function compileSpilledForeach(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, ref: string): string {
  const reader = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket.$': `${ref}.bucket`, 'Key.$': `${ref}.key` } };
  return compileDistributedForeach(cx, stage, scope, label, rec, next, fail, { reader, batch: stage.batch ?? 'auto' });
}

/** What differs between the sources of a Distributed Map foreach. */
interface DistributedSource {
  reader: NonNullable<State['ItemReader']>;
  /** The ItemSelector (default: the item and its index). */
  selector?: Record<string, unknown>;
  /** The `batch` setting the child executions take their items by (see {@link batchSize}). */
  batch: ForeachStage['batch'];
}

/** The Distributed Map of a foreach, its results' folder and its tally (see the file comment); returns the first state. */
function compileDistributedForeach(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, source: DistributedSource): string {
  const n = cx.nextId();
  const out = `$.__s3r${n}`;
  const { params: docParams } = childDocument(scope, {}, { item: true, loop: true });
  const shared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(docParams)) if (!['item.$', 'loop.$', 'stages'].includes(k)) shared[k] = v;

  // A child execution: its batch's items one after another, then their records, trimmed.
  const batch = cx.inSink(() => {
    const bl = [...label, 'batch'];
    const body = cx.inSink(() => itemBody(cx, stage, scope, label));
    const records = cx.add([...bl, 'records'], {
      ...cx.lambdaTask({ action: 'collect', kind: 'records', 'results.$': '$.records' }),
      ResultSelector: { 'records.$': '$.Payload.records' },
      Retry: [cx.transientRetry()],
      End: true,
    });
    const selector: Record<string, unknown> = { 'item.$': '$$.Map.Item.Value.item', 'loop.$': '$$.Map.Item.Value.loop', stages: {} };
    // The batch's document: its items and the run's fields (the collect Task reads params and run too).
    const lifted: Record<string, unknown> = { 'Items.$': '$.Items' };
    for (const k of Object.keys(shared)) {
      const field = k.endsWith('.$') ? k.slice(0, -2) : k;
      selector[`${field}.$`] = `$.${field}`;
      lifted[`${field}.$`] = `$.BatchInput.${field}`;
    }
    const map = cx.add(bl, {
      Type: 'Map',
      ItemsPath: '$.Items',
      MaxConcurrency: 1,
      ItemSelector: selector,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...body.sink.machine(body.value) },
      ResultPath: '$.records',
      Next: records,
    }, stageInfo(scope, stage, 'internal'));
    return cx.add([...bl, 'input'], { Type: 'Pass', Parameters: lifted, Next: map });
  });
  const processor = batch.sink.machine(batch.value);
  const size = batchSize(source.batch, processor);
  const tolerated = stage.toleratedFailure;

  const { catchers, key } = cx.lambdaCatch(label, fail);
  const tally = cx.add([...label, 'tally'], {
    ...cx.lambdaTask({ action: 'tally', key, stage: stage.name, 'results.$': `${out}.results`, ...(tolerated ? { tolerated } : {}) }),
    ResultSelector: { status: 'SUCCESS', 'outputs.$': '$.Payload' },
    ResultPath: rec ?? null,
    Retry: [cx.transientRetry()],
    Catch: catchers,
    Next: next,
  });
  const map = cx.add(label, {
    Type: 'Map',
    ItemReader: source.reader,
    MaxConcurrency: stage.concurrent,
    ...(tolerated ? ('count' in tolerated ? { ToleratedFailureCount: tolerated.count } : { ToleratedFailurePercentage: tolerated.percent }) : {}),
    ItemSelector: source.selector ?? { 'item.$': '$$.Map.Item.Value', 'loop.$': '$$.Map.Item.Index' },
    ItemBatcher: { MaxItemsPerBatch: size, BatchInput: shared },
    ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: needsStandard(processor) ? 'STANDARD' : 'EXPRESS' }, ...processor },
    ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: `\${${Placeholders.resultsBucket}}`, 'Prefix.$': `${out}.p` } },
    ResultSelector: { 'results.$': '$.ResultWriterDetails' },
    ResultPath: out,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, fail) }],
    Next: tally,
  }, stageInfo(scope, stage));
  // Where this stage's results go: one folder per run and stage (the Map adds one per Map Run).
  return cx.add([...label, 'results'], {
    Type: 'Pass',
    Parameters: { 'p.$': `States.Format('${RESULTS_PREFIX}/{}/{}/${escapeIntrinsicText(stage.id ?? `stage${n}`)}', $.run.workflow, $.run.id)` },
    ResultPath: out,
    Next: map,
  });
}

/**
 * Items per child execution: `batch`, or with `auto` as many as keep a Standard child's history
 * well under the limit (at most {@link MAX_AUTO_BATCH}); 1 when unset, as Step Functions runs one
 * item per child execution without an ItemBatcher.
 */
function batchSize(batch: ForeachStage['batch'], processor: Machine): number {
  if (batch === undefined) return 1;
  if (batch !== 'auto') return batch;
  const perItem = 2 + estimateHistoryEvents(processor, 1, false);
  return Math.min(MAX_AUTO_BATCH, chunkSizeFor(perItem));
}
