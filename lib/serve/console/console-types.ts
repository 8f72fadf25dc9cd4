/**
 * The JSON the web console's endpoints return (`/console/api/...`), shared by the server and the
 * page (console/, which imports these types only).
 */
import type { RunLogs } from '../../local/index.ts';
import type { Timeline } from './run-timeline.ts';
import type { WorkflowGraph } from './workflow-graph.ts';

/** A param as the start form needs it. */
export interface ParamView {
  name: string;
  type: string;
  required: boolean;
  hasDefault: boolean;
  /** The default; a secret param's is never sent (`hasDefault` says there is one). */
  default?: unknown;
  description?: string;
  /** For `choice`: the values allowed. */
  options?: unknown[];
  secret: boolean;
}

/** A schedule and its next releases (ISO instants). */
export interface ScheduleView {
  cron: string;
  timezone: string;
  next: string[];
}

/** A workflow on the workflows page. */
export interface WorkflowView {
  name: string;
  description?: string;
  file: string;
  params: ParamView[];
  schedules: ScheduleView[];
  graph: WorkflowGraph;
  /** The names of the signals its `wait` stages wait for. */
  signals: string[];
}

/** A run in the runs list. */
export interface RunSummaryView {
  runId: string;
  workflow: string;
  /** The audit status (`WAIT` while it runs), or `RUNNING` for a run going on in this server. */
  status: string;
  type: string;
  logicalDate: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** The status of the endpoint's execution of the run (`SUCCEEDED`, `ABORTED`, ...), when it has one. */
  execution?: string;
}

/** A page of the runs list. */
export interface RunPageView {
  runs: RunSummaryView[];
  /** Runs that match the filters, on every page. */
  total: number;
  offset: number;
  limit: number;
  /** Runs going on in this server (the page polls while there are some). */
  running: number;
}

/** A stage in a run's tree. */
export interface StageView {
  name: string;
  id?: string;
  kind: string;
  /** `SUCCESS`, `FAILED`, `SKIP`, `RUNNING`, or `PENDING` when nothing says it ran. */
  status: string;
  outputs?: unknown;
  errors?: unknown;
  children: StageView[];
}

/** A job in a run's tree; a matrix job has one entry per combination in `strategies`. */
export interface JobView {
  id: string;
  status: string;
  outputs?: unknown;
  errors?: unknown;
  stages: StageView[];
  strategies: Array<{ key: string; matrix?: unknown; status: string; stages: StageView[] }>;
}

/** A signal a run's `wait` stage waits (or waited) for. */
export interface SignalView {
  name: string;
  /** `WAIT` (a stage waits for it now), `SUCCESS`, `REJECTED`, or `NONE` (not reached). */
  status: string;
  waitingSince?: string;
  by?: string;
  reason?: string;
}

/** A run's page. */
export interface RunDetailView {
  run: RunSummaryView & { params: Record<string, unknown>; parentRunId?: string; errors: Array<{ name: string; message: string }> };
  /** The endpoint's execution of the run, when it has one (what Stop and Rerun act on). */
  execution?: { executionArn: string; status: string; redrivable: boolean };
  jobs: JobView[];
  timeline?: Timeline;
  logs?: RunLogs;
  signals: SignalView[];
}
