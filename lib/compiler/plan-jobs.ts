/**
 * Job DAG → series-parallel plan.
 *
 * Amazon States Language can only say "run these one after another" (a chain of states) or "run
 * these side by side and wait for all of them" (a Parallel state). A job DAG is therefore turned
 * into a tree of `series` and `parallel` nodes. When the DAG's reachability order is series-parallel
 * the tree is exact: every job waits for precisely the jobs it transitively needs. Otherwise some
 * job must wait for a job it does not need; the planner picks splits that add few such waits and
 * `planAddedWaits` lists them so the compiler can report them.
 *
 * Recursion on a set of jobs (every set handled is convex: a path between two members stays inside):
 *   1. several weakly connected components → `parallel` of their plans;
 *   2. otherwise every exact series cut (A before B, each job of A an ancestor of each job of B) is
 *      found by trying each job's strict-ancestor set as A (for any valid cut, A is the
 *      strict-ancestor set of a minimal job of B); the cuts are nested, so they slice the set into a
 *      `series` of pieces in one step;
 *   3. a connected set with no cut is not series-parallel: a down-closed split adding the fewest
 *      waiting pairs is chosen among a family of candidates and the set becomes `series(A, B)`.
 */

/** A node of a series-parallel execution plan. */
export type PlanNode =
  | { kind: 'job'; id: string }
  | { kind: 'series'; items: PlanNode[] }
  | { kind: 'parallel'; items: PlanNode[] }
  /** Every job at once, each starting when the jobs it needs are done (see compile-dag.ts). */
  | { kind: 'graph'; jobs: PlanJob[] };

/** A job as the planner sees it: its id and the ids it needs (direct dependencies). */
export interface PlanJob {
  id: string;
  needs: readonly string[];
}

/** Options of {@link planJobs}. */
export interface PlanOptions {
  /**
   * Most branches of one parallel group running at once. It does not change the plan's structure:
   * the compiler enforces it with the `MaxConcurrency` of a Map over each parallel group.
   * @default unlimited
   */
  maxParallel?: number;
}

/** A wait the plan adds: `job` starts only after `waitsFor` ends although it does not need it. */
export interface AddedWait {
  job: string;
  waitsFor: string;
}

type Bits = Uint32Array;

/** Jobs indexed in input order, with each job's strict transitive ancestors as a bit set. */
interface JobGraph {
  ids: string[];
  needs: number[][];
  ancestors: Bits[];
  words: number;
}

/**
 * Builds a series-parallel plan that runs every job once and respects every `needs` edge.
 *
 * For a DAG whose reachability order is series-parallel the plan adds no waiting (see
 * {@link planAddedWaits}); for other DAGs it adds as little as the planner's candidate splits allow.
 * Items are ordered by the first input position of the jobs they contain, single-item groups are
 * unwrapped and nested groups of the same kind are flattened. An empty job list gives an empty
 * `parallel`. The input must already be checked (unique ids, known needs, no cycle): a violation
 * is a bug and throws.
 */
export function planJobs(jobs: ReadonlyArray<PlanJob>, options: PlanOptions = {}): PlanNode {
  if (options.maxParallel !== undefined && !(Number.isInteger(options.maxParallel) && options.maxParallel >= 1)) {
    throw new Error(`planJobs: maxParallel must be a whole number >= 1, got ${options.maxParallel}`);
  }
  const graph = buildGraph(jobs);
  if (graph.ids.length === 0) return { kind: 'parallel', items: [] };
  return planSet(graph, graph.ids.map((_, i) => i));
}

/**
 * The plan a workflow's jobs run by: the series-parallel plan when it adds no waiting (chains,
 * fan-outs, fan-ins and their nestings), else, when `graph` allows it, a graph plan in which
 * each job waits for exactly its needs.
 */
export function planWorkflowJobs(jobs: ReadonlyArray<PlanJob>, options: { graph: boolean }): PlanNode {
  const plan = planJobs(jobs);
  if (!options.graph || planAddedWaits(jobs, plan).length === 0) return plan;
  return { kind: 'graph', jobs: jobs.map((j) => ({ id: j.id, needs: [...j.needs] })) };
}

/** Every job a job needs, directly or through others. */
export function ancestorsOf(jobs: ReadonlyArray<PlanJob>): Map<string, string[]> {
  const graph = buildGraph(jobs);
  return new Map(graph.ids.map((id, i) => [id, [...members(graph.ancestors[i]!)].map((j) => graph.ids[j]!)]));
}

/**
 * Lists the waits a plan adds: pairs where a job starts after a job it does not transitively need.
 *
 * Empty for a plan of a series-parallel DAG built by {@link planJobs}. Ordered by the waiting job's
 * input position, then by the awaited job's input position. Throws when the plan does not hold
 * every job exactly once.
 */
export function planAddedWaits(jobs: ReadonlyArray<PlanJob>, plan: PlanNode): AddedWait[] {
  const graph = buildGraph(jobs);
  const index = new Map(graph.ids.map((id, i) => [id, i]));
  const before: (Bits | undefined)[] = graph.ids.map(() => undefined);

  const visit = (node: PlanNode, preceding: Bits): Bits => {
    switch (node.kind) {
      case 'job': {
        const i = index.get(node.id);
        if (i === undefined) throw new Error(`planAddedWaits: plan has unknown job "${node.id}"`);
        if (before[i] !== undefined) throw new Error(`planAddedWaits: plan has job "${node.id}" twice`);
        before[i] = preceding;
        const own = newBits(graph.words);
        setBit(own, i);
        return own;
      }
      case 'series': {
        const all = newBits(graph.words);
        let acc = preceding;
        for (const item of node.items) {
          const inside = visit(item, acc);
          acc = union(acc, inside);
          orInto(all, inside);
        }
        return all;
      }
      case 'parallel': {
        const all = newBits(graph.words);
        for (const item of node.items) orInto(all, visit(item, preceding));
        return all;
      }
      case 'graph': {
        // Each job waits for its own ancestors and nothing else.
        const all = newBits(graph.words);
        for (const job of node.jobs) {
          const i = index.get(job.id);
          if (i === undefined) throw new Error(`planAddedWaits: plan has unknown job "${job.id}"`);
          before[i] = union(preceding, graph.ancestors[i]!);
          setBit(all, i);
        }
        return all;
      }
    }
  };
  visit(plan, newBits(graph.words));

  const waits: AddedWait[] = [];
  graph.ids.forEach((id, i) => {
    const preceding = before[i];
    if (preceding === undefined) throw new Error(`planAddedWaits: plan is missing job "${id}"`);
    for (const j of members(preceding)) {
      if (!hasBit(graph.ancestors[i]!, j)) waits.push({ job: id, waitsFor: graph.ids[j]! });
    }
  });
  return waits;
}

function buildGraph(jobs: ReadonlyArray<PlanJob>): JobGraph {
  const ids = jobs.map((j) => j.id);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw new Error(`planJobs: duplicate job id "${id}"`);
    index.set(id, i);
  });
  const needs = jobs.map((job) =>
    job.needs.map((need) => {
      const i = index.get(need);
      if (i === undefined) throw new Error(`planJobs: job "${job.id}" needs unknown job "${need}"`);
      return i;
    }),
  );
  const words = Math.max(1, Math.ceil(ids.length / 32));
  const ancestors: (Bits | undefined)[] = ids.map(() => undefined);
  const state = new Uint8Array(ids.length);
  const resolve = (root: number): void => {
    const stack: number[] = [root];
    while (stack.length > 0) {
      const i = stack[stack.length - 1]!;
      if (state[i] === 0) {
        state[i] = 1;
        for (const p of needs[i]!) {
          if (state[p] === 1) throw new Error(`planJobs: dependency cycle through job "${ids[p]}"`);
          if (state[p] === 0) stack.push(p);
        }
        continue;
      }
      stack.pop();
      if (state[i] === 2) continue;
      const bits = newBits(words);
      for (const p of needs[i]!) {
        orInto(bits, ancestors[p]!);
        setBit(bits, p);
      }
      ancestors[i] = bits;
      state[i] = 2;
    }
  };
  for (let i = 0; i < ids.length; i++) if (state[i] === 0) resolve(i);
  return { ids, needs, ancestors: ancestors as Bits[], words };
}

/** Plans a convex set of jobs given as indices in ascending (input) order. */
function planSet(graph: JobGraph, set: number[]): PlanNode {
  if (set.length === 1) return { kind: 'job', id: graph.ids[set[0]!]! };
  const components = weakComponents(graph, set);
  if (components.length > 1) return group('parallel', components.map((c) => planSet(graph, c)));
  const pieces = seriesPieces(graph, set) ?? fallbackSplit(graph, set);
  return group('series', pieces.map((p) => planSet(graph, p)));
}

function group(kind: 'series' | 'parallel', parts: PlanNode[]): PlanNode {
  const items: PlanNode[] = [];
  for (const part of parts) {
    if (part.kind === kind) items.push(...part.items);
    else items.push(part);
  }
  return items.length === 1 ? items[0]! : { kind, items };
}

/** Weak components of the induced subgraph, each sorted, ordered by their first member. */
function weakComponents(graph: JobGraph, set: number[]): number[][] {
  const parent = new Map<number, number>(set.map((i) => [i, i]));
  const find = (i: number): number => {
    let root = i;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    while (parent.get(i)! !== root) {
      const next = parent.get(i)!;
      parent.set(i, root);
      i = next;
    }
    return root;
  };
  for (const i of set) {
    for (const p of graph.needs[i]!) {
      if (!parent.has(p)) continue;
      const a = find(i);
      const b = find(p);
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    }
  }
  const byRoot = new Map<number, number[]>();
  for (const i of set) {
    const root = find(i);
    const list = byRoot.get(root);
    if (list) list.push(i);
    else byRoot.set(root, [i]);
  }
  return [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
}

/**
 * Slices a connected set at every exact series cut, or returns undefined when it has none. Valid
 * cuts are nested (each contains the smaller ones), so sorting them by size gives the pieces.
 */
function seriesPieces(graph: JobGraph, set: number[]): number[][] | undefined {
  const inSet = bitsOf(graph.words, set);
  const cuts = new Map<number, Bits>();
  for (const v of set) {
    const cut = intersect(graph.ancestors[v]!, inSet);
    const size = count(cut);
    if (size === 0 || cuts.has(size)) continue;
    const valid = set.every((b) => hasBit(cut, b) || isSubset(cut, graph.ancestors[b]!));
    if (valid) cuts.set(size, cut);
  }
  if (cuts.size === 0) return undefined;
  const ordered = [...cuts.entries()].sort((a, b) => a[0] - b[0]).map(([, cut]) => cut);
  const pieces: number[][] = [];
  let taken = newBits(graph.words);
  for (const cut of [...ordered, inSet]) {
    pieces.push(set.filter((i) => hasBit(cut, i) && !hasBit(taken, i)));
    taken = cut;
  }
  return pieces;
}

/**
 * Splits a connected set that has no exact series cut into a down-closed A and the rest B. The
 * candidates are down-closed by construction: each job's strict ancestors, its ancestors and itself,
 * the complement of its descendants (with or without itself), and the depth layers. The winner adds
 * the fewest waiting pairs, then delays the fewest jobs, then comes first in input order.
 */
function fallbackSplit(graph: JobGraph, set: number[]): number[][] {
  const inSet = bitsOf(graph.words, set);
  const descendants = new Map<number, Bits>(set.map((i) => [i, newBits(graph.words)]));
  for (const i of set) {
    for (const j of members(intersect(graph.ancestors[i]!, inSet))) setBit(descendants.get(j)!, i);
  }
  const depth = new Map<number, number>();
  const depthOf = (i: number): number => {
    const known = depth.get(i);
    if (known !== undefined) return known;
    let d = 0;
    for (const p of graph.needs[i]!) if (hasBit(inSet, p)) d = Math.max(d, depthOf(p) + 1);
    depth.set(i, d);
    return d;
  };
  const maxDepth = Math.max(...set.map(depthOf));

  const candidates: Bits[] = [];
  for (const v of set) {
    const strict = intersect(graph.ancestors[v]!, inSet);
    const closed = strict.slice();
    setBit(closed, v);
    const below = descendants.get(v)!;
    const aboveOrSelf = below.slice();
    setBit(aboveOrSelf, v);
    candidates.push(strict, closed, difference(inSet, aboveOrSelf), difference(inSet, below));
  }
  for (let level = 0; level < maxDepth; level++) {
    candidates.push(bitsOf(graph.words, set.filter((i) => depthOf(i) <= level)));
  }

  const total = set.length;
  const seen = new Set<string>();
  let best: { a: Bits; pairs: number; delayed: number } | undefined;
  for (const a of candidates) {
    const size = count(a);
    if (size === 0 || size === total) continue;
    const signature = a.join(',');
    if (seen.has(signature)) continue;
    seen.add(signature);
    const bound = best ? best.pairs : Infinity;
    let pairs = 0;
    let delayed = 0;
    for (const b of set) {
      if (hasBit(a, b)) continue;
      const missing = size - countCommon(a, graph.ancestors[b]!);
      pairs += missing;
      if (missing > 0) delayed += 1;
      if (pairs > bound) break;
    }
    if (!best || pairs < best.pairs || (pairs === best.pairs && (delayed < best.delayed || (delayed === best.delayed && firstInInput(a, best.a))))) {
      best = { a, pairs, delayed };
    }
  }
  if (!best) throw new Error('planJobs: no split found for a connected set of two or more jobs');
  const chosen = best.a;
  return [set.filter((i) => hasBit(chosen, i)), set.filter((i) => !hasBit(chosen, i))];
}

/** True when set `a`, listed in input order, sorts before set `b` (a prefix sorts first). */
function firstInInput(a: Bits, b: Bits): boolean {
  const left = members(a);
  const right = members(b);
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done === true && y.done !== true;
    if (x.value !== y.value) return x.value < y.value;
  }
}

function newBits(words: number): Bits {
  return new Uint32Array(words);
}

function bitsOf(words: number, indices: number[]): Bits {
  const bits = newBits(words);
  for (const i of indices) setBit(bits, i);
  return bits;
}

function setBit(bits: Bits, i: number): void {
  bits[i >>> 5]! |= 1 << (i & 31);
}

function hasBit(bits: Bits, i: number): boolean {
  return (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}

function orInto(target: Bits, source: Bits): void {
  for (let w = 0; w < target.length; w++) target[w]! |= source[w]!;
}

function union(a: Bits, b: Bits): Bits {
  const out = a.slice();
  orInto(out, b);
  return out;
}

function intersect(a: Bits, b: Bits): Bits {
  const out = newBits(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w]! & b[w]!;
  return out;
}

function difference(a: Bits, b: Bits): Bits {
  const out = newBits(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w]! & ~b[w]!;
  return out;
}

function isSubset(a: Bits, b: Bits): boolean {
  for (let w = 0; w < a.length; w++) if ((a[w]! & ~b[w]!) !== 0) return false;
  return true;
}

function count(bits: Bits): number {
  let n = 0;
  for (let w = 0; w < bits.length; w++) n += popcount(bits[w]!);
  return n;
}

function countCommon(a: Bits, b: Bits): number {
  let n = 0;
  for (let w = 0; w < a.length; w++) n += popcount(a[w]! & b[w]!);
  return n;
}

function popcount(word: number): number {
  let x = word >>> 0;
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function* members(bits: Bits): Generator<number> {
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w]!;
    while (x !== 0) {
      const low = x & -x;
      yield w * 32 + (31 - Math.clz32(low));
      x ^= low;
    }
  }
}
