/**
 * File shapes the reference engine writes (SPEC sections 1 and 4), through the real `wf` command:
 * a stage with only a name, `desc` on params and jobs, a job's `id` equal to its key, a file that is
 * one workflow named by its top-level `name:`, `.confignore`; and the two YAML readings that used to
 * pass silently (bytes that are not UTF-8, a template written without its `$`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Project } from '../reliability/wf-process.ts';

const projects: Project[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

function project(files: Record<string, string>): Project {
  const p = new Project('wf-ref-shapes-', {});
  for (const [name, text] of Object.entries(files)) {
    const path = join(p.dir, 'conf', name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  projects.push(p);
  return p;
}

function runJson(p: Project, name: string, args: string[] = []) {
  const r = p.wf(['run', name, '--conf', 'conf', '--json', '--no-audit', ...args]);
  return { ...r, doc: r.code === 0 || r.code === 1 ? JSON.parse(r.stdout) : undefined };
}

describe('reference-engine shapes load and run', () => {
  it('runs a stage with only a name as an empty stage with outputs {}', () => {
    const p = project({
      'quiet.yml': `quiet:
  type: Workflow
  jobs:
    only:
      stages:
        - name: "Nothing at all"
          id: nothing
        - name: "Unnamed id"
        - name: "After"
          id: after
          echo: "done"
`,
    });
    expect(p.wf(['validate', '--conf', 'conf']).code).toBe(0);
    const r = runJson(p, 'quiet');
    expect(r.code).toBe(0);
    expect(r.doc.jobs.only.stages.nothing).toEqual({ status: 'SUCCESS', outputs: {} });
    expect(r.doc.jobs.only.stages.after.status).toBe('SUCCESS');
  });

  it('still refuses a stage whose only fields belong to another kind, naming the kinds', () => {
    const p = project({ 'a.yml': 'a:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Greet\n          with:\n            who: me\n' });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a.yml:7:11: error WF2005: stage "Greet" has no kind');
    expect(r.stderr).toContain('"with" belongs to call stages');
  });

  it('reads desc on params as the description, and desc and id (its own key) on jobs', () => {
    const p = project({
      'd.yml': `described:
  type: Workflow
  params:
    region:
      type: str
      desc: where the data lives
      default: eu
  jobs:
    load:
      id: load
      desc: loads the data
      stages:
        - name: Show
          id: show
          vars:
            region: \${{ params.region }}
          run: where = region.upper()
`,
    });
    expect(p.wf(['validate', '--conf', 'conf']).stdout).toBe('1 workflow valid\n');
    const r = runJson(p, 'described', ['-p', 'region=us']);
    expect(r.code).toBe(0);
    expect(r.doc.jobs.load.stages.show.outputs).toEqual({ region: 'us', where: 'US' });
  });

  it('refuses both description and desc on one param, and a job id other than its key, with the fix', () => {
    const p = project({
      'd.yml': `twice:
  type: Workflow
  params:
    region:
      type: str
      description: one
      desc: two
  jobs:
    load:
      id: loader
      stages:
        - name: x
          echo: x
`,
    });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('d.yml:7:13: error WF2008: "description" and "desc" are the same field; write only "description"');
    expect(r.stderr).toContain('d.yml:10:11: error WF2007: job "load" says id "loader"');
    expect(r.stderr).toContain('note: write id: load, or remove "id"');
    expect(p.wf(['run', 'twice', '--conf', 'conf', '--no-audit']).code).toBe(2);
  });

  it('loads a file that is one workflow named by its top-level name, beside keyed workflows', () => {
    const p = project({
      'flat.yml': `name: flat-one
type: Workflow
params:
  n:
    type: int
    default: 2
jobs:
  calc:
    stages:
      - name: Double
        id: double
        run: out = \${{ params.n }} * 2
`,
      'keyed.yml': `keyed:
  type: Workflow
  jobs:
    start:
      stages:
        - name: Child
          id: child
          trigger: flat-one
          params:
            n: 5
`,
    });
    expect(p.wf(['validate', '--conf', 'conf']).stdout).toBe('2 workflows valid\n');
    const flat = runJson(p, 'flat-one');
    expect(flat.code).toBe(0);
    expect(flat.doc.jobs.calc.stages.double.outputs).toEqual({ out: 4 });
    const keyed = runJson(p, 'keyed');
    expect(keyed.code).toBe(0);
    expect(keyed.doc.jobs.start.stages.child.outputs.jobs.calc.stages.double.outputs).toEqual({ out: 10 });
  });

  it('refuses a top-level workflow without a name, and name: inside a keyed workflow', () => {
    const p = project({
      'nameless.yml': 'type: Workflow\njobs:\n  j:\n    stages:\n      - name: x\n        echo: x\n',
      'keyed.yml': 'keyed:\n  type: Workflow\n  name: keyed\n  jobs:\n    j:\n      stages:\n        - name: x\n          echo: x\n',
    });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nameless.yml:1:1: error WF2002: this file is one workflow (its top level has "type: Workflow") but has no "name"');
    expect(r.stderr).toContain('keyed.yml:3:3: error WF2001: unknown key "name" in workflow "keyed"');
  });
});

describe('.confignore', () => {
  const wf = (name: string) => `${name}:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: x\n          echo: x\n`;
  const broken = (name: string) => `${name}:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: x\n          bahs: x\n`;

  it('leaves out what its glob patterns match: a folder, a name at any depth with or without .yml, an anchored path; ! loads again', () => {
    const p = project({
      '.confignore': ['# drafts and scratch files', '', 'scratch/', '*_draft', '/top-only.yml', 'deep/**/old-*.yaml', '!keep_draft.yml', ''].join('\n'),
      'main.yml': wf('main'),
      'scratch/a.yml': broken('scratch-a'),
      'scratch/sub/b.yml': broken('scratch-b'),
      'etl_draft.yml': broken('etl-draft'),
      'team/report_draft.yaml': broken('report-draft'),
      'keep_draft.yml': wf('kept'),
      'top-only.yml': broken('top-only'),
      'team/top-only.yml': wf('team-top'),
      'deep/x/y/old-1.yaml': broken('old-one'),
      'deep/new-1.yaml': wf('new-one'),
    });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4 workflows valid\n');
    expect(p.wf(['run', 'kept', '--conf', 'conf', '--no-audit']).code).toBe(0);
    expect(p.wf(['run', 'scratch-a', '--conf', 'conf', '--no-audit']).stderr).toContain('no workflow named "scratch-a"');
  });
});

describe('YAML that reads otherwise than it looks', () => {
  it('reports bytes that are not UTF-8 where they are, and the run does not start', () => {
    const p = project({});
    writeFileSync(join(p.dir, 'conf', 'latin.yml'), Buffer.concat([Buffer.from('latin:\n  type: Workflow\n  desc: "caf'), Buffer.from([0xe9]), Buffer.from('"\n  jobs:\n    j:\n      stages:\n        - name: x\n          echo: x\n')]));
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('latin.yml:3:13: error WF1006: the file is not valid UTF-8: byte 0xE9');
    expect(r.stderr).toContain('note: save the file as UTF-8');
    expect(p.wf(['run', 'latin', '--conf', 'conf', '--no-audit']).code).toBe(2);
  });

  it('reports a template written without $ (a map used as a key) with the quoted ${{ }} fix', () => {
    const p = project({
      'inc.yml': `inc:
  type: Workflow
  params:
    run_date: date
  jobs:
    j:
      stages:
        - name: Load
          uses: tasks/load@v1
          with:
            incremental: {{ params.run_date }}
`,
    });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('inc.yml:11:26: error WF1007: YAML reads {{ params.run_date }} as a map whose key is a map, not as a template');
    expect(r.stderr).toContain('note: quote it and write a template with "$": incremental: "${{ params.run_date }}"');
  });

  it('reports a list used as a key', () => {
    const p = project({ 'k.yml': 'k:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: x\n          bash: echo\n          env:\n            ? [a, b]\n            : 1\n' });
    const r = p.wf(['validate', '--conf', 'conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('k.yml:9:15: error WF1007: a list is used as a key; keys in a workflow file are text');
  });
});
