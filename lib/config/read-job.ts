/**
 * Reads one job: its fields, its strategy and its stages, and records the expression sites of its
 * condition, matrix templates and outputs with the names each may use.
 */
import { isMap, isSeq, type Node } from 'yaml';
import { checkValue } from './check-value.ts';
import type { Location } from '../diagnostics/index.ts';
import { collectSites } from './collect-sites.ts';
import { jobSchema, minSuccessSchema, triggerRuleSchema } from './dialect-schemas.ts';
import type { Job, TriggerRule } from './model.ts';
import { readObject } from './read-object.ts';
import type { ReadContext } from './read-context.ts';
import { readStageList } from './read-stage.ts';
import { readStrategy } from './read-strategy.ts';
import { readConcurrency } from './read-concurrency.ts';
import { report } from './read-context.ts';

/** Names every template of a workflow may use. */
export const WORKFLOW_ROOTS: readonly string[] = ['params', 'release', 'run', 'env'];
/** Names a job's condition and matrix templates may use. */
export const JOB_ROOTS: readonly string[] = [...WORKFLOW_ROOTS, 'jobs', 'needs'];

const JOB_HINTS: Record<string, string> = {
  runs_on: 'written "runs-on" here',
  trigger_rule: 'written "trigger-rule" here',
  steps: 'a job\'s steps are written "stages"',
  'continue-on-error': '"continue-on-error" is a stage field; set it on the stages',
  matrix: '"matrix" goes inside "strategy"',
};

/** A read job and where each of its `needs` entries is written. */
export interface ReadJob {
  job: Job;
  /** One location per entry of `job.needs`, in order. */
  needLocs: Location[];
}

/** Reads job `id`; undefined when the node is not a map. */
export function readJob(ctx: ReadContext, id: string, node: Node | null, keyLoc: Location): ReadJob | undefined {
  const what = `job "${id}"`;
  const fields = readObject(ctx, node, jobSchema, { what, anchor: keyLoc, nested: ['stages', 'strategy', 'concurrency', 'trigger-rule'], hints: JOB_HINTS });
  if (!fields) return undefined;
  const idField = fields.get('id');
  const ownId = fields.value<string>('id');
  if (idField && ownId !== undefined && ownId !== id) {
    report(
      ctx,
      'WF2007',
      `job "${id}" says id "${ownId}"; a job's id is its key under "jobs"`,
      idField.loc,
      `write id: ${id}, or remove "id"; to rename the job, rename its key (and the "needs" that name it)`,
    );
  }
  const cond = fields.get('if');
  if (cond && typeof cond.value === 'string') collectSites(ctx, cond.node, JOB_ROOTS, id, 'condition');

  const strategyField = fields.get('strategy');
  const strategy = strategyField ? readStrategy(ctx, id, strategyField.node, strategyField.loc, JOB_ROOTS) : undefined;
  const stageRoots = [...JOB_ROOTS, 'stages', 'retry', ...(strategyField ? ['matrix'] : [])];

  const outputs = fields.get('outputs');
  if (outputs) collectSites(ctx, outputs.node, [...JOB_ROOTS, 'stages', ...(strategyField ? ['matrix'] : [])], id);

  const stagesField = fields.get('stages');
  const stages = stagesField
    ? readStageList(ctx, stagesField.node, stagesField.loc, { job: id, roots: stageRoots, where: what }, { label: '"stages"', min: 1 })
    : [];

  const needs = fields.value<string | string[]>('needs');
  const needsField = fields.get('needs');
  const needNodes = isSeq(needsField?.node) ? (needsField.node.items as Node[]) : needsField ? [needsField.node] : [];
  const needList = needs === undefined ? [] : typeof needs === 'string' ? [needs] : needs;
  const needLocs: Location[] = [];
  const unique: string[] = [];
  needList.forEach((n, i) => {
    if (unique.includes(n)) return;
    unique.push(n);
    needLocs.push(needNodes[i] ? ctx.source.locate(needNodes[i]) : needsField!.loc);
  });
  const runsOn = fields.value<string | { type: string }>('runs-on');
  // A map is the min-success form (checked against it alone, so a misspelt key is named as such).
  const ruleField = fields.get('trigger-rule');
  const ruleChecked = ruleField
    ? isMap(ruleField.node)
      ? checkValue(ctx, minSuccessSchema, ruleField.node, 'trigger-rule')
      : checkValue(ctx, triggerRuleSchema, ruleField.node, 'trigger-rule')
    : undefined;
  const rule = ruleChecked?.ok ? (ruleChecked.value as TriggerRule | { 'min-success': number }) : undefined;
  const minSuccess = typeof rule === 'object' ? rule['min-success'] : undefined;
  if (minSuccess !== undefined && minSuccess > unique.length) {
    report(
      ctx,
      'WF2004',
      `job "${id}" asks for min-success ${minSuccess} but needs ${unique.length === 1 ? '1 job' : `${unique.length} jobs`}`,
      ruleField!.loc,
      unique.length ? `write a number from 1 to ${unique.length}` : 'list the jobs it joins in "needs"',
    );
  }
  const job: Job = {
    id,
    needs: unique,
    triggerRule: typeof rule === 'object' ? 'all_done' : (rule ?? 'all_success'),
    triggerRuleSet: fields.has('trigger-rule'),
    stages,
    retry: fields.value<number>('retry') ?? 0,
    runsOn: ((typeof runsOn === 'object' ? runsOn.type : runsOn) ?? 'lambda') as Job['runsOn'],
    outputs: fields.value<Record<string, string>>('outputs') ?? {},
    loc: keyLoc,
    fieldLocs: fields.locs(),
  };
  const desc = fields.value<string>('desc');
  if (desc !== undefined) job.desc = desc;
  const ifValue = fields.value<boolean | string>('if');
  if (ifValue !== undefined) job.if = ifValue;
  if (strategy) job.strategy = strategy;
  const timeout = fields.value<number>('timeout');
  if (timeout !== undefined) job.timeout = timeout;
  if (minSuccess !== undefined) job.minSuccess = minSuccess;
  const concurrency = fields.get('concurrency');
  if (concurrency) {
    const read = readConcurrency(ctx, concurrency.node, concurrency.loc, JOB_ROOTS, id);
    if (read) job.concurrency = read;
  }
  return { job, needLocs };
}
