/**
 * `wf serve` (a real process) refuses web pages and DNS rebinding (foreign Origin or Host, CORS
 * preflights), refuses unsigned or wrongly signed requests with `--require-signature`, never lets
 * an execution's input replace another run's audit record, and checks the ids its input carries;
 * the AWS SDK (and the aws CLI, when installed) keep working.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { openLocalStore } from '../../lib/local/index.ts';
import { stopServe, whenListening, type ServeProcess } from '../helpers/serve-process.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:';
const LIST = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' };
const KEYS = { accessKeyId: 'AKIDSERVETEST', secretAccessKey: 'serve-test-secret-key-0123456789' };

/** Two workflows, written as JSON (YAML reads it). */
const CONF = JSON.stringify({
  hello: { type: 'Workflow', params: { who: { type: 'str', default: 'world' } }, jobs: { greet: { stages: [{ name: 'Greet', id: 'greet', bash: 'echo "hello $WHO"', env: { WHO: '${{ params.who }}' } }] } } },
  other: { type: 'Workflow', jobs: { only: { stages: [{ name: 'Once', id: 'once', bash: 'echo once' }] } } },
});

let dir: string;
let env: NodeJS.ProcessEnv;
let open: ServeProcess;
let signed: ServeProcess;
const started: ChildProcess[] = [];

function serve(...args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [wf, 'serve', '--port', '0', '--conf', join(dir, 'conf'), ...args], { cwd: dir, env });
  started.push(child);
  return whenListening(child);
}

function sfn(url: string, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }): SFNClient {
  return new SFNClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** A raw HTTP request (node:http, so that any Host header can be sent). */
function send(url: string, options: { method?: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: { __type?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(body) as { __type?: string; message?: string } }));
    });
    req.on('error', reject);
    req.end(options.body ?? '{}');
  });
}

/** The error a call fails with: name, message and HTTP status. */
function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  return p.then(
    () => Promise.reject(new Error('expected the call to fail')),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }),
  );
}

async function settled(client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < 200; i++) {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${executionArn} did not end`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-serve-origins-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'wf.yml'), CONF);
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(KEYS), { mode: 0o600 });
  env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  [open, signed] = await Promise.all([serve(), serve('--require-signature', '--credentials', join(dir, 'keys.json'))]);
}, 40_000);

/** Stops a `wf serve` (SIGTERM), killing it if it has not ended within 15 s; says which did not stop in time. */
async function stop(child: ChildProcess): Promise<string | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 15_000);
  await stopServe(child);
  clearTimeout(timer);
  return killed ? `wf serve ${child.spawnargs.slice(2).join(' ')} did not stop in 15 s` : undefined;
}

afterAll(async () => {
  const late = (await Promise.all(started.map(stop))).filter(Boolean);
  expect(late).toEqual([]);
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

describe('web pages and DNS rebinding', () => {
  it('refuses a foreign Origin with 403 AccessDeniedException and no CORS headers', async () => {
    const res = await fetch(open.url, { method: 'POST', headers: { ...LIST, origin: 'https://evil.example' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: 'AccessDeniedException', message: expect.stringContaining('Origin: "https://evil.example"') });
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a foreign Host (DNS rebinding) and a CORS preflight', async () => {
    const port = new URL(open.url).port;
    const rebound = await send(open.url, { headers: { ...LIST, host: `evil.example:${port}` } });
    expect(rebound).toMatchObject({ status: 403, body: { __type: 'AccessDeniedException', message: expect.stringContaining('DNS rebinding') } });
    const preflight = await send(open.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('serves its own origin and loopback names (a page it serves itself), and the AWS SDK', async () => {
    const port = new URL(open.url).port;
    const same = await fetch(open.url, { method: 'POST', headers: { ...LIST, origin: `http://127.0.0.1:${port}` }, body: '{}' });
    expect(same.status).toBe(200);
    expect((await send(open.url, { headers: { ...LIST, host: `localhost:${port}` } })).status).toBe(200);
    const list = await sfn(open.url).send(new ListStateMachinesCommand({}));
    expect(list.stateMachines!.map((m) => m.name)).toEqual(['hello', 'other']);
  });
});

describe('--require-signature', () => {
  it('refuses an unsigned request and one signed with other credentials', async () => {
    const unsigned = await fetch(signed.url, { method: 'POST', headers: LIST, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'UnrecognizedClientException', message: expect.stringContaining(join(dir, 'keys.json')) });
    expect(await errorOf(sfn(signed.url).send(new ListStateMachinesCommand({})))).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
    expect(await errorOf(sfn(signed.url, { accessKeyId: KEYS.accessKeyId, secretAccessKey: 'guess' }).send(new ListStateMachinesCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 403,
    });
  });

  it('serves the AWS SDK signing with the configured credentials, and says so on stderr', async () => {
    const list = await sfn(signed.url, KEYS).send(new ListStateMachinesCommand({}));
    expect(list.stateMachines!.map((m) => m.name)).toEqual(['hello', 'other']);
    expect(signed.stderr.join('')).toContain(`requests must be signed (AWS Signature Version 4, service "states") with the credentials in ${join(dir, 'keys.json')}`);
  });

  it('serves the aws CLI with the configured credentials, when installed', async () => {
    const installed = await promisify(execFile)('which', ['aws']).then(
      () => true,
      () => false,
    );
    if (!installed) return;
    const { stdout } = await promisify(execFile)('aws', ['stepfunctions', 'list-state-machines', '--endpoint-url', signed.url, '--region', 'us-east-1', '--output', 'json'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1' },
      timeout: 15_000,
    });
    expect((JSON.parse(stdout) as { stateMachines: Array<{ name: string }> }).stateMachines.map((m) => m.name)).toEqual(['hello', 'other']);
  }, 20_000);
});

describe('run ids in the input', () => {
  it('never replaces another run\'s audit record', async () => {
    const client = sfn(open.url);
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'first', input: JSON.stringify({ run: { id: 'shared-run' }, params: { who: 'first' } }) }));
    expect((await settled(client, first.executionArn!)).status).toBe('SUCCEEDED');
    const again = await errorOf(
      client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'second', input: JSON.stringify({ run: { id: 'shared-run' }, params: { who: 'forged' } }) })),
    );
    expect(again).toMatchObject({ name: 'ExecutionAlreadyExists', status: 400, message: expect.stringContaining('the run id "shared-run" is taken') });
    // The default run id is the execution name: it may not take an existing run's id either.
    expect(await errorOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}other`, name: 'shared-run' })))).toMatchObject({ name: 'ExecutionAlreadyExists' });
    // A duplicate execution name keeps AWS's answer.
    expect(await errorOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'first' })))).toMatchObject({
      name: 'ExecutionAlreadyExists',
      message: "Execution Already Exists: 'arn:aws:states:local:000000000000:execution:hello:first'",
    });
    const local = await openLocalStore({ dir: join(dir, '.wf') });
    try {
      const record = await local.store.findRun('shared-run');
      expect(record).toMatchObject({ workflow: 'hello', status: 'SUCCESS', params: { who: 'first' } });
    } finally {
      await local.close();
    }
  });

  it('refuses run ids and ARNs with control characters, path separators or over-long values (ValidationException)', async () => {
    const client = sfn(open.url);
    const start = (run: unknown, name?: string) => errorOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, ...(name ? { name } : {}), input: JSON.stringify({ run }) })));
    for (const id of ['../../etc', 'a/b', 'a\\b', 'line\nbreak', 'x'.repeat(81), 'a#b']) {
      expect(await start({ id })).toMatchObject({ name: 'ValidationException', status: 400, message: expect.stringContaining("the input's run.id") });
    }
    expect(await start({ id: 42 })).toMatchObject({ name: 'ValidationException', message: "the input's run.id must be a string, got number" });
    expect(await start({ id: 'fine', parent: 'bad/parent' })).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("the input's run.parent") });
    expect(await errorOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'bad\u0001name' })))).toMatchObject({ name: 'InvalidName', status: 400 });
    expect(await errorOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hel\u0000lo` })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await errorOf(client.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:local:000000000000:execution:hello:${'x'.repeat(3000)}` })))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
  });
});

describe('--host', () => {
  it('warns loudly when listening beyond loopback', async () => {
    const child = spawn(process.execPath, [wf, 'serve', '--port', '0', '--host', '0.0.0.0', '--require-signature', '--credentials', join(dir, 'keys.json'), '--conf', join(dir, 'conf')], { cwd: dir, env });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('listening on') && resolve(l));
      child.once('exit', (code) => reject(new Error(`wf serve exited with ${code}: ${stderr}`)));
    });
    expect(line).toMatch(/^listening on http:\/\/0\.0\.0\.0:\d+$/);
    expect(stderr).toContain('WARNING: wf serve listens on 0.0.0.0:');
    expect(stderr).toContain('not on loopback');
    expect(await stop(child)).toBeUndefined();
  }, 20_000);
});
