/**
 * Joins beyond all/any: `trigger-rule: {min-success: N}` runs a job when at least N of its needed
 * jobs succeeded (an N-of-M join). The job waits for all its needs to end, as every job of the plan
 * does (a Parallel state ends when all its branches have), then one Choice decides. With few
 * combinations the rule is an `Or` of `And`s over the needs' statuses (no extra state); with many,
 * a chain of Choice and Pass states counts the successes first (one Choice per need and one Pass
 * per success), so the definition stays small for any number of needs.
 */
import type { Job } from '../config/index.ts';
import type { ChoiceRule } from './asl/types.ts';
import type { CompileContext } from './compile-context.ts';

/** Up to this many N-of-M combinations are written as one rule; beyond, the successes are counted. */
export const MAX_JOIN_COMBINATIONS = 20;

/** The rule of a min-success join, and the states that must run before it is read (when counting). */
export interface Join {
  rule: ChoiceRule | boolean;
  /** Puts the counting states before `entry` (the job's entry Choice) and returns the first one. */
  prelude?: (entry: string) => string;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...combinations(rest, k - 1).map((c) => [first!, ...c]), ...combinations(rest, k)];
}

const succeeded = (job: string): ChoiceRule => ({ Variable: `$.jobs.${job}.status`, StringEquals: 'SUCCESS' });

/** The join of a job with `trigger-rule: {min-success: N}`; undefined for other jobs. */
export function minSuccessJoin(cx: CompileContext, job: Job): Join | undefined {
  const k = job.minSuccess;
  if (k === undefined) return undefined;
  const needs = job.needs;
  if (k <= 0) return { rule: true };
  if (k > needs.length) return { rule: false };
  if (binomial(needs.length, k) <= MAX_JOIN_COMBINATIONS) {
    const ands = combinations(needs, k).map((c): ChoiceRule => (c.length === 1 ? succeeded(c[0]!) : { And: c.map(succeeded) }));
    return { rule: ands.length === 1 ? ands[0]! : { Or: ands } };
  }
  const p = `$.__join${cx.nextId()}`;
  const label = [job.id, 'join'];
  return {
    rule: { Variable: `${p}.n`, NumericGreaterThanEquals: k },
    prelude: (entry) => {
      let next = entry;
      for (let i = needs.length - 1; i >= 0; i--) {
        const need = needs[i]!;
        const bump = cx.add([...label, `${need} succeeded`], { Type: 'Pass', Parameters: { 'n.$': `States.MathAdd(${p}.n, 1)` }, ResultPath: p, Next: next });
        next = cx.add([...label, need], { Type: 'Choice', Choices: [{ ...succeeded(need), Next: bump }], Default: next });
      }
      return cx.add([...label, 'count'], { Type: 'Pass', Result: { n: 0 }, ResultPath: p, Next: next });
    },
  };
}
