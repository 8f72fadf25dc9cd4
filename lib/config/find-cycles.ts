/**
 * Finds the cycles of a directed graph (job needs, workflow triggers). Each cycle is reported once,
 * as a path that starts and ends at its earliest node in `order`: `["a", "b", "a"]`.
 */
export function findCycles(order: readonly string[], edges: (node: string) => readonly string[]): string[][] {
  const rank = new Map(order.map((n, i) => [n, i]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of edges(node)) {
      if (!rank.has(next)) continue;
      const s = state.get(next);
      if (s === 'active') {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.reduce((best, n) => (rank.get(n)! < rank.get(best)! ? n : best));
        const at = loop.indexOf(start);
        const rotated = [...loop.slice(at), ...loop.slice(0, at)];
        const key = rotated.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, start]);
        }
      } else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of order) if (!state.has(node)) visit(node);
  return cycles;
}
