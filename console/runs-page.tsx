/**
 * The runs page: runs from the audit store, newest first, filtered by workflow and status, a page
 * at a time. It asks again every two seconds, so runs started elsewhere (the AWS SDK, `wf run`)
 * appear and running ones move on.
 */
import { useState } from 'preact/hooks';
import { getRuns, type RunPageView, type WorkflowView } from './api.ts';
import { duration, statusClass, when } from './format.ts';
import { href, usePoll, type Route } from './use-route.ts';

/** Runs per page. */
export const PAGE_SIZE = 20;

const STATUSES = ['RUNNING', 'SUCCESS', 'FAILED', 'CANCEL', 'SKIP', 'WAIT'];

/** The runs page (see the file comment). */
export function RunsPage(props: { workflows: WorkflowView[]; route: Route }) {
  const workflow = props.route.query.get('workflow') ?? '';
  const status = props.route.query.get('status') ?? '';
  const page = Math.max(1, Number(props.route.query.get('page') ?? '1') || 1);
  const [data, setData] = useState<RunPageView | undefined>();
  const [error, setError] = useState<string | undefined>();
  usePoll(
    () => {
      getRuns({ workflow, status, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }).then(
        (d) => (setData(d), setError(undefined)),
        (e: Error) => setError(e.message),
      );
    },
    2000,
    [workflow, status, page],
  );
  const go = (q: { workflow?: string; status?: string; page?: number }): void => {
    const p = q.page ?? 1;
    location.hash = href(['runs'], { workflow: q.workflow ?? workflow, status: q.status ?? status, page: p > 1 ? String(p) : undefined });
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  // What is shown is the page the data is of (the address may be ahead of it for a moment).
  const shown = data ? Math.floor(data.offset / PAGE_SIZE) + 1 : page;
  return (
    <>
      <h1>Runs</h1>
      <form class="filters row" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow{' '}
          <select name="workflow" value={workflow} onChange={(e) => go({ workflow: (e.target as HTMLSelectElement).value })}>
            <option value="">all</option>
            {props.workflows.map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select name="status" value={status} onChange={(e) => go({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {data && data.running > 0 && <span class="live">{data.running} running</span>}
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <table class="runs">
            <caption class="visually-hidden">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">run</th>
                <th scope="col">workflow</th>
                <th scope="col">status</th>
                <th scope="col">release</th>
                <th scope="col">started</th>
                <th scope="col">duration</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    No runs{workflow || status ? ' match the filters' : ' yet'}.
                  </td>
                </tr>
              )}
              {data.runs.map((r) => (
                <tr key={r.runId} data-run={r.runId}>
                  <th scope="row">
                    <a href={href(['runs', r.runId])}>{r.runId}</a>
                  </th>
                  <td>{r.workflow}</td>
                  <td>
                    <span class={statusClass(r.status)}>{r.status}</span>
                    {r.execution && <span class="muted execution"> execution {r.execution}</span>}
                  </td>
                  <td>
                    {when(r.logicalDate)} <span class="muted">{r.type}</span>
                  </td>
                  <td>{when(r.startedAt)}</td>
                  <td>{r.durationMs !== undefined ? duration(r.durationMs) : r.status === 'RUNNING' ? duration(Date.now() - Date.parse(r.startedAt)) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager row" aria-label="Pages of runs">
            <button type="button" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
              Previous page
            </button>
            <span aria-live="polite">
              Page {shown} of {pages} ({data.total} runs)
            </span>
            <button type="button" disabled={page >= pages} onClick={() => go({ page: page + 1 })}>
              Next page
            </button>
          </nav>
        </>
      )}
    </>
  );
}
