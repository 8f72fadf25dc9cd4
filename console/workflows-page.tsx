/** The workflows page: each workflow's description, params, schedules (next releases) and graph. */
import type { WorkflowView } from './api.ts';
import { when, text } from './format.ts';
import { GraphView } from './graph-view.tsx';
import { href } from './use-route.ts';

function Workflow(props: { workflow: WorkflowView }) {
  const w = props.workflow;
  return (
    <article class="workflow" aria-labelledby={`wf-${w.name}`}>
      <header class="row">
        <h2 id={`wf-${w.name}`} title={w.file}>
          {w.name}
        </h2>
        <a class="button primary" href={href(['start', w.name])}>
          Start a run<span class="visually-hidden"> of {w.name}</span>
        </a>
        <a class="button" href={href(['runs'], { workflow: w.name })}>
          History<span class="visually-hidden"> of {w.name}</span>
        </a>
      </header>
      {w.description && <p>{w.description}</p>}
      <div class="columns">
        <section aria-label={`Params of ${w.name}`}>
          <h3>Params</h3>
          {w.params.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">name</th>
                  <th scope="col">type</th>
                  <th scope="col">default</th>
                </tr>
              </thead>
              <tbody>
                {w.params.map((p) => (
                  <tr key={p.name}>
                    <th scope="row">
                      {p.name}
                      {p.description && <div class="muted">{p.description}</div>}
                    </th>
                    <td>
                      {p.type}
                      {p.options ? ` (${p.options.map(String).join(', ')})` : ''}
                      {p.secret ? ', secret' : ''}
                    </td>
                    <td>{p.required ? <em>required</em> : p.secret && p.hasDefault ? '***' : p.hasDefault ? text(p.default) : <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-label={`Schedules of ${w.name}`}>
          <h3>Schedules</h3>
          {w.schedules.length === 0 ? (
            <p class="muted">none (started by hand)</p>
          ) : (
            <ul>
              {w.schedules.map((s) => (
                <li key={s.cron + s.timezone}>
                  <code>{s.cron}</code> ({s.timezone}): next {s.next.map(when).join('; ')}
                </li>
              ))}
            </ul>
          )}
          {w.signals.length > 0 && (
            <p>
              Waits for signals: {w.signals.map((s) => <code key={s}>{s} </code>)}
            </p>
          )}
        </section>
      </div>
      <section class="graph-box" aria-label={`Graph of ${w.name}`}>
        <h3>Graph</h3>
        <GraphView graph={w.graph} title={`Jobs and stages of ${w.name}`} />
      </section>
    </article>
  );
}

/** Every served workflow. */
export function WorkflowsPage(props: { workflows: WorkflowView[] }) {
  return (
    <>
      <h1>Workflows</h1>
      {props.workflows.map((w) => (
        <Workflow key={w.name} workflow={w} />
      ))}
    </>
  );
}
