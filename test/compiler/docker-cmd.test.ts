/**
 * A docker stage's `cmd`: a command line runs through `sh -c`, a list is the argument list, on ECS
 * and in the rendered value alike. A template in a command line becomes a quoted reference to a
 * variable that joins the container's environment, so a hostile value stays data (checked with real
 * `sh`, as the container runs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow, type Machine } from '../../lib/compiler/index.ts';
import { handleRequest } from '../../lib/runtime/index.ts';

const text = `boxes:
  type: Workflow
  params: {who: {type: str, default: you}}
  jobs:
    run:
      stages:
        - { name: Line, image: alpine, cmd: "echo hi && echo there" }
        - { name: Args, image: alpine, cmd: [echo, "two words", "$HOME"] }
        - { name: Templated, image: alpine, cmd: [echo, "\${{ params.who }}"] }
`;

function overrideOf(m: Machine, name: string): Record<string, unknown> {
  const st = m.States[name]!;
  return ((st.Parameters as { Overrides: { ContainerOverrides: Array<Record<string, unknown>> } }).Overrides.ContainerOverrides[0])!;
}

describe('docker cmd', () => {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'boxes.yml': text });

  it('loads a string or a list of strings, and nothing else', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const bad = loadWorkflowsFromText({ 'bad.yml': text.replace('cmd: [echo, "two words", "$HOME"]', 'cmd: {a: 1}') }).diagnostics;
    expect(bad.find((d) => d.severity === 'error')?.message).toMatch(/cmd/);
  });

  it('gives ECS the command line through sh -c, and a list as it is', () => {
    const m = compileWorkflow(workflows.get('boxes')!).definition;
    expect(overrideOf(m, 'run.Line').Command).toEqual(['sh', '-c', 'echo hi && echo there']);
    expect(overrideOf(m, 'run.Args').Command).toEqual(['echo', 'two words', '$HOME']);
    expect(overrideOf(m, 'run.Templated')['Command.$']).toBe('$.__docker.overrides.command');
  });

  it('renders a templated list item by item', async () => {
    const out = await handleRequest({ action: 'eval', items: { o: { kind: 'value', raw: { env: {}, cmd: ['echo', '${{ params.who }}'] }, mode: 'ecs-overrides' } }, ctx: { params: { who: 'a b; c' } } });
    expect(out).toEqual({ o: { environment: [], command: ['echo', 'a b; c'] } });
  });

  it('a template in a command line is a variable reference: sh runs nothing from the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-docker-cmd-'));
    const who = `"; touch ${dir}/pwned; echo "$(touch ${dir}/pwned2)\n'x'`;
    const out = (await handleRequest({ action: 'eval', items: { o: { kind: 'value', raw: { env: { A: 1 }, cmd: 'printf "%s|" "hi ${{ params.who }}" ${{ params.who }}' }, mode: 'ecs-overrides' } }, ctx: { params: { who } } })) as { o: { environment: Array<{ Name: string; Value: string }>; command: string[] } };
    expect(out.o.command.join(' ')).not.toContain('touch');
    expect(out.o.environment).toEqual([{ Name: 'A', Value: '1' }, { Name: 'WF_VALUE_0', Value: who }, { Name: 'WF_VALUE_1', Value: who }]);
    const env = Object.fromEntries(out.o.environment.map((e) => [e.Name, e.Value]));
    const r = spawnSync(out.o.command[0]!, out.o.command.slice(1), { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });
    expect(r.stdout).toBe(`hi ${who}|${who}|`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
