/**
 * A `secret: true` param never shows in what `wf` builds: result documents, audit records, progress
 * lines, server logs, execution names and histories, error messages, dry-run descriptions, or any
 * file of the local state folder. Each test runs real `wf` processes with a distinctive secret
 * value and searches every output for it. (What user code prints is the user's: not tested here.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowClient } from '../../lib/client/index.ts';
import { filesUnder, Project, startServe, stopServe } from './wf-process.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SECRET = 'Zx81-secret-Qv27';
const REGISTRY = new URL('./fixtures/vault.ts', import.meta.url).pathname;

const CONF = `
secretive:
  type: Workflow
  params:
    token: { type: str, secret: true }
    who: { type: str, default: world }
  jobs:
    use:
      stages:
        - name: Announce
          echo: "deploying for \${{ params.who }} with \${{ params.token }}"
        - name: Use in bash
          id: bash
          env: { TOKEN: "\${{ params.token }}" }
          bash: 'test -n "$TOKEN" && echo "a token of \${#TOKEN} characters"'
        - name: Use in py
          id: py
          run: |
            n = len(params["token"])
    condition:
      stages:
        - name: Not boolean
          if: "\${{ params.token }}"
          echo: never
    parse:
      stages:
        - name: Not JSON
          bash: echo never
          env: { X: "\${{ fromJson(params.token) }}" }
    call:
      stages:
        - name: Log in
          id: login
          uses: vault/login@v1
          with: { token: "\${{ params.token }}" }
    fails:
      stages:
        - name: Fails with the token in its env
          env: { TOKEN: "\${{ params.token }}" }
          bash: echo "no access" >&2; exit 3
pin:
  type: Workflow
  params:
    pin: { type: int, secret: true }
  jobs:
    only:
      stages:
        - { name: Nothing, echo: nothing }
`;

let project: Project;

beforeAll(() => {
  project = new Project('wf-secrets-', { 'wf.yml': CONF });
});

afterAll(() => project.cleanup());

/** Every file of the project's state folder (audit data, logs, kept records) that holds the secret. */
function stateFilesWithSecret(): string[] {
  return filesUnder(project.state).filter((f) => readFileSync(f).includes(SECRET));
}

describe('wf run, wf release, wf audit', () => {
  let run: ReturnType<Project['wf']>;
  beforeAll(() => {
    run = project.wf(['run', 'secretive', '--json', '--progress', '--registry', REGISTRY, '-p', `token=${SECRET}`]);
  }, 60_000);

  it('the run used the secret: stages got the real value', () => {
    const doc = JSON.parse(run.stdout) as { status: string; jobs: Record<string, { status: string; stages?: Record<string, { outputs: Record<string, unknown> }> }> };
    expect(doc.jobs.use!.status).toBe('SUCCESS');
    expect(doc.jobs.use!.stages!.bash!.outputs.stdout).toBe(`a token of ${SECRET.length} characters`);
    expect(doc.jobs.use!.stages!.py!.outputs.n).toBe(SECRET.length);
    expect(doc.status).toBe('FAILED');
  });

  it('neither the result document, nor the progress lines, nor any error message holds the value', () => {
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).toContain('· use › Announce: deploying for world with ***');
    const doc = JSON.parse(run.stdout) as { params: Record<string, unknown>; jobs: Record<string, { errors?: { name: string; message: string } }> };
    expect(doc.params.token).toBe('***');
    expect(doc.jobs.condition!.errors!.message).toContain('gave the string "***", not true or false');
    expect(doc.jobs.parse!.errors!.message).toContain('fromJson could not parse "***"');
    expect(doc.jobs.call!.errors!.name).toBe('ArgumentError');
    expect(doc.jobs.call!.errors!.message).toContain('token:');
    expect(doc.jobs.fails!.errors!.message).toBe('bash stage "Fails with the token in its env" exited with code 3: no access');
  });

  it('the audit records (wf audit, --json and table) and every file of the state folder are free of it', () => {
    const json = project.wf(['audit', 'secretive', '--json']);
    const table = project.wf(['audit', 'secretive']);
    for (const text of [json.stdout, json.stderr, table.stdout, table.stderr]) expect(text).not.toContain(SECRET);
    const [record] = JSON.parse(json.stdout) as Array<{ params: Record<string, unknown>; context: { params: Record<string, unknown> } }>;
    expect(record!.params.token).toBe('***');
    expect(record!.context.params.token).toBe('***');
    expect(stateFilesWithSecret()).toEqual([]);
  });

  it('a dry run describes its call without the value', () => {
    const dry = project.wf(['release', 'secretive', '--at', '2024-01-01T00:00:00Z', '--type', 'dryrun', '--json', '--registry', REGISTRY, '-p', `token=${SECRET}`]);
    const doc = JSON.parse(dry.stdout) as { jobs: { call: { stages: { login: { outputs: { dryrun: string } } } } } };
    expect(doc.jobs.call.stages.login.outputs.dryrun).toBe('would call vault/login@v1 with {"token":"***"}');
    expect(dry.stdout + dry.stderr).not.toContain(SECRET);
  });

  it('a secret of the wrong type is reported as "***", and a rerun does not bring the value back', () => {
    const bad = project.wf(['run', 'pin', '-p', `pin=${SECRET}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('param "pin": expected int, got "***"');
    expect(bad.stderr + bad.stdout).not.toContain(SECRET);
    const [record] = JSON.parse(project.wf(['audit', 'secretive', '--json']).stdout) as Array<{ runId: string }>;
    const rerun = project.wf(['rerun', record!.runId, '--json', '--registry', REGISTRY]);
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toContain('give them again: -p token=...');
  });
});

describe('wf serve with the AWS SDK and the WorkflowClient', () => {
  it('execution names, DescribeExecution input and output, the history and the server log are free of it', async () => {
    const serve = await startServe(project, ['--registry', REGISTRY]);
    const sfn = new SFNClient({ endpoint: serve.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const client = new WorkflowClient({ endpoint: serve.url });
    try {
      const arn = 'arn:aws:states:local:000000000000:stateMachine:secretive';
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'with-secret', input: JSON.stringify({ params: { token: SECRET } }) }));
      const started = await client.start('secretive', { token: SECRET });
      expect(started.executionArn).not.toContain(SECRET);
      const texts: string[] = [started.executionArn, started.name];
      for (const e of [executionArn!, started.executionArn]) {
        let d = await sfn.send(new DescribeExecutionCommand({ executionArn: e }));
        while (d.status === 'RUNNING') {
          await new Promise((r) => setTimeout(r, 100));
          d = await sfn.send(new DescribeExecutionCommand({ executionArn: e }));
        }
        expect(d.status).toBe('FAILED');
        expect(JSON.parse(d.input!)).toMatchObject({ params: { token: '***' } });
        texts.push(JSON.stringify(d));
        const events: HistoryEvent[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: e, nextToken, maxResults: 1000 }));
          events.push(...(page.events ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        expect(events.some((ev) => ev.type === 'TaskFailed')).toBe(true);
        texts.push(JSON.stringify(events));
        const report = await client.status(e);
        texts.push(JSON.stringify(report));
      }
      for (const t of texts) expect(t).not.toContain(SECRET);
    } finally {
      sfn.destroy();
      await stopServe(serve.child);
    }
    expect(serve.stderr.join('')).not.toContain(SECRET);
    expect(stateFilesWithSecret()).toEqual([]);
  }, 60_000);
});
