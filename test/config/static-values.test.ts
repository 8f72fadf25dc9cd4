/**
 * The value sets docs/dialect.md promises for templated trigger targets and `uses`: what a
 * template can render to when its names are known when compiling (choice options, a literal
 * matrix's combinations after exclude and include, case values, literal foreach items, branch
 * names), each name taking one value throughout; anything else is unknown. Read from workflows
 * as the loader reads them, one case per row.
 */
import { describe, expect, it } from 'vitest';
import { childLists, loadWorkflowsFromText, staticScopes, staticValues, type Stage, type Workflow } from '../../lib/config/index.ts';

function stageNamed(wf: Workflow, name: string): Stage {
  const found: Stage[] = [];
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.name === name) found.push(s);
      for (const list of childLists(s)) walk(list);
    }
  };
  for (const job of Object.values(wf.jobs)) walk(job.stages);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const YAML = `
w:
  type: Workflow
  params:
    region: {type: choice, options: [eu, us]}
    free: str
  jobs:
    m:
      strategy:
        matrix:
          os: [linux, mac]
          py: ["3.11", "3.12"]
        exclude: [{os: mac, py: "3.11"}]
        include: [{os: win, py: "3.13"}]
      stages:
        - {name: here, echo: x}
        - name: route
          case: \${{ params.region }}
          match:
            - {case: eu, stages: [{name: in-eu, echo: x}]}
            - {case: _, stages: [{name: in-default, echo: x}]}
        - name: each
          foreach: [a, b]
          stages: [{name: in-each, echo: x}]
        - name: fan
          parallel:
            left: [{name: in-left, echo: x}]
`;

const CASES: Array<{ at: string; text: string; values: string[] | undefined }> = [
  { at: 'here', text: 'load-${{ params.region }}', values: ['load-eu', 'load-us'] },
  { at: 'here', text: '${{ params.region }}-${{ params.region }}', values: ['eu-eu', 'us-us'] },
  { at: 'here', text: '${{ matrix.os }}-${{ matrix.py }}', values: ['linux-3.11', 'linux-3.12', 'mac-3.12', 'win-3.13'] },
  { at: 'here', text: "${{ matrix['os'] }}", values: ['linux', 'mac', 'win'] },
  { at: 'here', text: '${{ params.free }}', values: undefined },
  { at: 'here', text: '${{ params.region | upper }}', values: undefined },
  { at: 'here', text: '${{ params.region? }}', values: undefined },
  { at: 'here', text: '${{ case }}', values: undefined },
  { at: 'in-eu', text: '${{ case }}', values: ['eu'] },
  { at: 'in-default', text: '${{ case }}', values: ['us'] },
  { at: 'in-each', text: 'x-${{ item }}', values: ['x-a', 'x-b'] },
  { at: 'in-left', text: '${{ branch }}', values: ['left'] },
  { at: 'here', text: 'plain', values: ['plain'] },
];

describe('static values of a template', () => {
  const loaded = loadWorkflowsFromText({ 'conf/w.yml': YAML });
  const wf = loaded.workflows.get('w')!;
  it('loads', () => expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]));
  for (const c of CASES) {
    it(`${c.text} at ${c.at}`, () => {
      expect(staticValues(c.text, staticScopes(wf).get(stageNamed(wf, c.at)) ?? new Map())).toEqual(c.values);
    });
  }
  it('gives up past the limit instead of listing every combination', () => {
    const axis = Array.from({ length: 20 }, (_, i) => `v${i}`);
    const scope = new Map([['a', axis], ['b', axis]]);
    expect(staticValues('${{ a }}${{ b }}', scope)).toBeUndefined();
    expect(staticValues('${{ a }}', scope)).toHaveLength(20);
  });
});
