/**
 * Timing model of a plan, for tests and the planner benchmark.
 *
 * A `series` runs its items one after another; a `parallel` starts every branch at once and ends
 * when the last one ends, which is how a Parallel state behaves. The critical path is the best any
 * schedule of the DAG can do, so `simulatePlan / criticalPath` measures the waiting a plan adds.
 * Times are computed the same way on both sides (a job ends at its start plus its duration, a start
 * is a maximum of end times), so for a plan that adds no waiting the two are equal exactly, without
 * floating-point drift.
 */
import type { PlanJob, PlanNode } from './plan-jobs.ts';

/** Options of {@link schedulePlan} and {@link simulatePlan}. */
export interface SimulateOptions {
  /**
   * Most branches of one parallel group running at once; further branches start, in order, as
   * earlier ones end (the behaviour of a Map's `MaxConcurrency`).
   * @default unlimited
   */
  maxParallel?: number;
}

/** When each job starts and ends under a plan, and when the whole plan ends. */
export interface PlanSchedule {
  makespan: number;
  start: Record<string, number>;
  end: Record<string, number>;
}

/**
 * Schedules a plan with the given job durations (non-negative finite numbers), starting at time 0.
 * A job without a duration, a negative duration or a job appearing twice is a bug and throws.
 */
export function schedulePlan(plan: PlanNode, durations: Record<string, number>, options: SimulateOptions = {}): PlanSchedule {
  const limit = options.maxParallel ?? Infinity;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 1))) {
    throw new Error(`schedulePlan: maxParallel must be a whole number >= 1, got ${limit}`);
  }
  const start: Record<string, number> = {};
  const end: Record<string, number> = {};

  const run = (node: PlanNode, at: number): number => {
    switch (node.kind) {
      case 'job': {
        if (Object.hasOwn(start, node.id)) throw new Error(`schedulePlan: job "${node.id}" appears twice in the plan`);
        const finish = at + durationOf(durations, node.id);
        start[node.id] = at;
        end[node.id] = finish;
        return finish;
      }
      case 'series': {
        let t = at;
        for (const item of node.items) t = run(item, t);
        return t;
      }
      case 'parallel': {
        if (limit >= node.items.length) {
          let finish = at;
          for (const item of node.items) finish = Math.max(finish, run(item, at));
          return finish;
        }
        const slots: number[] = new Array<number>(limit).fill(at);
        for (const item of node.items) {
          let slot = 0;
          for (let s = 1; s < slots.length; s++) if (slots[s]! < slots[slot]!) slot = s;
          slots[slot] = run(item, slots[slot]!);
        }
        return Math.max(...slots);
      }
      case 'graph': {
        // Each job starts when the jobs it needs have ended (in an order where needs come first).
        const byId = new Map(node.jobs.map((j) => [j.id, j]));
        let last = at;
        const visit = (id: string): number => {
          if (Object.hasOwn(end, id)) return end[id]!;
          const job = byId.get(id);
          if (!job) throw new Error(`schedulePlan: job "${id}" is needed but not in the graph`);
          let t = at;
          for (const n of job.needs) t = Math.max(t, visit(n));
          start[id] = t;
          end[id] = t + durationOf(durations, id);
          return end[id]!;
        };
        for (const j of node.jobs) last = Math.max(last, visit(j.id));
        return last;
      }
    }
  };

  const makespan = run(plan, 0);
  return { makespan, start, end };
}

/**
 * Makespan of a plan: series items run one after another, each parallel group waits for all its
 * branches. Durations must be non-negative finite numbers, one per job in the plan.
 */
export function simulatePlan(plan: PlanNode, durations: Record<string, number>, options: SimulateOptions = {}): number {
  return schedulePlan(plan, durations, options).makespan;
}

/**
 * Length of the longest path through the job DAG, weighting each job by its duration: the shortest
 * possible makespan with unlimited parallelism. 0 for no jobs.
 */
export function criticalPath(jobs: ReadonlyArray<PlanJob>, durations: Record<string, number>): number {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const end = new Map<string, number>();
  const visiting = new Set<string>();

  const endOf = (id: string): number => {
    const known = end.get(id);
    if (known !== undefined) return known;
    const job = byId.get(id);
    if (!job) throw new Error(`criticalPath: unknown job "${id}"`);
    if (visiting.has(id)) throw new Error(`criticalPath: dependency cycle through job "${id}"`);
    visiting.add(id);
    let startAt = 0;
    for (const need of job.needs) startAt = Math.max(startAt, endOf(need));
    visiting.delete(id);
    const finish = startAt + durationOf(durations, id);
    end.set(id, finish);
    return finish;
  };

  let longest = 0;
  for (const job of jobs) longest = Math.max(longest, endOf(job.id));
  return longest;
}

function durationOf(durations: Record<string, number>, id: string): number {
  const d = Object.hasOwn(durations, id) ? durations[id] : undefined;
  if (d === undefined || !Number.isFinite(d) || d < 0) {
    throw new Error(`duration of job "${id}" must be a non-negative finite number, got ${d}`);
  }
  return d;
}
