/**
 * Folds the values the compiler resolved natively (`resolved`: template text → value) into the
 * scope, at the path each template reads, so that rendering finds them like any other value. The
 * compiler only resolves plain paths (`stages.build.outputs.version`, `matrix['os']`); anything
 * else is a compiler bug.
 */
import { parseExpression, type Node } from '../expr/index.ts';
import { badRequest } from './runner-error.ts';

function pathOf(node: Node): Array<string | number> | undefined {
  if (node.type === 'name') return [node.name];
  if (node.type === 'member') {
    const base = pathOf(node.object);
    return base && [...base, node.property];
  }
  if (node.type === 'index' && node.index.type === 'literal') {
    const key = node.index.value;
    if (typeof key !== 'string' && typeof key !== 'number') return undefined;
    const base = pathOf(node.object);
    return base && [...base, key];
  }
  return undefined;
}

function setAt(target: Record<string | number, unknown>, path: ReadonlyArray<string | number>, value: unknown): Record<string | number, unknown> {
  const [head, ...rest] = path;
  const copy: Record<string | number, unknown> = Array.isArray(target)
    ? ([...target] as unknown as Record<number, unknown>)
    : { ...target };
  if (rest.length === 0) {
    copy[head!] = value;
    return copy;
  }
  const child = copy[head!];
  copy[head!] = setAt(typeof child === 'object' && child !== null ? (child as Record<string, unknown>) : {}, rest, value);
  return copy;
}

/** The scope with each resolved value placed at its template's path; `scope` is not changed. */
export function applyResolved(scope: Record<string, unknown>, resolved: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!resolved) return scope;
  let out = scope;
  for (const [text, value] of Object.entries(resolved)) {
    const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
    const src = m ? m[1]! : text;
    const { ast } = parseExpression(src);
    const path = ast && pathOf(ast);
    if (!path) throw badRequest(`resolved key ${JSON.stringify(text)} is not a plain path template`);
    out = setAt(out, path, value) as Record<string, unknown>;
  }
  return out;
}
