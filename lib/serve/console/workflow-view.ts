/** A workflow as the web console's workflows page shows it: params, schedules, graph, signals. */
import { childLists, nextRuns, type Stage, type Workflow } from '../../config/index.ts';
import type { ParamView, WorkflowView } from './console-types.ts';
import { workflowGraph } from './workflow-graph.ts';

/** Next releases shown per schedule. */
export const NEXT_RELEASES = 3;

/** The signal names of a workflow's `wait` stages, in the order written. */
export function waitSignals(workflow: Workflow): string[] {
  const names = new Set<string>();
  const walk = (list: readonly Stage[]): void => {
    for (const s of list) {
      if (s.kind === 'wait') names.add(s.signal);
      for (const l of childLists(s)) walk(l);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return [...names];
}

function paramView(workflow: Workflow): ParamView[] {
  return Object.values(workflow.params).map((p) => ({
    name: p.name,
    type: p.type,
    required: p.required,
    hasDefault: p.hasDefault,
    ...(p.hasDefault && !p.secret ? { default: p.default } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.options ? { options: p.options } : {}),
    secret: p.secret,
  }));
}

/** The view of one workflow; `now` is where the next releases are counted from. */
export function workflowView(workflow: Workflow, now: Date): WorkflowView {
  return {
    name: workflow.name,
    ...(workflow.desc !== undefined ? { description: workflow.desc } : {}),
    file: workflow.file,
    params: paramView(workflow),
    schedules: workflow.on.schedules.map((s) => {
      let next: string[] = [];
      try {
        next = nextRuns(s.cron, s.timezone, now, NEXT_RELEASES).map((d) => d.toISOString());
      } catch {
        // a schedule the config layer accepted always parses; nothing to show otherwise
      }
      return { cron: s.cron, timezone: s.timezone, next };
    }),
    graph: workflowGraph(workflow),
    signals: waitSignals(workflow),
  };
}
