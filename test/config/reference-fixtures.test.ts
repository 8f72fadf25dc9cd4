/**
 * The shapes of the reference engine's own test and documentation workflows, re-written as our
 * fixtures in test/config/reference/, through the real `wf validate` and `wf run`. Expected results
 * are what the reference documents for each shape: a py stage's outputs are the variables it
 * leaves, a bash stage's are {return_code, stdout, stderr}, matrix include/exclude follow GitHub
 * Actions' rules, a failed job fails the run, `.confignore` keeps the retired copies out.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowJsonSchema } from '../../lib/config/index.ts';
import { Project } from '../reliability/wf-process.ts';

const p = new Project('wf-reference-', {});
cpSync(new URL('./reference', import.meta.url).pathname, join(p.dir, 'conf'), { recursive: true });
afterAll(() => p.cleanup());

function run(name: string, args: string[] = []) {
  const r = p.wf(['run', name, '--conf', 'conf', '--json', '--no-audit', ...args]);
  expect(r.stderr).not.toContain('error');
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

describe('reference-engine shapes', () => {
  it('all load; the retired copies .confignore lists are not read', () => {
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4 workflows valid\n');
    expect(p.wf(['validate', '--conf', 'conf', 'old-hourly']).stderr).toContain('no workflow named "old-hourly"');
  });

  it('py stages pass values on through outputs; bash sees env; an empty stage records {}; a failing job fails the run', () => {
    const { code, doc } = run('py-chain');
    expect(code).toBe(1);
    expect(doc.status).toBe('FAILED');
    const greet = doc.jobs.greet.stages;
    expect(greet.make.outputs).toEqual({ person: 'Ada', greeting: 'Hi Ada', length: 6 });
    expect(greet.reuse.outputs).toEqual({ text: 'Hi Ada', shout: 'HI ADA' });
    expect(greet.marker).toEqual({ status: 'SUCCESS', outputs: {} });
    expect(doc.jobs.shell.stages['env-echo'].outputs).toMatchObject({ return_code: 0, stdout: 'colour is teal' });
    expect(doc.jobs.failing.status).toBe('FAILED');
    expect(doc.jobs.failing.stages.boom.errors.name).toBe('RuntimeError');
  });

  it('a matrix with exclude and include runs the combinations GitHub rules give; one failure fails the job, not the others', () => {
    const { code, doc } = run('grid', ['-p', 'src=s3://bucket']);
    expect(code).toBe(1);
    const cells = Object.values(doc.jobs.copy.strategies) as Array<{ matrix: { table: string; part: number }; status: string; stages: { copy: { outputs: { moved?: string } } } }>;
    const got = cells.map((c) => `${c.matrix.table}-${c.matrix.part}:${c.status}`).sort();
    expect(got).toEqual(['orders-1:SUCCESS', 'orders-3:SUCCESS', 'orders-9:SUCCESS', 'users-2:SUCCESS', 'users-3:FAILED'].sort());
    const orders9 = cells.find((c) => c.matrix.table === 'orders' && c.matrix.part === 9)!;
    expect(orders9.stages.copy.outputs.moved).toBe('s3://bucket/orders/9');
    expect(doc.jobs.copy.status).toBe('FAILED');
  });

  it('a file that is one workflow (name: at its top) runs; desc on params and jobs, id equal to the key, foreach over a stage output', () => {
    const { code, doc } = run('flat-etl');
    expect(code).toBe(0);
    expect(doc.params).toEqual({ bucket: 'landing', day: '2024-03-01' });
    const files = ['landing/20240301/part-0.csv', 'landing/20240301/part-1.csv'];
    expect(doc.jobs.extract.stages.list.outputs.files).toEqual(files);
    const each = doc.jobs.load.stages.each.outputs;
    expect(each.items).toEqual(files);
    expect(Object.keys(each.foreach).sort()).toEqual(files);
    expect(each.foreach[files[1]!].stages.one.outputs.rows).toBe(files[1]!.length);
  });

  it('case, parallel, until, a skipped job and a trigger of the top-level workflow', () => {
    const { code, doc } = run('branching');
    expect(code).toBe(0);
    const route = doc.jobs.route.stages;
    expect(route.pick.outputs.case).toBe('fast');
    expect(route.pick.outputs.stages.quick.outputs).toEqual({ speed: 'quick' });
    expect(route.sides.outputs.parallel.left.stages.side.outputs).toEqual({ side: 'L' });
    expect(route.sides.outputs.parallel.right.stages.side.outputs).toEqual({ side: 'R' });
    expect(Object.keys(route.count.outputs.until)).toEqual(['1', '2', '3']);
    expect(route.count.outputs.until['3'].stages.step.outputs.item).toBe(4);
    expect(doc.jobs['slow-only'].status).toBe('SKIP');
    const child = doc.jobs.child.stages.start.outputs;
    expect(child.status).toBe('SUCCESS');
    expect(child.params.bucket).toBe('archive');
    expect(child.jobs.extract.stages.list.outputs.files[0]).toBe('archive/20240301/part-0.csv');
  });

  it('slow mode takes the default case written as {else: [...]}, and runs the slow-only job', () => {
    const { code, doc } = run('branching', ['-p', 'mode=slow']);
    expect(code).toBe(1);
    expect(doc.jobs.route.stages.pick.outputs.case).toBe('slow');
    expect(doc.jobs.route.stages.pick.outputs.stages.other.outputs).toEqual({ speed: 'other' });
    expect(doc.jobs['slow-only'].status).toBe('FAILED');
    expect(doc.jobs['slow-only'].errors.message).toContain('slow mode is not ready');
  });
});

describe('reference-engine shapes that are deliberate differences (docs/dialect.md) get positioned errors with the fix', () => {
  const files: Record<string, string> = {
    'named-schedule.yml': `a:\n  type: Workflow\n  on: ['every_2_minute_bkk']\n  jobs:\n    j:\n      stages:\n        - name: x\n`,
    'templated-id.yml': `b:\n  type: Workflow\n  jobs:\n    j:\n      strategy:\n        matrix:\n          t: [one]\n      stages:\n        - name: x\n          id: \${{ matrix.t }}-copy\n`,
    'python-call.yml': `c:\n  type: Workflow\n  params:\n    s: str\n  jobs:\n    j:\n      stages:\n        - name: x\n          echo: \${{ len(params.s) }}\n`,
    'batch-runner.yml': `d:\n  type: Workflow\n  jobs:\n    j:\n      runs-on:\n        type: aws_batch\n      stages:\n        - name: x\n`,
    'description.yml': `e:\n  type: Workflow\n  description: long text\n  jobs:\n    j:\n      stages:\n        - name: x\n`,
    'spaced-name.yml': `name: "Data Sync Pipeline"\ntype: Workflow\njobs:\n  j:\n    stages:\n      - name: x\n`,
    'interval.yml': `f:\n  type: Workflow\n  on:\n    schedule:\n      - interval: daily\n        time: "01:30"\n    release: [a]\n  jobs:\n    j:\n      stages:\n        - name: x\n`,
  };
  const q = new Project('wf-reference-diff-', files);
  let r: { code: number | null; stderr: string };
  beforeAll(() => {
    r = q.wf(['validate', '--conf', 'conf']);
  });
  afterAll(() => q.cleanup());

  it.each([
    ['named-schedule.yml:3:8: error WF2003: "on" item 1 is the text "every_2_minute_bkk"; named schedules are not supported'],
    ['templated-id.yml:10:15: error WF2007: "${{ matrix.t }}-copy" is not a valid id'],
    ['python-call.yml:9:21: error WF4002: unknown function "len"'],
    ['batch-runner.yml:6:9: error WF2008: "runs-on" must be one of "lambda", "local"'],
    ['description.yml:3:3: error WF2001: unknown key "description" in workflow "e"'],
    ['spaced-name.yml:1:7: error WF2007: "Data Sync Pipeline" is not a valid workflow name'],
    ['interval.yml:5:9: error WF2001: unknown key "interval" in "on.schedule" item 1\n   5 |       - interval: daily\n     |         ^^^^^^^^\n  note: interval schedules are not supported; write the cron'],
    ['interval.yml:7:5: error WF2001: unknown key "release" in "on"\n   7 |     release: [a]\n     |     ^^^^^^^\n  note: starting on another workflow\'s release is not supported'],
  ])('%s', (expected) => {
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(expected);
  });
});

describe('the JSON Schema (wf schema) and the reference shapes', () => {
  const validate = new Ajv2020({ strict: false }).compile(workflowJsonSchema());
  const fixture = (path: string) => parse(readFileSync(new URL(`./reference/${path}`, import.meta.url), 'utf8'));

  it('accepts every fixture, the top-level workflow file among them', () => {
    for (const path of ['flat-etl.yml', 'demo/py-chain.yml', 'demo/grid.yml', 'demo/branching.yml']) {
      expect(validate(fixture(path)), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects a top-level workflow whose name is not an id, or that has an unknown key', () => {
    const flat = fixture('flat-etl.yml');
    expect(validate({ ...flat, name: 'Data Sync Pipeline' })).toBe(false);
    expect(validate({ ...flat, descr: 'x' })).toBe(false);
  });
});
