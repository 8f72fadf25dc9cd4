/**
 * Golden diagnostics: each `golden/<name>.yaml` (or `golden/<name>/`, a directory of files) is
 * loaded and its formatted diagnostics are compared with `golden/<name>.out`. A case named after a
 * code must report that code. Header comments set the environment (`# env: K=V ...`) and the
 * workflows asked for (`# names: a b`). Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/config`.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { formatDiagnostics } from '../../lib/diagnostics/index.ts';

const DIR = 'test/config/golden';
const update = process.env.UPDATE_GOLDEN === '1';

function readCase(name: string): Record<string, string> {
  const path = join(DIR, name);
  if (!statSync(path).isDirectory()) return { [path]: readFileSync(path, 'utf8') };
  const files: Record<string, string> = {};
  for (const f of readdirSync(path).sort()) files[join(path, f)] = readFileSync(join(path, f), 'utf8');
  return files;
}

function header(text: string, key: string): string[] | undefined {
  const m = new RegExp(`^# ${key}: (.*)$`, 'm').exec(text);
  return m ? m[1]!.trim().split(/\s+/) : undefined;
}

/** Runs one case and renders what the golden file holds. */
function render(name: string): { text: string; codes: Set<string> } {
  const files = readCase(name);
  const first = Object.values(files)[0]!;
  const env = Object.fromEntries((header(first, 'env') ?? []).map((kv) => kv.split('=') as [string, string]));
  const names = header(first, 'names');
  const result = loadWorkflowsFromText(files, names ? { env, names } : { env });
  const loaded = [...result.workflows.keys()];
  const text = `${formatDiagnostics(result.diagnostics, { sources: result.sources })}\nloaded: ${loaded.length ? loaded.join(', ') : '(none)'}\n`;
  return { text, codes: new Set(result.diagnostics.map((d) => d.code)) };
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') || statSync(join(DIR, f)).isDirectory())
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe('golden diagnostics', () => {
  for (const name of cases) {
    it(name, () => {
      const file = name + (existsSync(join(DIR, `${name}.yaml`)) ? '.yaml' : '');
      const { text, codes } = render(file);
      const out = join(DIR, `${name}.out`);
      if (update || !existsSync(out)) writeFileSync(out, text);
      expect(text).toBe(readFileSync(out, 'utf8'));
      if (/^WF\d{4}$/.test(name)) expect([...codes]).toContain(name);
    });
  }

  it('covers every code the loader reports from a file', () => {
    const seen = new Set<string>();
    for (const name of cases) for (const c of render(name + (existsSync(join(DIR, `${name}.yaml`)) ? '.yaml' : '')).codes) seen.add(c);
    const emitted = [
      'WF1001', 'WF1002', 'WF1004', 'WF1005', 'WF1007',
      'WF2001', 'WF2002', 'WF2003', 'WF2004', 'WF2005', 'WF2006', 'WF2007', 'WF2008', 'WF2009', 'WF2010',
      'WF3001', 'WF3002', 'WF3004', 'WF4001', 'WF4002', 'WF4003', 'WF4005', 'WF4008',
      'WF5001', 'WF5002', 'WF5003', 'WF5004', 'WF5005', 'WF5006',
    ];
    expect([...seen].sort()).toEqual(expect.arrayContaining(emitted));
  });
});
