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

/** `outputs` unchanged when within `budget`, else with the largest values replaced by markers. */
export function capOutputs(outputs: Record<string, unknown>, budget = OUTPUT_BUDGET_BYTES): Record<string, unknown> {
  const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? 'null');
  if (size(outputs) <= budget) return outputs;
  const out: Record<string, unknown> = { ...outputs };
  const bySize = Object.keys(out).map((k) => [k, size(out[k])] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [key, bytes] of bySize) {
    setOwn(out, key, truncatedMarker(bytes));
    if (size(out) <= budget) break;
  }
  return out;
}
