/**
 * Renders an `eval` value item in its mode. `text`, `python` and `bash` are the expression
 * engine's modes; the others shape the value for the state that reads it: `list` (foreach items)
 * must give a list, `seconds` (sleep) a number from 0 to 1800 rounded up to a whole second, `retry`
 * a whole number from 0 to 19 (the bounds `wf validate` holds a static sleep and retry to), and
 * `python-parts` splits py code into text parts and `{value, in}` parts that the Python runner
 * writes for their place: a literal in code, escaped text in a string (so no expression engine runs
 * in Python, and no value is ever read as code).
 */
import { EvalError, renderBashScript, renderPythonParts, renderValue, type EvalContext } from '../expr/index.ts';
import type { ValueMode } from '../protocol/index.ts';

/** The largest `sleep`, in seconds, as `wf validate` checks a static one. */
const MAX_SLEEP = 1800;
/** The largest `retry`, as `wf validate` checks a static one. */
const MAX_RETRY = 19;

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

/**
 * A docker stage's container overrides from `{env, cmd}`: `environment` as ECS's `[{Name, Value}]`
 * (values as text), `command` as arguments. A command given as text runs through `sh -c`, and its
 * templates become quoted references to `WF_VALUE_<n>` variables (render-bash.ts) whose values are
 * added to the environment, so no value is ever shell text; a command given as a list is arguments,
 * each rendered as a value; null is no command.
 */
function ecsOverrides(raw: unknown, ctx: EvalContext): { environment: Array<{ Name: string; Value: string }>; command: string[] } {
  const { env, cmd } = (raw ?? {}) as { env?: unknown; cmd?: unknown };
  const rendered = renderValue(env ?? {}, ctx);
  if (rendered === null || typeof rendered !== 'object' || Array.isArray(rendered)) throw new EvalError('WF4006', `env must be a map of names to values, but it is ${kindOf(rendered)}`);
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));
  const environment = Object.entries(rendered).map(([Name, v]) => ({ Name, Value: text(v) }));
  if (cmd === null || cmd === undefined || cmd === '') return { environment, command: [] };
  if (typeof cmd === 'string') {
    const { script, env: values } = renderBashScript(cmd, ctx);
    return { environment: [...environment, ...Object.entries(values).map(([Name, Value]) => ({ Name, Value }))], command: script ? ['sh', '-c', script] : [] };
  }
  const value = renderValue(cmd, ctx);
  return { environment, command: Array.isArray(value) ? value.map(text) : value === null ? [] : ['sh', '-c', text(value)] };
}

/** The value of `raw` rendered in `mode`; throws `EvalError` when it cannot be, or has the wrong shape. */
export function renderEvalValue(raw: unknown, ctx: EvalContext, mode: ValueMode = 'text'): unknown {
  switch (mode) {
    case 'python-parts':
      return typeof raw === 'string' ? renderPythonParts(raw, ctx) : [{ value: renderValue(raw, ctx) }];
    case 'list': {
      const value = renderValue(raw, ctx);
      if (Array.isArray(value)) return value;
      throw new EvalError('WF4006', `foreach needs a list, but the value is ${kindOf(value)}`, undefined, 'a JSON text becomes a list with fromJson(...)');
    }
    case 'ecs-overrides':
      return ecsOverrides(raw, ctx);
    case 'seconds': {
      const value = renderValue(raw, ctx);
      const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n) && n >= 0) {
        if (n > MAX_SLEEP) throw new EvalError('WF4006', `"sleep" must be at most ${MAX_SLEEP}, got ${n}`, undefined, `a sleep is 0 to ${MAX_SLEEP} seconds; for a longer pause, wait for a signal or schedule a later run`);
        return Math.ceil(n);
      }
      throw new EvalError('WF4006', `a number of seconds (0 or more) is needed, but the value is ${kindOf(value)}`);
    }
    case 'retry': {
      const value = renderValue(raw, ctx);
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new EvalError('WF4006', `"retry" must be a whole number from 0 to ${MAX_RETRY}, but the value is ${kindOf(value)}`);
      if (n < 0) throw new EvalError('WF4006', `"retry" must be at least 0, got ${n}`);
      if (n > MAX_RETRY) throw new EvalError('WF4006', `"retry" must be at most ${MAX_RETRY}, got ${n}`, undefined, `a stage is tried at most ${MAX_RETRY + 1} times (retry 0 to ${MAX_RETRY})`);
      return n;
    }
    default:
      return renderValue(raw, ctx, mode);
  }
}
