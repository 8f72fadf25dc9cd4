import { checkExpression } from './check-expression.ts';
import { parseCondition } from './parse-condition.ts';
import type { ExprProblem, StaticScope } from './types.ts';

/**
 * Parses a condition in any of its forms and checks it: syntax problems (WF3xxx, including the
 * text around the templates of a mixed condition) and meaning problems (WF4xxx), positioned
 * relative to the condition text.
 */
export function checkCondition(cond: boolean | string, scope: StaticScope): ExprProblem[] {
  const parsed = parseCondition(cond);
  const problems = [...parsed.problems];
  if (parsed.form === 'mixed') {
    for (const part of parsed.parts!) if (part.kind === 'expr' && part.ast) problems.push(...checkExpression(part.ast, scope));
  } else if (parsed.ast) problems.push(...checkExpression(parsed.ast, scope));
  return problems;
}
