/** The AWS rules the compiler checks every machine against (see docs/compilation.md, "AWS rules we enforce"). */
import type { Machine } from '../types.ts';
import type { AslRule } from './asl-rule.ts';
import { backoffRate } from './backoff-rate.ts';
import { choiceRuleNext } from './choice-rule-next.ts';
import { definitionSubstitutions } from './definition-substitutions.ts';
import { intrinsicSyntax } from './intrinsic-syntax.ts';
import { serviceRetries } from './service-retries.ts';
import { stateNameLength } from './state-name-length.ts';
import { statesAllLast } from './states-all-last.ts';
import { transitions } from './transitions.ts';
import { uniqueStateNames } from './unique-state-names.ts';
import { wholeNumbers } from './whole-numbers.ts';

export type { AslRule } from './asl-rule.ts';
export { targetsOf } from './transitions.ts';
export { LAMBDA_SERVICE_ERRORS, START_EXECUTION_ERRORS, ECS_RUN_TASK_ERRORS } from './service-retries.ts';

/** Every rule, in the order their problems are reported. */
export const AWS_RULES: readonly AslRule[] = [
  transitions,
  uniqueStateNames,
  stateNameLength,
  wholeNumbers,
  backoffRate,
  choiceRuleNext,
  statesAllLast,
  intrinsicSyntax,
  definitionSubstitutions,
  serviceRetries,
];

/** The problems of a machine under every rule, each prefixed with its rule's id. */
export function awsRuleProblems(m: Machine, json: string): string[] {
  return AWS_RULES.flatMap((r) => r.check(m, json).map((p) => `${r.id}: ${p}`));
}
