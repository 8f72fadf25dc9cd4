/**
 * Shrinks a failed stage record until it fits (the caller says what fitting is: the Lambda error
 * it travels in staying under a budget). Long text is cut in the middle, keeping its head and
 * tail around a `…[truncated N bytes]…` marker, in this order:
 *
 * 1. the outputs' strings (every one, nested ones too) down to one length, as long as fits but not
 *    under {@link TRIM_FLOOR_CHARS}; a list or object that is longer than that even without its
 *    strings becomes the `{"__truncated__": "<N> bytes"}` marker of `capOutputs`;
 * 2. then the error message the same way, down to the floor;
 * 3. then the outputs below the floor, and at last the message below it;
 * 4. at worst the outputs are one marker and the error name is cut to Step Functions' 256.
 *
 * Each step searches the longest length that fits, so what is kept is as much as the budget holds.
 * The Python runner (`fit_record` in functions/py-runner/handler.py) follows the same steps.
 */
import type { ErrorInfo, StageRecord } from '../protocol/index.ts';
import { jsonBytes, truncatedMarker } from './cap-outputs.ts';
import { largestFitting } from './largest-fitting.ts';
import { trimMiddle } from './trim-middle.ts';

/** Characters each text keeps before the next one is cut (head and tail, half each). */
export const TRIM_FLOOR_CHARS = 1_000;

/** Step Functions' limit on an error name, in characters. */
const ERROR_NAME_CHARS = 256;

/** A stage record as a failure carries it (with the `key` of the request, when it had one). */
export type FailedRecord = StageRecord & { key?: string };

/** A value with every string emptied: the part of it that cutting strings cannot shrink. */
function skeleton(value: unknown): unknown {
  if (typeof value === 'string') return '';
  if (value === null || typeof value !== 'object') return value;
  return Array.isArray(value) ? value.map(skeleton) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v)]));
}

const skeletonBytes = new WeakMap<object, number>();

/**
 * `value` with every string longer than `level` cut to it; a list or object whose size without
 * its strings is still over `level` (many small values, which no cut shortens) becomes a marker.
 */
function shrinkValue(value: unknown, level: number): unknown {
  if (typeof value === 'string') return trimMiddle(value, level);
  if (value === null || typeof value !== 'object') return value;
  let bare = skeletonBytes.get(value);
  if (bare === undefined) skeletonBytes.set(value, (bare = jsonBytes(skeleton(value))));
  if (bare > Math.max(level, 2)) return truncatedMarker(jsonBytes(value));
  return Array.isArray(value) ? value.map((v) => shrinkValue(v, level)) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrinkValue(v, level)]));
}

function shrinkOutputs(outputs: Record<string, unknown>, level: number): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, shrinkValue(v, level)]));
}

/** The length of the longest text in `value` (as JSON, for lists and objects): no level above it changes anything. */
function longest(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 0;
  const inner = Array.isArray(value) ? value : Object.values(value);
  return inner.reduce((most: number, v) => Math.max(most, longest(v)), jsonBytes(value));
}

/** `record` as it is when it fits, else shrunk as the file comment says. */
export function fitRecord(record: FailedRecord, fits: (r: FailedRecord) => boolean): FailedRecord {
  if (fits(record)) return record;
  const outputs = record.outputs ?? {};
  const errors = record.errors ?? { name: 'StageError', message: '' };
  const message = typeof errors.message === 'string' ? errors.message : (JSON.stringify(errors.message) ?? '');
  const outputLevel = longest(outputs);
  const build = (out: number, msg: number): FailedRecord & { errors: ErrorInfo } => ({
    ...record,
    outputs: shrinkOutputs(outputs, out),
    errors: { ...errors, message: trimMiddle(message, msg) },
  });
  const steps: Array<[number, number, (level: number) => FailedRecord]> = [
    [TRIM_FLOOR_CHARS, outputLevel, (l) => build(l, message.length)],
    [TRIM_FLOOR_CHARS, message.length, (l) => build(TRIM_FLOOR_CHARS, l)],
    [0, TRIM_FLOOR_CHARS, (l) => build(l, TRIM_FLOOR_CHARS)],
    [0, TRIM_FLOOR_CHARS, (l) => build(0, l)],
  ];
  for (const [low, high, at] of steps) {
    const level = largestFitting(low, high, (l) => fits(at(l)));
    if (level !== undefined) return at(level);
  }
  const last = build(0, 0);
  return { ...last, outputs: truncatedMarker(jsonBytes(outputs)), errors: { ...last.errors, name: trimMiddle(String(errors.name), ERROR_NAME_CHARS) } };
}
