/**
 * Through `wf run` with real python3: a template in py code is written for its place (SPEC 4), so a
 * param that tries each quoting style's escape (double, single, triple quotes, a newline, an f-string
 * brace) stays a value and runs no code; `wf validate` refuses a template in a raw string with the
 * rewrite (WF4009). And a trigger stage whose child failed keeps the child's `{status, params, jobs}`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

function run(conf: string, args: string[]): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wf-py-templates-'));
  writeFileSync(join(dir, 'wf.yml'), conf);
  const r = spawnSync(process.execPath, [wf, ...args, '--conf', dir], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

describe('templates in py code', () => {
  const marker = (dir: string, n: number): string => join(dir, `pwned-${n}`);
  const attacks = (dir: string): string[] => [
    `";open(${JSON.stringify(marker(dir, 1))},"w");x="`,
    `';open(${JSON.stringify(marker(dir, 2))},'w');x='`,
    `""";open(${JSON.stringify(marker(dir, 3))},"w");x="""`,
    `\nopen(${JSON.stringify(marker(dir, 4))},"w")\n`,
    `{open(${JSON.stringify(marker(dir, 5))},"w")}`,
  ];
  const conf = `
inject:
  type: Workflow
  params:
    p: str
  jobs:
    j:
      stages:
        - name: Every place
          id: s
          run: |
            plain = \${{ params.p }}
            double = "<\${{ params.p }}>"
            single = '<\${{ params.p }}>'
            triple = """<\${{ params.p }}>"""
            formatted = f"<{len(plain)}\${{ params.p }}>"
            # a comment: \${{ params.p }}
`;

  it('runs no code for any quoting style, and each variable holds the value', () => {
    const probe = run(conf, ['validate', 'inject']);
    expect(probe.status, probe.stderr).toBe(0);
    for (const p of attacks(probe.dir)) {
      const r = spawnSync(process.execPath, [wf, 'run', 'inject', '--conf', probe.dir, '--json', '--no-audit', '-p', `p=${p}`], { encoding: 'utf8', timeout: 60_000, cwd: probe.dir });
      const doc = JSON.parse(r.stdout) as { status: string; jobs: { j: { stages: { s: { outputs: Record<string, unknown> } } } } };
      expect(doc.status, r.stderr).toBe('SUCCESS');
      expect(doc.jobs.j.stages.s.outputs).toEqual({ plain: p, double: `<${p}>`, single: `<${p}>`, triple: `<${p}>`, formatted: `<${p.length}${p}>` });
    }
    for (let n = 1; n <= 5; n++) expect(existsSync(marker(probe.dir, n))).toBe(false);
  });

  it('validate refuses a template in a raw string, at its position, with the rewrite', () => {
    const r = run(['raw:', '  type: Workflow', '  params: {p: str}', '  jobs:', '    j:', '      stages:', '        - name: s', '          run: |', '            pattern = r"^${{ params.p }}$"', ''].join('\n'), ['validate', 'raw']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/wf\.yml:9:26: error WF4009: \$\{\{ params\.p \}\} is inside a raw string/);
    expect(r.stderr).toContain('value = ${{ params.p }}');
  });
});

describe('a trigger stage whose child failed', () => {
  it("keeps the child's {status, params, jobs} as its outputs, and names the child's error", () => {
    const r = run(['parent:', '  type: Workflow', '  jobs:', '    j:', '      stages:', '        - {name: t, id: t, trigger: child, params: {x: 5}, continue-on-error: true}', '        - {name: e, id: e, run: "seen = ${{ stages.t.outputs.jobs.c.stages.r.errors.message }}"}', 'child:', '  type: Workflow', '  params: {x: int}', '  jobs:', '    c:', '      stages: [{name: r, id: r, raise: boom}]', ''].join('\n'), ['run', 'parent', '--json', '--no-audit']);
    const doc = JSON.parse(r.stdout) as { status: string; jobs: { j: { stages: Record<string, { status: string; outputs: Record<string, unknown>; errors?: { name: string; message: string } }> } } };
    expect(doc.status, r.stderr).toBe('SUCCESS');
    const t = doc.jobs.j.stages.t!;
    expect(t.status).toBe('FAILED');
    expect(t.outputs).toMatchObject({ status: 'FAILED', params: { x: 5 }, jobs: { c: { status: 'FAILED' } } });
    expect(t.errors!.name).toBe('States.TaskFailed');
    expect(t.errors!.message).toMatch(/^workflow "child" run \S+ ended FAILED: job "c": RaiseError: boom$/);
    expect(doc.jobs.j.stages.e!.outputs).toEqual({ seen: 'boom' });
  });
});
