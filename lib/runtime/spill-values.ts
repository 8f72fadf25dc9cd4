/**
 * Values too big for a run's state go to S3 (lib/protocol/spill-refs.ts): a stage's outputs past
 * the output budget are written, largest value first, to the results bucket under `wf-spill/`
 * until the rest fits, each replaced by a reference; a foreach's list past {@link LIST_BUDGET_BYTES}
 * is written whole. A request's context is read back (references replaced by their values) before anything
 * renders a template. Without a results bucket, outputs are truncated as before (cap-outputs.ts).
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { setOwn } from '../expr/index.ts';
import { ErrorNames, isSpillRef, RESULTS_BUCKET_ENV, SPILL_PREFIX, SPILL_REF_KEY, spillRefProblem, type SpillRef } from '../protocol/index.ts';
import { capOutputs, jsonBytes, largestFirst, OUTPUT_BUDGET_BYTES, truncatedMarker } from './cap-outputs.ts';
import { badRequest, RunnerError } from './runner-error.ts';
import { replaceRefs } from './replace-refs.ts';

/** Where spilled values are written and read: the results bucket and an S3 client for it. */
export interface SpillStore {
  bucket: string;
  s3: () => Promise<S3Client>;
}

/**
 * A foreach's list larger than this (bytes of JSON) runs from S3, as a Distributed Map: a quarter of
 * the state's 256 KiB, which the items share with the run's other values.
 */
export const LIST_BUDGET_BYTES = 64 * 1024;

let defaultS3: Promise<S3Client> | undefined;

/** The store of a Lambda: the bucket `WF_RESULTS_BUCKET` names, with the AWS SDK's client; none when unset. */
export function environmentSpillStore(): SpillStore | undefined {
  const bucket = process.env[RESULTS_BUCKET_ENV];
  if (!bucket) return undefined;
  return { bucket, s3: () => (defaultS3 ??= import('@aws-sdk/client-s3').then(({ S3Client: Client }) => new Client({}))) };
}

/** Writes `value` as JSON under `wf-spill/`; gives its reference. */
export async function spillValue(value: unknown, store: SpillStore): Promise<SpillRef> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const body = JSON.stringify(value) ?? 'null';
  const key = `${SPILL_PREFIX}${randomUUID()}.json`;
  await (await store.s3()).send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: body, ContentType: 'application/json' }));
  return { [SPILL_REF_KEY]: { bucket: store.bucket, key, bytes: Buffer.byteLength(body) } };
}

/**
 * `outputs` within `budget` as they are; else, with a store, the largest values spilled one by one
 * until the rest fits (a value that cannot be written is truncated instead, and said so on
 * stderr); without one, truncated (cap-outputs.ts).
 */
export async function spillOutputs(outputs: Record<string, unknown>, store: SpillStore | undefined, budget = OUTPUT_BUDGET_BYTES): Promise<Record<string, unknown>> {
  if (jsonBytes(outputs) <= budget) return outputs;
  if (!store) return capOutputs(outputs, budget);
  const out: Record<string, unknown> = { ...outputs };
  for (const [key, bytes] of largestFirst(out)) {
    try {
      setOwn(out, key, await spillValue(out[key], store));
    } catch (e) {
      process.stderr.write(`could not write output "${key}" (${bytes} bytes) to s3://${store.bucket}/${SPILL_PREFIX}: ${(e as Error).message}; it is truncated\n`);
      setOwn(out, key, truncatedMarker(bytes));
    }
    if (jsonBytes(out) <= budget) break;
  }
  return out;
}

/** A list within `budget` as it is; else, with a store, written whole and given as its reference. */
export async function spillList(list: unknown, store: SpillStore | undefined, budget = LIST_BUDGET_BYTES): Promise<unknown> {
  if (!store || !Array.isArray(list) || jsonBytes(list) <= budget) return list;
  return spillValue(list, store);
}

/** Whether `value`'s JSON holds a reference (a cheap look before a walk). */
export function holdsSpillRef(value: unknown): boolean {
  return value !== undefined && JSON.stringify(value).includes(`"${SPILL_REF_KEY}"`);
}

/** `value` with every reference replaced by the value it names (each object read once). */
export async function resolveSpilled(value: unknown, store: SpillStore | undefined): Promise<unknown> {
  if (!holdsSpillRef(value)) return value;
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const read = new Map<string, Promise<unknown>>();
  const load = async (ref: SpillRef): Promise<unknown> => {
    const problem = spillRefProblem(ref, store?.bucket);
    if (problem) throw badRequest(problem);
    const { key } = ref[SPILL_REF_KEY];
    try {
      const got = await (await store!.s3()).send(new GetObjectCommand({ Bucket: store!.bucket, Key: key }));
      return JSON.parse(await got.Body!.transformToString('utf8'));
    } catch (e) {
      throw new RunnerError(ErrorNames.stageFailed, JSON.stringify({ status: 'FAILED', outputs: {}, errors: { name: 'SpillError', message: `could not read the spilled value s3://${store!.bucket}/${key}: ${(e as Error).message}` } }));
    }
  };
  return replaceRefs(value, isSpillRef, (ref) => {
    const key = ref[SPILL_REF_KEY].key;
    let got = read.get(key);
    if (!got) read.set(key, (got = load(ref)));
    return got;
  });
}
