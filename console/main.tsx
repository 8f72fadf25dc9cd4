/**
 * The web console of `wf serve` (docs/console.md): workflows, runs and a run's page, routed by
 * the address's `#/...` part. Bundled with preact and dagre by esbuild
 * (lib/serve/console/bundle-console.ts); it calls only its own server.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getWorkflows, type WorkflowView } from './api.ts';
import './console.css';
import { RunPage } from './run-page.tsx';
import { RunsPage } from './runs-page.tsx';
import { StartForm } from './start-form.tsx';
import { href, useRoute } from './use-route.ts';
import { WorkflowsPage } from './workflows-page.tsx';

function App() {
  const route = useRoute();
  const [workflows, setWorkflows] = useState<WorkflowView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    getWorkflows().then(
      (d) => setWorkflows(d.workflows),
      (e: Error) => setError(e.message),
    );
  }, []);
  const [section, ...rest] = route.parts;
  const path = route.parts.join('/');
  const firstPath = useRef(path);
  // After moving to another page, focus its content (as a page load would), not on the first load.
  useEffect(() => {
    if (path !== firstPath.current) document.getElementById('main')?.focus();
    firstPath.current = '\u0000';
  }, [path]);
  let page;
  if (error) {
    page = (
      <p class="error" role="alert">
        {error}
      </p>
    );
  } else if (!workflows) page = <p>Loading…</p>;
  else if (section === 'runs' && rest[0] !== undefined) page = <RunPage key={rest[0]} runId={rest[0]} workflows={workflows} />;
  else if (section === 'runs') page = <RunsPage workflows={workflows} route={route} />;
  else if (section === 'start' && rest[0] !== undefined) {
    const workflow = workflows.find((w) => w.name === rest[0]);
    page = workflow ? (
      <>
        <h1>Start {workflow.name}</h1>
        {workflow.description && <p>{workflow.description}</p>}
        <StartForm workflow={workflow} onStarted={(runId) => (location.hash = href(['runs', runId]))} />
      </>
    ) : (
      <p class="error">No workflow {rest[0]} is served.</p>
    );
  } else page = <WorkflowsPage workflows={workflows} />;
  const current = section === 'runs' ? 'runs' : 'workflows';
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">wf console</span>
        <nav aria-label="Sections">
          <a href={href(['workflows'])} aria-current={current === 'workflows' ? 'page' : undefined}>
            Workflows
          </a>
          <a href={href(['runs'])} aria-current={current === 'runs' ? 'page' : undefined}>
            Runs
          </a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
