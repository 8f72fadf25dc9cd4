/**
 * Walks a compiled definition (the top level, every Parallel branch and every Map item processor)
 * for the benchmarks: the names of Lambda Task states, and the number of states.
 */
import type { Machine } from '../lib/compiler/index.ts';

/** The Resource of a Task that invokes a Lambda function (a runner invocation). */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

function eachState(m: Machine, visit: (name: string, st: Machine['States'][string]) => void): void {
  for (const [name, st] of Object.entries(m.States)) {
    visit(name, st);
    for (const b of st.Branches ?? []) eachState(b, visit);
    if (st.ItemProcessor) eachState(st.ItemProcessor, visit);
  }
}

/** Names of the Task states whose Resource is `arn:aws:states:::lambda:invoke` (names are unique per machine). */
export function lambdaTaskNames(definition: Machine): Set<string> {
  const out = new Set<string>();
  eachState(definition, (name, st) => {
    if (st.Type === 'Task' && st.Resource === LAMBDA_INVOKE) out.add(name);
  });
  return out;
}

/** How many states the definition holds, nested ones included. */
export function countStates(definition: Machine): number {
  let n = 0;
  eachState(definition, () => void n++);
  return n;
}
