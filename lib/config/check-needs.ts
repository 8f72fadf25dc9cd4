/**
 * Checks the job graph: every `needs` entry names a job of the workflow (WF5002) and the needs
 * have no cycle (WF5003, reported once per cycle, naming it: `a → b → a`).
 */
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import { findCycles } from './find-cycles.ts';
import type { Job } from './model.ts';
import { report, type ReadContext } from './read-context.ts';

/** Checks `needs` across `jobs`; `needLocs[job]` gives where each need is written. */
export function checkNeeds(ctx: ReadContext, jobs: Record<string, Job>, needLocs: Record<string, Location[]>): void {
  const ids = Object.keys(jobs);
  for (const job of Object.values(jobs)) {
    job.needs.forEach((need, i) => {
      if (need in jobs) return;
      const hint = didYouMean(need, ids);
      report(
        ctx,
        'WF5002',
        `job "${job.id}" needs unknown job "${need}"`,
        needLocs[job.id]?.[i] ?? job.loc,
        `known jobs are ${quoteList(ids)}${hint ? `; ${hint}` : ''}`,
      );
    });
  }
  for (const cycle of findCycles(Object.keys(jobs), (id) => jobs[id]!.needs)) {
    const [from, to] = [cycle[0]!, cycle[1]!];
    const index = jobs[from]!.needs.indexOf(to);
    report(
      ctx,
      'WF5003',
      `dependency cycle: ${cycle.join(' → ')}`,
      needLocs[from]?.[index] ?? jobs[from]!.loc,
      'a job cannot need itself, directly or through other jobs; remove one of these needs',
    );
  }
}
