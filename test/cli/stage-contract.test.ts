/**
 * Stage behaviour the docs promise, through real `wf` processes on a temp conf dir: what a dry run's
 * stages expose, echo failing like every other stage, `case` in a default branch, `error` in catch
 * stages, run-time bounds of templated sleep and retry, and call functions stopped at their timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const lib = new URL('../../lib/runtime/index.ts', import.meta.url).pathname;
let dir: string;

const CONF = `
dry:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  jobs:
    make:
      stages:
        - { name: Make, id: make, bash: "echo hi" }
        - { name: Use, id: use, bash: "echo \\"$X\\"", env: { X: "\${{ stages.make.outputs.stdout }}" } }
        - { name: Say, echo: "got \${{ stages.make.outputs.stdout }}" }
        - { name: Py, id: py, run: "x = '\${{ stages.make.outputs.stdout }}'" }
        - { name: Call, id: call, uses: "t/ok@latest", with: { n: "\${{ stages.use.outputs.return_code }}" } }
        - name: Only when it worked
          id: gated
          if: "\${{ stages.make.outputs.stdout == 'hi' }}"
          bash: echo gated
echo-bad:
  type: Workflow
  params:
    p: { type: str, default: x }
  jobs:
    echo:
      stages:
        - { name: Say, id: say, echo: "got \${{ params.p | int }}" }
    raise:
      stages:
        - { name: Raise, id: raise, raise: "got \${{ params.p | int }}" }
case-default:
  type: Workflow
  params:
    env: { type: str, default: qa }
  jobs:
    pick:
      stages:
        - name: Pick
          id: pick
          case: "\${{ params.env | upper }}"
          match:
            - { case: DEV, stages: [{ name: Dev, id: which, bash: "echo dev" }] }
            - case: _
              stages:
                - { name: Other, id: which, bash: "echo \\"$C\\"", env: { C: "\${{ case }}" } }
                - name: Each
                  id: each
                  foreach: [1]
                  stages: [{ name: Item, id: item, bash: "echo \\"$C-$I\\"", env: { C: "\${{ case }}", I: "\${{ item }}" } }]
    static:
      stages:
        - name: Pick
          id: pick
          case: prod
          match:
            - { case: dev, stages: [{ name: Dev, echo: dev }] }
            - { case: else, stages: [{ name: Other, id: which, bash: "echo \\"$C\\"", env: { C: "\${{ case }}" } }] }
caught:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Guarded
          id: guarded
          try:
            - { name: Boom, bash: "echo partial; exit 3" }
          catch:
            - { name: Report, id: report, bash: "echo \\"$N|$M\\"", env: { N: "\${{ error.name }}", M: "\${{ error.message }}" } }
            - { name: Py, id: py, run: "kind = error['name']" }
            - name: Each
              id: each
              foreach: [1]
              stages: [{ name: Item, id: item, bash: "echo \\"$N\\"", env: { N: "\${{ error.name }}" } }]
bounds:
  type: Workflow
  params:
    sleep: { type: int, default: 999999 }
    retry: { type: int, default: 1000 }
    ok: { type: int, default: 1 }
  jobs:
    sleep:
      stages:
        - { name: Nap, id: nap, sleep: "\${{ params.sleep }}" }
    retry:
      stages:
        - { name: Flaky, id: flaky, retry: "\${{ params.retry }}", bash: "true" }
    fine:
      stages:
        - { name: Nap, id: nap, sleep: "\${{ params.ok }}" }
        - { name: Flaky, id: flaky, retry: "\${{ params.ok }}", bash: "true" }
calls:
  type: Workflow
  jobs:
    a:
      stages:
        - { name: Ok, id: ok, uses: "t/ok@latest", with: { n: 4 } }
        - { name: Spin, id: spin, uses: "t/spin@latest", timeout: 2 }
    b:
      needs: [a]
      if: "\${{ always() }}"
      stages:
        - { name: Ok again, id: ok, uses: "t/ok@latest", with: { n: 5 } }
`;

const BAD_SCOPE = `
bad-scope:
  type: Workflow
  jobs:
    a:
      stages:
        - { name: Unknown name, echo: "x \${{ foo.bar }}" }
        - { name: Unknown stage, echo: "x \${{ stages.nope.outputs.x }}" }
        - { name: Error outside catch, echo: "x \${{ error.message }}" }
        - name: Guarded
          try:
            - { name: Inside try, echo: "x \${{ error.name }}" }
          catch:
            - { name: Inside catch, echo: "x \${{ error.name }}" }
`;

const REGISTRY = `
import { tag } from ${JSON.stringify(lib)};
tag('t', { alias: 'ok' }, (a: { n?: unknown }) => ({ twice: Number(a.n) * 2 }));
tag('t', { alias: 'spin' }, () => {
  const end = Date.now() + 120_000;
  while (Date.now() < end) { /* busy */ }
  return { finished: true };
});
`;

function wfRun(args: string[], conf = 'conf'): { code: number | null; stdout: string; stderr: string; doc?: Record<string, any> } {
  const r = spawnSync(process.execPath, [wf, ...args, '--conf', conf], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
  let doc: Record<string, any> | undefined;
  try {
    doc = JSON.parse(r.stdout) as Record<string, any>;
  } catch {
    doc = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, doc };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-stage-contract-'));
  mkdirSync(join(dir, 'conf'));
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'conf', 'workflows.yml'), CONF);
  writeFileSync(join(dir, 'bad', 'workflows.yml'), BAD_SCOPE);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'registry.ts'), REGISTRY);
});

describe('a dry run', () => {
  it('runs a workflow that passes outputs between stages; reads of a dry-run stage output are markers', () => {
    const r = wfRun(['release', 'dry', '--at', '2024-01-01T09:00:00Z', '--type', 'dryrun', '--json', '--progress']);
    expect(r.code, r.stderr).toBe(0);
    const stages = r.doc!.jobs.make.stages;
    expect(r.doc!.status).toBe('SUCCESS');
    expect(stages.use.outputs.dryrun).toMatch(/^would run bash \(env: X\)/);
    expect(stages.py.outputs.dryrun).toContain("x = '<dryrun: stages.make.outputs.stdout>'");
    expect(stages.call.outputs.dryrun).toBe('would call t/ok@latest with {"n":"<dryrun: stages.use.outputs.return_code>"}');
    expect(r.stderr).toContain('got <dryrun: stages.make.outputs.stdout>');
    // A condition over a marker compares the marker text: it is not "hi", so the stage is skipped.
    expect(stages.gated).toEqual({ status: 'SKIP' });
  });
});

describe('echo', () => {
  it('fails with the engine error when its template cannot be rendered, as raise does', () => {
    const r = wfRun(['run', 'echo-bad', '--no-audit', '--json']);
    expect(r.code).not.toBe(0);
    const say = r.doc!.jobs.echo.stages.say;
    const raise = r.doc!.jobs.raise.stages.raise;
    expect(say.status).toBe('FAILED');
    expect(say.errors.name).toBe(raise.errors.name);
    expect(say.errors.message).toContain('int cannot convert the string "x" to a number [WF4006]');
    expect(r.doc!.jobs.echo.status).toBe('FAILED');
  });

  it('is checked by validate: unknown names and stage ids are positioned WF4001 errors; error only in catch', () => {
    const r = wfRun(['validate'], 'bad');
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/bad\/workflows\.yml:7:\d+: error WF4001: unknown name "foo"/);
    expect(out).toMatch(/bad\/workflows\.yml:8:\d+: error WF4001: unknown stage id "nope"/);
    expect(out).toMatch(/bad\/workflows\.yml:9:\d+: error WF4005: "error" is not available here/);
    expect(out).toMatch(/bad\/workflows\.yml:12:\d+: error WF4005: "error" is not available here/);
    expect(out).not.toMatch(/bad\/workflows\.yml:14:/);
    expect(out).toContain('only available inside the catch stages of a try stage');
  });
});

describe('case', () => {
  it('gives the matched value as case inside the default branch (templated and static), in nested items too', () => {
    const r = wfRun(['run', 'case-default', '--no-audit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pick = r.doc!.jobs.pick.stages.pick;
    expect(pick.outputs.case).toBe('QA');
    expect(pick.outputs.stages.which.outputs.stdout).toBe('QA');
    expect(pick.outputs.stages.each.outputs.foreach['1'].stages.item.outputs.stdout).toBe('QA-1');
    const fixed = r.doc!.jobs.static.stages.pick;
    expect(fixed.outputs.case).toBe('prod');
    expect(fixed.outputs.stages.which.outputs.stdout).toBe('prod');
  });
});

describe('catch', () => {
  it('reads the failure of its try as error.name and error.message (bash, py, nested foreach)', () => {
    const r = wfRun(['run', 'caught', '--no-audit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const g = r.doc!.jobs.a.stages.guarded.outputs;
    const failure = g.try.errors as { name: string; message: string };
    expect(failure.message).toContain('exited with code 3');
    expect(g.catch.stages.report.outputs.stdout).toBe(`${failure.name}|${failure.message}`);
    expect(g.catch.stages.py.outputs.kind).toBe(failure.name);
    expect(g.catch.stages.each.outputs.foreach['1'].stages.item.outputs.stdout).toBe(failure.name);
  });

  it('compiles to a machine that hands the runner the try failure where the result document keeps it', () => {
    const r = wfRun(['compile', 'caught']);
    expect(r.code, r.stderr).toBe(0);
    const paths = [...r.stdout.matchAll(/"error\.\$": "([^"]+)"/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(0);
    const run = wfRun(['run', 'caught', '--no-audit', '--json']);
    const top = paths.filter((p) => p!.startsWith('$.jobs.'));
    expect(top.length).toBeGreaterThan(0);
    for (const p of top) {
      const value = p!.slice(2).split('.').reduce<any>((o, k) => o?.[k], run.doc);
      expect(value).toEqual(run.doc!.jobs.a.stages.guarded.outputs.try.errors);
    }
  });
});

describe('templated sleep and retry', () => {
  it('are held to the static bounds at run time, with the static wording', () => {
    const r = wfRun(['run', 'bounds', '--no-audit', '--json']);
    expect(r.code).not.toBe(0);
    const nap = r.doc!.jobs.sleep.stages.nap;
    const flaky = r.doc!.jobs.retry.stages.flaky;
    expect(nap.status).toBe('FAILED');
    expect(nap.errors.message).toContain('"sleep" must be at most 1800, got 999999');
    expect(flaky.status).toBe('FAILED');
    expect(flaky.errors.message).toContain('"retry" must be at most 19, got 1000');
    expect(r.doc!.jobs.fine.status).toBe('SUCCESS');
    // The static forms say the same.
    const s = wfRun(['validate'], writeConf('static-bounds', `
static-bounds:
  type: Workflow
  jobs:
    a:
      stages:
        - { name: Nap, sleep: 999999 }
        - { name: Flaky, retry: 1000, bash: "true" }
`));
    expect(s.stdout + s.stderr).toContain('"sleep" must be at most 1800, got 999999');
    expect(s.stdout + s.stderr).toContain('"retry" must be at most 19, got 1000');
  });
});

describe('call functions', () => {
  it('a busy-looping function is stopped at its timeout and FAILED; other calls still run', () => {
    const started = Date.now();
    const r = wfRun(['run', 'calls', '--no-audit', '--json', '--registry', 'registry.ts']);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.code).not.toBe(0);
    const a = r.doc!.jobs.a.stages;
    expect(a.ok.outputs).toEqual({ twice: 8 });
    expect(a.spin.status).toBe('FAILED');
    expect(a.spin.errors.name).toBe('StageTimeout');
    expect(a.spin.errors.message).toContain('timed out after 2 s');
    expect(r.doc!.jobs.b.stages.ok.outputs).toEqual({ twice: 10 });
  }, 90_000);
});

function writeConf(name: string, text: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'workflows.yml'), text);
  return name;
}
