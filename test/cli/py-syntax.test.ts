/**
 * `wf validate` has python3 check every `run:` block's syntax (each template standing for a value of
 * its length), and reports the first error of each block at its file:line:col, inside literal
 * blocks and quoted scalars alike. `wf run` does not ask python3 (it costs a process).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

const CONF = `pys:
  type: Workflow
  params:
    a: str
  jobs:
    j:
      stages:
        - name: fine
          run: |
            x = \${{ params.a }}
            y = f"a {x} \${{ params.a }} b"
        - name: missing colon
          run: |
            total = 0
            for i in range(3)
                total += i
        - name: dangling operator
          run: "z = \${{ params.a }} +"
`;

describe('py syntax in wf validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-py-syntax-'));
  writeFileSync(join(dir, 'wf.yml'), CONF);
  const r = spawnSync(process.execPath, [wf, 'validate', 'pys', '--conf', dir], { encoding: 'utf8', cwd: dir, timeout: 60_000 });

  it('reports each broken block at its position, and only those', () => {
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('WF3005'));
    expect(lines[0]).toMatch(/wf\.yml:15:30: error WF3005: py code does not parse: expected ':'$/);
    expect(lines[1]).toMatch(/wf\.yml:18:38: error WF3005: py code does not parse: invalid syntax$/);
    expect(lines).toHaveLength(2);
    expect(r.stderr).toContain('   15 |             for i in range(3)');
  });

  it('wf run does not ask python3: the fine stage would run', () => {
    const fine = CONF.split('        - name: missing colon')[0]!;
    writeFileSync(join(dir, 'wf.yml'), fine);
    const run = spawnSync(process.execPath, [wf, 'run', 'pys', '--conf', dir, '--no-audit', '--json', '-p', 'a=1'], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    expect(JSON.parse(run.stdout).status).toBe('SUCCESS');
  });
});
