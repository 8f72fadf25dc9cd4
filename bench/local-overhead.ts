/**
 * The local engine's cost per no-op (echo) stage: a 50-stage chain in one job, and a 50-way
 * fan-out + join (a root job, 50 jobs needing it, one job needing all 50), each minus the fixed
 * cost of a run (a 1-stage run), divided by the stages added.
 *
 * Each shape runs once first (its first run compiles the workflow and builds the engine's machine,
 * which `runLocal` then keeps); the repetitions run the three shapes in turn, in a rotating order
 * (drift and garbage collection hit all three alike), and the figure is the median of the
 * per-repetition differences. `runLocal` is timed whole (wall clock), as a caller sees it; the
 * engine's execution alone (from its ExecutionStarted event to its last event) is reported beside it.
 */
import type { Workflow } from '../lib/config/index.ts';
import { runLocal } from '../lib/local/index.ts';
import { chainWorkflow, fanOutWorkflow } from './generate.ts';
import { loadOne } from './compile-scale.ts';
import { median } from './timing.ts';

/** One shape's figures. */
export interface OverheadFigures {
  shape: string;
  stages: number;
  /** Median wall-clock run time. */
  runMs: number;
  /** Median over repetitions of (run − empty run) / (stages − 1). */
  perStageMs: number;
  /** The middle half (25th-75th percentile) of those per-repetition values. */
  perStageIqr: [number, number];
  /** The same from the engine's execution alone (ExecutionStarted to the last event). */
  executionPerStageMs: number;
  /** The first run in the process (compiles the workflow and builds the engine's machine). */
  firstRunMs: number;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
}

async function timedRun(w: Workflow): Promise<{ wall: number; execution: number }> {
  let startedAt = 0;
  let lastAt = 0;
  const t = performance.now();
  const doc = await runLocal(w, {
    onRawEvent: (e) => {
      const now = performance.now();
      if (e.type === 'ExecutionStarted') startedAt = now;
      lastAt = now;
    },
  });
  const wall = performance.now() - t;
  if (doc.status !== 'SUCCESS') throw new Error(`workflow "${w.name}" ended ${doc.status}: ${JSON.stringify(doc.errors)}`);
  return { wall, execution: lastAt - startedAt };
}

/** Median run times of an empty run, the chain and the fan-out, and the per-stage overhead. */
export async function measureLocalOverhead(n = 50, reps = 25): Promise<{ emptyRunMs: number; emptyFirstRunMs: number; chain: OverheadFigures; fanOut: OverheadFigures; samples: Record<string, number[]> }> {
  const shapes = [
    { key: 'empty', w: loadOne(chainWorkflow(1, 'empty'), 'empty'), stages: 1 },
    { key: 'chain', w: loadOne(chainWorkflow(n), 'chain'), stages: n },
    { key: 'fanOut', w: loadOne(fanOutWorkflow(n), 'fanout'), stages: n + 2 },
  ];
  // Warm-up: the first run compiles the workflow and builds the engine's machine (runLocal keeps both).
  const first: Record<string, number> = {};
  for (const s of shapes) first[s.key] = (await timedRun(s.w)).wall;
  const wall: Record<string, number[]> = { empty: [], chain: [], fanOut: [] };
  const execution: Record<string, number[]> = { empty: [], chain: [], fanOut: [] };
  for (let r = 0; r < reps; r++) {
    // The order rotates, so that no shape always follows the same one (garbage left for the next).
    for (const s of [...shapes.slice(r % 3), ...shapes.slice(0, r % 3)]) {
      const t = await timedRun(s.w);
      wall[s.key]!.push(t.wall);
      execution[s.key]!.push(t.execution);
    }
  }
  const figures = (key: string, shape: string, stages: number): OverheadFigures => {
    const per = wall[key]!.map((x, i) => (x - wall.empty![i]!) / (stages - 1));
    return {
      shape,
      stages,
      runMs: median(wall[key]!),
      perStageMs: median(per),
      perStageIqr: [quantile(per, 0.25), quantile(per, 0.75)],
      executionPerStageMs: (median(execution[key]!) - median(execution.empty!)) / (stages - 1),
      firstRunMs: first[key]!,
    };
  };
  return {
    emptyRunMs: median(wall.empty!),
    emptyFirstRunMs: first.empty!,
    chain: figures('chain', `${n}-stage chain`, n),
    fanOut: figures('fanOut', `${n}-way fan-out + join`, n + 2),
    samples: { ...Object.fromEntries(Object.entries(wall).map(([k, v]) => [`${k}Wall`, v])), ...Object.fromEntries(Object.entries(execution).map(([k, v]) => [`${k}Execution`, v])) },
  };
}
