/**
 * The `prepare` action: a run's input that did not come through `parameterize` (an EventBridge
 * schedule, a `trigger` stage, a raw StartExecution) is checked and completed here, inside the
 * state machine, with the same param rules the CLI applies.
 */
import { parameterize, type Param, type ParamType } from '../config/index.ts';
import { ErrorNames, type PrepareRequest } from '../protocol/index.ts';
import { RunnerError } from './runner-error.ts';
import { setOwn } from '../expr/index.ts';

const ORIGIN = { file: '', line: 1, col: 1, offset: 0, length: 0 };

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

/** `{params, release, run, jobs, lock}` for a run, or a `ParamError` naming every wrong param. */
export function prepareRun(req: PrepareRequest): Record<string, unknown> {
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
  const given = isRecord(input.params) ? input.params : {};
  const result = parameterize({ params }, given);
  if (result.errors.length) {
    throw new RunnerError(ErrorNames.param, `workflow "${req.workflow}" was not run: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  const release = isRecord(input.release) ? input.release : {};
  const run = isRecord(input.run) ? input.run : {};
  return {
    params: result.params,
    release: {
      logical_date: typeof release.logical_date === 'string' ? release.logical_date : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      type: typeof release.type === 'string' ? release.type : 'normal',
    },
    run: { ...run, id: typeof run.id === 'string' ? run.id : req.executionName ?? 'run', workflow: req.workflow },
    jobs: isRecord(input.jobs) ? input.jobs : {},
    lock: lockKey(input, release),
  };
}
