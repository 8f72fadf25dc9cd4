/**
 * The workflows each trigger stage can start: its literal target, or every text its templated
 * target can render to when that set is known when compiling (see static-values.ts).
 */
import type { Location } from '../diagnostics/index.ts';
import { childLists } from './child-lists.ts';
import type { Stage, TriggerStage, Workflow } from './model.ts';
import { staticScopes } from './static-scopes.ts';
import { staticValues } from './static-values.ts';

/** A trigger stage and the workflows it can start. */
export interface TriggerSite {
  stage: TriggerStage;
  /** The possible targets, sorted; `undefined` when a templated target's values are not known when compiling. */
  targets?: string[];
  /** Whether the target is a template. */
  templated: boolean;
  /** Where the target (its first template, when templated) is written. */
  loc: Location;
}

/** Where the first `${{` of `text` is, given the location of the YAML value that holds it. */
function templateLoc(loc: Location, text: string): Location {
  const at = text.indexOf('${{');
  if (at <= 0 || text.includes('\n')) return loc;
  // A plain scalar spans the text; a quoted one the text and its two quotes.
  const shift = loc.length === text.length ? at : loc.length === text.length + 2 ? at + 1 : undefined;
  if (shift === undefined) return loc;
  const close = text.indexOf('}}', at);
  return { ...loc, offset: loc.offset + shift, col: loc.col + shift, length: close < 0 ? text.length - at : close + 2 - at };
}

/** Every trigger stage of `workflow` with a non-empty target, in document order, with its possible targets. */
export function triggerTargets(workflow: Workflow): TriggerSite[] {
  const scopes = staticScopes(workflow);
  const out: TriggerSite[] = [];
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.kind === 'trigger' && s.trigger !== '') {
        const loc = s.fieldLocs.trigger ?? s.loc;
        if (!s.trigger.includes('${{')) out.push({ stage: s, targets: [s.trigger], templated: false, loc });
        else {
          const targets = staticValues(s.trigger, scopes.get(s) ?? new Map());
          out.push({ stage: s, ...(targets ? { targets } : {}), templated: true, loc: templateLoc(loc, s.trigger) });
        }
      }
      for (const list of childLists(s)) walk(list);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return out;
}
