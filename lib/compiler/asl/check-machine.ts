/**
 * Checks of a compiled machine: the AWS rules schema validation does not know (rules/), the
 * definition size, and an estimate of the history events one run can produce.
 */
import type { Diagnostic } from '../../diagnostics/index.ts';
import type { Workflow } from '../../config/index.ts';
import type { Machine, State } from './types.ts';
import { definitionText } from './placeholders.ts';
import { awsRuleProblems } from './rules/index.ts';

export { targetsOf } from './rules/index.ts';

const MAX_DEFINITION_BYTES = 1024 * 1024;
/** Step Functions' limit of history events per Standard execution. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Structural problems of a machine under the AWS rules the compiler checks (empty when it follows them all). */
export function structuralProblems(m: Machine, json: string = definitionText(m)): string[] {
  return awsRuleProblems(m, json);
}

/** A Task that waits for its job to finish (`.sync`, `.sync:2`): its history records a submission too. */
export function isSyncTask(st: State): boolean {
  return st.Type === 'Task' && /\.sync(:\d+)?$/.test(st.Resource ?? '');
}

/** Whether a Map state is a Distributed Map (its items run in child executions). */
export function isDistributed(st: State): boolean {
  return st.Type === 'Map' && st.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
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
    // A Distributed Map's items run in child executions, each with a history of its own.
    if (st.ItemProcessor && !isDistributed(st)) total += (typeof mapItems === 'number' ? mapItems : mapItems(st)) * (2 + estimateHistoryEvents(st.ItemProcessor, mapItems, false));
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
  for (const p of structuralProblems(m, json)) out.push({ code: 'WF6001', severity: 'error', message: `internal: compiled machine is malformed: ${p}`, location: workflow.loc });
  return out;
}
