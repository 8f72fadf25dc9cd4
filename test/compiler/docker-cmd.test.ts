/** A docker stage's `cmd`: a command line runs through `sh -c`, a list is the argument list, on ECS and in the rendered value alike. */
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
    expect(overrideOf(m, 'run.Templated')['Command.$']).toBe('$.__docker.command');
  });

  it('renders a templated list item by item', async () => {
    const out = await handleRequest({ action: 'eval', items: { command: { kind: 'value', raw: ['echo', '${{ params.who }}'], mode: 'command' } }, ctx: { params: { who: 'a b; c' } } });
    expect(out).toEqual({ command: ['echo', 'a b; c'] });
  });
});
