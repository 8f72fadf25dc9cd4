/**
 * A templated `uses:` through the real CLI: `tasks/load-${{ matrix.system }}@v1` calls the
 * function each matrix combination names; `wf validate` accepts the shape with templates in its
 * parts and refuses one without `/` or `@`; with `--registry` it checks every name a matrix or
 * choice param makes (WF5007, with what exists and a did-you-mean); and at run time a name known
 * only then that is not registered fails the stage, naming the rendered function, its template and
 * the functions that exist.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const lib = new URL('../../lib/runtime/index.ts', import.meta.url).pathname;

const REGISTRY = `
import { tag } from ${JSON.stringify(lib)};
tag('tasks', { alias: 'load-pg', tag: 'v1' }, (a: { table: string }) => ({ loaded: 'pg:' + a.table }));
tag('tasks', { alias: 'load-mysql', tag: 'v1' }, (a: { table: string }) => ({ loaded: 'mysql:' + a.table }));
`;

function confDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-tuses-'));
  writeFileSync(join(dir, 'wf.yml'), yaml);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'registry.ts'), REGISTRY);
  return dir;
}

function wfCli(dir: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const p = spawnSync(process.execPath, [wf, ...args, '--conf', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

const loadStage = (uses: string): string => `
        - name: load
          id: load
          uses: ${uses}
          with:
            table: t1`;

describe('templated uses', () => {
  it('calls the function each matrix combination names', () => {
    const dir = confDir(`
loads:
  type: Workflow
  jobs:
    load:
      strategy:
        matrix:
          system: [pg, mysql]
      stages:${loadStage('tasks/load-${{ matrix.system }}@v1')}
`);
    expect(wfCli(dir, ['validate', '--registry', 'registry.ts']).code).toBe(0);
    const r = wfCli(dir, ['run', 'loads', '--registry', 'registry.ts', '--json', '--no-audit']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { jobs: { load: { strategies: Record<string, { matrix: { system: string }; stages: { load: { status: string; outputs: { loaded: string } } } }> } } };
    const loaded = Object.values(doc.jobs.load.strategies).map((s) => [s.matrix.system, s.stages.load.outputs.loaded]).sort();
    expect(loaded).toEqual([['mysql', 'mysql:t1'], ['pg', 'pg:t1']]);
  }, 120_000);

  it('validate checks the shape, and with --registry every name a matrix or choice param makes', () => {
    const yaml = `
loads:
  type: Workflow
  params:
    db: {type: choice, options: [pg, postgres], default: pg}
  jobs:
    by-matrix:
      strategy:
        matrix:
          system: [pg, mysqll]
      stages:${loadStage('tasks/load-${{ matrix.system }}@v1')}
    by-param:
      stages:${loadStage('tasks/load-${{ params.db }}@${{ params.db }}')}
`;
    const dir = confDir(yaml);
    // Without a registry, only the shape is checked.
    expect(wfCli(dir, ['validate']).code).toBe(0);
    const r = wfCli(dir, ['validate', '--registry', 'registry.ts']);
    expect(r.code).toBe(1);
    const lines = yaml.split('\n');
    const at = (text: string): string => {
      const i = lines.findIndex((l) => l.includes(text));
      return `wf.yml:${i + 1}:${lines[i]!.indexOf('tasks/') + 1}`;
    };
    expect(r.stderr).toContain(`${at('matrix.system }}@v1')}: error WF5007: stage "load" can call "tasks/load-mysqll@v1" (a value of "tasks/load-\${{ matrix.system }}@v1"), but registry "tasks" has no function "load-mysqll"`);
    expect(r.stderr).toContain('note: its functions are "load-mysql", "load-pg"; did you mean "load-mysql"?');
    expect(r.stderr).toContain(`${at('params.db')}: error WF5007: stage "load" can call "tasks/load-pg@pg"`);
    expect(r.stderr).toContain('function "tasks/load-pg" has no tag "pg"');
    expect(r.stderr).toContain('can call "tasks/load-postgres@postgres"');
    expect(r.stderr).toContain('validation failed: 3 errors');

    const bad = confDir(`
shape:
  type: Workflow
  jobs:
    j:
      stages:${loadStage('tasks/${{ params.x }}')}
`);
    const s = wfCli(bad, ['validate']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/error WF2008: "uses" must name a function as "<registry>\/<function>@<tag>" \(templates allowed in each part\), got "tasks\/\$\{\{ params.x \}\}"/);
  }, 120_000);

  it('a name known only at run time that is not registered fails the stage with what exists', () => {
    const dir = confDir(`
free:
  type: Workflow
  params:
    system: str
  jobs:
    j:
      stages:${loadStage('tasks/load-${{ params.system }}@v1')}
`);
    expect(wfCli(dir, ['validate', '--registry', 'registry.ts']).code).toBe(0);
    const ok = wfCli(dir, ['run', 'free', '-p', 'system=pg', '--registry', 'registry.ts', '--json', '--no-audit']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { jobs: { j: { stages: { load: { outputs: unknown } } } } }).jobs.j.stages.load.outputs).toEqual({ loaded: 'pg:t1' });
    const r = wfCli(dir, ['run', 'free', '-p', 'system=oracle', '--registry', 'registry.ts', '--json', '--no-audit']);
    expect(r.code).toBe(1);
    const load = (JSON.parse(r.stdout) as { jobs: { j: { stages: { load: { status: string; errors: { name: string; message: string } } } } } }).jobs.j.stages.load;
    expect(load.status).toBe('FAILED');
    expect(load.errors.name).toBe('RegistryError');
    expect(load.errors.message).toContain('registry "tasks" has no function "load-oracle"');
    expect(load.errors.message).toContain('its functions are "load-mysql", "load-pg"');
    expect(load.errors.message).toContain('(uses "tasks/load-${{ params.system }}@v1" rendered to "tasks/load-oracle@v1")');
  }, 120_000);
});
