/**
 * The text a template's value becomes at its place in Python code (see python-sites.ts): a Python
 * literal in code, escaped text inside a string literal. The Python runner writes values the same
 * way (`join_code` in functions/py-runner/handler.py); this side serves dry runs and checks.
 */
import { escapeUnprintable, toPythonLiteral } from './to-python-literal.ts';
import type { PythonSite } from './python-sites.ts';

/** `text` escaped so that, inside any non-raw Python string literal, it reads back as itself. */
export function escapeForPythonString(text: string, fstring = false): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\' || ch === '"' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (fstring && (ch === '{' || ch === '}')) out += ch + ch;
    else out += escapeUnprintable(ch);
  }
  return out;
}

/**
 * The text of `value` at `site`: in code a Python literal (a negative number in parentheses, so it
 * cannot join the code before it: `x = 10${{ n }}` stays `10(-1)`, an error, not `10-1`); inside a
 * string the value's text (strings as they are, anything else as its Python literal) escaped for the
 * literal. A refused site has no text.
 */
export function pythonText(value: unknown, site: PythonSite): string | undefined {
  switch (site.kind) {
    case 'code': {
      const literal = toPythonLiteral(value);
      return typeof value === 'number' && literal.startsWith('-') ? `(${literal})` : literal;
    }
    case 'string':
    case 'fstring':
      return escapeForPythonString(typeof value === 'string' ? value : toPythonLiteral(value), site.kind === 'fstring');
    case 'refused':
      return undefined;
  }
}
