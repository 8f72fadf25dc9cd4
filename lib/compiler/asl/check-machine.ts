/**
 * Checks that AWS enforces when a machine is created but schema validation does not: whole
 * numbers, state name length, definition size; plus a reachability check and an estimate of the
 * history events one run can produce.
 */
import type { Diagnostic } from '../../diagnostics/index.ts';
import type { Workflow } from '../../config/index.ts';
import type { Machine, State } from './types.ts';

const MAX_DEFINITION_BYTES = 1024 * 1024;
/** Step Functions' limit of history events per Standard execution. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Every state name a state can go to: its Next, a Choice's Default and rules, its Catch targets. */
export function targetsOf(st: State): string[] {
  return [st.Next, st.Default, ...(st.Choices ?? []).map((c) => (c as { Next?: string }).Next), ...(st.Catch ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string' && t !== '');
}

function walk(m: Machine, where: string, problems: string[]): void {
  const names = Object.keys(m.States);
  const seen = new Set([m.StartAt]);
  if (!m.States[m.StartAt]) problems.push(`${where}: StartAt "${m.StartAt}" does not exist`);
  for (const [n, st] of Object.entries(m.States)) {
    for (const t of targetsOf(st)) {
      if (!m.States[t]) problems.push(`${where}/${n}: Next "${t}" does not exist`);
      seen.add(t);
    }
    if (!st.Next && !st.End && !['Choice', 'Succeed', 'Fail'].includes(st.Type)) problems.push(`${where}/${n}: no Next or End`);
    if (n.length > 80 && [...n].length > 80) problems.push(`${where}/${n}: state name over 80 characters`);
    const whole = (v: unknown, what: string, min = 0): void => {
      if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min)) problems.push(`${where}/${n}: ${what} must be a whole number ≥ ${min}, got ${String(v)}`);
    };
    whole(st.Seconds, 'Seconds');
    whole(st.TimeoutSeconds, 'TimeoutSeconds', 1);
    whole(st.MaxConcurrency, 'MaxConcurrency');
    for (const r of st.Retry ?? []) {
      whole(r.IntervalSeconds, 'IntervalSeconds', 1);
      whole(r.MaxAttempts, 'MaxAttempts');
      if (r.BackoffRate !== undefined && r.BackoffRate < 1) problems.push(`${where}/${n}: BackoffRate below 1`);
    }
    for (const b of st.Branches ?? []) walk(b, `${where}/${n}`, problems);
    if (st.ItemProcessor) walk(st.ItemProcessor, `${where}/${n}`, problems);
  }
  for (const n of names) if (!seen.has(n)) problems.push(`${where}/${n}: unreachable`);
}

/** Structural problems of a machine (empty when it is well formed). */
export function structuralProblems(m: Machine): string[] {
  const problems: string[] = [];
  walk(m, 'machine', problems);
  return problems;
}

/** A Task that waits for its job to finish (`.sync`, `.sync:2`): its history records a submission too. */
export function isSyncTask(st: State): boolean {
  return st.Type === 'Task' && /\.sync(:\d+)?$/.test(st.Resource ?? '');
}

/** History events a state adds each time it runs (its entry and exit, and a Task's scheduling). */
function eventsOfState(st: State): number {
  switch (st.Type) {
    case 'Task':
      // Entered, Scheduled, Started, (Submitted for `.sync`), Succeeded, Exited.
      return isSyncTask(st) ? 6 : 5;
    case 'Map':
    case 'Parallel':
      // Entered, <Type>StateStarted, <Type>StateSucceeded, Exited.
      return 4;
    default:
      return 2;
  }
}

/**
 * An upper bound of the history events of one execution, as Step Functions counts them, with
 * every state run once (a Choice's branches all counted) and each Map running `mapItems` items
 * (a number, or one per Map state): the execution's start and end, each state's events (see
 * {@link eventsOfState}), and per Map item its iteration's start and end. Loops (until, retries)
 * are not multiplied.
 */
export function estimateHistoryEvents(m: Machine, mapItems: number | ((map: State) => number) = 10, top = true): number {
  let total = top ? 2 : 0;
  for (const st of Object.values(m.States)) {
    total += eventsOfState(st);
    for (const b of st.Branches ?? []) total += estimateHistoryEvents(b, mapItems, false);
    if (st.ItemProcessor) total += (typeof mapItems === 'number' ? mapItems : mapItems(st)) * (2 + estimateHistoryEvents(st.ItemProcessor, mapItems, false));
  }
  return total;
}

/** Limit diagnostics for a compiled definition. */
export function checkMachine(m: Machine, json: string, workflow: Workflow): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_DEFINITION_BYTES) {
    out.push({
      code: 'WF6002',
      severity: 'error',
      message: `workflow "${workflow.name}" compiles to ${bytes} bytes, over Step Functions' 1 MB definition limit`,
      location: workflow.loc,
      note: 'split it: move jobs into child workflows and start them with `trigger` stages',
    });
  }
  const events = estimateHistoryEvents(m);
  if (events > MAX_HISTORY_EVENTS * 0.8) {
    out.push({
      code: 'WF6003',
      severity: 'warning',
      message: `a run of workflow "${workflow.name}" may produce about ${events} history events (Step Functions' limit is ${MAX_HISTORY_EVENTS} per Standard execution)`,
      location: workflow.loc,
      note: 'move large loops or foreach stages into a child workflow (`trigger`) so each execution stays under the limit',
    });
  }
  for (const p of structuralProblems(m)) out.push({ code: 'WF6001', severity: 'error', message: `internal: compiled machine is malformed: ${p}`, location: workflow.loc });
  return out;
}
