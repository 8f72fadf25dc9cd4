/**
 * Errors the runners throw. The state machine sees `name` as the Task error (Lambda's errorType)
 * and `message` as its cause, so a stage failure carries the JSON of its failed record: Catch
 * and Retry apply to it, and the record (outputs produced so far included) survives the trip.
 */
import { inspect } from 'node:util';
import { ErrorNames, type ErrorInfo, type StageRecord } from '../protocol/index.ts';

/** Stack frames a {@link RunnerError} keeps (Node's default `Error.stackTraceLimit`). */
const STACK_FRAMES = 10;

/**
 * An error with a protocol name (`StageFailed`, `ExpressionError`, `BadRequest`, ...).
 *
 * Its `stack` is the name and the frames, without the message: Lambda's Node runtime reports the
 * stack's lines beside the message, so a stack that repeated the message (as Node's does) would
 * carry it twice into the cause.
 */
export class RunnerError extends Error {
  /**
   * The cause Step Functions records for this error, verbatim, when a runtime other than Node's
   * reported it (the Python runner's, in its runtime's shape); absent for the stage runner's own.
   */
  lambdaCause?: string;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    const frames: { stack?: string } = {};
    Error.captureStackTrace(frames, new.target);
    const lines = (frames.stack ?? '').split('\n').slice(1, 1 + STACK_FRAMES);
    this.stack = [name, ...lines].join('\n');
  }
}

/** The `StageFailed` error for a failed (or cancelled) stage: its message is the record's JSON. */
export function stageFailed(
  errors: ErrorInfo,
  outputs: Record<string, unknown> = {},
  status: 'FAILED' | 'CANCEL' = 'FAILED',
): RunnerError {
  const record: StageRecord = { status, outputs, errors };
  return new RunnerError(ErrorNames.stageFailed, JSON.stringify(record));
}

/** A `BadRequest` error: the payload is not one the runner understands (a compiler or wiring bug). */
export function badRequest(message: string): RunnerError {
  return new RunnerError(ErrorNames.badRequest, message);
}

/** The text of anything thrown: an Error's message, a string as is, anything else as JSON (or, when JSON cannot hold it, as `util.inspect` shows it). */
export function thrownText(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown === undefined) return 'undefined';
  if (typeof thrown === 'bigint' || typeof thrown === 'symbol' || typeof thrown === 'function') return String(thrown);
  try {
    const json = JSON.stringify(thrown);
    if (json !== undefined && json !== '{}') return json;
  } catch {
    // a circular value (or a throwing toJSON): described below
  }
  // `String()` of an object says only "[object Object]": show its shape instead.
  return inspect(thrown, { depth: 2, breakLength: Infinity });
}
