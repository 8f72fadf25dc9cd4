/** Calls to the console's JSON endpoints (lib/serve/console/web-console.ts). */
import type { RunDetailView, RunPageView, WorkflowView } from '../lib/serve/console/console-types.ts';

export type { JobView, ParamView, RunDetailView, RunPageView, RunSummaryView, SignalView, StageView, WorkflowView } from '../lib/serve/console/console-types.ts';
export type { Timeline, TimelineSpan, TimelineSummary } from '../lib/serve/console/run-timeline.ts';
export type { GraphNode, GraphEdge, WorkflowGraph } from '../lib/serve/console/workflow-graph.ts';
export type { StageLog } from '../lib/local/run-logs.ts';

/** A refused request: the server's message and, for wrong params, one line per problem. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/console/api/${path}`, { credentials: 'same-origin', ...init });
  const body = (await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }))) as { error?: string; problems?: string[] };
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`, body.problems ?? []);
  return body as T;
}

function post<T>(path: string, body: unknown = {}): Promise<T> {
  return call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wf-console': '1' }, body: JSON.stringify(body) });
}

const seg = encodeURIComponent;

/** Every served workflow. */
export const getWorkflows = (): Promise<{ workflows: WorkflowView[] }> => call('workflows');

/** One page of runs. */
export function getRuns(query: { workflow?: string; status?: string; offset: number; limit: number }): Promise<RunPageView> {
  const q = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.workflow) q.set('workflow', query.workflow);
  if (query.status) q.set('status', query.status);
  return call(`runs?${q.toString()}`);
}

/** A run's page. */
export const getRun = (runId: string): Promise<RunDetailView> => call(`runs/${seg(runId)}`);

/** Starts a run. */
export const startRun = (workflow: string, params: Record<string, unknown>): Promise<{ runId: string }> => post(`workflows/${seg(workflow)}/start`, { params });

/** Stops a run. */
export const stopRun = (runId: string): Promise<unknown> => post(`runs/${seg(runId)}/stop`);

/** Runs a run again; `secrets` gives its secret params again. */
export const rerunRun = (runId: string, secrets: Record<string, string>): Promise<{ runId: string }> => post(`runs/${seg(runId)}/rerun`, { secrets });

/** Approves or rejects a signal a run waits for. */
export const answerSignal = (runId: string, signal: string, answer: { reject?: boolean; reason?: string }): Promise<unknown> => post(`runs/${seg(runId)}/signal`, { signal, ...answer });
