/**
 * A run as the web console's run page shows it: the audit record (params with secrets masked as
 * recorded, status, times), the job and stage tree with each stage's status, outputs and errors,
 * the timeline, what the stages printed, the signals its `wait` stages wait for, and the
 * endpoint's execution of it (what Stop and Rerun act on).
 *
 * Statuses come from the result document when the run has one; while it runs, from its timeline
 * (a stage is matched by its name as written, so a stage whose name holds a template shows its
 * status once the run ends, from its id).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AuditRecord, AuditStore } from '../../audit/index.ts';
import { childLists, type Stage, type Workflow } from '../../config/index.ts';
import { decodeSignal, signalItemKey } from '../../protocol/index.ts';
import { localExecutionArn } from '../local-arns.ts';
import type { LocalExecutions } from '../local-executions.ts';
import type { JobView, RunDetailView, SignalView, StageView } from './console-types.ts';
import type { LiveRuns } from './live-runs.ts';
import { runSummary } from './run-list.ts';
import type { Timeline } from './run-timeline.ts';
import { waitSignals } from './workflow-view.ts';

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The status of each stage by `job\u0000name` from the timeline's bars: running, failed, skipped or done. */
function spanStatuses(timeline: Timeline | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const rank = ['SKIP', 'SUCCESS', 'FAILED', 'RUNNING'];
  for (const span of timeline?.spans ?? []) {
    const key = span.stage === undefined ? `job:${span.job}` : `${span.job}\u0000${span.stage}`;
    const had = out.get(key);
    if (had === undefined || rank.indexOf(span.status) > rank.indexOf(had)) out.set(key, span.status);
  }
  return out;
}

function stageViews(job: string, list: readonly Stage[], records: Rec, spans: Map<string, string>): StageView[] {
  return list.map((s) => {
    const record = s.id !== undefined && isRecord(records[s.id]) ? (records[s.id] as Rec) : undefined;
    return {
      name: s.name,
      ...(s.id !== undefined ? { id: s.id } : {}),
      kind: s.kind,
      status: typeof record?.status === 'string' ? record.status : (spans.get(`${job}\u0000${s.name}`) ?? 'PENDING'),
      ...(record?.outputs !== undefined ? { outputs: record.outputs } : {}),
      ...(record?.errors !== undefined ? { errors: record.errors } : {}),
      children: childLists(s).flatMap((l) => stageViews(job, l, records, spans)),
    };
  });
}

/** The job and stage tree of a run. */
export function jobTree(workflow: Workflow, context: unknown, timeline: Timeline | undefined, ended: boolean): JobView[] {
  const jobs = isRecord(context) && isRecord(context.jobs) ? context.jobs : {};
  const spans = spanStatuses(timeline);
  return Object.values(workflow.jobs).map((job) => {
    const done = isRecord(jobs[job.id]) ? (jobs[job.id] as Rec) : {};
    const stages = isRecord(done.stages) ? done.stages : {};
    const strategies = isRecord(done.strategies) ? done.strategies : {};
    const status = typeof done.status === 'string' ? done.status : (spans.get(`job:${job.id}`) ?? (ended ? 'SKIP' : 'PENDING'));
    return {
      id: job.id,
      status,
      ...(done.outputs !== undefined ? { outputs: done.outputs } : {}),
      ...(done.errors !== undefined ? { errors: done.errors } : {}),
      stages: stageViews(job.id, job.stages, stages, spans),
      strategies: Object.entries(strategies).map(([key, s]) => {
        const st = isRecord(s) ? s : {};
        return { key, ...(st.matrix !== undefined ? { matrix: st.matrix } : {}), status: typeof st.status === 'string' ? st.status : 'PENDING', stages: stageViews(job.id, job.stages, isRecord(st.stages) ? st.stages : {}, new Map()) };
      }),
    };
  });
}

async function signalViews(store: AuditStore, workflow: Workflow, runId: string): Promise<SignalView[]> {
  return Promise.all(
    waitSignals(workflow).map(async (name) => {
      const got = await store.client.send(new GetItemCommand({ TableName: store.table, Key: signalItemKey(runId, name), ConsistentRead: true }));
      const state = decodeSignal(got.Item);
      return {
        name,
        status: state ? (state.status === 'WAIT' && state.waitingSince === undefined ? 'NONE' : state.status) : 'NONE',
        ...(state?.waitingSince !== undefined ? { waitingSince: state.waitingSince } : {}),
        ...(state?.by !== undefined ? { by: state.by } : {}),
        ...(state?.reason !== undefined ? { reason: state.reason } : {}),
      };
    }),
  );
}

/** What {@link runDetail} reads from. */
export interface RunSources {
  store: AuditStore;
  workflows: ReadonlyMap<string, Workflow>;
  executions: LocalExecutions;
  live: LiveRuns;
}

/** The run page of a recorded run (see the file comment). */
export async function runDetail(sources: RunSources, record: AuditRecord): Promise<RunDetailView> {
  const running = sources.live.isRunning(record.runId);
  const workflow = sources.workflows.get(record.workflow);
  const timeline = sources.live.timeline(record.runId);
  const context = isRecord(record.context) ? record.context : {};
  let execution: RunDetailView['execution'];
  try {
    const d = await sources.executions.describe({ executionArn: localExecutionArn(record.workflow, record.runId) });
    execution = { executionArn: String(d.executionArn), status: String(d.status), redrivable: d.redriveStatus === 'REDRIVABLE' };
  } catch {
    // a run of `wf run`, or of another name: no execution to act on
  }
  const logs = sources.live.logs(record.runId);
  return {
    run: {
      ...runSummary(record, running),
      params: record.params,
      ...(record.parentRunId !== undefined ? { parentRunId: record.parentRunId } : {}),
      errors: Array.isArray(context.errors) ? (context.errors as Array<{ name: string; message: string }>) : [],
    },
    ...(execution ? { execution } : {}),
    jobs: workflow ? jobTree(workflow, context, timeline, !running && record.status !== 'WAIT') : [],
    ...(timeline ? { timeline } : {}),
    ...(logs ? { logs } : {}),
    signals: workflow ? await signalViews(sources.store, workflow, record.runId) : [],
  };
}
