/**
 * Static expression checks for one workflow: each recorded site (a templated string, a condition,
 * bash text) is checked by the expression engine with the names in scope where it is written
 * (matrix only in jobs with a strategy, item/loop inside foreach and until, branch inside parallel
 * branches, case inside case matches, needs only for the job's needs, stage ids of the job). The
 * engine's offsets are relative to the text; they are mapped into the file here.
 */
import { bashCodeProblems, checkCondition, checkTemplate, pythonCodeProblems, type ExprProblem, type StaticScope } from '../expr/index.ts';
import { childLists } from './child-lists.ts';
import { exprOffsetInFile } from './expr-offset-in-file.ts';
import type { Job, Stage, Workflow } from './model.ts';
import { pythonSyntaxErrors } from './python-syntax.ts';
import { report, type ExprSite, type ReadContext } from './read-context.ts';

/** Checks every expression site recorded while reading `workflow`. */
export function checkExpressions(ctx: ReadContext, workflow: Workflow): void {
  const jobs = new Set(Object.keys(workflow.jobs));
  const params = new Set(Object.keys(workflow.params));
  const stageIds = new Map<string, Set<string>>();
  for (const site of ctx.sites) {
    const job = site.job === undefined ? undefined : workflow.jobs[site.job];
    const scope: StaticScope = { roots: new Set(site.roots), jobs, params, needs: new Set(job?.needs ?? []) };
    if (job) {
      if (!stageIds.has(job.id)) stageIds.set(job.id, idsOfJob(job));
      scope.stageIds = stageIds.get(job.id)!;
    }
    for (const p of problemsOf(site, scope)) reportAt(ctx, site, p);
  }
}

/**
 * py code that does not parse (`wf validate`): asked of python3 once for every block of every
 * workflow read, since starting python3 costs more than checking many blocks.
 */
export function checkPythonSyntax(contexts: readonly ReadContext[]): void {
  const py = contexts.flatMap((ctx) => ctx.sites.filter((s) => s.kind === 'python' && !pythonCodeProblems(s.text).length).map((site) => ({ ctx, site })));
  pythonSyntaxErrors(py.map((p) => p.site.text))?.forEach((e, i) => {
    if (e) reportAt(py[i]!.ctx, py[i]!.site, { code: 'WF3005', message: `py code does not parse: ${e.message}`, offset: e.offset, length: 1, note: 'python3 reads the run: block with each template standing for a value' });
  });
}

function reportAt(ctx: ReadContext, site: ExprSite, p: ExprProblem): void {
  const start = exprOffsetInFile(ctx.source, site.node, site.text, p.offset);
  const end = exprOffsetInFile(ctx.source, site.node, site.text, p.offset + Math.max(p.length, 1));
  report(ctx, p.code, p.message, ctx.source.at(start, Math.max(1, end - start)), p.note, 'error');
}

function problemsOf(site: ExprSite, scope: StaticScope): ExprProblem[] {
  switch (site.kind) {
    case 'condition':
      return checkCondition(site.text, scope);
    case 'shell':
      return bashCodeProblems(site.text);
    case 'python':
      return pythonCodeProblems(site.text);
    case 'template':
      return checkTemplate(site.text, scope);
  }
}

function idsOfJob(job: Job): Set<string> {
  const out = new Set<string>();
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.id !== undefined) out.add(s.id);
      for (const child of childLists(s)) walk(child);
    }
  };
  walk(job.stages);
  return out;
}
