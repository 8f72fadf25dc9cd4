/**
 * The texts a template can render to, when every expression in it is a name whose values are known
 * when compiling: a `choice` param's options, a literal matrix axis, a case match's value, a literal
 * foreach list's items, a parallel branch's name. Anything else (a computed value, a free-text
 * param, a function call) makes the set unknown.
 */
import { parseTemplate, toText, type Node } from '../expr/index.ts';

/** The values each name path (`params.target`, `matrix.system`, `case`, `item`, `branch`) can take where a stage sits. */
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

/**
 * Every text `text` can render to in `scope`, sorted and without repeats; `undefined` when some
 * part of it is not known when compiling (or there would be more than {@link STATIC_VALUES_MAX}).
 */
export function staticValues(text: string, scope: StaticScope): string[] | undefined {
  const { parts, problems } = parseTemplate(text);
  if (problems.length) return undefined;
  let out = [''];
  for (const part of parts) {
    let options: string[];
    if (part.kind === 'text') options = [part.text];
    else {
      const path = part.ast ? pathOf(part.ast) : undefined;
      const values = path === undefined ? undefined : scope.get(path);
      if (!values) return undefined;
      options = [...new Set(values.map((v) => toText(v)))];
    }
    if (out.length * options.length > STATIC_VALUES_MAX) return undefined;
    out = out.flatMap((head) => options.map((o) => head + o));
  }
  return [...new Set(out)].sort();
}
