import { cachedTemplate } from './cached-parse.ts';
import { evaluate } from './evaluate.ts';
import { toText } from './to-text.ts';
import { EvalError, type EvalContext, type RenderMode } from './types.ts';

/**
 * Renders a string that may hold `${{ }}` templates. A string that is exactly one template (spaces
 * around it allowed) gives the template's value with its type kept (number, list, map, boolean,
 * null) in every mode; otherwise each template becomes text (see `toText` for each mode) and the
 * result is a string. A string without templates is returned as it is. Throws `EvalError`, also
 * for a syntax error in a template; positions are relative to `text`.
 * @param mode how embedded non-string values are written. @default 'text'
 */
export function renderTemplate(text: string, ctx: EvalContext, mode: RenderMode = 'text'): unknown {
  if (!text.includes('${{')) return text;
  const parsed = cachedTemplate(text);
  const problem = parsed.problems[0];
  if (problem) throw new EvalError(problem.code, problem.message, problem, problem.note);
  if (parsed.whole) return evaluate(parsed.whole, ctx);
  let out = '';
  for (const part of parsed.parts) out += part.kind === 'text' ? part.text : toText(evaluate(part.ast!, ctx), mode);
  return out;
}
