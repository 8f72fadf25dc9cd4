/**
 * Turns a Map state's ordered results into keyed outputs. foreach keys each result by its item
 * (a string, or a number as text) or, with `use-index-as-key`, by its index; items that are not
 * strings or numbers are keyed by index, and when two items would give the same key every result
 * is keyed by index, so no result is lost. matrix keys each result by its strategy key.
 *
 * A foreach's iterations end with their stages; each item's record (`{status: SUCCESS, item,
 * stages}`; a failed item fails the Map) is built here. A foreach's outputs are kept within the output budget: past it, the item list and then the
 * largest item records are replaced by markers saying how big they were. A batched foreach's
 * chunks are trimmed first, each to its share of the budget (`chunk`), so that what the chunk
 * executions return stays small however many items there are.
 */
import { BATCH_RECORDS_BYTES, type CollectRequest } from '../protocol/index.ts';
import { badRequest } from './runner-error.ts';
import { capOutputs, jsonBytes, OUTPUT_BUDGET_BYTES, truncatedMarker } from './cap-outputs.ts';
import { setOwn } from '../expr/index.ts';

type Result = Record<string, unknown>;


function foreachKeys(items: unknown[], useIndex: boolean): string[] {
  const keys = items.map((item, i) => (!useIndex && (typeof item === 'string' || typeof item === 'number') ? String(item) : String(i)));
  return new Set(keys).size === keys.length ? keys : items.map((_, i) => String(i));
}

/** Item records within `budget` bytes: past it, the largest records' `stages` (then the record) become markers. */
function trimRecords(results: Result[], budget: number): Result[] {
  if (jsonBytes(results) <= budget) return results;
  const out = results.map((r) => ({ ...r }));
  const order = out.map((r, i) => [i, jsonBytes(r)] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  let total = jsonBytes(out);
  for (const [i, bytes] of order) {
    if (total <= budget) break;
    const r = out[i]!;
    const trimmed = jsonBytes(r.item) > 256 ? { status: r.status, ...truncatedMarker(bytes) } : { status: r.status, item: r.item, stages: truncatedMarker(jsonBytes(r.stages)), ...(r.errors !== undefined ? { errors: r.errors } : {}) };
    out[i] = trimmed;
    total -= bytes - jsonBytes(trimmed);
  }
  return out;
}

/** The longest error message a trimmed item record keeps. */
const ERROR_MESSAGE_BYTES = 1024;

/**
 * An S3 foreach batch's item records (already `{status, item, stages, errors?}`) within `budget`:
 * the largest records' `stages` become markers first, then long error messages are cut.
 */
function fitRecords(results: Result[], budget: number): Result[] {
  const out = trimRecords(results, budget);
  if (jsonBytes(out) <= budget) return out;
  return out.map((r) => {
    const errors = r.errors as { name?: unknown; message?: unknown } | undefined;
    if (typeof errors?.message !== 'string' || Buffer.byteLength(errors.message) <= ERROR_MESSAGE_BYTES) return r;
    return { ...r, errors: { ...errors, message: `${Buffer.from(errors.message).subarray(0, ERROR_MESSAGE_BYTES).toString('utf8')}… (${Buffer.byteLength(errors.message)} bytes)` } };
  });
}

/** Each item's record from its iteration's output (its stages) and the item: `{status, item, stages}`. */
function itemRecords(stages: Result[], items: readonly unknown[]): Result[] {
  return stages.map((s, i) => ({ status: 'SUCCESS', item: items[i], stages: s }));
}

/** The keyed outputs of a foreach (`{items, foreach}`), a matrix (`{[key]: result}`), or a trimmed chunk (`{results}`). */
export function collectResults(req: CollectRequest): Record<string, unknown> {
  if (!Array.isArray(req.results)) throw badRequest('collect request needs a "results" list');
  if (req.kind === 'chunk') {
    const share = typeof req.share === 'number' && req.share >= 1 ? req.share : 1;
    return { results: trimRecords(itemRecords(req.results as Result[], req.items ?? []), Math.floor(OUTPUT_BUDGET_BYTES / share)) };
  }
  if (req.kind === 'records') return { records: fitRecords(req.results as Result[], BATCH_RECORDS_BYTES) };
  if (req.kind === 'foreach') {
    const results = req.chunked ? (req.results as Result[][]).flat() : itemRecords(req.results as Result[], req.items ?? []);
    const items = req.items ?? results.map((r) => r.item);
    const keys = foreachKeys(items, req.useIndexAsKey === true);
    const itemsOut = jsonBytes(items) > OUTPUT_BUDGET_BYTES / 4 ? truncatedMarker(jsonBytes(items)) : items;
    // What the records may take: the budget less the item list and the envelope around the records.
    const room = OUTPUT_BUDGET_BYTES - jsonBytes({ items: itemsOut, foreach: {} }) + 2;
    const foreach: Record<string, unknown> = {};
    trimRecords(results, room - jsonBytes(keys)).forEach((r, i) => {
      foreach[keys[i] ?? String(i)] = r;
    });
    return { items: itemsOut, foreach: capOutputs(foreach, room) };
  }
  if (req.kind === 'matrix') {
    const out: Record<string, unknown> = {};
    for (const r of req.results as Result[]) {
      const { key, ...rest } = r;
      if (typeof key !== 'string') throw badRequest('every matrix result needs a string "key"');
      setOwn(out, key, rest);
    }
    return out;
  }
  throw badRequest(`unknown collect kind ${JSON.stringify((req as { kind: unknown }).kind)}`);
}
