import type { DiagnosticLog } from './diagnostic-log.ts';
import type { Workflow } from './model.ts';

/**
 * A scheduled start passes no params, so a scheduled workflow with a required param (no default)
 * would fail every scheduled run with a ParamError: warn at the param.
 */
export function checkScheduledParams(log: DiagnosticLog, workflows: ReadonlyMap<string, Workflow>): void {
  for (const w of workflows.values()) {
    if (!w.on.schedules.length) continue;
    for (const p of Object.values(w.params)) {
      if (!p.required) continue;
      log.add(
        'warning',
        'WF2009',
        `workflow "${w.name}" runs on a schedule, which passes no params, but param "${p.name}" is required`,
        p.loc,
        `give "${p.name}" a default, or mark it \`required: false\``,
        [w.name],
      );
    }
  }
}
