/**
 * Parse-once caches for run time: the same template text is rendered again and again (every
 * matrix combination, every foreach item, every retry), so its parse is kept and shared. Cached
 * results are frozen: callers must not (and cannot) modify them.
 */
import { BoundedCache } from './bounded-cache.ts';
import { parseExpression } from './parse-expression.ts';
import { isWholeTemplate, parseTemplate } from './parse-template.ts';
import type { ExprProblem, Node, TemplatePart } from './types.ts';

/** A parsed template with its single expression when the text is a whole template. */
export interface CachedTemplate {
  readonly parts: readonly TemplatePart[];
  readonly problems: readonly ExprProblem[];
  /** Set when the text is exactly one template: rendering keeps the type of its value. */
  readonly whole?: Node;
}

const CAPACITY = 2000;
const templates = new BoundedCache<string, CachedTemplate>(CAPACITY);
const expressions = new BoundedCache<string, { ast?: Node; problems: readonly ExprProblem[] }>(CAPACITY);

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** `parseTemplate(text)`, parsed once per distinct text (within a bounded cache). */
export function cachedTemplate(text: string): CachedTemplate {
  return templates.getOrCompute(text, (t) => {
    const { parts, problems } = parseTemplate(t);
    const entry: { parts: TemplatePart[]; problems: ExprProblem[]; whole?: Node } = { parts, problems };
    if (problems.length === 0 && isWholeTemplate(t)) {
      const expr = parts.find((p) => p.kind === 'expr');
      if (expr?.kind === 'expr' && expr.ast) entry.whole = expr.ast;
    }
    return deepFreeze(entry);
  });
}

/** `parseExpression(src)`, parsed once per distinct source (within a bounded cache). */
export function cachedExpression(src: string): { readonly ast?: Node; readonly problems: readonly ExprProblem[] } {
  return expressions.getOrCompute(src, (s) => deepFreeze(parseExpression(s)));
}
