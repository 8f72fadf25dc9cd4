import type { Job } from '../config/index.ts';
import type { EvalItem } from '../protocol/index.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { nativeParameters, rootsOfValue } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';

/**
 * Job `outputs` (GitHub style): rendered when the job's stages have succeeded, into `target`
 * (`$.jobs.<id>.outputs`, where `needs.<id>.outputs.<name>` reads them, or a strategy's `outputs`).
 */
export function withOutputs(cx: CompileContext, job: Job, scope: StageScope, label: string[], target: string, next: string, fail: string): string {
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
