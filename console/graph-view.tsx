/**
 * A workflow's graph drawn as SVG: dagre lays out the nodes (jobs and composite stages as
 * clusters, plain stages as boxes) and the edges; this file only draws what it computed. With
 * `statusOf`, each box and cluster is coloured by its status in a run.
 */
import dagre, { type Edge } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import type { GraphNode, WorkflowGraph } from './api.ts';
import { statusClass } from './format.ts';

const CHAR_WIDTH = 7;
let graphs = 0;
const NODE_HEIGHT = 34;

interface Laid {
  node: GraphNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

function layout(graph: WorkflowGraph): { nodes: Laid[]; edges: Array<{ points: Array<{ x: number; y: number }>; kind: string }>; width: number; height: number } {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 56, marginx: 8, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const width = Math.min(240, Math.max(96, n.label.length * CHAR_WIDTH + 24));
    g.setNode(n.key, n.cluster ? { label: n.label, paddingTop: 28, paddingBottom: 10, paddingLeft: 10, paddingRight: 10 } : { label: n.label, width, height: NODE_HEIGHT });
  }
  for (const n of graph.nodes) if (n.parent) g.setParent(n.key, n.parent);
  graph.edges.forEach((e, i) => g.setEdge(e.from, e.to, { kind: e.kind }, `e${i}`));
  dagre.layout(g);
  const nodes: Laid[] = graph.nodes.map((node) => {
    const l = g.node(node.key) as { x: number; y: number; width: number; height: number };
    return { node, x: l.x - l.width / 2, y: l.y - l.height / 2, width: l.width, height: l.height };
  });
  const edges = g.edges().map((e: Edge) => {
    const l = g.edge(e) as { points: Array<{ x: number; y: number }>; kind: string };
    return { points: l.points, kind: l.kind };
  });
  const label = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: label.width ?? 0, height: label.height ?? 0 };
}

function clip(text: string, width: number): string {
  const room = Math.floor((width - 16) / CHAR_WIDTH);
  return text.length > room ? `${text.slice(0, Math.max(1, room - 1))}…` : text;
}

/** Draws a workflow's graph (see the file comment). */
export function GraphView(props: { graph: WorkflowGraph; title: string; statusOf?: (node: GraphNode) => string | undefined }) {
  const laid = useMemo(() => layout(props.graph), [props.graph]);
  const arrow = useMemo(() => `arrow-${++graphs}`, []);
  // Clusters first (outermost first), so boxes are drawn over them.
  const depth = (n: GraphNode): number => (n.parent ? 1 + depth(props.graph.nodes.find((p) => p.key === n.parent)!) : 0);
  const ordered = [...laid.nodes].sort((a, b) => Number(b.node.cluster) - Number(a.node.cluster) || depth(a.node) - depth(b.node));
  return (
    <svg class="graph" role="img" aria-label={props.title} width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`}>
      <defs>
        <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
        </marker>
      </defs>
      {ordered.map(({ node, x, y, width, height }) => {
        const status = props.statusOf?.(node);
        const cls = `${node.cluster ? `cluster cluster-${node.kind === 'job' ? 'job' : 'stage'}` : 'node'}${status ? ` ${statusClass(status)}` : ''}`;
        return (
          <g key={node.key} class={cls} data-node={node.key}>
            <title>{`${node.kind === 'job' ? 'job' : node.kind} ${node.label}${status ? `: ${status}` : ''}`}</title>
            <rect x={x} y={y} width={width} height={height} rx={node.cluster ? 6 : 4} />
            <text x={node.cluster ? x + 8 : x + width / 2} y={node.cluster ? y + 17 : y + height / 2 + 4} text-anchor={node.cluster ? 'start' : 'middle'}>
              {clip(node.cluster && node.kind !== 'job' ? `${node.label} · ${node.kind}` : node.label, width)}
            </text>
          </g>
        );
      })}
      {laid.edges.map((e, i) => (
        <polyline key={i} class={`edge edge-${e.kind}`} points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} marker-end={`url(#${arrow})`} />
      ))}
    </svg>
  );
}
