/**
 * A run's page: status and actions (Stop, Rerun, approve or reject a signal), the params it ran
 * with (secrets masked as recorded), its errors, the graph coloured by status, the job and stage
 * tree with each stage's outputs, errors and logs, and the timeline. It asks again every second
 * while the run goes on.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { answerSignal, ApiError, getRun, rerunRun, stopRun, type GraphNode, type JobView, type RunDetailView, type SignalView, type StageLog, type StageView, type WorkflowView } from './api.ts';
import { duration, statusClass, text, when } from './format.ts';
import { GraphView } from './graph-view.tsx';
import { TimelineView } from './timeline-view.tsx';
import { href, usePoll } from './use-route.ts';

/** Matrix combinations listed in a job's tree; the rest are counted. */
const STRATEGIES_SHOWN = 100;

interface Shown {
  job: string;
  stage: StageView;
}

function isRunning(d: RunDetailView | undefined): boolean {
  return d === undefined || d.run.status === 'RUNNING' || d.run.status === 'WAIT';
}

function logsOf(logs: StageLog[], shown: Shown): StageLog[] {
  return logs.filter((l) => l.job === shown.job && ((shown.stage.id !== undefined && l.id === shown.stage.id) || l.stage === shown.stage.name));
}

function where(l: StageLog): string {
  const parts: string[] = [];
  if (l.matrix) parts.push(`matrix ${l.matrix.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`);
  if (l.branch !== undefined) parts.push(`branch ${l.branch}`);
  if (l.loop !== undefined) parts.push(`item ${l.loop}`);
  return parts.join(' · ');
}

function LogPanel(props: { shown: Shown; logs: StageLog[]; close: () => void }) {
  const found = logsOf(props.logs, props.shown);
  const panel = useRef<HTMLElement>(null);
  // Focus moves to the logs when they open, not at each refresh of a running run.
  useEffect(() => panel.current?.focus(), [props.shown.job, props.shown.stage.name]);
  return (
    <section class="logs" aria-labelledby="logs-title" tabIndex={-1} ref={panel}>
      <header class="row">
        <h3 id="logs-title">
          Logs of {props.shown.job} › {props.shown.stage.name}
        </h3>
        <button type="button" onClick={props.close}>
          Close logs
        </button>
      </header>
      {found.length === 0 && <p class="muted">This stage printed nothing{props.shown.stage.status === 'PENDING' ? ' yet' : ''}.</p>}
      {found.map((l, i) => (
        <div key={i}>
          {where(l) && <h4>{where(l)}</h4>}
          <pre class="log">
            {l.lines.map((line, n) => (
              <span key={n} class={`line line-${line.stream}`}>
                {line.text}
                {'\n'}
              </span>
            ))}
            {l.dropped ? `… ${l.dropped} lines left out\n` : ''}
          </pre>
          {l.errors.map((e, n) => (
            <p key={n} class="error">
              attempt {e.attempt}: {e.name}: {e.message}
              {e.retrying ? ' (retrying)' : ''}
            </p>
          ))}
        </div>
      ))}
    </section>
  );
}

function StageItem(props: { job: string; stage: StageView; show: (s: Shown) => void }) {
  const s = props.stage;
  return (
    <li>
      <span class={statusClass(s.status)}>{s.status}</span> <span class="stage-name">{s.name}</span> <span class="muted">{s.kind}</span>{' '}
      <button type="button" class="small" onClick={() => props.show({ job: props.job, stage: s })}>
        Logs<span class="visually-hidden"> of {s.name}</span>
      </button>
      {s.outputs !== undefined && (
        <details>
          <summary>Outputs</summary>
          <pre>{text(s.outputs)}</pre>
        </details>
      )}
      {s.errors !== undefined && <pre class="error">{text(s.errors)}</pre>}
      {s.children.length > 0 && (
        <ul>
          {s.children.map((c, i) => (
            <StageItem key={i} job={props.job} stage={c} show={props.show} />
          ))}
        </ul>
      )}
    </li>
  );
}

function JobItem(props: { job: JobView; show: (s: Shown) => void }) {
  const j = props.job;
  return (
    <li class="job">
      <span class={statusClass(j.status)}>{j.status}</span> <strong>job {j.id}</strong>
      {j.errors !== undefined && <pre class="error">{text(j.errors)}</pre>}
      {j.outputs !== undefined && (
        <details>
          <summary>Job outputs</summary>
          <pre>{text(j.outputs)}</pre>
        </details>
      )}
      <ul>
        {j.stages.map((s, i) => (
          <StageItem key={i} job={j.id} stage={s} show={props.show} />
        ))}
      </ul>
      {j.strategies.length > 0 && (
        <details>
          <summary>{j.strategies.length} matrix combinations</summary>
          <ul>
            {j.strategies.slice(0, STRATEGIES_SHOWN).map((st) => (
              <li key={st.key}>
                <span class={statusClass(st.status)}>{st.status}</span> {st.key}
                <ul>
                  {st.stages.filter((s) => s.status !== 'PENDING').map((s, i) => (
                    <StageItem key={i} job={j.id} stage={s} show={props.show} />
                  ))}
                </ul>
              </li>
            ))}
            {j.strategies.length > STRATEGIES_SHOWN && <li class="muted">… and {j.strategies.length - STRATEGIES_SHOWN} more</li>}
          </ul>
        </details>
      )}
    </li>
  );
}

function SignalRow(props: { runId: string; signal: SignalView; running: boolean; done: () => void; fail: (e: Error) => void }) {
  const [reason, setReason] = useState('');
  const s = props.signal;
  const send = (reject: boolean): void => {
    answerSignal(props.runId, s.name, reject ? { reject, ...(reason ? { reason } : {}) } : {}).then(props.done, props.fail);
  };
  const open = props.running && (s.status === 'WAIT' || s.status === 'NONE');
  return (
    <li>
      <code>{s.name}</code> <span class={statusClass(s.status)}>{s.status === 'NONE' ? 'not waited for yet' : s.status}</span>
      {s.waitingSince && <span class="muted"> since {when(s.waitingSince)}</span>}
      {s.by && <span class="muted"> by {s.by}</span>}
      {s.reason && <span class="muted">: {s.reason}</span>}
      {open && (
        <span class="row inline">
          <button type="button" class="primary" onClick={() => send(false)}>
            Approve {s.name}
          </button>
          <label>
            Reason <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="danger" onClick={() => send(true)}>
            Reject {s.name}
          </button>
        </span>
      )}
    </li>
  );
}

function nodeStatus(d: RunDetailView): (n: GraphNode) => string | undefined {
  const jobs = new Map(d.jobs.map((j) => [j.id, j]));
  return (n) => {
    const job = jobs.get(n.job);
    if (!job) return undefined;
    if (n.kind === 'job') return job.status;
    const find = (list: StageView[]): StageView | undefined => {
      for (const s of list) {
        if ((n.id !== undefined && s.id === n.id) || (n.id === undefined && s.name === n.stage)) return s;
        const inner = find(s.children);
        if (inner) return inner;
      }
      return undefined;
    };
    return find(job.stages)?.status;
  };
}

/** The run page (see the file comment). */
export function RunPage(props: { runId: string; workflows: WorkflowView[] }) {
  const [data, setData] = useState<RunDetailView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [shown, setShown] = useState<Shown | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);
  const running = isRunning(data);
  usePoll(
    () => {
      getRun(props.runId).then(
        (d) => (setData(d), setError(undefined)),
        (e: Error) => setError(e.message),
      );
    },
    1000,
    [props.runId, tick],
    running,
  );
  const refresh = (): void => setTick(tick + 1);
  const fail = (e: Error): void => setError(e instanceof ApiError && e.problems.length ? `${e.message}: ${e.problems.join('; ')}` : e.message);
  const act = (name: string, f: () => Promise<unknown>): void => {
    setBusy(name);
    f().then(refresh, fail).finally(() => setBusy(undefined));
  };
  const workflow = props.workflows.find((w) => w.name === data?.run.workflow);
  const secretParams = workflow?.params.filter((p) => p.secret && !p.hasDefault) ?? [];
  if (!data) {
    return (
      <>
        <h1>Run {props.runId}</h1>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </>
    );
  }
  const r = data.run;
  return (
    <>
      <header class="row">
        <h1>
          Run {r.runId}{' '}
          <span class={statusClass(r.status)} aria-live="polite">
            {r.status}
          </span>
        </h1>
      </header>
      <p>
        <a href={href(['runs'], { workflow: r.workflow })}>{r.workflow}</a> · release {when(r.logicalDate)} ({r.type}) · started {when(r.startedAt)}
        {r.endedAt ? ` · took ${duration(r.durationMs)}` : ` · running for ${duration(Date.now() - Date.parse(r.startedAt))}`}
        {data.execution && ` · execution ${data.execution.status}`}
        {r.parentRunId && (
          <>
            {' '}
            · reruns <a href={href(['runs', r.parentRunId])}>{r.parentRunId}</a>
          </>
        )}
      </p>
      <div class="row actions" role="group" aria-label="Run actions">
        {running && data.execution && (
          <button type="button" class="danger" disabled={busy !== undefined} onClick={() => act('stop', () => stopRun(r.runId))}>
            {busy === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        {!running && (
          <>
            {secretParams.map((p) => (
              <label key={p.name}>
                {p.name} (secret, for the rerun){' '}
                <input type="password" autoComplete="new-password" value={secrets[p.name] ?? ''} onInput={(e) => setSecrets({ ...secrets, [p.name]: (e.target as HTMLInputElement).value })} />
              </label>
            ))}
            <button
              type="button"
              disabled={busy !== undefined}
              onClick={() => {
                setBusy('rerun');
                rerunRun(r.runId, secrets).then((out) => (location.hash = href(['runs', out.runId])), fail).finally(() => setBusy(undefined));
              }}
            >
              {busy === 'rerun' ? 'Starting…' : 'Rerun'}
            </button>
          </>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {r.errors.length > 0 && (
        <section aria-label="Errors">
          <h2>Errors</h2>
          {r.errors.map((e, i) => (
            <pre key={i} class="error">
              {e.name}: {e.message}
            </pre>
          ))}
        </section>
      )}
      {data.signals.length > 0 && (
        <section aria-label="Signals">
          <h2>Signals</h2>
          <ul>
            {data.signals.map((s) => (
              <SignalRow key={s.name} runId={r.runId} signal={s} running={running} done={refresh} fail={fail} />
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Params">
        <h2>Params</h2>
        {Object.keys(r.params).length === 0 ? (
          <p class="muted">none</p>
        ) : (
          <table class="params">
            <tbody>
              {Object.entries(r.params).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>
                    <code>{text(v)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div class="columns">
        <section aria-label="Jobs and stages">
          <h2>Jobs and stages</h2>
          <ul class="tree">
            {data.jobs.map((j) => (
              <JobItem key={j.id} job={j} show={setShown} />
            ))}
          </ul>
        </section>
        {shown && <LogPanel shown={shown} logs={data.logs?.stages ?? []} close={() => setShown(undefined)} />}
      </div>
      {workflow && (
        <section class="graph-box" aria-label="Graph">
          <h2>Graph</h2>
          <GraphView graph={workflow.graph} title={`Jobs and stages of run ${r.runId}, coloured by status`} statusOf={nodeStatus(data)} />
        </section>
      )}
      <section aria-label="Timeline">
        <h2>Timeline</h2>
        {data.timeline ? <TimelineView timeline={data.timeline} now={r.endedAt ? Date.parse(r.endedAt) : Date.now()} /> : <p class="muted">No timings were recorded for this run (it was not run by this server).</p>}
      </section>
    </>
  );
}
