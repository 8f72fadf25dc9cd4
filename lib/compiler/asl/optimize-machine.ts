/**
 * Peephole passes over a compiled machine that remove transitions without changing what a run
 * does (each transition of a Standard workflow is billed):
 *
 * - **Known values**: a Pass that writes a constant (`Result` at `ResultPath`) and goes to a Choice
 *   whose rules read nothing but that path goes straight to where the Choice would send it (a
 *   single job's end goes to the run's result without the run-status Choice).
 * - **Choice chains**: a Choice that leads to another Choice takes that Choice's rules, each
 *   joined with its own rule by `And`, so one state decides both (the second is moved when
 *   nothing else reaches it, copied when it is small).
 * - **Ends**: a Pass that goes to a bare Succeed state ends the execution itself.
 *
 * States that carry progress information (`keep`) are never removed: progress and the audit read
 * their events.
 */
import type { ChoiceRule, Machine, State } from './types.ts';
import { targetsOf } from './check-machine.ts';

type Rule = ChoiceRule & { Next?: string };

/** A Choice with at most this many rules is copied into each Choice that leads to it. */
const SMALL_CHOICE = 3;

/** The condition of a rule (the rule without its `Next`). */
function conditionOf(rule: Rule): ChoiceRule {
  const { Next: _next, ...cond } = rule;
  return cond;
}

/** The rule `a and b`, flattening nested `And`s. */
function and(a: ChoiceRule, b: ChoiceRule): ChoiceRule {
  const parts = (r: ChoiceRule): ChoiceRule[] => ((r as { And?: ChoiceRule[] }).And && Object.keys(r).length === 1 ? (r as { And: ChoiceRule[] }).And : [r]);
  return { And: [...parts(a), ...parts(b)] } as ChoiceRule;
}

/** How each state is reached: the number of transitions into it from the machine's own states (plus one for StartAt). */
function referenceCounts(m: Machine): Map<string, number> {
  const counts = new Map<string, number>([[m.StartAt, 1]]);
  for (const st of Object.values(m.States)) for (const t of targetsOf(st)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** The value a rule gives for `value` at `path`, or undefined when it reads anything else or uses another comparison. */
function decide(rule: ChoiceRule, path: string, value: unknown): boolean | undefined {
  const r = rule as Record<string, unknown>;
  if (Array.isArray(r.And)) {
    const parts = (r.And as ChoiceRule[]).map((x) => decide(x, path, value));
    return parts.some((p) => p === undefined) ? undefined : parts.every(Boolean);
  }
  if (Array.isArray(r.Or)) {
    const parts = (r.Or as ChoiceRule[]).map((x) => decide(x, path, value));
    return parts.some((p) => p === undefined) ? undefined : parts.some(Boolean);
  }
  if (r.Not) {
    const inner = decide(r.Not as ChoiceRule, path, value);
    return inner === undefined ? undefined : !inner;
  }
  if (r.Variable !== path) return undefined;
  if ('StringEquals' in r) return typeof value === 'string' && value === r.StringEquals;
  if ('IsPresent' in r) return r.IsPresent === true;
  return undefined;
}

/** Where a Choice sends a document whose `path` is `value`, when its rules read only that path. */
function staticTarget(choice: State, path: string, value: unknown): string | undefined {
  for (const rule of choice.Choices ?? []) {
    const d = decide(rule, path, value);
    if (d === undefined) return undefined;
    if (d) return (rule as Rule).Next;
  }
  return choice.Default;
}

function optimizeStates(m: Machine, keep: ReadonlySet<string>): void {
  const states = m.States;
  // Known values.
  for (const st of Object.values(states)) {
    if (st.Type !== 'Pass' || st.Next === undefined || st.Result === undefined || typeof st.ResultPath !== 'string') continue;
    if (st.Parameters !== undefined || st.InputPath !== undefined || st.OutputPath !== undefined || (typeof st.Result === 'object' && st.Result !== null)) continue;
    const next = states[st.Next];
    if (next?.Type !== 'Choice') continue;
    const target = staticTarget(next, st.ResultPath, st.Result);
    if (target !== undefined) st.Next = target;
  }
  // Choice chains. A Choice reached from nowhere else is moved into the one that reaches it; a
  // small one reached from several places is copied (it stays for the others).
  const refs = referenceCounts(m);
  const bump = (t: string | undefined, by: number): void => {
    if (t !== undefined) refs.set(t, (refs.get(t) ?? 0) + by);
  };
  for (const name of Object.keys(states)) {
    const st = states[name];
    if (st?.Type !== 'Choice') continue;
    const fusable = (t: string | undefined): t is string => {
      const inner = t === undefined || t === name ? undefined : states[t];
      if (inner?.Type !== 'Choice' || inner.Default === undefined || keep.has(t!)) return false;
      return refs.get(t!) === 1 || (inner.Choices ?? []).length <= SMALL_CHOICE;
    };
    /** Takes `t` out of this Choice's targets: deletes it when nothing else reaches it, else counts the copy's targets. */
    const take = (t: string): State => {
      const inner = states[t]!;
      bump(t, -1);
      if (refs.get(t) === 0) delete states[t];
      else for (const target of targetsOf(inner)) bump(target, 1);
      return inner;
    };
    for (let changed = true; changed; ) {
      changed = false;
      const rules: Rule[] = [];
      for (const rule of (st.Choices ?? []) as Rule[]) {
        if (!fusable(rule.Next)) {
          rules.push(rule);
          continue;
        }
        const inner = take(rule.Next);
        const cond = conditionOf(rule);
        for (const r of (inner.Choices ?? []) as Rule[]) rules.push({ ...and(cond, conditionOf(r)), Next: r.Next } as Rule);
        rules.push({ ...cond, Next: inner.Default } as Rule);
        changed = true;
      }
      st.Choices = rules;
      if (fusable(st.Default)) {
        const inner = take(st.Default);
        st.Choices.push(...((inner.Choices ?? []) as Rule[]));
        st.Default = inner.Default;
        changed = true;
      }
    }
  }
  // Ends.
  for (const st of Object.values(states)) {
    if (st.Type !== 'Pass' || st.Next === undefined) continue;
    const next = states[st.Next]!;
    if (next.Type === 'Succeed' && next.InputPath === undefined && next.OutputPath === undefined && !keep.has(st.Next)) {
      delete st.Next;
      st.End = true;
    }
  }
  for (const st of Object.values(states)) {
    for (const b of st.Branches ?? []) optimizeStates(b, keep);
    if (st.ItemProcessor) optimizeStates(st.ItemProcessor, keep);
  }
}

/** Applies the passes (see the file comment) to `m` and every branch and item processor in it, in place. */
export function optimizeMachine(m: Machine, keep: ReadonlySet<string>): void {
  optimizeStates(m, keep);
}
