import { checkExpression } from './check-expression.ts';
import { parseTemplate } from './parse-template.ts';
import type { ExprProblem, StaticScope } from './types.ts';

/**
 * Parses a string with `${{ }}` templates and checks every expression in it: syntax problems
 * (WF3xxx) and meaning problems (WF4xxx), positioned relative to `text`.
 */
export function checkTemplate(text: string, scope: StaticScope): ExprProblem[] {
  const { parts, problems } = parseTemplate(text);
  for (const part of parts) if (part.kind === 'expr' && part.ast) problems.push(...checkExpression(part.ast, scope));
  return problems;
}
