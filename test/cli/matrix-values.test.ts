/**
 * Matrix values of any text run through `wf run`: the docs' own `py: ["3.11", "3.12"]`, numbers
 * like 1.5, and hostile strings (quotes, braces, brackets, `$`, `@`, `*`, spaces, unicode, long
 * values, values whose keys collide). What is asserted is the documented contract, not what the
 * code happens to produce: every combination GitHub Actions' rules give runs once, each strategy's
 * `matrix` is exactly its values, keys follow the documented rule (`name-value` joined by `_`,
 * other characters as `-`, `-2` on a collision), and later jobs read `jobs.<id>.strategies` and
 * `needs.<id>.outputs`. The machines are also compiled in-process so AWS's rules check them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

interface Strategy { matrix: Record<string, unknown>; status: string; stages: Record<string, { outputs?: Record<string, unknown> }>; outputs?: Record<string, unknown> }
interface Result { status: string; jobs: Record<string, { status: string; strategies?: Record<string, Strategy>; outputs?: Record<string, unknown>; stages?: Record<string, { status: string; outputs: Record<string, unknown> }> }> }

function run(yaml: string, name: string): { code: number | null; result: Result; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wf-matrix-'));
  writeFileSync(join(dir, 'wf.yml'), yaml);
  const loaded = loadWorkflowsFromText({ 'conf/wf.yml': yaml });
  const compiled = compileWorkflow(loaded.workflows.get(name)!, { workflows: loaded.workflows });
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const p = spawnSync('node', [wf, 'run', name, '--conf', dir, '--json', '--no-audit'], { encoding: 'utf8', timeout: 120_000 });
  return { code: p.status, result: JSON.parse(p.stdout) as Result, stderr: p.stderr };
}

const HOSTILE = [
  'a.b',
  'a b',
  'a-b',
  "it's \"quoted\"",
  '{braces}',
  '[0]',
  'x]["y',
  '$.jobs',
  '@',
  '*',
  '日本語',
  'ünï',
  '..',
  '',
  'z'.repeat(300),
];

describe('matrix values of any text', () => {
  it('runs the docs\' example: py "3.11"/"3.12" with include and exclude, read by a later job', () => {
    const { code, result, stderr } = run(`
docs:
  type: Workflow
  jobs:
    build:
      strategy:
        matrix:
          os: [linux, mac]
          py: ["3.11", "3.12"]
        include:
          - os: linux
            experimental: true
        exclude:
          - os: mac
            py: "3.11"
      outputs:
        py: \${{ matrix.py }}
        said: \${{ stages.say.outputs.stdout }}
      stages:
        - name: Say
          id: say
          bash: printf '%s' "$OS/$PY"
          env: { OS: "\${{ matrix.os }}", PY: "\${{ matrix.py }}" }
    report:
      needs: build
      stages:
        - name: Read
          id: read
          run: |
            keys = sorted(strategies.keys())
            statuses = sorted(set(s["status"] for s in strategies.values()))
            out = said
          vars:
            strategies: \${{ jobs.build.strategies }}
            said: \${{ needs.build.outputs.said }}
`, 'docs');
    expect(stderr).not.toMatch(/does not point to a value/);
    expect(code).toBe(0);
    expect(result.status).toBe('SUCCESS');
    const build = result.jobs.build!;
    // GitHub Actions: exclude first, then the include merges into every linux combination.
    expect(Object.keys(build.strategies!)).toEqual(['os-linux_py-3.11_experimental-true', 'os-linux_py-3.12_experimental-true', 'os-mac_py-3.12']);
    expect(Object.values(build.strategies!).map((s) => s.matrix)).toEqual([
      { os: 'linux', py: '3.11', experimental: true },
      { os: 'linux', py: '3.12', experimental: true },
      { os: 'mac', py: '3.12' },
    ]);
    expect(Object.values(build.strategies!).map((s) => s.stages.say!.outputs!.stdout)).toEqual(['linux/3.11', 'linux/3.12', 'mac/3.12']);
    // Job outputs: the last combination's, as documented.
    expect(build.outputs).toEqual({ py: '3.12', said: 'mac/3.12' });
    const read = result.jobs.report!.stages!.read!.outputs;
    expect(read.keys).toEqual(Object.keys(build.strategies!).sort());
    expect(read.statuses).toEqual(['SUCCESS']);
    expect(read.out).toBe('mac/3.12');
  });

  it('keys hostile values, numbers and colliding keys uniquely and keeps every value exact', () => {
    const values = JSON.stringify(HOSTILE);
    const { code, result } = run(`
hostile:
  type: Workflow
  jobs:
    build:
      strategy:
        matrix:
          v: ${values}
          n: [1.5, 2]
        include:
          - v: "new.one"
            n: 0.25
      stages:
        - name: Echo
          id: echo
          run: |
            got = v
            num = n
          vars: { v: "\${{ matrix.v }}", n: "\${{ matrix.n }}" }
    after:
      needs: build
      stages:
        - name: Read
          id: read
          run: |
            count = len(strategies)
            values = sorted(s["stages"]["echo"]["outputs"]["got"] for s in strategies.values())
            dotted = strategies["v-a.b_n-1.5"]["status"]
          vars:
            strategies: \${{ jobs.build.strategies }}
`, 'hostile');
    expect(code).toBe(0);
    expect(result.status).toBe('SUCCESS');
    const strategies = result.jobs.build!.strategies!;
    const keys = Object.keys(strategies);
    expect(keys).toHaveLength(HOSTILE.length * 2 + 1);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of Object.values(strategies)) {
      expect(s.status).toBe('SUCCESS');
      expect(s.stages.echo!.outputs).toMatchObject({ got: s.matrix.v, num: s.matrix.n });
    }
    // Every combination ran with its exact values.
    const expected = [...HOSTILE.flatMap((v) => [{ v, n: 1.5 }, { v, n: 2 }]), { v: 'new.one', n: 0.25 }];
    expect(Object.values(strategies).map((s) => s.matrix)).toEqual(expected);
    // The documented key rule, collisions numbered in combination order.
    expect(keys.slice(0, 8)).toEqual(['v-a.b_n-1.5', 'v-a.b_n-2', 'v-a-b_n-1.5', 'v-a-b_n-2', 'v-a-b_n-1.5-2', 'v-a-b_n-2-2', 'v-it-s--quoted-_n-1.5', 'v-it-s--quoted-_n-2']);
    expect(keys).toContain('v-日本語_n-1.5');
    expect(keys).toContain('v-ünï_n-2');
    expect(keys).toContain('v-new.one_n-0.25');
    expect(keys.every((k) => [...k].length <= 100 + 4)).toBe(true);
    const read = result.jobs.after!.stages!.read!.outputs;
    expect(read.count).toBe(expected.length);
    expect(read.values).toEqual(expected.map((e) => e.v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(read.dotted).toBe('SUCCESS');
  });

  it('fails the job, not the run, when a strategy with a dotted value fails', () => {
    const { code, result } = run(`
oneFails:
  type: Workflow
  jobs:
    build:
      strategy:
        matrix:
          py: ["3.11", "3.12"]
      stages:
        - name: Check
          bash: test "$PY" != 3.12
          env: { PY: "\${{ matrix.py }}" }
    fallback:
      needs: build
      if: failure()
      stages:
        - name: Note
          id: note
          echo: handled
    check:
      needs: build
      if: \${{ always() && jobs.build.strategies['py-3.11'].status == 'SUCCESS' && jobs.build.strategies['py-3.12'].status == 'FAILED' }}
      stages:
        - name: Read
          id: read
          run: |
            failed = status
          vars: { status: "\${{ jobs.build.strategies['py-3.12'].status }}" }
`, 'oneFails');
    expect(code).toBe(1);
    expect(result.status).toBe('FAILED');
    expect(result.jobs.build!.status).toBe('FAILED');
    expect(Object.fromEntries(Object.entries(result.jobs.build!.strategies!).map(([k, s]) => [k, s.status]))).toEqual({ 'py-3.11': 'SUCCESS', 'py-3.12': 'FAILED' });
    expect(result.jobs.fallback!.status).toBe('SUCCESS');
    // A later job's condition and templates read strategies by their dotted keys.
    expect(result.jobs.check!.status).toBe('SUCCESS');
    expect(result.jobs.check!.stages!.read!.outputs.failed).toBe('FAILED');
  });

  it('keys a matrix computed at run time the same way', () => {
    const { code, result } = run(`
computed:
  type: Workflow
  params:
    versions: { type: str, default: '["3.11", "a.b[0]", "3.11 "]' }
  jobs:
    build:
      strategy:
        matrix:
          py: \${{ fromJson(params.versions) }}
      outputs:
        last: \${{ matrix.py }}
      stages:
        - name: Echo
          id: e
          echo: hi
    after:
      needs: build
      stages:
        - name: Read
          id: read
          run: out = last
          vars: { last: "\${{ needs.build.outputs.last }}" }
`, 'computed');
    expect(code).toBe(0);
    const strategies = result.jobs.build!.strategies!;
    expect(Object.keys(strategies)).toEqual(['py-3.11', 'py-a.b-0-', 'py-3.11-']);
    expect(Object.values(strategies).map((s) => [s.status, s.matrix.py])).toEqual([['SUCCESS', '3.11'], ['SUCCESS', 'a.b[0]'], ['SUCCESS', '3.11 ']]);
    expect(result.jobs.build!.outputs).toEqual({ last: '3.11 ' });
    expect(result.jobs.after!.stages!.read!.outputs.out).toBe('3.11 ');
  });
});
