/**
 * The walk that swaps references for what they name (secret references, spilled values): each part
 * of a value that is a reference is replaced by what `replace` gives for it, everywhere in lists
 * and objects to 100 levels deep; object keys stay own properties (`__proto__` included).
 */
import { setOwn } from '../expr/index.ts';

/** `value` with every part that `isRef` accepts replaced by `await replace(ref)`. */
export async function replaceRefs<R>(value: unknown, isRef: (v: unknown) => v is R, replace: (ref: R) => Promise<unknown>): Promise<unknown> {
  const walk = async (v: unknown, depth: number): Promise<unknown> => {
    if (isRef(v)) return replace(v);
    if (v === null || typeof v !== 'object' || depth > 100) return v;
    if (Array.isArray(v)) return Promise.all(v.map((x) => walk(x, depth + 1)));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, await walk(x, depth + 1));
    return out;
  };
  return walk(value, 0);
}
