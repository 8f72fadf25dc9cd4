import { BoundedCache } from './bounded-cache.ts';
import { cachedExpression } from './cached-parse.ts';
import { describeValue, kindOf } from './describe-value.ts';
import { evaluate } from './evaluate.ts';
import { parseCondition } from './parse-condition.ts';
import { printExpression, quoteString } from './print-expression.ts';
import { toText } from './to-text.ts';
import { EvalError, type EvalContext, type Node, type ParsedCondition, type QuoteContext } from './types.ts';

const conditions = new BoundedCache<string, ParsedCondition>(2000);

function wholeSpan(cond: string): { offset: number; length: number } {
  return { offset: 0, length: cond.length };
}

/** The source text that stands for `value` in a mixed condition. */
function splice(value: unknown, quote: QuoteContext, at: Node): string {
  if (quote !== 'none') return toText(value, 'python').replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`);
  switch (kindOf(value)) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(value);
    case 'number':
      return Number.isFinite(value) ? `(${String(value)})` : 'null';
    case 'string':
      return quoteString(value as string);
    default:
      throw new EvalError(
        'WF4006',
        `${printExpression(at)} is ${describeValue(value)}, which cannot stand in a condition outside quotes`,
        at,
        `write the whole condition as one template instead, e.g. \${{ contains(${printExpression(at)}, 'x') }}`,
      );
  }
}

function evaluateMixed(cond: string, parsed: ParsedCondition, ctx: EvalContext): unknown {
  let src = '';
  parsed.parts!.forEach((part, i) => {
    src += part.kind === 'text' ? part.text : splice(evaluate(part.ast!, ctx), parsed.quotes![i]!, part.ast!);
  });
  const expr = cachedExpression(src);
  const problem = expr.problems[0];
  if (problem || !expr.ast) {
    throw new EvalError(
      problem?.code ?? 'WF3001',
      `after replacing its templates, the condition ${JSON.stringify(src)} is not a valid expression: ${problem?.message ?? 'no expression'}`,
      wholeSpan(cond),
      'a value spliced between quotes is escaped, one outside quotes becomes a literal; prefer one template: ${{ params.name == \'foo\' }}',
    );
  }
  try {
    return evaluate(expr.ast, ctx);
  } catch (e) {
    if (e instanceof EvalError) throw new EvalError(e.code, `${e.message} (in the condition ${JSON.stringify(src)})`, wholeSpan(cond), e.note);
    throw e;
  }
}

/**
 * Evaluates a condition (YAML boolean, `${{ expr }}`, bare expression, or mixed form; see
 * `parseCondition`) to a boolean. Each distinct condition text is parsed once. Throws `EvalError`:
 * WF4007 when the result is not a boolean, with the value it produced; the problem's own code for
 * a syntax error or a failed evaluation.
 */
export function evaluateCondition(cond: boolean | string, ctx: EvalContext): boolean {
  if (typeof cond === 'boolean') return cond;
  if (typeof cond !== 'string') {
    throw new EvalError('WF4007', `a condition must be a boolean or a string, got ${describeValue(cond)}`, undefined, 'write true, false, or an expression such as ${{ params.x == 1 }}');
  }
  const parsed = conditions.getOrCompute(cond, parseCondition);
  const problem = parsed.problems[0];
  if (problem) throw new EvalError(problem.code, problem.message, problem, problem.note);
  const value = parsed.form === 'mixed' ? evaluateMixed(cond, parsed, ctx) : evaluate(parsed.ast!, ctx);
  if (typeof value === 'boolean') return value;
  const shown = parsed.ast ? printExpression(parsed.ast) : cond.trim();
  const note =
    value === 'true' || value === 'false'
      ? `the string ${JSON.stringify(value)} is not a boolean; compare it: ${shown} == '${value}'`
      : `a condition must give true or false; compare the value, e.g. ${shown} == 'yes', or test it with ${shown} != null`;
  throw new EvalError('WF4007', `condition ${JSON.stringify(cond.trim())} gave ${describeValue(value)}, not true or false`, parsed.ast ?? wholeSpan(cond), note);
}
