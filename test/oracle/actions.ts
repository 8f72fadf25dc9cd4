/**
 * What the oracle knows about deterministic stage actions without running them: a bash script made
 * of `printf '%s' …` pieces and one `exit N`, and py code made of `name = <literal>` lines. The
 * generator writes only these shapes; anything else is refused, so the oracle never guesses.
 */

/** The outputs of a bash script of the known shape, given its rendered `env`. */
export interface BashOutcome {
  return_code: number;
  stdout: string;
  stderr: string;
}

/** Single-quotes `s` for bash (`'` becomes `'\''`). */
export function bashQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const PIECE = /^printf '%s' (?:'((?:[^']|'\\'')*)'|"\$([A-Za-z_][A-Za-z0-9_]*)")( >&2)?$/;

/**
 * Reads a script `printf '%s' 'text'; printf '%s' "$VAR" >&2; exit 3` (pieces joined by `; `, the
 * last one `exit N`) and gives what it prints and its exit code.
 */
export function bashOutcome(script: string, env: Record<string, unknown>): BashOutcome {
  const pieces = script.split('; ');
  const exit = /^exit (\d+)$/.exec(pieces.pop() ?? '');
  if (!exit) throw new Error(`oracle: not a known bash script: ${script}`);
  const out = { return_code: Number(exit[1]), stdout: '', stderr: '' };
  for (const p of pieces) {
    const m = PIECE.exec(p);
    if (!m) throw new Error(`oracle: not a known bash piece: ${p}`);
    const text = m[2] !== undefined ? String(env[m[2]] ?? '') : m[1]!.replace(/'\\''/g, "'");
    if (m[3]) out.stderr += text;
    else out.stdout += text;
  }
  return out;
}

/**
 * Reads py code of `name = <JSON literal>` lines (JSON text is a Python literal for strings, numbers,
 * lists and maps; `True`/`False`/`None` are read as such) and gives the variables it leaves.
 * `vars` supply the values of lines `name = name_of_var`; `template` gives the value of a line
 * `name = ${{ expr }}` (a template renders as the Python literal of its value, so the variable holds
 * the value itself), and `template` with `inString` the text of `"text ${{ expr }} text"` (inside a
 * string a template is the value's text: a string as it is, anything else as its Python literal).
 */
export function pyOutcome(code: string, vars: Record<string, unknown>, template: (text: string, inString?: boolean) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of code.split('\n')) {
    if (!line.trim()) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*) = (.*)$/.exec(line);
    if (!m) throw new Error(`oracle: not a known py line: ${line}`);
    const rhs = m[2]!;
    if (rhs === 'True' || rhs === 'False' || rhs === 'None') out[m[1]!] = rhs === 'True' ? true : rhs === 'False' ? false : null;
    else if (/^\$\{\{.*\}\}$/.test(rhs)) out[m[1]!] = template(rhs);
    else if (/^".*\$\{\{.*"$/.test(rhs)) out[m[1]!] = template(rhs.slice(1, -1), true);
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(rhs) && Object.hasOwn(vars, rhs)) out[m[1]!] = vars[rhs];
    else out[m[1]!] = JSON.parse(rhs);
  }
  return out;
}
