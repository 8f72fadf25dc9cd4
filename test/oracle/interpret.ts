/**
 * The oracle: a direct interpreter of the dialect, written from docs/dialect.md, docs/expressions.md,
 * docs/running.md ("The result document", "Failures") and SPEC.md sections 3-6. It walks the loaded
 * model (lib/config) and evaluates templates and conditions with lib/expr; it shares nothing with the
 * compiler, the local engine or the stage runners. Stage actions must be the deterministic shapes of
 * actions.ts (echo, sleep 0, known bash and py, raise): the oracle computes their outputs itself.
 *
 * Readings of the docs where they are terse:
 * - a job's `if` that says how to treat its needs (a status function, `needs.<id>.result`) replaces
 *   the default `success()`; one that does not keeps it ("a job that needs a job that did not
 *   succeed is skipped unless its condition says otherwise", SPEC 3); `trigger-rule` alone is the
 *   rule; both must hold when both are written (dialect.md, Jobs);
 * - after a failure (without `continue-on-error`) a list runs nothing more: "a stage runs only while
 *   its job is healthy" (expressions.md, Status functions);
 * - the `until` condition sees the next `item` and the next loop number (compilation.md, Until:
 *   the merge adds one to `loop`, then the condition is read);
 * - catch stages see the try's failure as `error` (`{name, message}`), and a default case match
 *   sees the matched value as `case` (dialect.md, Templates);
 * - a job's `outputs` are rendered when it succeeded (the docs do not say what a failed job keeps;
 *   the run leaves them out);
 * - with `fail-fast: true`, which other combinations ran is not determined, so a failed fail-fast job
 *   is marked (`failFast`) and compared by status and error only.
 */
import { EvalError, evaluateCondition, renderTemplate, type EvalContext, type StatusFacts } from '../../lib/expr/index.ts';
import type { Job, Stage, Workflow } from '../../lib/config/index.ts';
import { bashOutcome, pyOutcome } from './actions.ts';
import { combinations, strategyKey } from './matrix.ts';

type Status = 'SUCCESS' | 'FAILED' | 'SKIP';
type Errors = { name: string; message: string };

/** A stage's record: `{status, outputs, errors?}`, or `{status: 'SKIP'}`. */
export interface StageRecord {
  status: Status;
  outputs?: Record<string, unknown>;
  errors?: Errors;
}

interface ListResult {
  status: Status;
  stages: Record<string, StageRecord>;
  errors?: Errors;
}

/** The oracle's result document (SPEC section 6), with the marks the comparison needs. */
export interface OracleResult {
  status: Status;
  run: { id: string; workflow: string };
  params: Record<string, unknown>;
  release: { logical_date: string; type: string };
  jobs: Record<string, Record<string, unknown>>;
  errors: Errors[];
  /** Jobs whose strategies are not determined (a fail-fast matrix that failed). */
  failFast: string[];
}

/** What the oracle needs beside the workflow. */
export interface OracleOptions {
  /** The coerced params (defaults applied). */
  params: Record<string, unknown>;
  runId: string;
  logicalDate: string;
  /** The workflows `trigger` stages may start. @default none */
  workflows?: ReadonlyMap<string, Workflow>;
}

type Scope = Record<string, unknown>;

/** Where a run's trigger stages find their workflows (kept beside the scope, not in it). */
const TRIGGERS = new WeakMap<object, OracleOptions>();

const RESULT: Record<Status, string> = { SUCCESS: 'success', FAILED: 'failure', SKIP: 'skipped' };
const STAGE_STATUS: StatusFacts = { success: true, failure: false, cancelled: false };

function ctx(scope: Scope, status: StatusFacts = STAGE_STATUS): EvalContext {
  return { scope, status };
}

/** A template field's value (a whole template keeps its type). */
function render(value: unknown, scope: Scope): unknown {
  return typeof value === 'string' ? renderTemplate(value, ctx(scope)) : value;
}

function renderMap(map: Record<string, unknown>, scope: Scope): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, render(v, scope)]));
}

/** Sets `o[k]` as an own property, whatever `k` is (`__proto__` included). */
function put<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function failed(name: string, message: string, outputs: Record<string, unknown> = {}): StageRecord {
  return { status: 'FAILED', outputs, errors: { name, message } };
}

function runList(stages: readonly Stage[], scope: Scope): ListResult {
  const records: Record<string, StageRecord> = {};
  const outer = (scope.stages ?? {}) as Record<string, StageRecord>;
  for (const stage of stages) {
    const rec = runStage(stage, { ...scope, stages: { ...outer, ...records } });
    if (stage.id !== undefined) put(records, stage.id, rec);
    if (rec.status === 'FAILED' && !stage.continueOnError) return { status: 'FAILED', stages: records, errors: rec.errors };
  }
  return { status: 'SUCCESS', stages: records };
}

function listRecord(r: ListResult): Record<string, unknown> {
  return { status: r.status, stages: r.stages, ...(r.errors ? { errors: r.errors } : {}) };
}

function itemKey(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

/** A stage's record; a template or condition that cannot be evaluated fails it (`ExpressionError`). */
function runStage(stage: Stage, scope: Scope): StageRecord {
  try {
    return runStageKind(stage, scope);
  } catch (e) {
    if (e instanceof EvalError) return failed('ExpressionError', e.message);
    throw e;
  }
}

function runStageKind(stage: Stage, scope: Scope): StageRecord {
  if (stage.if !== undefined && !evaluateCondition(stage.if, ctx(scope))) return { status: 'SKIP' };
  switch (stage.kind) {
    case 'empty':
      return { status: 'SUCCESS', outputs: {} };
    case 'bash': {
      const outputs = bashOutcome(stage.bash, renderMap(stage.env, scope));
      if (outputs.return_code === 0) return { status: 'SUCCESS', outputs: { ...outputs } };
      return failed('StageError', `bash stage exited with code ${outputs.return_code}`, { ...outputs });
    }
    case 'py': {
      const vars = renderMap(stage.vars, scope);
      return { status: 'SUCCESS', outputs: pyOutcome(stage.run, vars, (t, inString) => (inString ? renderTemplate(t, ctx(scope), 'python') : render(t, scope))) };
    }
    case 'raise':
      return failed('RaiseError', String(render(stage.raise, scope)));
    case 'group': {
      const r = runList(stage.stages, scope);
      return { status: r.status, outputs: { stages: r.stages }, ...(r.errors ? { errors: r.errors } : {}) };
    }
    case 'parallel': {
      const branches: Record<string, unknown> = {};
      let anyFailed = false;
      for (const [name, stages] of Object.entries(stage.branches)) {
        const r = runList(stages, { ...scope, branch: name });
        put(branches, name, listRecord(r));
        anyFailed ||= r.status === 'FAILED';
      }
      const outputs = { parallel: branches };
      return anyFailed ? failed('ParallelError', 'a branch failed', outputs) : { status: 'SUCCESS', outputs };
    }
    case 'foreach': {
      const items = render(stage.foreach, scope) as unknown[];
      const keys = items.map(itemKey);
      const byIndex = stage.useIndexAsKey || new Set(keys).size !== keys.length;
      const foreach: Record<string, unknown> = {};
      for (const [loop, item] of items.entries()) {
        const r = runList(stage.stages, { ...scope, item, loop });
        if (r.status === 'FAILED') return failed('ForeachItemFailed', r.errors!.message);
        put(foreach, byIndex ? String(loop) : keys[loop]!, { status: r.status, item, stages: r.stages });
      }
      return { status: 'SUCCESS', outputs: { items, foreach } };
    }
    case 'case': {
      const value = String(render(stage.case, scope));
      const match = stage.match.find((m) => !m.isDefault && m.case === value) ?? stage.match.find((m) => m.isDefault);
      if (!match) return stage.skipNotMatch ? { status: 'SKIP' } : failed('CaseError', 'no match and no default');
      const r = runList(match.stages, { ...scope, case: value });
      return { status: r.status, outputs: { case: value, stages: r.stages }, ...(r.errors ? { errors: r.errors } : {}) };
    }
    case 'until': {
      const until: Record<string, unknown> = {};
      let item = render(stage.item, scope);
      for (let loop = 1; ; loop++) {
        const r = runList(stage.stages, { ...scope, item, loop });
        // "A failing stage stops the loop: the stage fails with the iterations recorded so far"
        // (compilation.md, Until): the failed iteration is not among them.
        if (r.status === 'FAILED') return { status: 'FAILED', outputs: { until }, errors: r.errors! };
        until[String(loop)] = { status: r.status, item, stages: r.stages };
        for (const rec of Object.values(r.stages)) if (rec.outputs && Object.hasOwn(rec.outputs, 'item')) item = rec.outputs.item;
        if (evaluateCondition(stage.until, ctx({ ...scope, item, loop: loop + 1 }))) return { status: 'SUCCESS', outputs: { until } };
        if (loop + 1 > stage.maxLoop) return failed('UntilError', 'max-loop', { until });
      }
    }
    case 'try': {
      const t = runList(stage.try, scope);
      const outputs: Record<string, unknown> = { try: listRecord(t) };
      let errors = t.status === 'FAILED' && stage.catch.length === 0 ? t.errors : undefined;
      if (t.status === 'FAILED' && stage.catch.length > 0) {
        const c = runList(stage.catch, { ...scope, error: t.errors });
        outputs.catch = listRecord(c);
        if (c.status === 'FAILED') errors = c.errors;
      }
      if (stage.finally.length > 0) {
        const f = runList(stage.finally, scope);
        outputs.finally = listRecord(f);
        if (f.status === 'FAILED') errors = f.errors;
      }
      return errors ? { status: 'FAILED', outputs, errors } : { status: 'SUCCESS', outputs };
    }
    case 'trigger': {
      const options = TRIGGERS.get(scope.run as object)!;
      const child = options.workflows?.get(String(render(stage.trigger, scope)));
      if (!child) throw new Error(`oracle: no workflow ${stage.trigger}`);
      const given = renderMap(stage.params, scope);
      const params = Object.fromEntries(Object.values(child.params).map((p) => [p.name, Object.hasOwn(given, p.name) ? given[p.name] : p.default]));
      const doc = interpret(child, { ...options, params });
      // SPEC 4 and running.md: the child's {status, params, jobs}; a FAILED child fails the stage (States.TaskFailed).
      const outputs = { status: doc.status, params: doc.params, jobs: doc.jobs };
      if (doc.status !== 'FAILED') return { status: 'SUCCESS', outputs };
      return failed('States.TaskFailed', 'the child run failed', outputs);
    }
    default:
      throw new Error(`oracle: stage kind ${stage.kind} is not modelled`);
  }
}

function ruleHolds(rule: Job['triggerRule'], statuses: Status[], minSuccess?: number): boolean {
  const n = (s: Status) => statuses.filter((x) => x === s).length;
  if (minSuccess !== undefined) return n('SUCCESS') >= minSuccess;
  switch (rule) {
    case 'all_success': return n('SUCCESS') === statuses.length;
    case 'all_failed': return n('FAILED') === statuses.length;
    case 'all_done': return true;
    case 'one_success': return n('SUCCESS') > 0;
    case 'one_failed': return n('FAILED') > 0;
    case 'none_failed': return n('FAILED') === 0;
    case 'none_skipped': return n('SKIP') === 0;
  }
}

/** A condition that decides on the needs' outcome itself: a status function, or a need's result or status. */
const SAYS_OTHERWISE = /\b(always|success|failure|cancelled)\s*\(|\b(needs|jobs)\s*(\.\s*[\w-]+|\[[^\]]*\])\s*(\.\s*(result|status)\b|\[\s*['"](result|status)['"]\s*\])/;

/** Jobs in an order where every job comes after its needs (the order written, otherwise). */
function jobOrder(wf: Workflow): Job[] {
  const done = new Set<string>();
  const out: Job[] = [];
  const pending = Object.values(wf.jobs);
  while (pending.length) {
    const i = pending.findIndex((j) => j.needs.every((n) => done.has(n)));
    if (i < 0) throw new Error('oracle: needs cycle');
    const [job] = pending.splice(i, 1);
    out.push(job!);
    done.add(job!.id);
  }
  return out;
}

/** Interprets `wf` with coerced `params`; the result document the run must give. */
export function interpret(wf: Workflow, options: OracleOptions): OracleResult {
  const jobs: Record<string, Record<string, unknown>> = {};
  const failFast: string[] = [];
  const base: Scope = {
    params: options.params,
    release: { logical_date: options.logicalDate, type: 'normal' },
    run: { id: options.runId, workflow: wf.name },
    env: (wf.extras.env as Record<string, unknown> | undefined) ?? {},
  };
  TRIGGERS.set(base.run as object, options);
  for (const job of jobOrder(wf)) {
    const view = (id: string) => ({ ...jobs[id], result: RESULT[jobs[id]!.status as Status] });
    const needs = Object.fromEntries(job.needs.map((n) => [n, view(n)]));
    const jobsView = Object.fromEntries(Object.keys(jobs).map((id) => [id, view(id)]));
    const scope: Scope = { ...base, jobs: jobsView, needs };
    const statuses = job.needs.map((n) => jobs[n]!.status as Status);
    const facts: StatusFacts = { success: statuses.every((s) => s === 'SUCCESS'), failure: statuses.includes('FAILED'), cancelled: false };
    const ruleWritten = job.triggerRuleSet || job.minSuccess !== undefined;
    const saysOtherwise = ruleWritten || (typeof job.if === 'string' && SAYS_OTHERWISE.test(job.if));
    const runs =
      (saysOtherwise || facts.success) &&
      (job.if === undefined || evaluateCondition(job.if, ctx(scope, facts))) &&
      (!ruleWritten || ruleHolds(job.triggerRule, statuses, job.minSuccess));
    if (!runs) {
      put(jobs, job.id, { status: 'SKIP' });
      continue;
    }
    put(jobs, job.id, job.strategy ? runMatrixJob(job, scope, failFast) : runPlainJob(job, scope));
  }
  const all = Object.values(jobs).map((j) => j.status);
  const status: Status = all.includes('FAILED') ? 'FAILED' : all.every((s) => s === 'SKIP') ? 'SKIP' : 'SUCCESS';
  return {
    status,
    run: { id: options.runId, workflow: wf.name },
    params: options.params,
    release: { logical_date: options.logicalDate, type: 'normal' },
    jobs,
    errors: [],
    failFast,
  };
}

function runPlainJob(job: Job, scope: Scope): Record<string, unknown> {
  const r = runList(job.stages, scope);
  const rec: Record<string, unknown> = { status: r.status, stages: r.stages };
  if (r.status === 'SUCCESS' && Object.keys(job.outputs).length > 0) rec.outputs = renderMap(job.outputs, { ...scope, stages: r.stages });
  if (r.errors) rec.errors = r.errors;
  return rec;
}

function runMatrixJob(job: Job, scope: Scope, failFast: string[]): Record<string, unknown> {
  const s = job.strategy!;
  const combos = combinations(s.matrix as Record<string, unknown[]>, s.include, s.exclude);
  const strategies: Record<string, unknown> = {};
  let anyFailed = false;
  let outputs: Record<string, unknown> | undefined;
  for (const matrix of combos) {
    const r = runList(job.stages, { ...scope, matrix });
    const rec: Record<string, unknown> = { matrix, ...listRecord(r) };
    // Outputs are rendered in each combination; the job's are the last combination's (dialect.md, Strategy).
    // A failed combination's record has `outputs: {}` (a failed plain job has none: the docs do not say).
    if (Object.keys(job.outputs).length > 0) rec.outputs = r.status === 'SUCCESS' ? (outputs = renderMap(job.outputs, { ...scope, matrix, stages: r.stages })) : {};
    put(strategies, strategyKey(matrix, new Set(Object.keys(strategies))), rec);
    anyFailed ||= r.status === 'FAILED';
  }
  if (!anyFailed) return { status: 'SUCCESS', strategies, ...(outputs ? { outputs } : {}) };
  if (s.failFast) {
    failFast.push(job.id);
    return { status: 'FAILED', errors: { name: 'StrategyFailed', message: '' } };
  }
  return { status: 'FAILED', strategies, errors: { name: 'StrategyError', message: 'a matrix strategy failed' } };
}
