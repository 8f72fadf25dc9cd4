/**
 * Values too big for a run's state travel as references to S3 objects (docs/dialect.md, "Foreach
 * over S3"): a stage output past the output budget, and a foreach's list past it, are written by
 * the runner to the results bucket under `wf-spill/` as JSON, and the state holds
 * `{"__spilled__": {"bucket", "key", "bytes"}}` in their place. A runner that renders a template
 * reads the value back first, so templates see the value itself; a foreach whose list is a
 * reference runs as a Distributed Map whose ItemReader reads the object.
 *
 * A runner reads a reference only in its own results bucket and under `wf-spill/`, so a value a
 * stage made up cannot make it read anything else.
 */

/** The key of a reference object. */
export const SPILL_REF_KEY = '__spilled__';

/** Where spilled values go in the results bucket. */
export const SPILL_PREFIX = 'wf-spill/';

/** The environment variable that names the results bucket to the runners (set by the CDK app). */
export const RESULTS_BUCKET_ENV = 'WF_RESULTS_BUCKET';

/** Set (to `1`) for a local Python runner: it returns outputs uncapped, and its caller spills them. */
export const SPILL_TO_CALLER_ENV = 'WF_SPILL_TO_CALLER';

/** A reference to a spilled value. */
export interface SpillRef {
  [SPILL_REF_KEY]: { bucket: string; key: string; bytes: number };
}

/** True when `v` is a reference object: exactly the key, holding a bucket, a key and a size. */
export function isSpillRef(v: unknown): v is SpillRef {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1 || keys[0] !== SPILL_REF_KEY) return false;
  const ref = (v as Record<string, unknown>)[SPILL_REF_KEY] as Record<string, unknown> | null;
  return ref !== null && typeof ref === 'object' && typeof ref.bucket === 'string' && typeof ref.key === 'string' && typeof ref.bytes === 'number';
}

/** Why a reference may not be read with `bucket` as the results bucket, or undefined when it may. */
export function spillRefProblem(ref: SpillRef, bucket: string | undefined): string | undefined {
  const { bucket: b, key } = ref[SPILL_REF_KEY];
  if (!bucket) return `this request holds a spilled value (s3://${b}/${key}), but the runner has no results bucket (${RESULTS_BUCKET_ENV} is not set)`;
  if (b !== bucket || !key.startsWith(SPILL_PREFIX) || key.includes('..')) return `a spilled value may only be read from s3://${bucket}/${SPILL_PREFIX}; this one names s3://${b}/${key}`;
  return undefined;
}
