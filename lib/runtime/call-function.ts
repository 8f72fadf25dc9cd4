/**
 * Calls a registered function for a `call` stage: look it up, check the arguments, call, and
 * check that it returned a dict of outputs. Each failure is an error whose name says which step
 * failed (`RegistryError`, `ArgumentError`, `OutputError`, or the function's own error name).
 */
import { callInWorker, type CallOutcome } from './call-in-worker.ts';
import { checkCallArgs, formatArgProblems } from './check-call-args.ts';
import { lookupFunction } from './registry.ts';
import { RunnerError, thrownText } from './runner-error.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'a class'}`;
  return `a ${typeof v}`;
}

/**
 * Calls the function `uses` names with `args` and returns its outputs. A function returning
 * nothing (`undefined`) has no outputs; any other non-dict return is an `OutputError`. Outputs
 * are made JSON (Dates become ISO strings); a value JSON cannot hold (a BigInt, a cycle) is an
 * `OutputError` too. A thrown non-Error (a string, a number, an object) keeps its text.
 *
 * The function runs in a worker thread (see {@link callInWorker}) when its registry module is
 * known, so that aborting `signal` (the stage's timeout, a cancel) stops it; a function the host
 * process registered itself runs in-process, where it cannot be stopped.
 */
export async function callFunction(uses: string, args: Record<string, unknown>, signal?: AbortSignal, onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): Promise<Record<string, unknown>> {
  const found = lookupFunction(uses);
  if (!found.ok) throw new RunnerError('RegistryError', found.note ? `${found.message}; ${found.note}` : found.message);
  const { entry } = found;
  const checked = checkCallArgs(entry.schema, args);
  if (!checked.ok) {
    throw new RunnerError('ArgumentError', `arguments do not match ${uses}:\n${formatArgProblems(checked.problems)}`);
  }
  const inWorker = callInWorker({ registry: entry.registry, alias: entry.alias, tag: entry.tag, args: checked.args }, signal, onOutput);
  const outcome = inWorker ? await inWorker : undefined;
  if (outcome && outcome.kind !== 'missing') return fromOutcome(uses, outcome);
  let returned: unknown;
  try {
    returned = await (entry.fn as (a: unknown) => unknown)(checked.args);
  } catch (thrown) {
    const name = thrown instanceof Error ? thrown.name : 'Error';
    const what = thrown instanceof Error ? thrown.message : `threw ${typeof thrown === 'string' ? JSON.stringify(thrown) : thrownText(thrown)}`;
    throw new RunnerError(name, `${uses} failed: ${what}`);
  }
  if (returned === undefined) return {};
  if (!isPlainObject(returned)) {
    throw new RunnerError('OutputError', `${uses} must return an object (a dict of outputs), but returned ${kindOf(returned)}`);
  }
  try {
    return JSON.parse(JSON.stringify(returned)) as Record<string, unknown>;
  } catch (err) {
    throw new RunnerError('OutputError', `${uses} returned outputs that are not JSON: ${thrownText(err)}`);
  }
}

/** The outputs of a call that ran in a worker, or the same errors as an in-process call gives. */
function fromOutcome(uses: string, outcome: Exclude<CallOutcome, { kind: 'missing' }>): Record<string, unknown> {
  switch (outcome.kind) {
    case 'returned':
      return outcome.json === undefined ? {} : (JSON.parse(outcome.json) as Record<string, unknown>);
    case 'not-object':
      throw new RunnerError('OutputError', `${uses} must return an object (a dict of outputs), but returned ${outcome.what}`);
    case 'not-json':
      throw new RunnerError('OutputError', `${uses} returned outputs that are not JSON: ${outcome.text}`);
    case 'threw':
      throw new RunnerError(outcome.name, `${uses} failed: ${outcome.message ?? `threw ${outcome.text}`}`);
    case 'exited':
      throw new RunnerError('Error', `${uses} failed: ${outcome.text}`);
  }
}
