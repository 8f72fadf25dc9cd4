/**
 * A templated `trigger:` target through the real CLI: a `choice` param whose options are workflows,
 * a case match's value (`${{ case }}`) and a literal matrix axis each start the workflow the run
 * picks (the result document shows which child ran: its own job and its stdout), and a target whose
 * workflows are not known when compiling is refused by `wf validate` with WF5008 at the template,
 * with the fix. Unknown names among the options and cycles through templated targets are reported
 * as for literal targets (WF5004, WF5005). Every machine is also compiled in-process, so AWS's rules
 * check it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

const CHILDREN = ['a', 'b']
  .map((c) => `
child-${c}:
  type: Workflow
  params:
    who: {type: str, default: nobody}
  jobs:
    ${c}-job:
      stages:
        - name: say
          id: say
          bash: echo "ran child-${c} for $WHO"
          env:
            WHO: \${{ params.who }}
`)
  .join('');

/** A conf dir holding `yaml`; each valid workflow is also compiled here, so AWS's rules check its machine (test/setup/aws-rules.ts). */
function confDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ttrigger-'));
  writeFileSync(join(dir, 'wf.yml'), yaml);
  const loaded = loadWorkflows({ conf: dir });
  if (!loaded.diagnostics.some((d) => d.severity === 'error')) {
    for (const w of loaded.workflows.values()) expect(compileWorkflow(w, { workflows: loaded.workflows }).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  }
  return dir;
}

function wfCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const p = spawnSync('node', [wf, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

interface Doc { status: string; jobs: Record<string, { status: string; stages?: Record<string, { status: string; outputs: { status: string; jobs: Record<string, { stages: { say: { outputs: { stdout: string } } } }> } }>; strategies?: Record<string, { stages: Record<string, { outputs: { jobs: Record<string, unknown> } }> }> }> }

function runJson(dir: string, name: string, params: string[] = []): Doc {
  const r = wfCli(['run', name, '--conf', dir, '--json', '--no-audit', ...params.flatMap((p) => ['-p', p])]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

describe('templated trigger targets', () => {
  it('a choice param picks the child that runs', () => {
    const dir = confDir(`
parent:
  type: Workflow
  params:
    target:
      type: choice
      options: [child-a, child-b]
  jobs:
    go:
      stages:
        - name: kick
          id: kick
          trigger: \${{ params.target }}
          params:
            who: parent
${CHILDREN}`);
    expect(wfCli(['validate', '--conf', dir]).code).toBe(0);
    for (const [target, job] of [['child-a', 'a-job'], ['child-b', 'b-job']] as const) {
      const doc = runJson(dir, 'parent', [`target=${target}`]);
      const kick = doc.jobs.go!.stages!.kick!;
      expect(kick.status).toBe('SUCCESS');
      expect(Object.keys(kick.outputs.jobs)).toEqual([job]);
      expect(kick.outputs.jobs[job]!.stages.say.outputs.stdout.trim()).toBe(`ran ${target} for parent`);
    }
  }, 120_000);

  it('a case match value (${{ case }}, also in the default match) and a matrix axis name the child', () => {
    const kick = '{name: kick, id: kick, trigger: "${{ case }}"}';
    const routed = (name: string, pick: string, matches: string): string => `
${name}:
  type: Workflow
  params:
    pick: ${pick}
  jobs:
    go:
      stages:
        - name: route
          id: route
          case: \${{ params.pick }}
          match: ${matches}
`;
    const dir = confDir(`${routed('by-case', 'str', `[{case: child-a, stages: [${kick}]}, {case: child-b, stages: [${kick}]}]`)}${routed(
      'by-default',
      '{type: choice, options: [child-a, child-b]}',
      `[{case: child-a, stages: [{name: skip, echo: a}]}, {case: _, stages: [${kick}]}]`,
    )}
by-matrix:
  type: Workflow
  jobs:
    fan:
      strategy:
        matrix:
          target: [child-a, child-b]
      stages:
        - name: kick
          id: kick
          trigger: \${{ matrix.target }}
          params:
            who: \${{ matrix.target }}
${CHILDREN}`);
    expect(wfCli(['validate', '--conf', dir]).code).toBe(0);
    const viaCase = runJson(dir, 'by-case', ['pick=child-b']);
    const route = viaCase.jobs.go!.stages!.route as unknown as { outputs: { case: string; stages: { kick: { outputs: { jobs: Record<string, unknown> } } } } };
    expect(route.outputs.case).toBe('child-b');
    expect(Object.keys(route.outputs.stages.kick.outputs.jobs)).toEqual(['b-job']);
    // In the default match, `case` can be only the values no other match names: child-b.
    const viaDefault = runJson(dir, 'by-default', ['pick=child-b']).jobs.go!.stages!.route as unknown as typeof route;
    expect(Object.keys(viaDefault.outputs.stages.kick.outputs.jobs)).toEqual(['b-job']);
    const viaMatrix = runJson(dir, 'by-matrix');
    const strategies = viaMatrix.jobs.fan!.strategies!;
    const ran = Object.values(strategies).map((s) => Object.keys(s.stages.kick!.outputs.jobs)[0]).sort();
    expect(ran).toEqual(['a-job', 'b-job']);
  }, 120_000);

  it('refuses a free-text template target with WF5008 at the template, and the fix', () => {
    const yaml = `
free:
  type: Workflow
  params:
    target: str
  jobs:
    go:
      stages:
        - name: kick
          trigger: "child-\${{ params.target }}"
${CHILDREN}`;
    const dir = confDir(yaml);
    const r = wfCli(['validate', '--conf', dir]);
    expect(r.code).toBe(1);
    const lines = yaml.split('\n');
    const line = lines.findIndex((l) => l.includes('trigger: "child-')) + 1;
    const col = lines[line - 1]!.indexOf('${{') + 1;
    expect(r.stderr).toContain(`wf.yml:${line}:${col}: error WF5008: stage "kick" triggers "child-\${{ params.target }}", whose workflows are not known when compiling`);
    expect(r.stderr).toMatch(/note: declare a choice param whose options are the workflows it may start .*type: choice, options: \[child-a, child-b\]/);
    // Running it is refused before anything runs.
    expect(wfCli(['run', 'free', '--conf', dir, '-p', 'target=a', '--no-audit']).code).toBe(2);
  });

  it('reports an option that is no workflow (with did-you-mean) and a cycle through a templated target', () => {
    const dir = confDir(`
parent:
  type: Workflow
  params:
    target: {type: choice, options: [child-a, chld-b]}
  jobs:
    go:
      stages:
        - name: kick
          trigger: \${{ params.target }}
loop-a:
  type: Workflow
  params:
    next: {type: choice, options: [loop-b], default: loop-b}
  jobs:
    go:
      stages:
        - name: kick
          trigger: \${{ params.next }}
loop-b:
  type: Workflow
  jobs:
    go:
      stages:
        - name: back
          trigger: loop-a
${CHILDREN}`);
    const r = wfCli(['validate', '--conf', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error WF5004: stage "kick" can trigger unknown workflow "chld-b"');
    expect(r.stderr).toContain('did you mean "child-b"?');
    expect(r.stderr).toMatch(/error WF5005: trigger cycle: loop-a → loop-b → loop-a|error WF5005: trigger cycle: loop-b → loop-a → loop-b/);
  });
});
