/**
 * Checks call stages' `uses` against the functions a registry holds (`wf validate --registry`):
 * each name a `uses` can take must be registered (WF5007), with what exists and a "did you mean".
 * A templated `uses` is checked for every name it can render to when those are known when
 * compiling (a matrix axis, a `choice` param: see static-values.ts); otherwise only its literal
 * registry is checked, and the rest is decided at run time.
 */
import { didYouMean, quoteList, type Diagnostic } from '../diagnostics/index.ts';
import { childLists } from './child-lists.ts';
import type { CallStage, Stage, Workflow } from './model.ts';
import { splitUses } from './split-uses.ts';
import { staticScopes } from './static-scopes.ts';
import { staticValues } from './static-values.ts';

type Tree = Map<string, Map<string, Set<string>>>;

function treeOf(functions: readonly string[]): Tree {
  const tree: Tree = new Map();
  for (const f of functions) {
    const p = splitUses(f);
    if (!p) continue;
    let fns = tree.get(p.registry);
    if (!fns) tree.set(p.registry, (fns = new Map()));
    let tags = fns.get(p.func);
    if (!tags) fns.set(p.func, (tags = new Set()));
    tags.add(p.tag);
  }
  return tree;
}

function listed(kind: string, word: string, names: Iterable<string>): string {
  const sorted = [...names].sort();
  if (!sorted.length) return 'the registry modules register no function';
  const hint = didYouMean(word, sorted);
  return `${kind} ${quoteList(sorted)}${hint ? `; ${hint}` : ''}`;
}

/** What is unknown about `uses` (a literal name) in `tree`, or undefined when it is registered. */
function problem(uses: string, tree: Tree): { what: string; note: string } | undefined {
  const p = splitUses(uses);
  if (!p) return undefined;
  const fns = tree.get(p.registry);
  if (!fns) return { what: `unknown registry "${p.registry}"`, note: listed('registered registries are', p.registry, tree.keys()) };
  const tags = fns.get(p.func);
  if (!tags) return { what: `registry "${p.registry}" has no function "${p.func}"`, note: listed('its functions are', p.func, fns.keys()) };
  if (!tags.has(p.tag)) return { what: `function "${p.registry}/${p.func}" has no tag "${p.tag}"`, note: listed('its tags are', p.tag, tags) };
  return undefined;
}

function callStages(workflow: Workflow): CallStage[] {
  const out: CallStage[] = [];
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.kind === 'call') out.push(s);
      for (const list of childLists(s)) walk(list);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return out;
}

/** True when some workflow has a call stage (so needs its registry modules to run). */
export function hasCallStages(workflows: Iterable<Workflow>): boolean {
  for (const wf of workflows) if (callStages(wf).length) return true;
  return false;
}

/** Diagnostics for the call stages of `workflows` whose `uses` names a function not in `functions` (`registry/alias@tag` each). */
export function checkUses(workflows: Iterable<Workflow>, functions: readonly string[]): Diagnostic[] {
  const tree = treeOf(functions);
  const out: Diagnostic[] = [];
  for (const wf of workflows) {
    const scopes = staticScopes(wf);
    for (const stage of callStages(wf)) {
      const location = stage.fieldLocs.uses ?? stage.loc;
      const templated = stage.uses.includes('${{');
      let names: string[];
      if (!templated) names = [stage.uses];
      else {
        const known = staticValues(stage.uses, scopes.get(stage) ?? new Map());
        if (known) names = known;
        else if (!stage.registry.includes('${{') && stage.registry !== '' && !tree.has(stage.registry)) {
          out.push({ code: 'WF5007', severity: 'error', message: `stage "${stage.name}" calls ${JSON.stringify(stage.uses)}: unknown registry "${stage.registry}"`, location, note: listed('registered registries are', stage.registry, tree.keys()) });
          continue;
        } else continue;
      }
      for (const name of names) {
        const found = problem(name, tree);
        if (!found) continue;
        const what = templated ? `stage "${stage.name}" can call "${name}" (a value of ${JSON.stringify(stage.uses)}), but ${found.what}` : `stage "${stage.name}" calls "${name}", but ${found.what}`;
        out.push({ code: 'WF5007', severity: 'error', message: what, location, note: found.note });
      }
    }
  }
  return out;
}
