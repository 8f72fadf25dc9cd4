/**
 * Reads the entries of a YAML map with their key and value nodes, resolving aliases and YAML merge
 * keys (`<<: *defaults`, explicit keys win). A later duplicate of a key is skipped: parseSource has
 * already reported it.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar } from 'yaml';

/** One key of a map: the key's text, its node, and the value's node (null for `key:` with no value). */
export interface MapEntry {
  key: string;
  keyNode: Node;
  value: Node | null;
  /** True when the key's node is not a plain scalar (a list or map used as a key). */
  complexKey: boolean;
}

/** Follows aliases to the node they name. */
export function resolveNode(doc: Document, node: unknown): Node | null {
  let n = node;
  for (let depth = 0; isAlias(n) && depth < 100; depth++) n = n.resolve(doc);
  return (n ?? null) as Node | null;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

/**
 * The entries of a map node, in the order written (merged entries after explicit ones). A map that
 * merges itself, directly or through other maps (`x: &x {<<: *x}`, which parseSource reports),
 * contributes its entries once.
 */
export function mapEntries(doc: Document, node: Node, merging: Set<Node> = new Set()): MapEntry[] {
  const out: MapEntry[] = [];
  const seen = new Set<string>();
  const merged: Node[] = [];
  const map = resolveNode(doc, node);
  if (!isMap(map) || merging.has(map)) return out;
  merging.add(map);
  for (const pair of map.items as Pair<unknown, unknown>[]) {
    if (isMergeKey(pair.key)) {
      const src = resolveNode(doc, pair.value);
      if (isSeq(src)) for (const item of src.items) merged.push(resolveNode(doc, item) as Node);
      else if (src) merged.push(src);
      continue;
    }
    const entry = toEntry(doc, pair);
    if (!entry || seen.has(entry.key)) continue;
    seen.add(entry.key);
    out.push(entry);
  }
  for (const src of merged) {
    for (const entry of mapEntries(doc, src, merging)) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      out.push(entry);
    }
  }
  return out;
}

function toEntry(doc: Document, pair: Pair<unknown, unknown>): MapEntry | undefined {
  const keyNode = pair.key as Node | null;
  if (!keyNode) return undefined;
  const value = resolveNode(doc, pair.value);
  if (isScalar(keyNode)) {
    const k = (keyNode as Scalar).value;
    return { key: k === null ? '' : String(k), keyNode, value, complexKey: false };
  }
  return { key: String(keyNode), keyNode, value, complexKey: true };
}
