/**
 * py code is syntax-checked by python3 itself when `wf validate` runs and python3 is on PATH: every
 * `run:` block of a file in one process. A template is replaced by text of its own length that is
 * valid where it sits (an identifier in code, plain letters in a string), so the columns python3
 * reports are the block's own, and they are mapped back into the YAML file.
 */
import { spawnSync } from 'node:child_process';
import { pythonTemplateSites } from '../expr/index.ts';

/** A syntax error at an offset of the code. */
export interface PythonSyntaxError {
  offset: number;
  message: string;
}

const CHECK = String.raw`
import ast, json, sys, warnings
warnings.simplefilter("ignore")
out = []
for src in json.loads(sys.stdin.read()):
    try:
        ast.parse(src)
        out.append(None)
    except SyntaxError as e:
        out.append([e.lineno or 1, e.offset or 1, e.msg])
print(json.dumps(out))
`;

/** `code` with each template replaced by text of its length that parses where it sits. */
function stand_in(code: string): string {
  let out = '';
  let pos = 0;
  for (const { part, site } of pythonTemplateSites(code)) {
    out += code.slice(pos, part.offset);
    out += (site.kind === 'code' ? '_' : 'x').repeat(part.length);
    pos = part.offset + part.length;
  }
  return out + code.slice(pos);
}

function offsetOf(code: string, line: number, col: number): number {
  let offset = 0;
  const lines = code.split('\n');
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
  return Math.min(code.length, offset + Math.max(0, col - 1));
}

/**
 * The first syntax error of each code (undefined where it parses), or undefined for all when
 * python3 is not there to ask.
 */
export function pythonSyntaxErrors(codes: readonly string[]): Array<PythonSyntaxError | undefined> | undefined {
  if (!codes.length || process.env.WF_PYTHON_CHECK === '0') return undefined;
  const sources = codes.map((c) => (c.includes('${{') ? stand_in(c) : c));
  // -S: no site packages to import (ast and json are the standard library's); no python3 at all is no check.
  const r = spawnSync('python3', ['-S', '-c', CHECK], { input: JSON.stringify(sources), encoding: 'utf8', timeout: 30_000, maxBuffer: 16 << 20 });
  if (r.error || r.status !== 0) return undefined;
  const found = JSON.parse(r.stdout) as Array<[number, number, string] | null>;
  return found.map((f, i) => (f ? { offset: offsetOf(sources[i]!, f[0], f[1]), message: f[2] } : undefined));
}
