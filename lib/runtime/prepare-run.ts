/**
 * The `prepare` action: a run's input that did not come through `parameterize` (an EventBridge
 * schedule, a `trigger` stage, a raw StartExecution) is checked and completed here, inside the
 * state machine, with the same param rules the CLI applies.
 */
import { namedSecret, parameterize, type Param, type ParamType } from '../config/index.ts';
import { ErrorNames, isSecretRef, SECRET_REF_KEY, type PrepareRequest } from '../protocol/index.ts';
import { storeSecretParams } from './secret-refs.ts';
import type { SecretStore } from './secret-store.ts';
import { RunnerError } from './runner-error.ts';
import { setOwn } from '../expr/index.ts';

const ORIGIN = { file: '', line: 1, col: 1, offset: 0, length: 0 };

/** A parameter's text as JSON when it is JSON (a number, a list, a map), else as it is. */
function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The release lock key (`lock#<UTC minute>`) when the input asks for one (`lock: true`, as schedules
 * send it) and the release is `normal`; null otherwise. A key given as text is kept.
 */
export function lockKey(input: Record<string, unknown>, release: Record<string, unknown>): string | null {
  if (typeof input.lock === 'string') return input.lock;
  if (input.lock !== true) return null;
  const type = typeof release.type === 'string' ? release.type : 'normal';
  if (type !== 'normal') return null;
  const at = new Date(typeof release.logical_date === 'string' ? release.logical_date : Date.now());
  if (Number.isNaN(at.getTime())) return null;
  return `lock#${at.toISOString().slice(0, 16)}`;
}

/**
 * `{params, release, run, jobs, lock}` for a run, or a `ParamError` naming every wrong param.
 * Secret params are stored in `store` and the run goes on with references to them
 * (lib/protocol/secret-refs.ts); a reference given for a param that is not secret is refused.
 */
export async function prepareRun(req: PrepareRequest, store?: SecretStore): Promise<Record<string, unknown>> {
  const input = isRecord(req.input) ? req.input : {};
  const params: Record<string, Param> = {};
  for (const [name, d] of Object.entries(req.params ?? {})) {
    setOwn(params, name, {
      name,
      type: d.type as ParamType,
      hasDefault: 'default' in d,
      default: d.default,
      required: d.required,
      ...(d.options ? { options: d.options } : {}),
      secret: d.secret === true,
      loc: ORIGIN,
    });
  }
  const raw: Record<string, unknown> = { ...(isRecord(input.params) ? input.params : {}) };
  // A secret default that names a stored parameter is read now, and stored as this run's copy below.
  for (const p of Object.values(params)) {
    const named = namedSecret(p);
    if (named === undefined || (raw[p.name] !== undefined && raw[p.name] !== null)) continue;
    const text = store?.readNamed ? await store.readNamed(named) : undefined;
    if (text === undefined) {
      throw new RunnerError(ErrorNames.param, `workflow "${req.workflow}" was not run: param "${p.name}" has no value, and the SSM parameter its default names (${named}) ${store?.readNamed ? 'does not exist' : 'cannot be read here'}`);
    }
    setOwn(raw, p.name, p.type === 'str' || p.type === 'choice' ? text : parseOr(text));
  }
  const secretNames = Object.values(params).filter((p) => p.secret).map((p) => p.name);
  for (const [name, v] of Object.entries(raw)) {
    if (!secretNames.includes(name) && JSON.stringify(v)?.includes(SECRET_REF_KEY)) {
      throw new RunnerError(ErrorNames.param, `workflow "${req.workflow}" was not run: param "${name}" was given a secret, but it is not declared secret: true`);
    }
  }
  // A secret given as a reference (a trigger stage passing its own on) was checked where it was
  // given; here it only has to be present.
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    setOwn(given, k, isSecretRef(v) ? '***' : v);
    if (isSecretRef(v) && Object.hasOwn(params, k)) setOwn(params, k, { ...params[k]!, type: 'str', options: undefined });
  }
  const result = parameterize({ params }, given);
  if (result.errors.length) {
    throw new RunnerError(ErrorNames.param, `workflow "${req.workflow}" was not run: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  const release = isRecord(input.release) ? input.release : {};
  const run = isRecord(input.run) ? input.run : {};
  const runId = typeof run.id === 'string' ? run.id : req.executionName ?? 'run';
  for (const name of secretNames) if (isSecretRef(raw[name])) setOwn(result.params, name, raw[name]);
  const present = secretNames.filter((n) => result.params[n] !== null && result.params[n] !== undefined);
  if (present.length && !store) throw new RunnerError(ErrorNames.param, `workflow "${req.workflow}" was not run: it has secret params, but the runner has no secret store to keep them in (WF_SECRETS_PREFIX is not set)`);
  const stored = store && present.length ? await storeSecretParams(result.params, present, store, runId, typeof run.parent === 'string' ? run.parent : undefined) : result.params;
  return {
    params: stored,
    release: {
      logical_date: typeof release.logical_date === 'string' ? release.logical_date : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      type: typeof release.type === 'string' ? release.type : 'normal',
    },
    run: { ...run, id: runId, workflow: req.workflow },
    jobs: isRecord(input.jobs) ? input.jobs : {},
    lock: lockKey(input, release),
  };
}
