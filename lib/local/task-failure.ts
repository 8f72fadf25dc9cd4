/**
 * A failed Task as the local engine must see it to fail where Step Functions fails. The engine
 * takes a handler's error name as the Task's Error and its message as the Cause, and limits
 * neither; Step Functions records a Lambda's failure as the runtime's report of it (Node's
 * `{errorType, errorMessage, trace}`, Python's `{errorMessage, errorType, requestId, stackTrace}`)
 * and keeps at most 32,768 characters of a cause and 256 of an error name, cutting what is longer.
 * A cut cause is no longer JSON, so a runner that let a failure grow past the limit makes the
 * failure hub's `States.StringToJson` fail, locally as on AWS.
 */
import { CAUSE_LIMIT_CHARS, lambdaCause } from '../runtime/index.ts';

/** Step Functions' limit on an error name, in characters. */
export const ERROR_NAME_LIMIT_CHARS = 256;

/** `text` cut to `limit` UTF-16 code units, never leaving half a surrogate pair at the end. */
function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text[limit - 1] ?? '') ? limit - 1 : limit;
  return text.slice(0, end);
}

/**
 * The error a Task handler throws, with its name and cause within Step Functions' limits. It is a
 * plain `Error` (the same one when it is one and within them): a built-in error class reaching the
 * end of a run is then always the engine's own (see `runLocal`).
 */
export function taskFailure(thrown: unknown): Error {
  const err = thrown instanceof Error ? thrown : new Error(String(thrown));
  if (Object.getPrototypeOf(err) === Error.prototype && err.message.length <= CAUSE_LIMIT_CHARS && err.name.length <= ERROR_NAME_LIMIT_CHARS) return err;
  const out = new Error(cut(err.message, CAUSE_LIMIT_CHARS));
  out.name = cut(err.name, ERROR_NAME_LIMIT_CHARS);
  return out;
}

/** The error of a Task whose Lambda failed with `thrown`: named by the error, with the runtime's report of it as the cause (cut as Step Functions cuts it). */
export function lambdaFailure(thrown: unknown): Error {
  const err = thrown instanceof Error ? thrown : new Error(String(thrown));
  const out = new Error(lambdaCause(err));
  out.name = err.name || 'Error';
  return taskFailure(out);
}
