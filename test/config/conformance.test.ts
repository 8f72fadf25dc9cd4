/**
 * The shared conformance cases, as far as the config layer decides them: every conf of a `run`
 * case validates with no errors (and holds the workflow the case runs), and the `validate` case
 * `typo` reports `bad.yml:7:11` with a "did you mean" for `echo`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../lib/config/index.ts';
import { formatDiagnostics, hasErrors } from '../../lib/diagnostics/index.ts';

const ROOT = 'test/conformance';

interface Case {
  command: 'run' | 'validate';
  workflow: string;
  exit: number;
  stderr?: string[];
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ name: d.name, spec: JSON.parse(readFileSync(join(ROOT, d.name, 'case.json'), 'utf8')) as Case }));

describe('conformance confs', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
  });

  for (const { name, spec } of cases.filter((c) => c.spec.command === 'run')) {
    it(`${name}: validates cleanly and holds "${spec.workflow}"`, () => {
      const result = loadWorkflows({ conf: join(ROOT, name, 'conf'), names: [spec.workflow], env: {} });
      const text = formatDiagnostics(result.diagnostics, { sources: result.sources });
      expect(hasErrors(result.diagnostics), text).toBe(false);
      expect([...result.workflows.keys()]).toContain(spec.workflow);
    });
  }

  it('typo: reports bad.yml:7:11 with did you mean "echo"', () => {
    const result = loadWorkflows({ conf: join(ROOT, 'typo', 'conf'), env: {} });
    const text = formatDiagnostics(result.diagnostics, { sources: result.sources });
    expect(hasErrors(result.diagnostics)).toBe(true);
    expect(result.workflows.size).toBe(0);
    expect(text).toContain('test/conformance/typo/conf/bad.yml:7:11: error WF2001: unknown key "ecoh"');
    expect(text).toContain('did you mean "echo"?');
    for (const s of cases.find((c) => c.name === 'typo')!.spec.stderr ?? []) expect(text).toContain(s);
  });

  it('trigger: selecting the parent also loads the child it triggers', () => {
    const result = loadWorkflows({ conf: join(ROOT, 'trigger', 'conf'), names: ['parent'], env: {} });
    expect([...result.workflows.keys()].sort()).toEqual(['child', 'parent']);
  });
});
