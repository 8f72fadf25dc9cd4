/**
 * Templates in bash scripts (`bash:`): each becomes a reference to a variable holding its value,
 * quoted for its place (bash-sites.ts), and the values travel as environment variables, which bash
 * never re-parses. So no value changes the script's meaning, and the script text (written to a file
 * to run) holds no value. `bashCodeProblems` finds, from the file alone, templates at places where a
 * reference cannot stand (WF4008, with the rewrite).
 */
import { cachedTemplate } from './cached-parse.ts';
import { evaluate } from './evaluate.ts';
import { printExpression } from './print-expression.ts';
import { bashSites, type BashSite } from './bash-sites.ts';
import { toText } from './to-text.ts';
import { EvalError, type EvalContext, type ExprProblem } from './types.ts';
import { templateGaps, type ExprPart } from './template-gaps.ts';

/** The variable that holds the value of the script's template number `i`. */
export function bashValueName(i: number): string {
  return `WF_VALUE_${i}`;
}

/** The template's expression parts, each with its site in the script around it. */
export function bashTemplateSites(code: string): Array<{ part: ExprPart; site: BashSite }> {
  const { texts, exprs } = templateGaps(code);
  const sites = bashSites(texts);
  return exprs.map((part, i) => ({ part, site: sites[i]! }));
}

function exprText(part: ExprPart): string {
  return part.ast ? printExpression(part.ast) : part.src.trim();
}

function refusal(part: ExprPart, why: string): ExprProblem {
  const expr = exprText(part);
  return {
    code: 'WF4008',
    message: `\${{ ${expr} }} is ${why}, where no reference to its value can stand`,
    offset: part.offset,
    length: part.length,
    note: `pass it through env: (VALUE: \${{ ${expr} }}) and use "$VALUE" where bash expands it, e.g. an unquoted heredoc (<<EOF)`,
  };
}

/** Templates at places in `code` where a reference to a value cannot stand (WF4008). */
export function bashCodeProblems(code: string): ExprProblem[] {
  if (!code.includes('${{')) return [];
  return bashTemplateSites(code).flatMap(({ part, site }) => (site.kind === 'refused' ? [refusal(part, site.why)] : []));
}

/** The reference written for a site. */
function reference(name: string, site: BashSite): string {
  switch (site.kind) {
    case 'word':
      return `"\${${name}}"`;
    case 'single':
      return `'"\${${name}}"'`;
    case 'ansi':
      return `'"\${${name}}"$'`;
    default:
      return `\${${name}}`;
  }
}

const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * Renders a bash script: every template becomes a reference to `WF_VALUE_<i>`, quoted for its place,
 * and `env` holds the values (as text: strings as they are, null as "", other values as JSON). In
 * arithmetic only a number may go, written as itself. Throws `EvalError` for a template's syntax or
 * evaluation error, for a non-number in arithmetic, and WF4008 for a refused place.
 */
export function renderBashScript(code: string, ctx: EvalContext): { script: string; env: Record<string, string> } {
  if (!code.includes('${{')) return { script: code, env: {} };
  const parsed = cachedTemplate(code);
  const problem = parsed.problems[0];
  if (problem) throw new EvalError(problem.code, problem.message, problem, problem.note);
  const sites = new Map(bashTemplateSites(code).map(({ part, site }) => [part, site]));
  const env: Record<string, string> = {};
  let script = '';
  let n = 0;
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      script += part.text;
      continue;
    }
    const site = sites.get(part)!;
    if (site.kind === 'refused') {
      const p = refusal(part, site.why);
      throw new EvalError(p.code, p.message, p, p.note);
    }
    const value = evaluate(part.ast!, ctx);
    if (site.kind === 'arithmetic') {
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && NUMBER_TEXT.test(value) ? value : undefined;
      if (text === undefined) {
        throw new EvalError('WF4006', `\${{ ${exprText(part)} }} is inside bash arithmetic, where only a number may go, but its value is ${JSON.stringify(value)}`, undefined, 'bash evaluates a value in $((…)) as an expression; check the value first, or pass it through env:');
      }
      script += text;
      continue;
    }
    const name = bashValueName(n++);
    env[name] = toText(value, 'bash');
    script += reference(name, site);
  }
  return { script, env };
}
