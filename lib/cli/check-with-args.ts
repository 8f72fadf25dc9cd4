/**
 * `wf validate --registry`: a call stage's constant `with:` values are checked against the
 * function's declared schema, as the stage runner checks them before a call, so a wrong argument
 * is found before anything runs (WF7001, at the stage's `with`). Templated values, and stages whose
 * `uses` is templated or unknown (WF5007 says so), are left to run time.
 */
import { childLists, type Stage, type Workflow } from '../config/index.ts';
import type { Diagnostic } from '../diagnostics/index.ts';
import { checkCallArgs, lookupFunction } from '../runtime/index.ts';

function* stagesOf(list: readonly Stage[]): Generator<Stage> {
  for (const s of list) {
    yield s;
    for (const child of childLists(s)) yield* stagesOf(child);
  }
}

/** The problems of every constant `with:` of the workflows' call stages. */
export function checkWithArgs(workflows: Iterable<Workflow>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const w of workflows) {
    for (const job of Object.values(w.jobs)) {
      for (const stage of stagesOf(job.stages)) {
        if (stage.kind !== 'call' || stage.uses.includes('${{') || JSON.stringify(stage.with).includes('${{')) continue;
        const found = lookupFunction(stage.uses);
        if (!found.ok) continue;
        const check = checkCallArgs(found.entry.schema, stage.with as Record<string, unknown>);
        if (check.ok) continue;
        out.push({
          code: 'WF7001',
          severity: 'error',
          message: `stage "${stage.name}" calls ${stage.uses} with arguments its schema refuses: ${check.problems.map((p) => `${p.path}: expected ${p.expected}, received ${p.received}`).join('; ')}`,
          location: stage.fieldLocs.with ?? stage.fieldLocs.args ?? stage.loc,
          note: 'fix the values under with:, or see the function\'s schema where it is registered',
        });
      }
    }
  }
  return out;
}
