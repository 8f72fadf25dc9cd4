/**
 * Every conformance case (test/conformance/<case>/case.json beside its conf/) through the real
 * `wf` command: exit code, values at paths of the result document, counts, and stderr text.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('./conformance/', import.meta.url).pathname;
const wf = new URL('../bin/wf.js', import.meta.url).pathname;

interface Case {
  command?: string;
  workflow: string;
  params?: Record<string, unknown>;
  exit?: number;
  expect?: Record<string, unknown>;
  count?: Record<string, number>;
  stderr?: string[];
  registry?: string[];
  args?: string[];
}

/** The value at a dotted path, preferring the longest key that exists (keys may hold dots). */
function at(doc: unknown, path: string): unknown {
  const parts = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    let found = false;
    for (let j = parts.length; j > i; j--) {
      const key = parts.slice(i, j).join('.');
      if (Object.prototype.hasOwnProperty.call(cur, key)) {
        cur = (cur as Record<string, unknown>)[key];
        i = j - 1;
        found = true;
        break;
      }
    }
    if (!found) return undefined;
  }
  return cur;
}

const cases = readdirSync(root).filter((n) => existsSync(join(root, n, 'case.json'))).sort();

describe('conformance cases through the wf command', () => {
  it.each(cases)('%s', (name) => {
    const spec = JSON.parse(readFileSync(join(root, name, 'case.json'), 'utf8')) as Case;
    const work = mkdtempSync(join(tmpdir(), `conf-${name}-`));
    cpSync(join(root, name), work, { recursive: true });
    const conf = join(work, 'conf');
    const registry = (spec.registry ?? []).flatMap((r) => ['--registry', join(work, r)]);
    const args = spec.command === 'validate'
      ? ['validate', '--conf', conf, ...registry, spec.workflow]
      : [spec.command ?? 'run', spec.workflow, '--conf', conf, '--json', ...(spec.params ? ['--params', JSON.stringify(spec.params)] : []), ...registry, ...(spec.args ?? [])];
    const r = spawnSync(process.execPath, [wf, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } });
    if (spec.exit !== undefined) expect(r.status, r.stderr).toBe(spec.exit);
    if (spec.expect || spec.count) {
      const doc = JSON.parse(r.stdout) as unknown;
      for (const [path, value] of Object.entries(spec.expect ?? {})) expect(at(doc, path), path).toEqual(value);
      for (const [path, n] of Object.entries(spec.count ?? {})) {
        const v = at(doc, path);
        const size = Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : undefined;
        expect(size, path).toBe(n);
      }
    }
    for (const s of spec.stderr ?? []) expect(r.stderr).toContain(s);
  });
});
