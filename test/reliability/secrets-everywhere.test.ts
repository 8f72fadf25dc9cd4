/**
 * A multi-line secret and an array secret go through every stage kind: bash (printed, in env, in a
 * failure's stderr), py (printed, kept in variables), call (returned), echo, trigger (a child whose
 * param is secret too), foreach over the array, a matrix axis built from it, job outputs, a raise.
 * The stages get the real values (they compare them), and no raw occurrence, exact or any single
 * line, is left in the result, the progress lines, the audit records, `wf serve`'s output and
 * execution history, or any file of the state folder. Masking is GitHub Actions': each value, each
 * line, the JSON-escaped form.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, Project, startServe, stopServe } from './wf-process.ts';

const WF = new URL('../../bin/wf.js', import.meta.url).pathname;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const LINES = ['Kq7-first-line-of-it', 'Wm3 second "quoted" line', "Pz9-third\\line's end"];
const TOKEN = LINES.join('\n');
const KEYS = ['tok-alpha-3391', 'tok-bravo-7720'];
/** Every text that must never appear raw. */
const NEEDLES = [TOKEN, JSON.stringify(TOKEN).slice(1, -1), ...LINES, ...KEYS, JSON.stringify(KEYS)];
const REGISTRY = new URL('./fixtures/vault.ts', import.meta.url).pathname;

const CONF = `
everywhere:
  type: Workflow
  params:
    token: { type: str, secret: true }
    keys: { type: array, secret: true }
  jobs:
    use:
      outputs:
        printed: \${{ stages.bash.outputs.stdout }}
        first: \${{ stages.py.outputs.first }}
      stages:
        - name: Announce \${{ params.keys[0] }}
          echo: "deploying with \${{ params.token }} and \${{ params.keys }}"
        - name: Bash
          id: bash
          env: { TOKEN: "\${{ params.token }}" }
          bash: |
            test "$TOKEN" = ${'${{'} params.token }} || exit 9
            printf '%s\\n' "$TOKEN"
            echo ${'${{'} params.keys }} >&2
        - name: Py
          id: py
          run: |
            assert params["token"] == ${'${{'} params.token }}
            print("the token is", params["token"])
            first = params["token"].splitlines()[0]
            keys = ${'${{'} params.keys }}
        - name: Call
          id: call
          uses: vault/reveal@v1
          with: { value: "\${{ params.keys }}" }
        - name: Each key
          id: each
          foreach: \${{ params.keys }}
          stages:
            - { name: "Key \${{ item }}", id: k, bash: 'printf "%s" ${'${{'} item }}' }
        - name: Child
          id: child
          trigger: child
          params: { secret: "\${{ params.token }}" }
    matrix:
      strategy:
        matrix:
          key: \${{ params.keys }}
      stages:
        - { name: "On \${{ matrix.key }}", id: m, bash: 'printf "%s" ${'${{'} matrix.key }}' }
    fails:
      stages:
        - name: Fails
          id: fails
          continue-on-error: true
          bash: printf '%s' "${'${{'} params.token }}" >&2; exit 3
        - name: Raise
          raise: "could not use \${{ params.token }}"
child:
  type: Workflow
  params:
    secret: { type: str, secret: true }
  jobs:
    c:
      stages:
        - { name: Show, id: show, run: 'value = secret_value', vars: { secret_value: "\${{ params.secret }}" } }
`;

let project: Project;

beforeAll(() => {
  project = new Project('wf-secrets-all-', { 'wf.yml': CONF });
});

afterAll(() => project.cleanup());

function leaks(text: string): string[] {
  return NEEDLES.filter((n) => text.includes(n));
}

describe('a multi-line and an array secret through every stage kind', () => {
  let run: ReturnType<Project['wf']>;
  beforeAll(() => {
    run = project.wf(['run', 'everywhere', '--json', '--progress', '--registry', REGISTRY, '--params', JSON.stringify({ token: TOKEN, keys: KEYS })]);
  }, 90_000);

  it('the stages got the real values', () => {
    const doc = JSON.parse(run.stdout) as { status: string; jobs: Record<string, { status: string; stages?: Record<string, { status: string }>; strategies?: Record<string, unknown> }> };
    expect(doc.jobs.use!.status, run.stderr).toBe('SUCCESS');
    expect(doc.jobs.matrix!.status).toBe('SUCCESS');
    expect(Object.keys(doc.jobs.matrix!.strategies ?? {})).toHaveLength(2);
    expect(doc.jobs.fails!.stages!.fails!.status).toBe('FAILED');
    expect(doc.status).toBe('FAILED');
  });

  it('the result and the progress lines hold no line of either secret', () => {
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
    expect(run.stdout).toContain('***');
  });

  it('the audit records and the state folder hold none', () => {
    const json = project.wf(['audit', 'everywhere', '--json']);
    expect(json.code).toBe(0);
    expect(leaks(json.stdout + json.stderr)).toEqual([]);
    expect(filesUnder(project.state).filter((f) => leaks(readFileSync(f, 'latin1')).length > 0 || leaks(readFileSync(f, 'utf8')).length > 0)).toEqual([]);
  });

  it("wf serve's output, execution history and log hold none", async () => {
    const serve = await startServe(project, ['--registry', REGISTRY]);
    const sfn = new SFNClient({ endpoint: serve.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const texts: string[] = [];
    try {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:everywhere', input: JSON.stringify({ params: { token: TOKEN, keys: KEYS } }) }));
      let d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      while (d.status === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 100));
        d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      }
      expect(d.status).toBe('FAILED');
      texts.push(JSON.stringify(d));
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(events.length).toBeGreaterThan(20);
      texts.push(JSON.stringify(events));
    } finally {
      sfn.destroy();
      await stopServe(serve.child);
    }
    texts.push(serve.stderr.join(''));
    for (const t of texts) expect(leaks(t)).toEqual([]);
  }, 90_000);
});

describe('a run killed with SIGKILL while its stages run', () => {
  it('leaves no secret on disk: the bash script holds references, the store holds ciphertext', async () => {
    const tmp = join(project.dir, 'tmp');
    mkdirSync(tmp);
    const conf = join(project.dir, 'killed');
    mkdirSync(conf);
    writeFileSync(join(conf, 'k.yml'), [
      'killed:',
      '  type: Workflow',
      '  params: { token: { type: str, secret: true } }',
      '  jobs:',
      '    j:',
      '      stages:',
      `        - { name: Hold, bash: 'echo "\${{ params.token }}" > /dev/null; echo started; sleep 30' }`,
      '',
    ].join('\n'));
    const child = spawn(process.execPath, [WF, 'run', 'killed', '--conf', conf, '--progress', '--params', JSON.stringify({ token: TOKEN })], { cwd: project.dir, env: { ...process.env, TMPDIR: tmp, WORKFLOW_CORE_AUDIT_PATH: project.state }, detached: true });
    let seen = '';
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the stage did not start:\n${seen}`)), 30_000);
      child.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('Hold')) {
          clearTimeout(timer);
          setTimeout(done, 500);
        }
      });
    });
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const scripts = filesUnder(tmp);
    expect(scripts.some((f) => f.endsWith('.sh'))).toBe(true);
    const leaked = [...scripts, ...filesUnder(project.state)].filter((f) => leaks(readFileSync(f, 'latin1')).length > 0 || leaks(readFileSync(f, 'utf8')).length > 0);
    expect(leaked).toEqual([]);
  }, 60_000);
});
