import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real `wf` command, spawned as users run it, on a temporary config directory.
const root = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'wf-daily-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const conf = join(temp, 'conf');
mkdirSync(conf);
writeFileSync(
  join(conf, 'hello.yml'),
  `hello:
  type: Workflow
  params:
    name:
      type: str
      required: false
    size:
      type: int
      default: 1
  jobs:
    greet:
      stages:
        - name: Say hello
          echo: "hello \${{ params.name }}"
`,
);
writeFileSync(
  join(conf, 'timed.yml'),
  `timed:
  type: Workflow
  on:
    - cron: "30 6 * * *"
      timezone: America/New_York
    - cron: "0 12 1 * *"
      timezone: Asia/Kolkata
  jobs:
    only:
      stages:
        - name: Nothing
          echo: nothing
`,
);

function wf(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/wf.js'), ...args], {
    cwd: temp,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', WF_DEBUG: '', WORKFLOW_CORE_CONF_PATH: conf, WORKFLOW_CORE_AUDIT_PATH: join(temp, 'audit') },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('-p and --params anywhere on the line', () => {
  const cases: Array<[string, string[], Record<string, unknown>]> = [
    ['-p before the name', ['run', '-p', 'name=bob', 'hello', '--json', '--no-audit'], { name: 'bob', size: 1 }],
    ['-p after the name', ['run', 'hello', '-p', 'name=bob', '--json', '--no-audit'], { name: 'bob', size: 1 }],
    ['two -p before the name, --json last', ['run', '--no-audit', '-p', 'name=bob', '-p', 'size=3', 'hello', '--json'], { name: 'bob', size: 3 }],
    ['--params before the name', ['run', '--params', '{"size": 2}', 'hello', '--json', '--no-audit'], { name: null, size: 2 }],
    ['--params and -p (which wins)', ['run', '--params', '{"size": 2, "name": "a"}', '-p', 'size=4', 'hello', '--json', '--no-audit'], { name: 'a', size: 4 }],
    ['a value with "=" and a leading dash', ['run', '-p', 'name=-a=b', 'hello', '--json', '--no-audit'], { name: '-a=b', size: 1 }],
  ];
  it.each(cases)('%s', (_label, args, params) => {
    const r = wf(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).params).toEqual(params);
  });

  it('works for wf release too', () => {
    const r = wf(['release', '-p', 'name=rel', 'hello', '--at', '2024-01-01T09:00:00Z', '--type', 'dryrun', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).params).toEqual({ name: 'rel', size: 1 });
  });
});

describe('param errors', () => {
  it('names the closest declared param and the form it takes', () => {
    const r = wf(['run', 'hello', '-p', 'nam=bob', '--no-audit']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('param "nam" is not declared by workflow "hello"; did you mean "name"? (-p name=VALUE)');
  });

  it('shows the type of a typed param', () => {
    expect(wf(['run', 'hello', '-p', 'sise=2', '--no-audit']).stderr).toContain('did you mean "size"? (-p size=<int>)');
  });

  it('lists the declared params when none is close', () => {
    expect(wf(['run', 'hello', '-p', 'zzzzzz=1', '--no-audit']).stderr).toContain('its params are -p name=VALUE, -p size=<int>');
  });

  it('gives a usage error showing -p name=VALUE for a -p without "="', () => {
    const r = wf(['run', 'hello', '-p', 'nam', '--no-audit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-p name=VALUE');
    expect(r.stderr).toContain('write -p nam=VALUE');
  });

  it('takes one name=value per -p: a second word is an argument, not a param', () => {
    const r = wf(['run', 'hello', '-p', 'name=a', 'size=2', '--no-audit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('too many arguments');
  });
});

describe('wf schedule', () => {
  // From 2024-03-09T00:00Z: New York springs forward on Sunday 2024-03-10 (-05:00 to -04:00).
  const from = '2024-03-09T00:00:00Z';

  it('prints each schedule as deployed and its next release times in its zone and in UTC', () => {
    const r = wf(['schedule', 'timed', '--from', from, '--next', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('EventBridge Scheduler: cron(30 6 * * ? *), time zone America/New_York');
    expect(r.stdout).toContain('EventBridge Scheduler: cron(0 12 1 * ? *), time zone Asia/Kolkata');
    expect(r.stdout).toContain('Sat 2024-03-09 06:30 -05:00  Sat 2024-03-09 11:30 +00:00');
    expect(r.stdout).toContain('Sun 2024-03-10 06:30 -04:00  Sun 2024-03-10 10:30 +00:00');
    expect(r.stdout).toContain('Mon 2024-04-01 12:00 +05:30  Mon 2024-04-01 06:30 +00:00');
    expect(r.stdout).not.toContain('2024-03-12');
  });

  it('prints the same as JSON, 5 times by default', () => {
    const r = wf(['schedule', 'timed', '--from', from, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.workflow).toBe('timed');
    expect(doc.from).toBe('2024-03-09T00:00:00.000Z');
    expect(doc.schedules.map((s: { expression: string; timezone: string }) => [s.expression, s.timezone])).toEqual([
      ['cron(30 6 * * ? *)', 'America/New_York'],
      ['cron(0 12 1 * ? *)', 'Asia/Kolkata'],
    ]);
    expect(doc.schedules[0].cron).toBe('30 6 * * *');
    expect(doc.schedules[0].next).toEqual([
      { local: '2024-03-09T06:30-05:00', utc: '2024-03-09T11:30:00.000Z' },
      { local: '2024-03-10T06:30-04:00', utc: '2024-03-10T10:30:00.000Z' },
      { local: '2024-03-11T06:30-04:00', utc: '2024-03-11T10:30:00.000Z' },
      { local: '2024-03-12T06:30-04:00', utc: '2024-03-12T10:30:00.000Z' },
      { local: '2024-03-13T06:30-04:00', utc: '2024-03-13T10:30:00.000Z' },
    ]);
    expect(doc.schedules[1].next.map((t: { utc: string }) => t.utc)).toEqual([
      '2024-04-01T06:30:00.000Z',
      '2024-05-01T06:30:00.000Z',
      '2024-06-01T06:30:00.000Z',
      '2024-07-01T06:30:00.000Z',
      '2024-08-01T06:30:00.000Z',
    ]);
  });

  it('lists times strictly after --from', () => {
    const doc = JSON.parse(wf(['schedule', 'timed', '--from', '2024-03-09T11:30:00Z', '--next', '1', '--json']).stdout);
    expect(doc.schedules[0].next).toEqual([{ local: '2024-03-10T06:30-04:00', utc: '2024-03-10T10:30:00.000Z' }]);
  });

  it('says so for a workflow without schedules (exit 0)', () => {
    const r = wf(['schedule', 'hello']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('workflow "hello" has no schedules');
    expect(JSON.parse(wf(['schedule', 'hello', '--json']).stdout).schedules).toEqual([]);
  });

  it('exits 2 for an unknown workflow, a bad --next or a bad --from', () => {
    const unknown = wf(['schedule', 'timd']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "timed"?');
    expect(wf(['schedule', 'timed', '--next', '0']).code).toBe(2);
    expect(wf(['schedule', 'timed', '--from', 'tomorrow']).code).toBe(2);
  });
});
