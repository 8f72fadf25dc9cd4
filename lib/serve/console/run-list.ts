/**
 * The web console's runs list: the audit store's run records of the served workflows (those the
 * endpoint ran and those `wf run` ran in the same state folder), newest start first, filtered by
 * workflow and status, one page at a time. A record still `WAIT` whose run goes on in this server
 * shows as `RUNNING`; a run the endpoint ran also shows its execution's status.
 */
import type { AuditRecord, AuditStore } from '../../audit/index.ts';
import type { RunPageView, RunSummaryView } from './console-types.ts';

/** The largest page. */
export const MAX_PAGE = 200;

/** What the runs list is asked for. */
export interface RunQuery {
  /** Only this workflow's runs. @default every served workflow */
  workflow?: string;
  /** Only runs of this status (as shown: `RUNNING` for runs going on here). @default any */
  status?: string;
  /** @default 0 */
  offset?: number;
  /** @default 25 */
  limit?: number;
}

/** A record as the list shows it. */
export function runSummary(record: AuditRecord, running: boolean): RunSummaryView {
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: running && record.status === 'WAIT' ? 'RUNNING' : record.status,
    type: record.type,
    logicalDate: record.logicalDate,
    startedAt: record.startedAt,
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
    ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
  };
}

/** What the runs list asks of the server besides the audit store. */
export interface RunLookup {
  /** True while the run goes on in this server. */
  isRunning(runId: string): boolean;
  /** The status of the endpoint's execution of a run, if it has one. */
  executionStatus(record: AuditRecord): Promise<string | undefined>;
}

/** One page of runs (see the file comment). */
export async function listRuns(store: AuditStore, workflows: readonly string[], query: RunQuery, lookup: RunLookup): Promise<RunPageView> {
  const names = query.workflow !== undefined ? workflows.filter((w) => w === query.workflow) : workflows;
  const records = (await Promise.all(names.map((w) => store.list(w, { withContext: false })))).flat();
  const byId = new Map(records.map((r) => [r.runId, r]));
  let all = records.map((r) => runSummary(r, lookup.isRunning(r.runId)));
  const running = all.filter((r) => r.status === 'RUNNING').length;
  if (query.status !== undefined) all = all.filter((r) => r.status === query.status);
  all.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.runId < b.runId ? 1 : -1));
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? 25));
  const runs = await Promise.all(
    all.slice(offset, offset + limit).map(async (r) => {
      const execution = await lookup.executionStatus(byId.get(r.runId)!);
      return execution ? { ...r, execution } : r;
    }),
  );
  return { runs, total: all.length, offset, limit, running };
}
