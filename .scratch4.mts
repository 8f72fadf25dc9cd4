import { loadWorkflowsFromText } from './lib/config/index.ts';
import { formatDiagnostics } from './lib/diagnostics/index.ts';
const cases = [
  'a: &a [*a]\n',
  'w: &w\n  type: Workflow\n  jobs:\n    j: *w\n',
  'w:\n  type: Workflow\n  jobs:\n    j:\n      stages: &s\n        - name: x\n          stages: *s\n',
  'w:\n  type: Workflow\n  jobs:\n    ? [a]\n    : {stages: [{name: a, echo: b}]}\n    1: {stages: [{name: a, echo: b}]}\n',
  'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nw:\n  type: Workflow\n  extras: *e\n  jobs:\n    j: {stages: [{name: a, echo: b}]}\n',
  'w:\n  type: Workflow\n  jobs:\n    j: {stages: [{name: !!binary aGk=, echo: ~}]}\n',
  '---\nw: 1\n---\nx: 2\n',
  'w:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: a\n          <<: [*x]\n          echo: b\n',
  'w:\n  type: Workflow\n  params: {p: {type: choice, options: [a], default: a}}\n  jobs:\n    j:\n      stages:\n        - name: a\n          echo: "${{ params.p | fmt( }}"\n          bash: "\\u00e9 ${{ params.q }}"\n',
];
for (const t of cases) {
  try {
    const r = loadWorkflowsFromText({ 'x.yml': t });
    console.log('---', JSON.stringify(t).slice(0, 60), [...r.workflows.keys()]);
    console.log(formatDiagnostics(r.diagnostics, { sources: r.sources }));
  } catch (e) { console.log('THROW', JSON.stringify(t), e); }
}
