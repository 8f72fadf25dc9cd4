/**
 * Distributed Map states on the local engine, which runs none of their fields itself
 * (`ItemReader`, `ItemBatcher`, `ToleratedFailure*`, `ResultWriter`): each such Map becomes a Task
 * of its own ({@link localDistributedMaps}: same InputPath, ResultSelector, ResultPath, Retry,
 * Catch, Next) whose handler does what Step Functions' Map Run does ({@link runDistributedMap}):
 *
 * - reads the items from the local S3 server: `s3:listObjectsV2` (every object under the prefix,
 *   as `{Etag, Key, LastModified, Size, StorageClass}`) or `s3:getObject` of a manifest (`JSON`
 *   array, `JSONL`, or `CSV` with its header row: each row an object of texts), or the input's
 *   `ItemsPath` list;
 * - applies `ItemSelector` to each item (`$$.Map.Item.Value`, `$$.Map.Item.Index`, input paths);
 * - groups them into batches of `MaxItemsPerBatch` (`{Items, BatchInput}`);
 * - runs each batch (or item) as a child execution of the ItemProcessor, `MaxConcurrency` at once
 *   (at most {@link LOCAL_MAX_CHILDREN} here);
 * - counts the items of failed children against `ToleratedFailureCount` / `Percentage`: past it, no
 *   more children start and the state fails with `States.ExceedToleratedFailureThreshold`;
 * - writes the results as the ResultWriter does (`<Prefix>/<map run id>/SUCCEEDED_0.json`,
 *   `FAILED_0.json`, `PENDING_0.json`, each a list of child executions, and `manifest.json`) and
 *   returns `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`, or, without a ResultWriter, the
 *   children's outputs in item order.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Machine, State } from '../compiler/index.ts';
import { readPath } from './resolve-parameters.ts';
import { parseCsv } from './parse-csv.ts';

/** The Resource of the Task a Distributed Map becomes locally. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::wf-local:distributedMap';

/** The bucket that stands for `${ResultsBucket}` locally. */
export const LOCAL_RESULTS_BUCKET = 'wf-results';

/** The most child executions run at once locally, whatever `MaxConcurrency` allows. */
export const LOCAL_MAX_CHILDREN = 16;

/** Whether a state is a Distributed Map. */
function isDistributed(st: State): boolean {
  return st.Type === 'Map' && st.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The machine with each Distributed Map (outside other Distributed Maps' processors) as a local Task; and those Maps by name. */
export function localDistributedMaps(m: Machine, maps: Map<string, State> = new Map()): { definition: Machine; maps: Map<string, State> } {
  const states: Record<string, State> = {};
  for (const [name, st] of Object.entries(m.States)) {
    if (isDistributed(st)) {
      maps.set(name, st);
      const { Type: _t, ItemReader: _r, ItemsPath: _i, MaxConcurrency: _c, ToleratedFailureCount: _n, ToleratedFailurePercentage: _p, ItemSelector: _s, ItemBatcher: _b, ItemProcessor: _proc, ResultWriter: _w, ...rest } = st;
      // A Map has no timeout of its own; a Task without TimeoutSeconds would get the engine's 60 s (and a
      // timer past 2^31 ms fires at once): about 24 days.
      states[name] = { ...rest, Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, Parameters: { 'input.$': '$', 'execution.$': '$$.Execution.Id' }, TimeoutSeconds: 2_000_000 };
      continue;
    }
    let out = st;
    if (st.Branches) out = { ...out, Branches: st.Branches.map((b) => localDistributedMaps(b, maps).definition) };
    if (st.ItemProcessor) out = { ...out, ItemProcessor: { ...st.ItemProcessor, ...localDistributedMaps(st.ItemProcessor, maps).definition } };
    states[name] = out;
  }
  return { definition: { ...m, States: states }, maps };
}

/** The processor of a Distributed Map as a machine of its own. */
export function processorMachine(st: State): Machine {
  const { ProcessorConfig: _c, ...machine } = st.ItemProcessor!;
  return machine;
}

/** A failure as Step Functions names it (`States.ItemReaderFailed`, ...). */
function failure(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** A Parameters-like template resolved against the input and the item (`$$.Map.Item.*`) and context (`$$.Execution.Id`). */
function resolve(template: unknown, input: unknown, ctx: { value?: unknown; index?: number; execution: string }): unknown {
  if (Array.isArray(template)) return template.map((t) => resolve(t, input, ctx));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) {
    if (!k.endsWith('.$') || typeof v !== 'string') {
      out[k] = resolve(v, input, ctx);
      continue;
    }
    let value: unknown;
    if (v === '$$.Map.Item.Index') value = ctx.index;
    else if (v === '$$.Map.Item.Value' || v.startsWith('$$.Map.Item.Value.')) value = readPath(ctx.value, `$${v.slice('$$.Map.Item.Value'.length)}`);
    else if (v === '$$.Execution.Id') value = ctx.execution;
    else if (v.startsWith('$.') || v === '$') value = readPath(input, v);
    else throw failure('States.Runtime', `the local engine cannot resolve ${JSON.stringify(v)} in a Distributed Map`);
    if (value === undefined) throw failure('States.Runtime', `the JSONPath ${JSON.stringify(v)} of field "${k}" could not be found in the input`);
    out[k.slice(0, -2)] = value;
  }
  return out;
}

/** The items an ItemReader reads from S3. */
async function readItems(reader: NonNullable<State['ItemReader']>, input: unknown, s3: S3Client, execution: string): Promise<unknown[]> {
  const params = resolve(reader.Parameters ?? {}, input, { execution }) as { Bucket?: string; Prefix?: string; Key?: string };
  const max = Number((reader.ReaderConfig as { MaxItems?: unknown } | undefined)?.MaxItems ?? 0);
  const where = `s3://${params.Bucket}/${params.Key ?? params.Prefix ?? ''}`;
  let items: unknown[] = [];
  try {
    if (reader.Resource.endsWith(':s3:listObjectsV2')) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: params.Bucket, Prefix: params.Prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          items.push({ Etag: o.ETag, Key: o.Key, LastModified: Math.floor((o.LastModified?.getTime() ?? 0) / 1000), Size: o.Size, StorageClass: o.StorageClass ?? 'STANDARD' });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && (!max || items.length < max));
    } else if (reader.Resource.endsWith(':s3:getObject')) {
      const out = await s3.send(new GetObjectCommand({ Bucket: params.Bucket, Key: params.Key }));
      items = parseManifest(await out.Body!.transformToString('utf8'), String((reader.ReaderConfig as { InputType?: unknown } | undefined)?.InputType ?? 'JSON'), where);
    } else {
      throw failure('States.ItemReaderFailed', `the local engine does not read items with ${reader.Resource}`);
    }
  } catch (e) {
    const err = e as Error;
    if (err.name?.startsWith('States.')) throw err;
    throw failure('States.ItemReaderFailed', `reading the items of ${where} failed: ${err.name}: ${err.message}`);
  }
  return max ? items.slice(0, max) : items;
}

/** The records of a manifest's text. */
export function parseManifest(text: string, inputType: string, where: string): unknown[] {
  if (inputType === 'JSON') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw failure('States.ItemReaderFailed', `the manifest ${where} is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(value)) throw failure('States.ItemReaderFailed', `the manifest ${where} must hold a JSON array`);
    return value;
  }
  if (inputType === 'JSONL') {
    return text.split(/\r?\n/).flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch (e) {
        throw failure('States.ItemReaderFailed', `line ${i + 1} of the manifest ${where} is not valid JSON: ${(e as Error).message}`);
      }
    });
  }
  if (inputType === 'CSV') {
    const [header, ...rows] = parseCsv(text);
    if (!header) return [];
    return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])));
  }
  throw failure('States.ItemReaderFailed', `the local engine does not read manifests of type ${inputType}`);
}

/** What a Distributed Map needs from the engine that runs it. */
export interface DistributedMapDeps {
  /** The S3 client of the local server. */
  s3: () => Promise<S3Client>;
  /** Runs one child execution of the processor; resolves with its output, rejects with its error. */
  runChild: (processor: Machine, input: unknown) => Promise<unknown>;
  /** Stops starting children (the run was stopped). */
  signal: AbortSignal;
}

interface ChildResult {
  input: unknown;
  items: number;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  output?: unknown;
  error?: { name: string; message: string };
  start?: Date;
  stop?: Date;
  name: string;
}

/** Runs a Distributed Map state locally (see the file comment) on its effective input. */
export async function runDistributedMap(name: string, st: State, task: { input: unknown; execution: string }, deps: DistributedMapDeps): Promise<unknown> {
  const { input, execution } = task;
  const needsS3 = st.ItemReader !== undefined || st.ResultWriter !== undefined;
  const s3 = needsS3 ? await deps.s3() : undefined;
  const raw = st.ItemReader ? await readItems(st.ItemReader, input, s3!, execution) : readPath(input, st.ItemsPath ?? '$');
  if (!Array.isArray(raw)) throw failure('States.Runtime', `the items of Distributed Map "${name}" are not a list`);
  const items = st.ItemSelector ? raw.map((value, index) => resolve(st.ItemSelector, input, { value, index, execution })) : raw;
  const size = st.ItemBatcher?.MaxItemsPerBatch;
  const batchInput = st.ItemBatcher?.BatchInput ? resolve(st.ItemBatcher.BatchInput, input, { execution }) : undefined;
  const children: ChildResult[] = [];
  if (st.ItemBatcher) {
    const per = size && size > 0 ? size : items.length || 1;
    for (let i = 0; i < items.length; i += per) {
      const batch = items.slice(i, i + per);
      children.push({ input: { Items: batch, ...(batchInput !== undefined ? { BatchInput: batchInput } : {}) }, items: batch.length, status: 'PENDING', name: randomUUID() });
    }
  } else {
    for (const item of items) children.push({ input: item, items: 1, status: 'PENDING', name: randomUUID() });
  }
  const total = items.length;
  const toleratedCount = st.ToleratedFailureCount ?? 0;
  const toleratedPercent = st.ToleratedFailurePercentage ?? 0;
  let failedItems = 0;
  const exceeded = (): boolean => failedItems > toleratedCount && (total === 0 || (failedItems * 100) / total > toleratedPercent);
  const processor = processorMachine(st);
  const limit = Math.max(1, Math.min(st.MaxConcurrency || LOCAL_MAX_CHILDREN, LOCAL_MAX_CHILDREN));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < children.length && !exceeded() && !deps.signal.aborted) {
      const child = children[next++]!;
      child.start = new Date();
      try {
        child.output = await deps.runChild(processor, child.input);
        child.status = 'SUCCEEDED';
      } catch (e) {
        const err = e as Error;
        child.status = 'FAILED';
        child.error = { name: err.name || 'Error', message: err.message };
        failedItems += child.items;
      }
      child.stop = new Date();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, children.length) }, worker));
  if (deps.signal.aborted) throw failure('States.Runtime', 'the run was stopped');
  const mapRunArn = `${execution}/${name}:${randomUUID()}`;
  const written = st.ResultWriter ? await writeResults(st.ResultWriter, input, execution, mapRunArn, children, s3!) : undefined;
  // Absent ToleratedFailure fields are 0, as Step Functions reads them: any failure fails the Map.
  if (exceeded()) {
    const first = children.find((c) => c.status === 'FAILED');
    throw failure(
      'States.ExceedToleratedFailureThreshold',
      `The specified tolerated failure threshold was exceeded: ${failedItems} of ${total} items failed${first?.error ? ` (first: ${first.error.name}: ${first.error.message.slice(0, 2000)})` : ''}`,
    );
  }
  if (written) return { MapRunArn: mapRunArn, ResultWriterDetails: written };
  return children.map((c) => c.output);
}

/** `s3` once `bucket` exists on the local server (made when missing). */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<S3Client> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  return s3;
}

/** Writes the results as Step Functions' ResultWriter does; returns where the manifest is. */
async function writeResults(writer: NonNullable<State['ResultWriter']>, input: unknown, execution: string, mapRunArn: string, children: ChildResult[], s3: S3Client): Promise<{ Bucket: string; Key: string }> {
  const params = resolve(writer.Parameters ?? {}, input, { execution }) as { Bucket?: string; Prefix?: string };
  const bucket = !params.Bucket || /^\$\{\w+\}$/.test(params.Bucket) ? LOCAL_RESULTS_BUCKET : params.Bucket;
  await ensureBucket(s3, bucket);
  const base = `${params.Prefix ? `${params.Prefix.replace(/\/+$/, '')}/` : ''}${mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1)}`;
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const of = children.filter((c) => c.status === status);
    if (!of.length) continue;
    const body = JSON.stringify(
      of.map((c) => ({
        ExecutionArn: `${execution}:${c.name}`,
        Input: JSON.stringify(c.input),
        InputDetails: { Included: true },
        Name: c.name,
        ...(status === 'SUCCEEDED' ? { Output: JSON.stringify(c.output), OutputDetails: { Included: true } } : {}),
        ...(status === 'FAILED' ? { Error: c.error?.name, Cause: c.error?.message } : {}),
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
        ...(c.start ? { StartDate: c.start.toISOString() } : {}),
        StateMachineArn: mapRunArn,
        Status: status,
        ...(c.stop ? { StopDate: c.stop.toISOString() } : {}),
      })),
    );
    const key = `${base}/${status}_0.json`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    files[status].push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${base}/manifest.json`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }), ContentType: 'application/json' }));
  return { Bucket: bucket, Key: manifestKey };
}
