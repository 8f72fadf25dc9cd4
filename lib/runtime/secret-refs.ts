/**
 * Secret references in a runner's hands (lib/protocol/secret-refs.ts): resolving the ones a run may
 * read, storing a run's secret params as references, and turning values back into references before
 * they return into the machine's state.
 */
import { deepEqual, setOwn } from '../expr/index.ts';
import { isSecretRef, runOfSecretName, SECRET_REF_KEY, secretName, type SecretRef } from '../protocol/index.ts';
import { RunnerError } from './runner-error.ts';
import { ErrorNames } from '../protocol/index.ts';
import { MAX_SECRET_BYTES, type SecretStore } from './secret-store.ts';
import { replaceRefs } from './replace-refs.ts';

/** A resolved reference: what the state holds, and the value it stands for. */
export interface ResolvedSecret {
  ref: SecretRef;
  value: unknown;
}

/** A stage failure named `SecretError`. */
function secretError(message: string): RunnerError {
  return new RunnerError(ErrorNames.stageFailed, JSON.stringify({ status: 'FAILED', outputs: {}, errors: { name: 'SecretError', message } }));
}

function pick(value: unknown, at: ReadonlyArray<string | number> | undefined): unknown {
  let v = value;
  for (const step of at ?? []) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, step)) return null;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

/**
 * `value` with every reference replaced by the value it stands for, and the references resolved.
 * Only references under the store's prefix and of `runs` (the request's run and its parent) are
 * read; any other is a `BadRequest` (a forged reference never reaches the store).
 */
export async function resolveSecretRefs(value: unknown, store: SecretStore, runs: ReadonlySet<string>): Promise<{ value: unknown; resolved: ResolvedSecret[] }> {
  const resolved: ResolvedSecret[] = [];
  const texts = new Map<string, Promise<string | undefined>>();
  const replaced = await replaceRefs(value, isSecretRef, async (v) => {
    const name = v[SECRET_REF_KEY];
    const run = runOfSecretName(store.prefix, name);
    if (run === undefined || !runs.has(run)) throw secretError(`a secret reference to ${JSON.stringify(name)} is not one this run may read`);
    let text = texts.get(name);
    if (!text) texts.set(name, (text = store.get(name)));
    const stored = await text;
    if (stored === undefined) throw secretError(`the secret ${JSON.stringify(name.slice(store.prefix.length + 1))} is no longer stored (its run ended, or it was never stored)`);
    const out = pick(JSON.parse(stored), v.at);
    resolved.push({ ref: v, value: out });
    return out;
  });
  return { value: replaced, resolved };
}

/**
 * `value` with every part equal to a resolved secret (or to an item of a secret list) replaced by
 * its reference: what an expression gives from a secret (`${{ params.token }}`, the items of
 * `${{ params.keys }}`) goes back into the state as a reference, never as the value.
 */
export function toSecretRefs(value: unknown, resolved: readonly ResolvedSecret[]): unknown {
  if (!resolved.length) return value;
  const candidates: ResolvedSecret[] = [];
  for (const r of resolved) {
    candidates.push(r);
    if (Array.isArray(r.value)) r.value.forEach((item, i) => candidates.push({ ref: { ...r.ref, at: [...(r.ref.at ?? []), i] }, value: item }));
  }
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || v === undefined || v === '' || typeof v === 'boolean' || depth > 100) return v;
    const hit = candidates.find((c) => c.value !== null && c.value !== '' && deepEqual(c.value, v));
    if (hit) return Array.isArray(v) ? v.map((_, i) => ({ ...hit.ref, at: [...(hit.ref.at ?? []), i] })) : hit.ref;
    if (typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, depth + 1));
    return out;
  };
  return walk(value, 0);
}

/**
 * Stores the secret params of a run and gives the params with references in their place. A value
 * that is already a reference (a trigger stage passing its own secret on) is read (it must be the
 * parent's) and stored again as this run's, so the child owns its copy.
 */
export async function storeSecretParams(params: Record<string, unknown>, secretNames: readonly string[], store: SecretStore, runId: string, parentRunId?: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...params };
  for (const name of secretNames) {
    if (!Object.hasOwn(params, name) || params[name] === null || params[name] === undefined) continue;
    let value: unknown = params[name];
    if (isSecretRef(value) || JSON.stringify(value).includes(SECRET_REF_KEY)) {
      value = (await resolveSecretRefs(value, store, new Set(parentRunId ? [parentRunId, runId] : [runId]))).value;
    }
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > MAX_SECRET_BYTES) throw new RunnerError(ErrorNames.param, `secret param "${name}" is ${Buffer.byteLength(text)} bytes as JSON, over the ${MAX_SECRET_BYTES}-byte limit of a secret`);
    const key = secretName(store.prefix, runId, name);
    await store.put(key, text);
    setOwn(out, name, { [SECRET_REF_KEY]: key });
  }
  return out;
}

/** `value` with every secret reference shown as `***` (for what people read: documents, records, progress). */
export function hideSecretRefs<T>(value: T): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (isSecretRef(v)) return '***';
    if (v === null || typeof v !== 'object' || depth > 200) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, depth + 1));
    return out;
  };
  return walk(value, 0) as T;
}
