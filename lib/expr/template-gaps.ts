/**
 * A template split for lexing the code around it: the expression parts, and the texts between
 * them (`texts[i]` comes before expression `i`; there is one more text than expressions). The
 * bash and py site lexers read only these texts, never a template's own source.
 */
import { cachedTemplate } from './cached-parse.ts';
import type { TemplatePart } from './types.ts';

export type ExprPart = Extract<TemplatePart, { kind: 'expr' }>;

/** The expression parts of `code` and the texts around them. */
export function templateGaps(code: string): { texts: string[]; exprs: ExprPart[] } {
  const texts: string[] = [''];
  const exprs: ExprPart[] = [];
  for (const p of cachedTemplate(code).parts) {
    if (p.kind === 'text') texts[texts.length - 1] += p.text;
    else {
      exprs.push(p);
      texts.push('');
    }
  }
  return { texts, exprs };
}
