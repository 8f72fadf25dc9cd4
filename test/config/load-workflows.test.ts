/**
 * What the loader builds: the typed model (aliases resolved, defaults applied, positions kept),
 * the environment settings it honours, discovery and selection of workflows, and the JSON Schema.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  deriveStageId,
  loadWorkflows,
  loadWorkflowsFromText,
  workflowJsonSchema,
  type CallStage,
  type CaseStage,
  type DockerStage,
  type EmptyStage,
  type ForeachStage,
  type ParallelStage,
  type RaiseStage,
  type Stage,
  type UntilStage,
  type VirtualPyStage,
  type Workflow,
} from '../../lib/config/index.ts';
import { formatDiagnostics, hasErrors } from '../../lib/diagnostics/index.ts';
import { parse } from 'yaml';

const ALL_KINDS = 'test/config/golden/all-kinds.yaml';

function loadOne(text: string, env: NodeJS.ProcessEnv = {}): { wf: Workflow; text: string } {
  const result = loadWorkflowsFromText({ 'conf/wf.yml': text }, { env });
  const out = formatDiagnostics(result.diagnostics, { sources: result.sources });
  expect(hasErrors(result.diagnostics), out).toBe(false);
  return { wf: [...result.workflows.values()][0]!, text: out };
}

function stageNamed(stages: readonly Stage[], name: string): Stage {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

describe('the model built from all-kinds.yaml', () => {
  const result = loadWorkflowsFromText({ [ALL_KINDS]: readFileSync(ALL_KINDS, 'utf8') }, { env: {} });
  const wf = result.workflows.get('all-kinds')!;
  const stages = wf.jobs.first!.stages;

  it('loads both workflows with no errors; the only warnings are required params of scheduled workflows', () => {
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
      'warning WF2009 workflow "all-kinds" runs on a schedule, which passes no params, but param "name" is required',
      'warning WF2009 workflow "other" runs on a schedule, which passes no params, but param "who" is required',
    ]);
    expect([...result.workflows.keys()]).toEqual(['all-kinds', 'other']);
  });

  it('keeps workflow fields and the file path', () => {
    expect(wf.file).toBe(ALL_KINDS);
    expect(wf.tags).toEqual(['demo']);
    expect(wf.timeout).toBe(600);
    expect(wf.maxJobParallel).toBe(3);
    expect(wf.execution).toBe('standard');
    expect(wf.extras).toEqual({ env: { STAGE: 'dev' } });
    expect(wf.loc).toMatchObject({ file: ALL_KINDS, line: 2, col: 1 });
  });

  it('reads params in both forms with required/default semantics', () => {
    expect(wf.params.name).toMatchObject({ type: 'str', hasDefault: false, required: true, secret: false });
    expect(wf.params.count).toMatchObject({ type: 'int', hasDefault: true, default: 2, required: false });
    expect(wf.params.mode).toMatchObject({ type: 'choice', options: ['fast', 'slow'], default: 'fast' });
    expect(wf.params.token).toMatchObject({ secret: true, required: false, hasDefault: false });
  });

  it('normalises both forms of "on"', () => {
    expect(wf.on.manual).toBe(true);
    expect(wf.on.schedules.map((s) => [s.cron, s.timezone])).toEqual([['0 9 * * 1-5', 'Europe/Paris']]);
    const other = result.workflows.get('other')!;
    expect(other.on).toMatchObject({ manual: false, schedules: [{ cron: '*/5 * * * *', timezone: 'Asia/Bangkok' }] });
  });

  it('resolves job aliases and defaults', () => {
    const first = wf.jobs.first!;
    expect(first).toMatchObject({ runsOn: 'local', retry: 1, timeout: 300, needs: [], triggerRule: 'all_success', triggerRuleSet: false });
    expect(first.outputs).toEqual({ greeting: '${{ stages.hello.outputs.stdout }}' });
    const second = wf.jobs.second!;
    expect(second).toMatchObject({ needs: ['first'], triggerRule: 'all_done', triggerRuleSet: true, runsOn: 'lambda', retry: 0 });
    expect(second.strategy).toMatchObject({
      matrix: { os: ['linux', 'mac'], py: "${{ fromJson('[1, 2]') }}" },
      include: [{ os: 'linux', extra: true }],
      exclude: [{ os: 'mac' }],
      maxParallel: 2,
      failFast: true,
    });
  });

  it('decides every stage kind', () => {
    expect(stages.map((s) => s.kind)).toEqual([
      'empty', 'bash', 'py', 'virtual-py', 'call', 'trigger', 'parallel', 'foreach', 'case', 'until', 'raise', 'docker', 'try', 'group',
    ]);
  });

  it('resolves stage aliases and applies defaults', () => {
    expect(stageNamed(stages, 'Echo')).toMatchObject({ echo: 'hello ${{ params.name }}', sleep: 1, retry: 0, continueOnError: false });
    expect(stageNamed(stages, 'Hello')).toMatchObject({ id: 'hello', if: 'params.count > 1', retry: '${{ params.count }}', continueOnError: true });
    expect((stageNamed(stages, 'Venv') as VirtualPyStage).version).toBe('3.11');
    const call = stageNamed(stages, 'Call') as CallStage;
    expect(call).toMatchObject({ registry: 'tasks', func: 'process', tag: 'v1', with: { n: '${{ params.count }}' } });
    expect((stageNamed(stages, 'Fan') as ParallelStage).maxWorkers).toBe(3);
    expect(Object.keys((stageNamed(stages, 'Fan') as ParallelStage).branches)).toEqual(['a']);
    expect(stageNamed(stages, 'Each') as ForeachStage).toMatchObject({ foreach: [1, 2, 3], concurrent: 2, useIndexAsKey: true });
    const sw = stageNamed(stages, 'Switch') as CaseStage;
    expect(sw.skipNotMatch).toBe(true);
    expect(sw.match.map((m) => [m.case, m.isDefault, m.stages.length])).toEqual([['fast', false, 1], ['else', true, 0]]);
    expect(stageNamed(stages, 'Loop') as UntilStage).toMatchObject({ item: 1, until: '${{ item >= 3 }}', maxLoop: 5 });
    expect(stageNamed(stages, 'Fail') as RaiseStage).toMatchObject({ raise: 'never', if: false });
    expect(stageNamed(stages, 'Container') as DockerStage).toMatchObject({ image: 'alpine', tag: '3.19', cmd: 'echo hi', env: {}, auth: {} });
  });

  it('keeps the position of every field value', () => {
    const hello = stageNamed(stages, 'Hello');
    expect(hello.loc).toMatchObject({ line: 43, col: 11 });
    expect(hello.fieldLocs.retry).toMatchObject({ line: 46, col: 18 });
    expect(wf.jobs.second!.fieldLocs.needs).toMatchObject({ line: 119, col: 14 });
  });
});

describe('defaults of kinds written bare', () => {
  const { wf } = loadOne(`
w:
  type: Workflow
  jobs:
    j:
      stages:
        - {name: e, echo: hi}
        - {name: p, parallel: {a: [{name: x, echo: y}]}}
        - {name: f, foreach: "\${{ params.list? }}", stages: [{name: x, echo: y}]}
        - {name: u, until: "\${{ item > 1 }}", stages: [{name: x, echo: y}]}
        - {name: v, run: "x = 1", deps: [a]}
        - {name: d, image: alpine}
`);
  const [e, p, f, u, v, d] = wf.jobs.j!.stages;

  it('uses the documented defaults', () => {
    expect(wf.timeout).toBe(3600);
    expect(wf.maxJobParallel).toBeUndefined();
    expect(wf.on).toEqual({ schedules: [], manual: false });
    expect((e as EmptyStage).sleep).toBeUndefined();
    expect((p as ParallelStage).maxWorkers).toBe(2);
    expect(f).toMatchObject({ concurrent: 1, useIndexAsKey: false, foreach: '${{ params.list? }}' });
    expect(u).toMatchObject({ item: 0, maxLoop: 10 });
    expect(v).toMatchObject({ kind: 'virtual-py', version: '3.12', vars: {} });
    expect(d).toMatchObject({ tag: 'latest', volume: {} });
  });
});

describe('environment settings', () => {
  const text = `
w:
  type: Workflow
  jobs:
    j:
      stages:
        - name: "Process Data"
          echo: a
        - name: "Process data!"
          echo: b
        - name: "Named"
          id: process-data-3
          echo: c
        - name: "Process  data"
          echo: d
`;

  it('WORKFLOW_CORE_TIMEOUT and WORKFLOW_CORE_MAX_JOB_PARALLEL set workflow defaults', () => {
    const { wf } = loadOne(text, { WORKFLOW_CORE_TIMEOUT: '120', WORKFLOW_CORE_MAX_JOB_PARALLEL: '4' });
    expect(wf.timeout).toBe(120);
    expect(wf.maxJobParallel).toBe(4);
  });

  it('a workflow\'s own timeout and max-job-parallel win over the environment', () => {
    const own = text.replace('type: Workflow', 'type: Workflow\n  timeout: 30\n  max-job-parallel: 1');
    const { wf } = loadOne(own, { WORKFLOW_CORE_TIMEOUT: '120', WORKFLOW_CORE_MAX_JOB_PARALLEL: '4' });
    expect([wf.timeout, wf.maxJobParallel]).toEqual([30, 1]);
  });

  it('WORKFLOW_CORE_STAGE_DEFAULT_ID derives ids from names, unique within the list', () => {
    expect(loadOne(text).wf.jobs.j!.stages.map((s) => s.id)).toEqual([undefined, undefined, 'process-data-3', undefined]);
    const { wf } = loadOne(text, { WORKFLOW_CORE_STAGE_DEFAULT_ID: 'true' });
    expect(wf.jobs.j!.stages.map((s) => s.id)).toEqual(['process-data', 'process-data-2', 'process-data-3', 'process-data-4']);
  });

  it('deriveStageId lowercases and turns other characters into single dashes', () => {
    expect(deriveStageId('Process ${{ item }}')).toBe('process-item');
    expect(deriveStageId('Deploy_v2 (EU)')).toBe('deploy_v2-eu');
    expect(deriveStageId('!!!')).toBeUndefined();
  });
});

describe('discovery and selection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-conf-'));
  writeFileSync(join(dir, 'a.yml'), 'a:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: t\n          trigger: b\n');
  writeFileSync(join(dir, 'b.yaml'), 'b:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - {name: x, echo: y}\nnot-a-workflow:\n  type: Something\n');
  writeFileSync(join(dir, 'c.yml'), 'c:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - {name: x, ecoh: y}\n');
  writeFileSync(join(dir, 'notes.txt'), 'd:\n  type: Workflow\n');

  it('finds *.yml and *.yaml, reports absolute paths for an absolute conf', () => {
    const result = loadWorkflows({ conf: dir, env: {} });
    expect([...result.sources.keys()]).toEqual(['a.yml', 'b.yaml', 'c.yml'].map((f) => join(dir, f)));
    expect([...result.workflows.keys()]).toEqual(['a', 'b']);
    expect(result.diagnostics.map((d) => `${d.code} ${d.location?.file}:${d.location?.line}:${d.location?.col}`)).toEqual([
      `WF2001 ${join(dir, 'c.yml')}:6:21`,
    ]);
  });

  it('reads the conf dir from WORKFLOW_CORE_CONF_PATH', () => {
    const result = loadWorkflows({ env: { WORKFLOW_CORE_CONF_PATH: dir } });
    expect(result.workflows.size).toBe(2);
  });

  it('keeps a relative conf relative in paths', () => {
    const result = loadWorkflows({ conf: 'test/conformance/typo/conf', env: {} });
    expect(result.diagnostics[0]!.location!.file).toBe('test/conformance/typo/conf/bad.yml');
    expect(resolve('test/conformance/typo/conf/bad.yml')).toContain('/test/conformance/');
  });

  it('with names: reports only those and what they trigger', () => {
    const result = loadWorkflows({ conf: dir, names: ['a'], env: {} });
    expect(result.diagnostics).toEqual([]);
    expect([...result.workflows.keys()]).toEqual(['a', 'b']);
  });

  it('with an unknown name: WF1005 with did-you-mean and the known workflows', () => {
    const result = loadWorkflows({ conf: dir, names: ['cc'], env: {} });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'WF1005', severity: 'error', message: `no workflow named "cc" in "${dir}"` });
    expect(result.diagnostics[0]!.note).toBe('workflows are "a", "b", "c"; did you mean "c"?');
    expect(result.workflows.size).toBe(0);
  });

  it('a missing conf dir is WF1003', () => {
    const result = loadWorkflows({ conf: join(dir, 'nope'), env: {} });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['WF1003']);
    expect(result.diagnostics[0]!.message).toContain('no such file or directory');
  });

  it('an empty conf dir is WF1005', () => {
    const empty = mkdtempSync(join(tmpdir(), 'wf-empty-'));
    expect(loadWorkflows({ conf: empty, env: {} }).diagnostics.map((d) => d.code)).toEqual(['WF1005']);
  });
});

describe('YAML hazards', () => {
  it.each([
    ['a self-containing alias', 'w:\n  type: Workflow\n  jobs:\n    j:\n      stages: &s\n        - name: x\n          stages: *s\n', 'WF1001'],
    ['an alias bomb', `a: &a [x, x]\nb: &b [${'*a,'.repeat(9)}*a]\nc: &c [${'*b,'.repeat(9)}*b]\nd: &d [${'*c,'.repeat(9)}*c]\nw:\n  type: Workflow\n  extras: {x: *d}\n  jobs: {j: {stages: [{name: a, echo: b}]}}\n`, 'WF1001'],
    ['two documents', 'a: 1\n---\nb: 2\n', 'WF1001'],
    ['a key repeated', 'w:\n  type: Workflow\n  type: Workflow\n  jobs: {j: {stages: [{name: a, echo: b}]}}\n', 'WF1002'],
  ])('%s is reported, not thrown', (_, text, code) => {
    const result = loadWorkflowsFromText({ 'x.yml': text });
    expect(result.diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe('expression positions', () => {
  const cases: [string, string, string][] = [
    ['plain', 'echo: ${{ params.nope }}', '7:21'],
    ['double-quoted with escapes', 'echo: "a\\t\\"b\\" ${{ params.nope }}"', '7:31'],
    ['single-quoted', "echo: 'it''s ${{ params.nope }}'", '7:28'],
    ['block literal', 'bash: |\n            echo one\n            echo "${{ params.nope }}"', '9:23'],
    ['folded over lines', 'echo: >\n            first line\n            and ${{ params.nope }}', '9:21'],
  ];
  it.each(cases)('%s', (_, field, at) => {
    const text = `w:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: s\n          ${field}\n`;
    const result = loadWorkflowsFromText({ 'x.yml': text });
    const d = result.diagnostics.find((x) => x.code === 'WF4001')!;
    expect(`${d.location!.line}:${d.location!.col}`).toBe(at);
    expect(d.location!.length).toBe('params.nope'.length);
  });
});

describe('JSON Schema', () => {
  const schema = workflowJsonSchema();
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(schema);

  it('is a draft 2020-12 schema of a map of workflows with a recursive Stage', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.$defs as object).sort()).toEqual(['Stage', 'Workflow']);
  });

  it('accepts the example confs', () => {
    for (const file of [ALL_KINDS, 'test/conformance/matrix/conf/wf.yml', 'test/conformance/parallel/conf/wf.yml', 'test/conformance/until/conf/wf.yml']) {
      expect(validate(parse(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects an unknown key and an out-of-range value', () => {
    const bad = (stage: object) => ({ w: { type: 'Workflow', jobs: { j: { stages: [stage] } } } });
    expect(validate(bad({ name: 'x', ecoh: 'y' }))).toBe(false);
    expect(validate(bad({ name: 'x', sleep: 4000 }))).toBe(false);
    expect(validate(bad({ name: 'x', sleep: 40 }))).toBe(true);
  });
});
