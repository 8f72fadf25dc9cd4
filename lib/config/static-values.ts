/**
 * The texts a template can render to, when every expression in it is a name whose values are known
 * when compiling: a `choice` param's options, a literal matrix axis, a case match's value, a literal
 * foreach list's items, a parallel branch's name. Anything else (a computed value, a free-text
 * param, a function call) makes the set unknown.
 */
import { parseTemplate, toText, type Node } from '../expr/index.ts';

/**
 * The values each name path (`params.target`, `case`, `item`, `branch`) can take where a stage
 * sits; under `matrix`, the job's combinations (objects), whose axes vary together.
 */
export type StaticScope = ReadonlyMap<string, readonly unknown[]>;

/** Past this many combinations a template's value set is treated as unknown. */
export const STATIC_VALUES_MAX = 256;

function pathOf(node: Node): string | undefined {
  if (node.type === 'name') return node.name;
  if (node.type === 'member' && !node.optional) {
    const head = pathOf(node.object);
    return head === undefined ? undefined : `${head}.${node.property}`;
  }
  if (node.type === 'index' && !node.optional && node.index.type === 'literal' && typeof node.index.value === 'string') {
    const head = pathOf(node.object);
    return head === undefined ? undefined : `${head}.${node.index.value}`;
  }
  return undefined;
}

/** The possible bindings of `paths` (each name one value throughout; matrix axes from one combination). */
function bindings(paths: readonly string[], scope: StaticScope): Map<string, unknown>[] | undefined {
  let out: Map<string, unknown>[] = [new Map()];
  const grow = (choices: Map<string, unknown>[]): boolean => {
    if (out.length * choices.length > STATIC_VALUES_MAX) return false;
    out = out.flatMap((b) => choices.map((c) => new Map([...b, ...c])));
    return true;
  };
  const axes = paths.filter((p) => p.startsWith('matrix.'));
  if (axes.length) {
    const combos = scope.get('matrix') as readonly Record<string, unknown>[] | undefined;
    if (!combos || !combos.length || !combos.every((c) => axes.every((p) => Object.hasOwn(c, p.slice('matrix.'.length))))) return undefined;
    const seen = new Map<string, Map<string, unknown>>();
    for (const c of combos) {
      const b = new Map(axes.map((p) => [p, c[p.slice('matrix.'.length)]]));
      seen.set(JSON.stringify([...b.values()]), b);
    }
    if (!grow([...seen.values()])) return undefined;
  }
  for (const p of paths.filter((q) => !q.startsWith('matrix.'))) {
    const values = scope.get(p);
    if (!values) return undefined;
    if (!grow(values.map((v) => new Map([[p, v]])))) return undefined;
  }
  return out;
}

/**
 * Every text `text` can render to in `scope`, sorted and without repeats; `undefined` when some
 * part of it is not known when compiling (or there would be more than {@link STATIC_VALUES_MAX}).
 */
export function staticValues(text: string, scope: StaticScope): string[] | undefined {
  const { parts, problems } = parseTemplate(text);
  if (problems.length) return undefined;
  const paths: (string | undefined)[] = parts.map((p) => (p.kind === 'expr' ? (p.ast ? pathOf(p.ast) : undefined) : ''));
  if (paths.some((p) => p === undefined)) return undefined;
  const all = bindings([...new Set(paths.filter((p): p is string => !!p))], scope);
  if (!all) return undefined;
  const texts = all.map((b) => parts.map((p, i) => (p.kind === 'text' ? p.text : toText(b.get(paths[i]!)))).join(''));
  return [...new Set(texts)].sort();
}
