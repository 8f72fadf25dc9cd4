/**
 * Keeps a runner's failure within what Step Functions carries. The failure travels as a Lambda
 * error: the runtime wraps it (see lambda-cause.ts) and Step Functions keeps 32,768 characters of
 * that; a cut cause is not JSON any more, the failure hub's `States.StringToJson` fails, and no
 * Catch handles that, so the whole execution would fail. Every error the stage runner throws goes
 * through {@link fitFailure}: one whose wrapped form is within {@link FAILURE_BUDGET_CHARS} passes
 * unchanged, a longer one is rebuilt with its failed record shrunk (`fitRecord`) or, when its
 * message is not a record, its message cut in the middle.
 */
import { causeLength, lambdaCause } from './lambda-cause.ts';
import { fitRecord, type FailedRecord } from './fit-record.ts';
import { largestFitting } from './largest-fitting.ts';
import { RunnerError } from './runner-error.ts';
import { trimMiddle } from './trim-middle.ts';

/**
 * The most a failure may take once Lambda has wrapped it, counted by `causeLength`: well under
 * Step Functions' 32,768, leaving room for a runtime that wraps a little more than measured.
 */
export const FAILURE_BUDGET_CHARS = 24_000;

function asRecord(message: string): FailedRecord | undefined {
  try {
    const value = JSON.parse(message) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const errors = (value as { errors?: unknown }).errors;
    return typeof errors === 'object' && errors !== null ? (value as FailedRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `thrown` unchanged when it is not an Error or its Lambda cause is within `budget`; else a
 * {@link RunnerError} of the same name whose cause is.
 * @param budget characters of the wrapped cause @default FAILURE_BUDGET_CHARS
 */
export function fitFailure(thrown: unknown, budget: number = FAILURE_BUDGET_CHARS): unknown {
  if (!(thrown instanceof Error) || causeLength(lambdaCause(thrown)) <= budget) return thrown;
  const out = new RunnerError(thrown.name, '');
  // The wrapped form grows by exactly the message's length as a JSON string: measure the rest once.
  const rest = causeLength(lambdaCause(out)) - 2;
  const fits = (message: string): boolean => rest + causeLength(JSON.stringify(message)) <= budget;
  const record = asRecord(thrown.message);
  if (record) {
    out.message = JSON.stringify(fitRecord(record, (r) => fits(JSON.stringify(r))));
    return out;
  }
  const text = thrown.message;
  out.message = trimMiddle(text, largestFitting(0, text.length, (n) => fits(trimMiddle(text, n))) ?? 0);
  return out;
}
