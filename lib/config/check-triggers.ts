/**
 * Checks trigger stages across workflows: each names a workflow that exists (WF5004), and no
 * workflow triggers itself, directly or through others (WF5005). A templated trigger is decided
 * at run time and not checked here.
 */
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import type { DiagnosticLog } from './diagnostic-log.ts';
import { childLists } from './child-lists.ts';
import { findCycles } from './find-cycles.ts';
import type { Stage, TriggerStage, Workflow } from './model.ts';

/** The trigger stages of a workflow with a literal target, in document order. */
export function triggerStages(workflow: Workflow): TriggerStage[] {
  const out: TriggerStage[] = [];
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.kind === 'trigger' && s.trigger !== '' && !s.trigger.includes('${{')) out.push(s);
      for (const list of childLists(s)) walk(list);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return out;
}

/** Checks triggers of `workflows`; `known` also holds names from files that could not be read. */
export function checkTriggers(log: DiagnosticLog, workflows: ReadonlyMap<string, Workflow>, known: ReadonlySet<string>): void {
  const names = [...known].sort();
  const edges = new Map<string, { target: string; loc: Location }[]>();
  for (const [name, wf] of workflows) {
    const list: { target: string; loc: Location }[] = [];
    for (const stage of triggerStages(wf)) {
      const loc = stage.fieldLocs.trigger ?? stage.loc;
      if (!known.has(stage.trigger)) {
        const hint = didYouMean(stage.trigger, names);
        log.add(
          'error',
          'WF5004',
          `stage "${stage.name}" triggers unknown workflow "${stage.trigger}"`,
          loc,
          [names.length ? `workflows are ${quoteList(names)}` : undefined, hint].filter(Boolean).join('; ') || undefined,
          [name],
        );
        continue;
      }
      list.push({ target: stage.trigger, loc });
    }
    edges.set(name, list);
  }
  const order = [...workflows.keys()];
  for (const cycle of findCycles(order, (n) => (edges.get(n) ?? []).map((e) => e.target))) {
    const edge = edges.get(cycle[0]!)!.find((e) => e.target === cycle[1]);
    log.add(
      'error',
      'WF5005',
      `trigger cycle: ${cycle.join(' → ')}`,
      edge?.loc,
      'a workflow cannot trigger itself, directly or through other workflows',
      [...new Set(cycle)],
    );
  }
}
