/**
 * Templates in py code (`run:`): each is rendered for its place (python-sites.ts), never pasted in as
 * code. `renderPythonParts` gives the code as text parts and value parts that carry their place, the
 * form the Python runner takes (it writes each value with `join_code`); `pythonCodeProblems` finds,
 * from the file alone, templates at places no value can be written safely (WF4009, with the rewrite).
 */
import { cachedTemplate } from './cached-parse.ts';
import { evaluate } from './evaluate.ts';
import { printExpression } from './print-expression.ts';
import { pythonSites, type PythonSite } from './python-sites.ts';
import { pythonText } from './python-text.ts';
import { EvalError, type EvalContext, type ExprProblem } from './types.ts';
import { templateGaps, type ExprPart } from './template-gaps.ts';

/** A piece of py code: text as written, or a value with its place (absent: code, a Python literal). */
export type PythonPart = string | { value: unknown; in?: 'string' | 'fstring' };

/** The template's expression parts, each with its site in the code around it. */
export function pythonTemplateSites(code: string): Array<{ part: ExprPart; site: PythonSite }> {
  const { texts, exprs } = templateGaps(code);
  const sites = pythonSites(texts);
  return exprs.map((part, i) => ({ part, site: sites[i]! }));
}

function refusal(part: ExprPart, why: string): ExprProblem {
  const expr = part.ast ? printExpression(part.ast) : part.src.trim();
  return {
    code: 'WF4009',
    message: `\${{ ${expr} }} is ${why}, where a value cannot be escaped safely`,
    offset: part.offset,
    length: part.length,
    note: `give the value a name outside the string and use the name: value = \${{ ${expr} }} (a template in code is a Python literal), or pass it in vars:`,
  };
}

/** Templates at places in `code` where a value cannot be written safely (WF4009). */
export function pythonCodeProblems(code: string): ExprProblem[] {
  if (!code.includes('${{')) return [];
  return pythonTemplateSites(code).flatMap(({ part, site }) => (site.kind === 'refused' ? [refusal(part, site.why)] : []));
}

/**
 * Renders py code into parts: text as written, each template's value with its place. Throws
 * `EvalError` for a template's syntax or evaluation error, and WF4009 for a template at a place no
 * value can be written safely (which `wf validate` reports first).
 */
export function renderPythonParts(code: string, ctx: EvalContext): PythonPart[] {
  const parsed = cachedTemplate(code);
  const problem = parsed.problems[0];
  if (problem) throw new EvalError(problem.code, problem.message, problem, problem.note);
  const sites = new Map(pythonTemplateSites(code).map(({ part, site }) => [part, site]));
  const out: PythonPart[] = [];
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      const prev = out[out.length - 1];
      if (typeof prev === 'string') out[out.length - 1] = prev + part.text;
      else out.push(part.text);
      continue;
    }
    const site = sites.get(part)!;
    if (site.kind === 'refused') {
      const p = refusal(part, site.why);
      throw new EvalError(p.code, p.message, p, p.note);
    }
    const value = evaluate(part.ast!, ctx);
    out.push(site.kind === 'code' ? { value } : { value, in: site.kind });
  }
  return out;
}

/** The code the Python runner runs for `parts` (as its `join_code` writes them). */
export function joinPythonParts(parts: readonly PythonPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : pythonText(p.value, { kind: p.in ?? 'code' }))).join('');
}
