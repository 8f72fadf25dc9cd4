/**
 * Keeps a stage's outputs within a budget so that no state's payload passes Step Functions' 256 KB
 * limit (the run's document carries every stage's outputs). Past the budget, the largest outputs
 * are replaced, one by one, with a marker that says how big they were; nothing is dropped silently.
 */
import { setOwn } from '../expr/index.ts';

/** The budget for one stage's outputs, in bytes of JSON. */
export const OUTPUT_BUDGET_BYTES = 32 * 1024;

/** The marker that replaces an output too large to keep. */
export function truncatedMarker(bytes: number): { __truncated__: string } {
  return { __truncated__: `${bytes} bytes` };
}

/** The size of a value's JSON, in bytes. */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? 'null');
}

/** The outputs' keys with their values' sizes, largest first, then by key: the order values leave the state in. */
export function largestFirst(outputs: Record<string, unknown>): Array<readonly [string, number]> {
  return Object.keys(outputs).map((k) => [k, jsonBytes(outputs[k])] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** `outputs` unchanged when within `budget`, else with the largest values replaced by markers. */
export function capOutputs(outputs: Record<string, unknown>, budget = OUTPUT_BUDGET_BYTES): Record<string, unknown> {
  if (jsonBytes(outputs) <= budget) return outputs;
  const out: Record<string, unknown> = { ...outputs };
  for (const [key, bytes] of largestFirst(out)) {
    setOwn(out, key, truncatedMarker(bytes));
    if (jsonBytes(out) <= budget) break;
  }
  return out;
}
