/**
 * Checks trigger stages across workflows: each names a workflow that exists (WF5004), passes only
 * params the child declares (WF7002), every param the child requires (WF7003), literal values that
 * fit the declared types (WF7001), and no workflow triggers itself, directly or through others
 * (WF5005). A templated target is checked for each workflow it can name (trigger-targets.ts); one
 * whose workflows are not known when compiling is WF5008. A templated param value is decided at
 * run time and not checked here.
 */
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import type { DiagnosticLog } from './diagnostic-log.ts';
import { findCycles } from './find-cycles.ts';
import type { TriggerStage, Workflow } from './model.ts';
import { triggerTargets } from './trigger-targets.ts';
import { coerceParam, REDACTED } from './parameterize.ts';
import { describeValue } from './describe-value.ts';
import { hasTemplate } from './has-template.ts';

/** Checks triggers of `workflows`; `known` also holds names from files that could not be read. */
export function checkTriggers(log: DiagnosticLog, workflows: ReadonlyMap<string, Workflow>, known: ReadonlySet<string>): void {
  const names = [...known].sort();
  const edges = new Map<string, { target: string; loc: Location }[]>();
  for (const [name, wf] of workflows) {
    const list: { target: string; loc: Location }[] = [];
    for (const site of triggerTargets(wf)) {
      const { stage, loc } = site;
      if (!site.targets) {
        const choices = Object.values(wf.params).filter((p) => p.type === 'choice').map((p) => p.name);
        log.add(
          'error',
          'WF5008',
          `stage "${stage.name}" triggers ${JSON.stringify(stage.trigger)}, whose workflows are not known when compiling`,
          loc,
          `declare a choice param whose options are the workflows it may start (params: {target: {type: choice, options: [${names.filter((n) => n !== name).slice(0, 3).join(', ')}]}}) and write trigger: \${{ params.target }}, or write one trigger stage per workflow under a case stage${choices.length ? `; choice params here are ${quoteList(choices)}` : ''}`,
          [name],
        );
        continue;
      }
      for (const target of site.targets) {
        if (!known.has(target)) {
          const hint = didYouMean(target, names);
          const what = site.templated ? `can trigger unknown workflow "${target}" (a value of ${JSON.stringify(stage.trigger)})` : `triggers unknown workflow "${target}"`;
          log.add(
            'error',
            'WF5004',
            `stage "${stage.name}" ${what}`,
            loc,
            [names.length ? `workflows are ${quoteList(names)}` : undefined, hint].filter(Boolean).join('; ') || undefined,
            [name],
          );
          continue;
        }
        list.push({ target, loc });
        const child = workflows.get(target);
        if (child) checkTriggerParams(log, name, stage, child);
      }
    }
    edges.set(name, list);
  }
  const order = [...workflows.keys()];
  for (const cycle of findCycles(order, (n) => [...new Set((edges.get(n) ?? []).map((e) => e.target))])) {
    const edge = edges.get(cycle[0]!)!.find((e) => e.target === cycle[1]);
    log.add(
      'error',
      'WF5005',
      `trigger cycle: ${cycle.join(' → ')}`,
      edge?.loc,
      'a workflow cannot trigger itself, directly or through other workflows',
      [...new Set(cycle)],
    );
  }
}

function checkTriggerParams(log: DiagnosticLog, owner: string, stage: TriggerStage, child: Workflow): void {
  const loc = stage.fieldLocs.params ?? stage.fieldLocs.trigger ?? stage.loc;
  const declared = Object.keys(child.params);
  for (const [key, value] of Object.entries(stage.params)) {
    const at = stage.fieldLocs[`params.${key}`] ?? loc;
    const param = child.params[key];
    if (!param) {
      const hint = didYouMean(key, declared);
      log.add(
        'error',
        'WF7002',
        `stage "${stage.name}" passes param "${key}", which workflow "${child.name}" does not declare`,
        at,
        [declared.length ? `declared params are ${quoteList(declared)}` : `workflow "${child.name}" declares no params`, hint].filter(Boolean).join('; '),
        [owner],
      );
      continue;
    }
    if (value === null || value === undefined || hasTemplate(value)) continue;
    const r = coerceParam(param, value);
    if (!r.ok) {
      log.add(
        'error',
        'WF7001',
        `stage "${stage.name}" passes param "${key}" of workflow "${child.name}" a value that does not fit: expected ${r.error.expected}, got ${param.secret ? REDACTED : describeValue(value)}`,
        at,
        r.error.note,
        [owner],
      );
    }
  }
  for (const param of Object.values(child.params)) {
    if (param.required && !(param.name in stage.params)) {
      log.add(
        'error',
        'WF7003',
        `stage "${stage.name}" does not pass param "${param.name}", which workflow "${child.name}" requires`,
        loc,
        `add it under params:, or give it a default in workflow "${child.name}"`,
        [owner],
      );
    }
  }
}
