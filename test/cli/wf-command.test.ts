import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real `wf` command, spawned as users and scripts run it: `node bin/wf.js ...`.
const root = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'wf-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function wf(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin/wf.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', WF_DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function confDir(name: string, files: Record<string, string>): string {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const hello = `hello:
  type: Workflow
  params:
    who: str
  jobs:
    greet:
      stages:
        - name: Say hello
          echo: "hello \${{ params.who }}"
`;

const other = `other:
  type: Workflow
  jobs:
    only:
      stages:
        - name: Nothing
          echo: nothing
`;

const typo = `typo:
  type: Workflow
  jobs:
    first:
      stages:
        - name: "Echo"
          ecoh: "hello"
`;

describe('wf validate (spawned)', () => {
  it('exits 0 for valid workflows and counts them on stdout', () => {
    const conf = confDir('valid', { 'a.yml': hello, 'b.yml': other });
    const r = wf(['validate', '--conf', conf]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2 workflows valid\n');
    expect(r.code).toBe(0);
  });

  it('checks only the named workflows', () => {
    const conf = confDir('named', { 'a.yml': hello, 'b.yml': other });
    const r = wf(['validate', '--conf', conf, 'hello']);
    expect(r.stdout).toBe('1 workflow valid\n');
    expect(r.code).toBe(0);
  });

  it('reads WORKFLOW_CORE_CONF_PATH when --conf is not given', () => {
    const conf = confDir('from-env', { 'a.yml': hello });
    const r = wf(['validate'], { WORKFLOW_CORE_CONF_PATH: conf });
    expect(r.stdout).toBe('1 workflow valid\n');
    expect(r.code).toBe(0);
  });

  it('exits 1 for an unknown key, pointing at file:line:col with a suggestion', () => {
    const conf = confDir('typo', { 'bad.yml': typo });
    const r = wf(['validate', '--conf', conf, 'typo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bad.yml:7:11: error WF2001');
    expect(r.stderr).toContain('echo');
    expect(r.stderr).toMatch(/validation failed: \d+ errors?, \d+ warnings?\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('wf schema (spawned)', () => {
  it('prints a JSON Schema as pretty JSON', () => {
    const r = wf(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(typeof schema).toBe('object');
    expect(r.stdout).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });
});

describe('usage errors (spawned)', () => {
  it('an unknown command exits 2 with a suggestion and no stack', () => {
    const r = wf(['valdate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'valdate'");
    expect(r.stderr).toContain('validate');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown option exits 2', () => {
    const r = wf(['validate', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--nope'");
  });

  it('--version prints the package version', () => {
    const r = wf(['--version']);
    expect(r).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

describe('wf compile with child machines', () => {
  it('names the child machines on stderr and prints one with --machine', () => {
    const conf = join(root, 'test/fixtures/batched-foreach');
    const parent = wf(['compile', 'fan', '--conf', conf]);
    expect(parent.code).toBe(0);
    expect(parent.stderr).toBe('note: workflow "fan" also deploys 1 child state machine: fan__work__batch1 (print one with --machine NAME)\n');
    expect(JSON.parse(parent.stdout).States['work.Each'].ItemProcessor.States['work.Each.batch'].Parameters.StateMachineArn).toBe('${StateMachine_fan____work____batch1}');
    const child = wf(['compile', 'fan', '--conf', conf, '--machine', 'fan__work__batch1', '--compact']);
    expect(child.code).toBe(0);
    expect(JSON.parse(child.stdout).States['work.Each.chunk'].ItemsPath).toBe('$.chunk');
    const none = wf(['compile', 'fan', '--conf', conf, '--machine', 'fan__nope']);
    expect(none).toEqual({ code: 2, stdout: '', stderr: 'error: workflow "fan" deploys no child machine "fan__nope"; its child machines are "fan__work__batch1"\n' });
  });
});
