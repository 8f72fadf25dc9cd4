/**
 * Resolves a compiled `Parameters` object against a state's input the way Step Functions does for
 * the plain paths the compiler emits (`"key.$": "$.a.b[0]"`), so the local runner can render an
 * echo stage's message for progress output without another Task.
 */
import { setOwn } from '../expr/index.ts';

/** The value at a plain JSONPath (`$`, `$.a.b[0]`) of a document; undefined when absent. */
export function readPath(doc: unknown, path: string): unknown {
  if (path === '$') return doc;
  let cur: unknown = doc;
  for (const m of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[m[1] ?? Number(m[2])];
  }
  return cur;
}

/** The value of a Parameters template for `input`; paths that do not resolve are left out. */
export function resolveParameters(template: unknown, input: unknown): unknown {
  if (Array.isArray(template)) return template.map((t) => resolveParameters(t, input));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith('.$') && typeof v === 'string') {
      const value = v.startsWith('$') ? readPath(input, v) : undefined;
      if (value !== undefined) setOwn(out, k.slice(0, -2), value);
    } else setOwn(out, k, resolveParameters(v, input));
  }
  return out;
}
