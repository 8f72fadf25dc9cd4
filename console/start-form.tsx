/**
 * The form that starts a run, generated from the workflow's params: a field per param by type
 * (a list for a choice, a checkbox for a bool with a default, a password field for a secret),
 * required params marked and enforced, defaults filled in (never a secret's). Empty fields are
 * left out, so the param's default applies; the server checks the params and the form shows
 * every problem it reports.
 */
import { useState } from 'preact/hooks';
import { ApiError, startRun, type ParamView, type WorkflowView } from './api.ts';
import { text } from './format.ts';

function initial(p: ParamView): string | boolean {
  if (p.type === 'bool' && p.hasDefault) return p.default === true;
  if (!p.hasDefault || p.secret || p.default === null || p.default === undefined) return '';
  return typeof p.default === 'string' ? p.default : text(p.default);
}

function Field(props: { param: ParamView; value: string | boolean; set: (v: string | boolean) => void }) {
  const { param: p, value, set } = props;
  const id = `param-${p.name}`;
  const hint = [p.type + (p.secret ? ', secret' : ''), p.required ? 'required' : p.hasDefault ? (p.secret ? 'has a default' : `default ${text(p.default)}`) : 'optional'].join(' · ');
  const label = (
    <label for={id}>
      {p.name}
      {p.required && <span aria-hidden="true"> *</span>}
    </label>
  );
  const described = `${id}-hint`;
  const common = { id, name: p.name, 'aria-describedby': described, required: p.required };
  let input;
  if (p.type === 'choice' && p.options) {
    input = (
      <select {...common} value={String(value)} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        {!p.hasDefault && <option value="">{p.required ? 'choose…' : '(none)'}</option>}
        {p.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (p.type === 'bool' && p.hasDefault) {
    input = <input {...common} required={false} type="checkbox" checked={value === true} onChange={(e) => set((e.target as HTMLInputElement).checked)} />;
  } else if (p.type === 'bool') {
    input = (
      <select {...common} value={String(value)} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        <option value="">{p.required ? 'choose…' : '(none)'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (p.type === 'map' || p.type === 'array') {
    input = <textarea {...common} rows={3} placeholder={p.type === 'map' ? '{"key": "value"}' : '["a", "b"]'} value={String(value)} onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />;
  } else {
    const type = p.secret ? 'password' : p.type === 'int' || p.type === 'float' ? 'number' : p.type === 'date' ? 'date' : 'text';
    input = (
      <input
        {...common}
        // One field whose type varies: the typings want one literal per element.
        type={type as 'text'}
        step={p.type === 'int' ? '1' : p.type === 'float' ? 'any' : undefined}
        inputMode={p.type === 'decimal' ? 'decimal' : undefined}
        placeholder={p.type === 'datetime' ? '2026-01-31T09:00:00Z' : undefined}
        autoComplete={p.secret ? 'new-password' : 'off'}
        value={String(value)}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
      />
    );
  }
  return (
    <div class={`field field-${p.type === 'bool' && p.hasDefault ? 'check' : 'input'}`}>
      {label}
      {input}
      <small id={described}>
        {hint}
        {p.description ? ` — ${p.description}` : ''}
      </small>
    </div>
  );
}

/** The start form of one workflow (see the file comment). */
export function StartForm(props: { workflow: WorkflowView; onStarted: (runId: string) => void }) {
  const { workflow } = props;
  const [values, setValues] = useState<Record<string, string | boolean>>(() => Object.fromEntries(workflow.params.map((p) => [p.name, initial(p)])));
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const params: Record<string, unknown> = {};
    for (const p of workflow.params) {
      const v = values[p.name];
      if (v === '' || v === undefined) continue;
      params[p.name] = v;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onStarted((await startRun(workflow.name, params)).runId);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="start-form" onSubmit={submit} aria-label={`Start ${workflow.name}`}>
      {workflow.params.length === 0 && <p>This workflow has no params.</p>}
      {workflow.params.map((p) => (
        <Field key={p.name} param={p} value={values[p.name] ?? ''} set={(v) => setValues({ ...values, [p.name]: v })} />
      ))}
      {error && (
        <div class="error" role="alert">
          <p>{error.message}</p>
          {error.problems.length > 0 && (
            <ul>
              {error.problems.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Starting…' : 'Start run'}
      </button>
    </form>
  );
}
