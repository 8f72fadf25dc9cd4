/**
 * Templates in bash scripts, held to real bash: a hostile value (quotes of every kind, `$(…)`,
 * backquotes, `;`, newlines, globs, a heredoc's delimiter, `'"${x}"'`) at every place a template can
 * sit (a word, double and single quotes, `$'…'`, a comment, `$(…)`, backquotes, an unquoted heredoc,
 * an assignment, inside `${x:-…}`) runs no command, and the script prints exactly the text bash
 * would print had the value been written there literally and quoted. A quoted heredoc is refused
 * (WF4008), and arithmetic takes numbers only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvalError, bashCodeProblems, renderBashScript } from '../../lib/expr/index.ts';

const ctx = (v: unknown) => ({ scope: { params: { v } } });

/** Runs `script` with `env` in real bash, in `cwd`; gives stdout. (A plain PATH: bash started with the
 * long PATH of some machines alone, without the rest of their environment, takes half a second.) */
function bash(script: string, env: Record<string, string>, cwd: string): { stdout: string; status: number | null } {
  const r = spawnSync('bash', ['-c', script], { env: { PATH: '/usr/bin:/bin', ...env }, cwd, encoding: 'utf8' });
  return { stdout: r.stdout, status: r.status };
}

/** Each place: the script with `@T` where the template goes, and what it prints for the text `s`. */
const places: Array<{ script: string; prints: (s: string) => string }> = [
  { script: 'printf "%s|" @T', prints: (s) => `${s}|` },
  { script: 'printf "%s|" "a @T b"', prints: (s) => `a ${s} b|` },
  { script: "printf '%s|' 'a @T b'", prints: (s) => `a ${s} b|` },
  { script: "printf '%s|' $'a\\t@T'", prints: (s) => `a\t${s}|` },
  { script: 'x=@T; printf "%s|" "$x"', prints: (s) => `${s}|` },
  { script: 'printf "%s|" "$(printf "%s" @T)"', prints: (s) => `${s}|` },
  { script: 'x=`printf "%s" @T`; printf "%s|" "$x"', prints: (s) => `${s}|` },
  { script: 'printf "%s|" "${UNSET_X:-@T}"', prints: (s) => `${s}|` },
  { script: 'printf "%s|" pre_@T.txt', prints: (s) => `pre_${s}.txt|` },
  { script: 'printf "ok|" # @T', prints: () => 'ok|' },
  { script: 'cat <<EOF\nline @T\nEOF\nprintf "|"', prints: (s) => `line ${s}\n|` },
];

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.array(fc.constantFrom("'", '"', '\\', '\n', '$(touch pwned)', '`touch pwned`', ';touch pwned;', '*', '?', '${IFS}', 'EOF', "'\"${x}\"'", '$((1+1))', '#', ' ', '&', '|', ')', '}', '<<', 'é😀'), { maxLength: 10 }).map((a) => a.join('')),
);

describe('bash templates, held to real bash', () => {
  it('a hostile value at every place runs nothing and arrives as its text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-bash-sites-'));
    const values = fc.sample(hostile, { numRuns: 20, seed: 5 }).filter((v) => !v.includes('\0'));
    for (const v of values) {
      for (const p of places) {
        const { script, env } = renderBashScript(p.script.replace('@T', '${{ params.v }}'), ctx(v));
        expect(script).not.toContain(v.length > 3 ? v : '\u0000');
        const r = bash(script, env, dir);
        // Command substitution drops trailing newlines, as it would of the literal text.
        const expected = p.script.includes('$(') || p.script.includes('`') ? p.prints(v.replace(/\n+$/, '')) : p.prints(v);
        expect({ script: p.script, v, out: r.stdout }).toEqual({ script: p.script, v, out: expected });
      }
    }
    expect(readdirSync(dir)).toEqual([]);
  }, 180_000);

  it('arithmetic takes a number as itself, and refuses anything else before bash sees it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-bash-arith-'));
    for (const [v, out] of [[41, '42'], ['7', '8'], [-3, '-2']] as const) {
      const { script, env } = renderBashScript('printf "%s" $(( ${{ params.v }} + 1 ))', ctx(v));
      expect(bash(script, env, dir).stdout).toBe(out);
    }
    for (const v of ['a[$(touch pwned)]', '1; touch pwned', null, [1]]) {
      expect(() => renderBashScript('echo $(( ${{ params.v }} + 1 ))', ctx(v))).toThrow(EvalError);
      expect(() => renderBashScript('(( n = ${{ params.v }} ))', ctx(v))).toThrow(/only a number/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a quoted heredoc is refused with the env: rewrite; an unquoted one is not', () => {
    expect(bashCodeProblems("python3 - <<'EOF'\nprint('${{ params.v }}')\nEOF\n").map((p) => [p.code, p.note?.includes('env:')])).toEqual([['WF4008', true]]);
    expect(bashCodeProblems('cat <<"END"\n${{ params.v }}\nEND\n')).toHaveLength(1);
    expect(bashCodeProblems('cat <<EOF\n${{ params.v }}\nEOF\necho ${{ params.v }}')).toEqual([]);
    // After the heredoc ends, the script is code again.
    expect(bashCodeProblems("cat <<'EOF'\nx\nEOF\necho ${{ params.v }}")).toEqual([]);
  });
});
