/**
 * Where each stage of a workflow sits, as far as the values of its names are known when compiling
 * (see static-values.ts): the workflow's `choice` params, its job's literal matrix, and the case
 * match, literal foreach items or parallel branch around it.
 */
import { matrixCombinations } from './matrix-combinations.ts';
import type { Job, Stage, Workflow } from './model.ts';
import { staticValues, type StaticScope } from './static-values.ts';
import { childLists } from './child-lists.ts';
import { hasTemplate } from './has-template.ts';

const cache = new WeakMap<Workflow, Map<Stage, StaticScope>>();

function distinct(values: readonly unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const v of values) seen.set(JSON.stringify(v) ?? 'undefined', v);
  return [...seen.values()];
}

function jobScope(workflow: Workflow, job: Job): Map<string, readonly unknown[]> {
  const scope = new Map<string, readonly unknown[]>();
  for (const p of Object.values(workflow.params)) if (p.type === 'choice' && p.options?.length) scope.set(`params.${p.name}`, p.options);
  const s = job.strategy;
  if (s && Object.values(s.matrix).every((v) => Array.isArray(v)) && !hasTemplate([s.matrix, s.include, s.exclude])) {
    scope.set('matrix', matrixCombinations(s.matrix as Record<string, unknown[]>, s.include, s.exclude).map((c) => c.matrix));
  }
  return scope;
}

function walk(stages: readonly Stage[], scope: Map<string, readonly unknown[]>, out: Map<Stage, StaticScope>): void {
  for (const stage of stages) {
    out.set(stage, scope);
    const inner = (set: Record<string, readonly unknown[] | undefined>): Map<string, readonly unknown[]> => {
      const m = new Map(scope);
      for (const [k, v] of Object.entries(set)) {
        if (v) m.set(k, v);
        else m.delete(k);
      }
      return m;
    };
    switch (stage.kind) {
      case 'case': {
        const explicit = stage.match.filter((m) => !m.isDefault).map((m) => staticValues(m.case, scope));
        const known = explicit.every((v) => v !== undefined) ? new Set(explicit.flat()) : undefined;
        const all = staticValues(stage.case, scope);
        for (const m of stage.match) {
          const values = m.isDefault ? (all && known ? all.filter((v) => !known.has(v)) : undefined) : staticValues(m.case, scope);
          walk(m.stages, inner({ case: values }), out);
        }
        break;
      }
      case 'foreach':
        walk(stage.stages, inner({ item: Array.isArray(stage.foreach) && !hasTemplate(stage.foreach) ? distinct(stage.foreach) : undefined }), out);
        break;
      case 'until':
        walk(stage.stages, inner({ item: undefined }), out);
        break;
      case 'parallel':
        for (const [branch, list] of Object.entries(stage.branches)) walk(list, inner({ branch: [branch] }), out);
        break;
      default:
        for (const list of childLists(stage)) walk(list, scope, out);
    }
  }
}

/** The static scope of every stage of `workflow` (computed once per workflow). */
export function staticScopes(workflow: Workflow): ReadonlyMap<Stage, StaticScope> {
  let out = cache.get(workflow);
  if (!out) {
    out = new Map();
    for (const job of Object.values(workflow.jobs)) walk(job.stages, jobScope(workflow, job), out);
    cache.set(workflow, out);
  }
  return out;
}
