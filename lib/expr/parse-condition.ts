/**
 * Conditions (`if`, `until`) come in four forms:
 * - `literal`: a YAML boolean;
 * - `template`: exactly one `${{ expr }}`;
 * - `bare`: an expression without `${{` (`params.x == 1`);
 * - `mixed` (the reference engine's): templates inside expression text
 *   (`'"${{ params.name }}" == "foo"'`). At evaluation each template is replaced by its value and
 *   the result parsed as an expression: inside quotes by its text (Python rendering, so a boolean
 *   is `True`, as the reference engine writes it; quotes and backslashes are escaped, so a value
 *   cannot end the string), outside quotes by a literal of its value (a string becomes a quoted
 *   string, so a value cannot inject operators).
 * `True`, `False` and `None` are literals in every form.
 */
import { parseExpression } from './parse-expression.ts';
import { isTemplate, isWholeTemplate, parseTemplate } from './parse-template.ts';
import type { ExprProblem, ParsedCondition, QuoteContext, TemplatePart } from './types.ts';

/** For each expression part, whether it sits inside a quoted string of the surrounding text; `none` for text parts. */
function quoteContexts(parts: readonly TemplatePart[]): QuoteContext[] {
  let quote: QuoteContext = 'none';
  return parts.map((part): QuoteContext => {
    if (part.kind === 'expr') return quote;
    const t = part.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (quote === 'none') {
        if (c === "'" || c === '"') quote = c;
      } else if (c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && t[i + 1] === "'") i++;
        else quote = 'none';
      }
    }
    return 'none';
  });
}

/**
 * The condition text with each template replaced by a stand-in of the same length (`null` outside
 * quotes, letters inside), so its syntax can be checked before run time with exact positions.
 */
function skeleton(cond: string, parts: readonly TemplatePart[], quotes: readonly QuoteContext[]): string {
  let out = '';
  parts.forEach((part, i) => {
    if (part.kind === 'text') out += part.text;
    else out += quotes[i] === 'none' ? 'null'.padEnd(part.length, ' ') : 'x'.repeat(part.length);
  });
  return out + cond.slice(out.length);
}

/**
 * Parses a condition once into its form and AST or template parts; evaluate it with
 * `evaluateCondition`. Problems are positioned relative to the condition text.
 */
export function parseCondition(cond: boolean | string): ParsedCondition {
  if (typeof cond === 'boolean') return { form: 'literal', value: cond, problems: [] };
  if (isWholeTemplate(cond)) {
    const { parts, problems } = parseTemplate(cond);
    const expr = parts.find((p) => p.kind === 'expr');
    const out: ParsedCondition = { form: 'template', parts, problems };
    if (expr?.kind === 'expr' && expr.ast) out.ast = expr.ast;
    return out;
  }
  if (isTemplate(cond)) {
    const { parts, problems } = parseTemplate(cond);
    const quotes = quoteContexts(parts);
    const all: ExprProblem[] = [...problems];
    if (problems.length === 0) {
      for (const p of parseExpression(skeleton(cond, parts, quotes)).problems) {
        all.push({ ...p, message: `${p.message} (in the condition text around its templates)` });
      }
    }
    return { form: 'mixed', parts, quotes, problems: all };
  }
  const { ast, problems } = parseExpression(cond);
  const out: ParsedCondition = { form: 'bare', problems };
  if (ast) out.ast = ast;
  return out;
}
