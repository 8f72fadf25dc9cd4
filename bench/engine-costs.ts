/**
 * Transitions and runner invocations of a run, from the local engine's event log, against the
 * floor: one transition per executed stage, one invocation per bash/py/call stage run.
 */
import { z } from 'zod';
import type { Workflow } from '../lib/config/index.ts';
import { compileWorkflow } from '../lib/compiler/index.ts';
import { runLocal } from '../lib/local/index.ts';
import { tag } from '../lib/runtime/index.ts';
import { CALL, mixedWorkflow, type MixedCounts } from './generate.ts';
import { loadOne } from './compile-scale.ts';
import { lambdaTaskNames } from './machine.ts';

/** Registers the `call` function the mixed workflow uses (`bench/double@latest`). */
export function registerBenchFunctions(): void {
  tag(CALL.registry, { alias: CALL.alias, schema: z.object({ v: z.coerce.number() }) }, ({ v }) => ({ doubled: v * 2 }));
}

/** What one run of a workflow cost on the local engine. */
export interface RunCounts {
  status: string;
  transitions: number;
  invocations: number;
  /** Invocations by state name. */
  invocationsByState: Record<string, number>;
  ms: number;
}

/** Runs `w` once on the local engine and counts StateEntered events, and those of Lambda Task states. */
export async function countRun(w: Workflow): Promise<RunCounts> {
  const lambdaStates = lambdaTaskNames(compileWorkflow(w).definition);
  let transitions = 0;
  let invocations = 0;
  const invocationsByState: Record<string, number> = {};
  const t = performance.now();
  const doc = await runLocal(w, {
    onRawEvent: (ev) => {
      if (ev.type !== 'StateEntered' || !ev.state) return;
      transitions++;
      if (lambdaStates.has(ev.state.name)) {
        invocations++;
        invocationsByState[ev.state.name] = (invocationsByState[ev.state.name] ?? 0) + 1;
      }
    },
  });
  return { status: doc.status, transitions, invocations, invocationsByState, ms: performance.now() - t };
}

/** The transition and invocation figures on the mixed workflow. */
export interface MixedFigures {
  blocks: number;
  status: string;
  counts: MixedCounts;
  transitions: number;
  invocations: number;
  transitionsPerStage: number;
  /** Transitions over the floor (one per executed stage). */
  transitionsAboveFloor: number;
  lambdaInvocationsPerActionStage: number;
  invocationsAboveFloor: number;
  invocationsByState: Record<string, number>;
  runMs: number;
}

/** Runs the mixed workflow of `blocks` blocks once and compares its counts with the floor. */
export async function measureMixed(blocks = 2): Promise<MixedFigures> {
  const { text, counts } = mixedWorkflow(blocks);
  const w = loadOne(text, 'mixed');
  const r = await countRun(w);
  return {
    blocks,
    status: r.status,
    counts,
    transitions: r.transitions,
    invocations: r.invocations,
    transitionsPerStage: r.transitions / counts.executed,
    transitionsAboveFloor: r.transitions - counts.executed,
    lambdaInvocationsPerActionStage: r.invocations / counts.actions,
    invocationsAboveFloor: r.invocations - counts.actions,
    invocationsByState: r.invocationsByState,
    runMs: r.ms,
  };
}
