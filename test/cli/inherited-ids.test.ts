/**
 * Names every JavaScript object inherits (`constructor`, `prototype`, `hasOwnProperty`, `toString`,
 * `__proto__`) used as job, stage, branch, matrix axis, output and param ids, through the real `wf
 * validate` and `wf run`. Each must either work end to end (the result document holds it, values
 * flow through it) or be refused by validate with WF2007 naming the id and the fix.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Project } from '../reliability/wf-process.ts';

const projects: Project[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

function project(files: Record<string, string>): Project {
  const p = new Project('wf-inherited-ids-', files);
  projects.push(p);
  return p;
}

/** Every kind of id named `id`: a param, a job with an output, a stage, a branch, a matrix axis. */
function everyKind(id: string): string {
  return `every:
  type: Workflow
  params:
    ${id}:
      type: str
      default: pv
  jobs:
    ${id}:
      outputs:
        ${id}: \${{ stages.${id}.outputs.got }}
      stages:
        - name: Own
          id: ${id}
          vars:
            p: \${{ params.${id} }}
          run: got = p + '!'
        - name: Fan
          id: fan
          parallel:
            ${id}:
              - name: Inside
                id: inside
                vars:
                  b: \${{ branch }}
                run: seen = b
    grid:
      strategy:
        matrix:
          ${id}: [a]
      stages:
        - name: Cell
          id: cell
          vars:
            m: \${{ matrix.${id} }}
          run: value = m
    after:
      needs: ${id}
      stages:
        - name: Read
          id: read
          vars:
            o: \${{ needs.${id}.outputs.${id} }}
          run: got = o
`;
}

describe.each(['constructor', 'prototype', 'hasOwnProperty', 'toString'])('"%s" as every kind of id', (id) => {
  it('validates and runs, with the id in the result document and values through it', () => {
    const p = project({ 'every.yml': everyKind(id) });
    const v = p.wf(['validate', '--conf', 'conf']);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const r = p.wf(['run', 'every', '--conf', 'conf', '--json', '--no-audit']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc.params)).toEqual([id]);
    expect(Object.keys(doc.jobs).sort()).toEqual(['after', 'grid', id].sort());
    const job = doc.jobs[id];
    expect(Object.hasOwn(job.stages, id)).toBe(true);
    expect(job.stages[id].outputs).toEqual({ p: 'pv', got: 'pv!' });
    expect(job.outputs).toEqual({ [id]: 'pv!' });
    expect(job.stages.fan.outputs.parallel[id].stages.inside.outputs).toEqual({ b: id, seen: id });
    const cells = Object.values(doc.jobs.grid.strategies) as Array<{ matrix: Record<string, unknown>; stages: Record<string, { outputs: unknown }> }>;
    expect(cells.map((c) => c.matrix)).toEqual([{ [id]: 'a' }]);
    expect(cells[0]!.stages.cell.outputs).toEqual({ m: 'a', value: 'a' });
    expect(doc.jobs.after.stages.read.outputs).toEqual({ o: 'pv!', got: 'pv!' });
  });
});

describe('"__proto__"', () => {
  it('works as a param, a branch and a job output', () => {
    const p = project({
      'proto.yml': `proto:
  type: Workflow
  params:
    __proto__:
      type: int
      default: 4
  jobs:
    make:
      outputs:
        __proto__: \${{ stages.calc.outputs.n }}
      stages:
        - name: Calc
          id: calc
          vars:
            given: \${{ params.__proto__ }}
          run: n = given * 10
        - name: Fan
          id: fan
          parallel:
            __proto__:
              - name: Inside
                id: inside
                vars:
                  b: \${{ branch }}
                run: seen = b
    use:
      needs: make
      stages:
        - name: Read
          id: read
          vars:
            o: \${{ needs.make.outputs.__proto__ }}
          run: got = o
`,
    });
    expect(p.wf(['validate', '--conf', 'conf']).code).toBe(0);
    const r = p.wf(['run', 'proto', '--conf', 'conf', '--json', '--no-audit', '-p', '__proto__=6']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.hasOwn(doc.params, '__proto__')).toBe(true);
    expect(doc.params.__proto__).toBe(6);
    expect(doc.jobs.make.stages.calc.outputs).toEqual({ given: 6, n: 60 });
    expect(Object.hasOwn(doc.jobs.make.outputs, '__proto__')).toBe(true);
    expect(doc.jobs.make.outputs.__proto__).toBe(60);
    expect(Object.hasOwn(doc.jobs.make.stages.fan.outputs.parallel, '__proto__')).toBe(true);
    expect(doc.jobs.make.stages.fan.outputs.parallel.__proto__.stages.inside.outputs).toEqual({ b: '__proto__', seen: '__proto__' });
    expect(doc.jobs.use.stages.read.outputs).toEqual({ o: 60, got: 60 });
  });

  it('works as a key of a py stage\'s vars and a bash stage\'s env', () => {
    const p = project({
      'v.yml': `v:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Py\n          id: py\n          vars:\n            __proto__: 7\n          run: got = globals()['__proto__'] * 2\n        - name: Sh\n          id: sh\n          env:\n            __proto__: eight\n          bash: echo "[$__proto__]"\n`,
    });
    const r = p.wf(['run', 'v', '--conf', 'conf', '--json', '--no-audit']);
    expect(r.code).toBe(0);
    const stages = JSON.parse(r.stdout).jobs.j.stages;
    expect(stages.py.outputs).toEqual({ got: 14 });
    expect(stages.sh.outputs.stdout).toBe('[eight]');
  });

  it('works as an argument name of a call stage', () => {
    const registry = new URL('./fixtures/keys-registry.ts', import.meta.url).pathname;
    const p = project({ 'w.yml': `w:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Call\n          id: call\n          uses: keys/echo@latest\n          with:\n            __proto__: nine\n            plain: 1\n` });
    const r = p.wf(['run', 'w', '--conf', 'conf', '--registry', registry, '--json', '--no-audit']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).jobs.j.stages.call.outputs).toEqual({ own: ['__proto__', 'plain'], value: 'nine' });
  });

  it('passes through a trigger stage to a child workflow that declares it', () => {
    const p = project({
      'pair.yml': `child:\n  type: Workflow\n  params:\n    __proto__: str\n  jobs:\n    j:\n      stages:\n        - name: Use\n          id: use\n          vars:\n            v: \${{ params.__proto__ }}\n          run: got = v\nparent:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Start\n          id: start\n          trigger: child\n          params:\n            __proto__: hello\n`,
    });
    const r = p.wf(['run', 'parent', '--conf', 'conf', '--json', '--no-audit']);
    expect(r.code).toBe(0);
    const child = JSON.parse(r.stdout).jobs.j.stages.start.outputs;
    expect(Object.hasOwn(child.params, '__proto__')).toBe(true);
    expect(child.params.__proto__).toBe('hello');
    expect(child.jobs.j.stages.use.outputs).toEqual({ v: 'hello', got: 'hello' });
  });

  it.each([
    ['job id', 'jobs:\n    __proto__:\n      stages:\n        - name: x\n          echo: x\n', '4:5'],
    ['stage id', 'jobs:\n    j:\n      stages:\n        - name: x\n          id: __proto__\n          echo: x\n', '7:15'],
    ['matrix axis', 'jobs:\n    j:\n      strategy:\n        matrix:\n          __proto__: [a]\n      stages:\n        - name: x\n          echo: x\n', '7:11'],
  ])('is refused as a %s (a JSONPath segment) by validate and run, with the fix', (kind, jobs, at) => {
    const p = project({ 'p.yml': `p:\n  type: Workflow\n  ${jobs}` });
    const v = p.wf(['validate', '--conf', 'conf']);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`p.yml:${at}: error WF2007: "__proto__" cannot be a ${kind}`);
    expect(v.stderr).toContain('note: rename it, e.g. "proto"');
    const r = p.wf(['run', 'p', '--conf', 'conf', '--no-audit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WF2007');
  });
});

describe('inherited names as keys of the dialect', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('"%s" as a key of a workflow, job, stage or nested map is an unknown key, never a crash', (key) => {
    const p = project({
      'k.yml': `k:\n  type: Workflow\n  ${key}: 1\n  jobs:\n    j:\n      ${key}: 2\n      stages:\n        - name: a\n          ${key}: 3\n        - name: b\n          bash: echo\n          ${key}: 4\n        - name: c\n          wait:\n            signal: go\n            ${key}: 5\n`,
    });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('internal error');
    for (const at of ['3:3', '6:7', '9:11', '12:11', '16:13']) expect(r.stderr).toContain(`k.yml:${at}: error WF2001: unknown key "${key}"`);
  });
});
