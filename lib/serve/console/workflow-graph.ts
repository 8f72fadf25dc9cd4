/**
 * A workflow's graph as the web console draws it: nodes and edges for a layout library (dagre,
 * in the browser). Each job is a cluster holding its stages in order; a stage that holds others
 * (parallel, foreach, case, try, until, group) is a cluster of its own whose child lists run side by
 * side. Edges join leaves only (layouts of compound graphs do not route edges to clusters): a
 * stage's last leaves to the next stage's first leaves, and a needed job's last leaves to the
 * needing job's first leaves.
 */
import { childLists, type Stage, type Workflow } from '../../config/index.ts';

/** One node: a job or a composite stage (a cluster), or a plain stage (a leaf). */
export interface GraphNode {
  /** Unique in the graph: `job:<id>` for a job, `<job id>/<n>` for a stage. */
  key: string;
  label: string;
  /** `job`, or the stage's kind (`bash`, `py`, `parallel`, ...). */
  kind: string;
  /** The cluster it is drawn in. */
  parent?: string;
  job: string;
  /** For a stage: its name as written (templates unrendered) and its id, when it has one. */
  stage?: string;
  id?: string;
  /** True for a job or a stage holding others. */
  cluster: boolean;
}

/** A directed edge between two leaves. */
export interface GraphEdge {
  from: string;
  to: string;
  /** `needs` between jobs, `next` between stages. */
  kind: 'needs' | 'next';
}

/** A workflow's graph. */
export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface Ends {
  first: string[];
  last: string[];
}

/** Builds the graph of a workflow (see the file comment). */
export function workflowGraph(workflow: Workflow): WorkflowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const link = (from: string[], to: string[], kind: GraphEdge['kind']): void => {
    for (const f of from) for (const t of to) edges.push({ from: f, to: t, kind });
  };
  const stageList = (job: string, list: readonly Stage[], parent: string, counter: { n: number }): Ends => {
    let ends: Ends | undefined;
    let first: string[] = [];
    for (const stage of list) {
      const key = `${job}/${++counter.n}`;
      const lists = childLists(stage).filter((l) => l.length > 0);
      nodes.push({ key, label: stage.name, kind: stage.kind, parent, job, stage: stage.name, ...(stage.id !== undefined ? { id: stage.id } : {}), cluster: lists.length > 0 });
      let mine: Ends = { first: [key], last: [key] };
      if (lists.length) {
        const inner = lists.map((l) => stageList(job, l, key, counter));
        mine = { first: inner.flatMap((e) => e.first), last: inner.flatMap((e) => e.last) };
      }
      if (ends) link(ends.last, mine.first, 'next');
      else first = mine.first;
      ends = mine;
    }
    return { first, last: ends?.last ?? [] };
  };
  const jobEnds = new Map<string, Ends>();
  for (const job of Object.values(workflow.jobs)) {
    const key = `job:${job.id}`;
    nodes.push({ key, label: job.strategy ? `${job.id} (matrix)` : job.id, kind: 'job', job: job.id, cluster: true });
    jobEnds.set(job.id, stageList(job.id, job.stages, key, { n: 0 }));
  }
  for (const job of Object.values(workflow.jobs)) {
    for (const need of job.needs) link(jobEnds.get(need)?.last ?? [], jobEnds.get(job.id)?.first ?? [], 'needs');
  }
  return { nodes, edges };
}
