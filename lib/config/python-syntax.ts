/**
 * py code is syntax-checked by python3 itself when `wf validate` runs and python3 is on PATH: every
 * `run:` block of a file in one process. A template is replaced by text of its own length that is
 * valid where it sits (an identifier in code, plain letters in a string), so the columns python3
 * reports are the block's own, and they are mapped back into the YAML file.
 *
 * Starting python3 costs more than checking many blocks (much more behind a version manager's
 * shim), so answers are kept in `.wf/cache/py-syntax.json` of the project, by a hash of the code
 * and of the python3 found on PATH: a validate whose py blocks did not change asks nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectSettings } from './project-settings.ts';
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
  const python = pythonOnPath();
  if (python === undefined) return undefined;
  const sources = codes.map((c) => (c.includes('${{') ? stand_in(c) : c));
  const keys = sources.map((src) => createHash('sha256').update(python).update('\0').update(src).digest('base64url'));
  const cache = readCache();
  const unknown = [...new Set(sources.filter((_, i) => !(keys[i]! in cache)))];
  if (unknown.length) {
    // -S: no site packages to import (ast and json are the standard library's).
    const r = spawnSync('python3', ['-S', '-c', CHECK], { input: JSON.stringify(unknown), encoding: 'utf8', timeout: 30_000, maxBuffer: 16 << 20 });
    if (r.error || r.status !== 0) return undefined;
    const found = JSON.parse(r.stdout) as Array<PythonAnswer>;
    unknown.forEach((src, i) => (cache[keys[sources.indexOf(src)]!] = found[i] ?? null));
    writeCache(Object.fromEntries(keys.map((k) => [k, cache[k] ?? null])));
  }
  return sources.map((src, i) => {
    const f = cache[keys[i]!];
    return f ? { offset: offsetOf(src, f[0], f[1]), message: f[2] } : undefined;
  });
}

/** python3's answer for one code: null when it parses, else the line, column and message. */
type PythonAnswer = [number, number, string] | null;

/** The python3 on PATH with its size and time (so a new interpreter is asked again), or undefined when there is none. */
function pythonOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      const s = statSync(join(dir, 'python3'));
      if (s.isFile()) return `${join(dir, 'python3')}:${s.size}:${s.mtimeMs}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

function cacheFile(): string {
  return join(projectSettings().root, '.wf', 'cache', 'py-syntax.json');
}

function readCache(): Record<string, PythonAnswer> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, PythonAnswer>;
  } catch {
    return {};
  }
}

/** Keeps the answers of the blocks just checked (a cache that cannot be written is no cache). */
function writeCache(answers: Record<string, PythonAnswer>): void {
  try {
    mkdirSync(join(cacheFile(), '..'), { recursive: true });
    writeFileSync(cacheFile(), JSON.stringify(answers));
  } catch {
    // read-only project: ask python3 next time
  }
}
