import { isMap, isSeq, type Document, type Node } from 'yaml';
import { mapEntries, resolveNode } from './map-entries.ts';

/**
 * The YAML node at `path` below `node` (map keys and list indexes, as in a zod issue path). Stops
 * at the deepest node that exists; with `keyOfLast` the last map step yields the key's node.
 */
export function nodeAtPath(
  doc: Document,
  node: Node | null,
  path: readonly PropertyKey[],
  keyOfLast = false,
): Node | null {
  let current = resolveNode(doc, node);
  for (let i = 0; i < path.length && current; i++) {
    const seg = path[i]!;
    if (isMap(current)) {
      const entry = mapEntries(doc, current).find((e) => e.key === String(seg));
      if (!entry) return current;
      current = keyOfLast && i === path.length - 1 ? entry.keyNode : (entry.value ?? entry.keyNode);
    } else if (isSeq(current) && typeof seg === 'number') {
      const item = resolveNode(doc, current.items[seg]);
      if (!item) return current;
      current = item;
    } else return current;
  }
  return current;
}
