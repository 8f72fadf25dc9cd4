/**
 * How much waiting the job plan adds on random DAGs: the makespan of the plan the compiler uses
 * (series-parallel where that is exact, else a graph plan) over the critical path, with random
 * job durations; and the same for the series-parallel plan alone (what an Express workflow, or a
 * workflow with `max-job-parallel`, runs by). Prints figures; asserts nothing.
 * Run: npx tsx bench/dag-makespan.ts [graphs=500] [jobs=12]
 */
import { criticalPath, planJobs, planWorkflowJobs, simulatePlan } from '../lib/compiler/index.ts';

/** A small deterministic generator (mulberry32) so every run prints the same figures. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Figures for `graphs` random DAGs of `size` jobs (each job needs each earlier job with probability `density`). */
export function dagMakespan(graphs = 500, size = 12, density = 0.25, seed = 42, graphPlans = true): { mean: number; p95: number; worst: number; exact: number } {
  const random = rng(seed);
  const ratios: number[] = [];
  let exact = 0;
  for (let g = 0; g < graphs; g++) {
    const jobs = Array.from({ length: size }, (_, i) => ({ id: `j${i}`, needs: [] as string[] }));
    for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) if (random() < density) jobs[i]!.needs.push(`j${j}`);
    const durations = Object.fromEntries(jobs.map((j) => [j.id, 1 + Math.floor(random() * 60)]));
    const plan = graphPlans ? planWorkflowJobs(jobs, { graph: true }) : planJobs(jobs);
    const ratio = simulatePlan(plan, durations) / criticalPath(jobs, durations);
    ratios.push(ratio);
    if (ratio === 1) exact++;
  }
  ratios.sort((a, b) => a - b);
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  return { mean, p95: ratios[Math.floor(ratios.length * 0.95)]!, worst: ratios[ratios.length - 1]!, exact: exact / graphs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graphs = Number(process.argv[2] ?? 500);
  const size = Number(process.argv[3] ?? 12);
  for (const [what, graph] of [['compiled plan', true], ['series-parallel plan alone', false]] as const) {
    const r = dagMakespan(graphs, size, 0.25, 42, graph);
    console.log(`${graphs} random DAGs of ${size} jobs, ${what}: makespan / critical path mean ${r.mean.toFixed(3)}, p95 ${r.p95.toFixed(3)}, worst ${r.worst.toFixed(3)}; exact (ratio 1) in ${(r.exact * 100).toFixed(1)} %`);
  }
}
