/**
 * What Step Functions records as the cause of a Task whose Lambda threw: the runtime's error
 * report, as JSON text. Node's runtime reports `{errorType, errorMessage, trace}`, where `trace` is
 * the error's `stack` split into lines (and DEL characters are written `%7F`); the Python runner's
 * errors carry their runtime's report with them (`RunnerError.lambdaCause`). Step Functions keeps
 * at most {@link CAUSE_LIMIT_CHARS} characters of it.
 */
import { RunnerError } from './runner-error.ts';

/** Step Functions' limit on an error cause, in characters. */
export const CAUSE_LIMIT_CHARS = 32_768;

/** The cause Step Functions records when a Lambda fails with `error`. */
export function lambdaCause(error: Error): string {
  if (error instanceof RunnerError && error.lambdaCause !== undefined) return error.lambdaCause;
  const del = (text: string): string => text.replace(/\x7F/g, '%7F');
  return JSON.stringify({ errorType: del(error.name), errorMessage: del(error.message), trace: del(error.stack ?? '').split('\n') });
}

/**
 * The length of `text` counted the most expensive way any party may count it: every character
 * outside ASCII as a `\uXXXX` escape (6 characters; Python's `json.dumps` writes them so, and a
 * count in UTF-8 bytes is never more), DEL as the 3 of `%7F`. A budget met this way is met however
 * the runtime and Step Functions measure.
 */
export function causeLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) length += 5;
    else if (code === 0x7f) length += 2;
  }
  return length;
}
