/**
 * Reads one workflow (a top-level key whose value has `type: Workflow`) into the model, then runs
 * the checks that need the whole workflow: the job graph and the expressions' names.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { Location } from '../diagnostics/index.ts';
import { checkExpressions } from './check-expressions.ts';
import { checkNeeds } from './check-needs.ts';
import { ID_PATTERN, workflowSchema } from './dialect-schemas.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries } from './map-entries.ts';
import type { Job, Workflow } from './model.ts';
import { report, type ReadContext } from './read-context.ts';
import { readJob } from './read-job.ts';
import { readObject } from './read-object.ts';
import { readParams } from './read-params.ts';
import { readConcurrency } from './read-concurrency.ts';
import { WORKFLOW_ROOTS } from './read-job.ts';
import { readTriggers } from './read-triggers.ts';
import { setOwn } from '../expr/index.ts';
import { reportUnsafeId } from './report-unsafe-id.ts';

const WORKFLOW_HINTS: Record<string, string> = {
  description: 'a workflow\'s text is written "desc"',
  max_job_parallel: 'written "max-job-parallel" here',
  schedule: '"schedule" goes inside "on"',
  name: 'a workflow is named by its key; "name:" names one only in a file that is one workflow at its top level',
};

/**
 * Reads workflow `name` from its node; `keyLoc` is where its name is written. `topLevel`: the node
 * is a whole file naming itself with `name:` (read by the caller, so not a key of the workflow here).
 */
export function readWorkflow(ctx: ReadContext, name: string, node: Node, keyLoc: Location, topLevel = false): Workflow {
  if (!ID_PATTERN.test(name)) {
    report(ctx, 'WF2007', `"${name}" is not a valid workflow name`, keyLoc, 'workflow names use only letters, digits, "_" and "-"');
  }
  const fields = readObject(ctx, node, workflowSchema, {
    what: `workflow "${name}"`,
    anchor: keyLoc,
    nested: ['params', 'on', 'jobs', 'concurrency'],
    hints: WORKFLOW_HINTS,
    ignore: topLevel ? ['name'] : [],
  });
  const workflow: Workflow = {
    name,
    file: ctx.source.path,
    params: {},
    on: { schedules: [], manual: false },
    jobs: {},
    tags: [],
    timeout: ctx.settings.timeout,
    execution: 'standard',
    extras: {},
    loc: keyLoc,
    fieldLocs: {},
  };
  if (!fields) return workflow;
  workflow.fieldLocs = fields.locs();
  const desc = fields.value<string>('desc');
  if (desc !== undefined) workflow.desc = desc;
  const params = fields.get('params');
  if (params) workflow.params = readParams(ctx, params.node, params.loc);
  const on = fields.get('on');
  if (on) workflow.on = readTriggers(ctx, on.node, on.loc);
  workflow.tags = fields.value<string[]>('tags') ?? [];
  workflow.timeout = fields.value<number>('timeout') ?? ctx.settings.timeout;
  const cap = fields.value<number>('max-job-parallel') ?? ctx.settings.maxJobParallel;
  if (cap !== undefined) workflow.maxJobParallel = cap;
  workflow.execution = fields.value<Workflow['execution']>('execution') ?? 'standard';
  const concurrency = fields.get('concurrency');
  if (concurrency) {
    const read = readConcurrency(ctx, concurrency.node, concurrency.loc, WORKFLOW_ROOTS, undefined);
    if (read) workflow.concurrency = read;
  }
  const deadline = fields.value<number>('start-deadline');
  if (deadline !== undefined) workflow.startDeadline = deadline;
  workflow.extras = fields.value<Record<string, unknown>>('extras') ?? {};

  const needLocs: Record<string, Location[]> = {};
  const jobsField = fields.get('jobs');
  if (jobsField) {
    if (!isMap(jobsField.node)) {
      const empty = isScalar(jobsField.node) && jobsField.node.value === null;
      report(
        ctx,
        empty ? 'WF2004' : 'WF2003',
        empty ? `workflow "${name}" must have at least 1 job` : `"jobs" must be a map of job id to job, got ${describeValue(ctx.source.toJS(jobsField.node))}`,
        jobsField.loc,
      );
    } else {
      const entries = mapEntries(ctx.source.doc, jobsField.node);
      if (entries.length === 0) report(ctx, 'WF2004', `workflow "${name}" must have at least 1 job`, jobsField.loc);
      const jobs: Record<string, Job> = {};
      for (const e of entries) {
        const keyLoc = ctx.source.locate(e.keyNode);
        if (e.complexKey) continue; // reported by parseSource (WF1007)
        if (!ID_PATTERN.test(e.key)) {
          report(ctx, 'WF2007', `"${e.key}" is not a valid job id`, keyLoc, 'job ids use only letters, digits, "_" and "-"');
          continue;
        }
        if (reportUnsafeId(ctx, 'job id', e.key, keyLoc)) continue;
        const read = readJob(ctx, e.key, e.value, keyLoc);
        if (!read) continue;
        setOwn(jobs, e.key, read.job);
        setOwn(needLocs, e.key, read.needLocs);
      }
      workflow.jobs = jobs;
    }
  }
  checkNeeds(ctx, workflow.jobs, needLocs);
  checkExpressions(ctx, workflow);
  return workflow;
}
