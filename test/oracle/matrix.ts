/**
 * Matrix combinations by GitHub Actions' rules, written from their documentation (not from
 * lib/config): the cartesian product of the axes (first axis outermost), minus every combination
 * that matches all pairs of an `exclude` entry, then each `include` entry merged into every
 * combination whose original axis values it does not contradict (values added by an earlier
 * include may be overwritten), or appended as a combination of its own when it fits none.
 */
import { isDeepStrictEqual } from 'node:util';

type Combination = Record<string, unknown>;

/** The combinations of a static matrix, in order. */
export function combinations(axes: Record<string, unknown[]>, include: Combination[], exclude: Combination[]): Combination[] {
  let product: Combination[] = Object.keys(axes).length ? [{}] : [];
  for (const [axis, values] of Object.entries(axes)) {
    product = product.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  }
  const kept = product.filter((c) => !exclude.some((e) => Object.entries(e).every(([k, v]) => isDeepStrictEqual(c[k], v))));
  const originals = kept.map((c) => ({ ...c }));
  const out = kept.map((c) => ({ ...c }));
  const extra: Combination[] = [];
  for (const inc of include) {
    let merged = false;
    out.forEach((c, i) => {
      const original = originals[i]!;
      const fits = Object.entries(inc).every(([k, v]) => !Object.hasOwn(original, k) || isDeepStrictEqual(original[k], v));
      if (fits) {
        Object.assign(c, inc);
        merged = true;
      }
    });
    if (!merged) extra.push({ ...inc });
  }
  return [...out, ...extra];
}

/**
 * The documented strategy key (docs/dialect.md, Strategy): each entry `name-value` (text as
 * written, other values as compact JSON) joined by `_`, every character other than a letter or digit
 * of any script, `.`, `_` or `-` written as `-`, cut to 100 characters (`os-linux_py-3.12`).
 * `taken` holds the keys of earlier combinations: a key already taken gets `-2`, `-3`, ...
 */
export function strategyKey(matrix: Combination, taken: ReadonlySet<string> = new Set()): string {
  const key = Object.entries(matrix)
    .map(([k, v]) => `${k}-${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('_')
    .replace(/[^\p{L}\p{N}._-]/gu, '-')
    .slice(0, 100);
  if (!taken.has(key)) return key;
  for (let n = 2; ; n++) if (!taken.has(`${key}-${n}`)) return `${key}-${n}`;
}
