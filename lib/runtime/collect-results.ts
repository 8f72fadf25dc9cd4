/**
 * Turns a Map state's ordered results into keyed outputs. foreach keys each result by its item
 * (a string, or a number as text) or, with `use-index-as-key`, by its index; items that are not
 * strings or numbers are keyed by index, and when two items would give the same key every result
 * is keyed by index, so no result is lost. matrix keys each result by its strategy key.
 */
import type { CollectRequest } from '../protocol/index.ts';
import { badRequest } from './runner-error.ts';

function foreachKeys(items: unknown[], useIndex: boolean): string[] {
  const keys = items.map((item, i) => (!useIndex && (typeof item === 'string' || typeof item === 'number') ? String(item) : String(i)));
  return new Set(keys).size === keys.length ? keys : items.map((_, i) => String(i));
}

/** The keyed outputs of a foreach (`{items, foreach}`) or a matrix (`{[key]: result}`). */
export function collectResults(req: CollectRequest): Record<string, unknown> {
  const results = req.results;
  if (!Array.isArray(results)) throw badRequest('collect request needs a "results" list');
  if (req.kind === 'foreach') {
    const items = req.items ?? results.map((r) => r.item);
    const keys = foreachKeys(items, req.useIndexAsKey === true);
    const foreach: Record<string, unknown> = {};
    results.forEach((r, i) => {
      foreach[keys[i] ?? String(i)] = r;
    });
    return { items, foreach };
  }
  if (req.kind === 'matrix') {
    const out: Record<string, unknown> = {};
    for (const r of results) {
      const { key, ...rest } = r;
      if (typeof key !== 'string') throw badRequest('every matrix result needs a string "key"');
      out[key] = rest;
    }
    return out;
  }
  throw badRequest(`unknown collect kind ${JSON.stringify((req as { kind: unknown }).kind)}`);
}
