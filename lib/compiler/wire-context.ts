/**
 * Builds the `ctx` part of a runner request (Task Parameters) and the documents that start a Map
 * iteration or Parallel branch, from the compile-time scope.
 */
import type { StageScope, Frame } from './compile-context.ts';

/** Every root a runner may read; `py` stages get all of them. */
export const ALL_CONTEXT_ROOTS = ['params', 'release', 'run', 'jobs', 'needs', 'stages', 'matrix', 'item', 'loop', 'branch', 'case', 'error', 'env', 'retry'];

/** Parameters for the `ctx` of a runner request that reads `roots`. */
export function wireContext(scope: StageScope, roots: ReadonlySet<string>, env: Record<string, unknown> | undefined): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  for (const r of ['params', 'release', 'run'] as const) if (roots.has(r)) ctx[`${r}.$`] = `$.${r}`;
  if (roots.has('jobs') || roots.has('needs')) {
    ctx['jobs.$'] = '$.jobs';
    ctx.needs = [...scope.needs];
  }
  if (roots.has('stages') && scope.frames.length) {
    const scopes: Record<string, unknown> = {};
    scope.frames.forEach((f, i) => (scopes[`${i}.$`] = f.path));
    ctx.scopes = scopes;
  }
  for (const r of ['matrix', 'item', 'loop', 'branch', 'case', 'error'] as const) {
    const p = scope.roots[r];
    if (roots.has(r) && p !== undefined) ctx[`${r}.$`] = p;
  }
  if (roots.has('case') && scope.caseValue !== undefined) ctx.case = scope.caseValue;
  if (roots.has('env')) ctx.env = env ?? {};
  if (roots.has('retry')) {
    if (scope.roots.retry !== undefined) ctx['retry.$'] = scope.roots.retry;
    else ctx.retry = 0;
  }
  return ctx;
}

/**
 * The document a Map iteration or Parallel branch starts with: the run's roots, the enclosing
 * frames under `outer`, the loop roots, a fresh `stages` frame, and `extra` fields. Returns the
 * Parameters object and the scope children compile in.
 */
export function childDocument(scope: StageScope, extra: Record<string, unknown>, newRoots: Partial<Record<'matrix' | 'item' | 'loop' | 'branch', true>>): { params: Record<string, unknown>; scope: StageScope } {
  const params: Record<string, unknown> = { 'params.$': '$.params', 'release.$': '$.release', 'run.$': '$.run', 'jobs.$': '$.jobs' };
  const frames: Frame[] = [];
  if (scope.frames.length) {
    const outer: Record<string, unknown> = {};
    scope.frames.forEach((f, i) => {
      outer[`s${i}.$`] = f.path;
      frames.push({ path: `$.outer.s${i}`, ids: f.ids });
    });
    params.outer = outer;
  }
  const roots: StageScope['roots'] = {};
  for (const r of ['matrix', 'item', 'loop', 'branch', 'case', 'error'] as const) {
    const p = scope.roots[r];
    if (r !== 'case' && r !== 'error' && newRoots[r]) roots[r] = `$.${r}`;
    else if (p !== undefined) {
      params[`${r}.$`] = p;
      roots[r] = `$.${r}`;
    }
  }
  params.stages = {};
  Object.assign(params, extra);
  frames.push({ path: '$.stages', ids: new Set() });
  return { params, scope: { ...scope, frames, roots } };
}
