/**
 * A foreach over S3 compiles to a Distributed Map: its ItemReader (a listing or a manifest of each
 * format), ItemBatcher, MaxConcurrency, tolerated failure and ResultWriter, its child executions'
 * type, and templated sources rendered before it. Every machine passes AWS's language service.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow, structuralProblems, type Machine, type State } from '../../lib/compiler/index.ts';
import { aslServiceFindings } from '../helpers/aws-asl-service.ts';

function compiled(stage: string, extra = ''): { machine: Machine; json: string; map: State } {
  const text = `s3w:
  type: Workflow
  params:
    bucket: {type: str, default: data}
  jobs:
    work:
      stages:
${stage.replace(/^/gm, '        ')}
${extra}`;
  const { workflows, diagnostics } = loadWorkflowsFromText({ 's3w.yml': text });
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const out = compileWorkflow(workflows.get('s3w')!);
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const map = Object.values(out.definition.States).find((s) => s.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED')!;
  expect(map).toBeDefined();
  return { machine: out.definition, json: out.pretty, map };
}

async function clean(json: string): Promise<void> {
  expect(await aslServiceFindings(json)).toEqual([]);
}

describe('foreach over S3', () => {
  it('lists the objects under a prefix: each item {key, size, etag}, batches, concurrency, tolerance, results', async () => {
    const { machine, json, map } = compiled(`- name: Each object
  id: each
  foreach: {s3: {bucket: data, prefix: in/}}
  concurrent: 500
  batch: 100
  tolerated-failure: 2%
  stages:
    - {name: Show, id: show, bash: 'echo "\${{ item.key }}"'}`);
    expect(structuralProblems(machine)).toEqual([]);
    await clean(json);
    expect(map.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'data', Prefix: 'in/' } });
    expect(map.ItemSelector).toEqual({ item: { 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size', 'etag.$': '$$.Map.Item.Value.Etag' }, 'loop.$': '$$.Map.Item.Index' });
    expect(map.ItemBatcher?.MaxItemsPerBatch).toBe(100);
    expect(Object.keys(map.ItemBatcher?.BatchInput ?? {})).toEqual(['params.$', 'release.$', 'run.$', 'jobs.$', 'outer']);
    expect(map.MaxConcurrency).toBe(500);
    expect(map.ToleratedFailurePercentage).toBe(2);
    expect(map.ToleratedFailureCount).toBeUndefined();
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ResultWriter).toEqual({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: '${ResultsBucket}', 'Prefix.$': expect.stringMatching(/^\$\.__s3r\d+\.p$/) } });
    // The tally counts the results; the stage's record holds its outputs.
    const tally = machine.States[map.Next!]!;
    expect((tally.Parameters as { Payload: { action: string } }).Payload.action).toBe('tally');
    expect(tally.ResultPath).toBe('$.jobs.work.stages.each');
  });

  it('reads a manifest by its format: JSON array, JSONL, CSV with its header row; a count tolerance', async () => {
    for (const [key, config] of [
      ['lists/a.json', { InputType: 'JSON' }],
      ['lists/a.jsonl', { InputType: 'JSONL' }],
      ['lists/a.csv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }],
    ] as const) {
      const { json, map } = compiled(`- name: Each record
  foreach: {s3: {bucket: data, key: "${key}"}}
  tolerated-failure: 10
  stages:
    - {name: Say, echo: "\${{ item.id }}"}`);
      await clean(json);
      expect(map.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: config, Parameters: { Bucket: 'data', Key: key } });
      expect(map.ItemSelector).toEqual({ 'item.$': '$$.Map.Item.Value', 'loop.$': '$$.Map.Item.Index' });
      expect(map.ToleratedFailureCount).toBe(10);
      expect(map.ItemBatcher?.MaxItemsPerBatch).toBe(1);
    }
  });

  it('renders a templated bucket and key first; a body that waits runs in Standard children', async () => {
    const { machine, json, map } = compiled(`- name: Each record
  foreach: {s3: {bucket: "\${{ params.bucket }}", key: "in/\${{ release.logical_date }}.txt", format: jsonl}}
  batch: auto
  stages:
    - {name: Nap, sleep: 2}`);
    await clean(json);
    expect(map.ItemReader?.Parameters).toEqual({ 'Bucket.$': expect.stringMatching(/^\$\.__s3\d+\.bucket$/), 'Key.$': expect.stringMatching(/^\$\.__s3\d+\.key$/) });
    expect(map.ItemReader?.ReaderConfig).toEqual({ InputType: 'JSONL' });
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemBatcher?.MaxItemsPerBatch).toBeGreaterThan(1);
    const evaluate = Object.values(machine.States).find((s) => (s.Parameters as { Payload?: { action?: string } } | undefined)?.Payload?.action === 'eval');
    expect(Object.keys((evaluate!.Parameters as { Payload: { items: object } }).Payload.items)).toEqual(['bucket', 'key']);
  });

  it('is refused where it cannot be: wrong source, unknown format, options of list foreach', () => {
    const { diagnostics } = loadWorkflowsFromText({
      'bad.yml': `bad:
  type: Workflow
  jobs:
    j:
      stages:
        - {name: Both, foreach: {s3: {bucket: b, prefix: p/, key: k.json}}, stages: [{name: s, echo: x}]}
        - {name: Neither, foreach: {s3: {bucket: b}}, stages: [{name: s, echo: x}]}
        - {name: Text, foreach: {s3: {bucket: b, key: k.txt}}, stages: [{name: s, echo: x}]}
        - {name: List, foreach: [1], concurrent: 50, tolerated-failure: 1, stages: [{name: s, echo: x}]}
        - {name: Pct, foreach: {s3: {bucket: b, prefix: p/}}, tolerated-failure: 150%, stages: [{name: s, echo: x}]}
`,
    });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([
      'WF2008 "foreach: {s3: ...}" of stage "Both" needs exactly one of "prefix" (loop over the objects under it) and "key" (loop over a manifest\'s records)',
      'WF2002 "foreach: {s3: ...}" of stage "Neither" needs exactly one of "prefix" (loop over the objects under it) and "key" (loop over a manifest\'s records)',
      'WF2008 the manifest "k.txt" of stage "Text" has no known format',
      'WF2004 "concurrent" must be at most 10, got 50',
      'WF2008 "tolerated-failure" of stage "List" needs a foreach over S3',
      expect.stringMatching(/^WF2003 .*tolerated-failure/),
    ]);
  });

  it('needs a Standard workflow', () => {
    const { workflows } = loadWorkflowsFromText({
      'x.yml': `x:
  type: Workflow
  execution: express
  jobs:
    j:
      stages:
        - {name: Each, foreach: {s3: {bucket: b, prefix: p/}}, stages: [{name: s, echo: x}]}
`,
    });
    expect(compileWorkflow(workflows.get('x')!).diagnostics.map((d) => d.code)).toContain('WF6006');
  });
});
