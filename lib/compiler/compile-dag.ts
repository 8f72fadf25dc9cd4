/**
 * Jobs whose `needs` graph is not series-parallel run as a graph: one Parallel with a branch per
 * job, each job starting when exactly the jobs it needs are done (a series-parallel plan of such a
 * graph would make some jobs wait for jobs they do not need).
 *
 * A branch: `<job>.graph.needs` (a `lambda:invoke.waitForTaskToken` Task: the stage runner keeps the task token
 * until the needed jobs are done, then answers with their records and their ancestors', which
 * become the branch's `$.jobs`), the job's own states, then `<job>.graph.done` (the stage runner keeps the
 * job's record and answers the jobs waiting for it). A job with no needs starts at once. The
 * Parallel collects every job's record into `$.jobs`, as the series-parallel plan does.
 *
 * Cost: two stage-runner invocations per job with needs (one for a job without), three more
 * transitions, and the audit table's items `jobs#<execution>` (see job-graph.ts).
 */
import type { Job } from '../config/index.ts';
import { Placeholders } from '../protocol/index.ts';
import type { CompileContext } from './compile-context.ts';
import type { PlanJob } from './plan-jobs.ts';
import { ancestorsOf } from './plan-jobs.ts';
import { WAIT_FOR_SIGNAL_RESOURCE } from './compile-wait.ts';

/**
 * The states of a graph plan: returns the Parallel's name. `compileJob` compiles one job's own
 * states before `next` (in this compile or as a child machine's start).
 */
export function compileGraph(cx: CompileContext, jobs: readonly PlanJob[], next: string, end: string, compileJob: (job: Job, next: string) => string): string {
  const ancestors = ancestorsOf(jobs);
  const table = `\${${Placeholders.auditTable}}`;
  const branches = jobs.map((pj) =>
    cx.inSink(() => {
      const job = cx.workflow.jobs[pj.id]!;
      const done = cx.add([job.id, 'graph', 'done'], {
        ...cx.lambdaTask({ action: 'job-done', 'execution.$': '$$.Execution.Id', job: job.id, 'record.$': `$.jobs.${job.id}`, table }),
        ResultPath: null,
        Retry: [cx.transientRetry()],
        Next: end,
      });
      const body = compileJob(job, done);
      if (pj.needs.length === 0) return body;
      return cx.add([job.id, 'graph', 'needs'], {
        Type: 'Task',
        Resource: WAIT_FOR_SIGNAL_RESOURCE,
        Parameters: {
          FunctionName: `\${${Placeholders.stageRunner}}`,
          Payload: {
            action: 'needs-wait',
            'token.$': '$$.Task.Token',
            'execution.$': '$$.Execution.Id',
            job: job.id,
            needs: [...pj.needs],
            ancestors: ancestors.get(job.id) ?? [],
            'jobs.$': '$.jobs',
            table,
          },
        },
        ResultPath: '$.jobs',
        TimeoutSeconds: Math.ceil(cx.workflow.timeout),
        Retry: [cx.transientRetry()],
        Next: body,
      }, { job: job.id, role: 'internal' });
    }),
  );
  const selector: Record<string, unknown> = {};
  jobs.forEach((j, i) => (selector[`${j.id}.$`] = `$[${i}].jobs.${j.id}`));
  return cx.add(['jobs', 'graph'], {
    Type: 'Parallel',
    Branches: branches.map((b) => b.sink.machine(b.value)),
    ResultSelector: selector,
    ResultPath: '$.jobs',
    Next: next,
  });
}
