/**
 * The web console behind `--require-signature`: a browser gets in only through the address with
 * the token `wf serve` prints (a cookie then carries it), the token opens the console and never
 * the Step Functions API, and the console keeps the API's Host and Origin rules; console actions
 * need their own header (no other site's page can send it), and errors are JSON with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../lib/config/index.ts';
import { startServer, type RunningServer } from '../../lib/serve/index.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const conf = new URL('./fixtures/conf', import.meta.url).pathname;
const KEYS = { accessKeyId: 'AKIDCONSOLETEST', secretAccessKey: 'console-test-secret-key-0123456789' };

let dir: string;
let server: RunningServer;
let cookie: string;

/** A raw request (node:http, so that any Host header can be sent). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-console-access-'));
  server = await startServer({ workflows: loadWorkflows({ conf }).workflows, port: 0, dir: join(dir, '.wf'), signature: { credentials: KEYS, source: 'keys.json' } });
});

afterAll(async () => {
  await server?.close();
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

describe('the console with --require-signature', () => {
  it('refuses a browser without the token, and a wrong token', async () => {
    const page = await send('/');
    expect(page.status).toBe(403);
    expect(page.text).toContain('open the console through the address with ?token= that it printed');
    expect((await send('/?token=nope')).status).toBe(403);
    const api = await send('/console/api/workflows');
    expect(api.status).toBe(403);
    expect(JSON.parse(api.text)).toEqual({ error: expect.stringContaining('--require-signature') });
  });

  it('lets the printed address in: an HttpOnly, SameSite=Strict cookie, then the page, its assets and its data', async () => {
    const url = new URL(server.consoleUrl);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const entry = await send(`/${url.search}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    const set = String(entry.headers['set-cookie']);
    expect(set).toMatch(new RegExp(`^wf_console_${server.port}=${url.searchParams.get('token')}; Path=/; HttpOnly; SameSite=Strict$`));
    cookie = set.split(';')[0]!;
    const page = await send('/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).toContain('<script src="/console/assets/console.js"></script>');
    const script = await send('/console/assets/console.js', { headers: { cookie } });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text.length).toBeGreaterThan(10_000);
    const data = JSON.parse((await send('/console/api/workflows', { headers: { cookie } })).text) as { workflows: Array<{ name: string }> };
    expect(data.workflows.map((w) => w.name)).toEqual(['fan', 'gate', 'greet', 'quick', 'slow']);
  });

  it('never opens the Step Functions API with the cookie: it still wants a signature', async () => {
    const res = await send('/', { method: 'POST', headers: { cookie, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ __type: 'UnrecognizedClientException' });
  });

  it("keeps the API's Host and Origin rules, and refuses an action without its header", async () => {
    const host = `127.0.0.1:${server.port}`;
    expect((await send('/', { headers: { cookie, host: `evil.example:${server.port}` } })).status).toBe(403);
    const foreign = await send('/console/api/workflows/quick/start', { method: 'POST', headers: { cookie, host, origin: 'https://evil.example', 'x-wf-console': '1' }, body: '{}' });
    expect(foreign.status).toBe(403);
    const bare = await send('/console/api/workflows/quick/start', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.text)).toEqual({ error: 'a console action needs the header X-WF-Console: 1' });
  });

  it('answers JSON errors: unknown run (WF7006), unknown workflow, wrong params with every problem', async () => {
    const headers = { cookie, 'x-wf-console': '1', origin: `http://127.0.0.1:${server.port}` };
    const run = await send('/console/api/runs/20260101000000000-00000000', { headers: { cookie } });
    expect(run.status).toBe(404);
    expect(JSON.parse(run.text)).toEqual({ error: 'no run "20260101000000000-00000000" in the audit store [WF7006]' });
    expect((await send('/console/api/workflows/nope/start', { method: 'POST', headers, body: '{}' })).status).toBe(404);
    const wrong = await send('/console/api/workflows/greet/start', { method: 'POST', headers, body: JSON.stringify({ params: { colour: 'pink', size: 3 } }) });
    expect(wrong.status).toBe(400);
    const body = JSON.parse(wrong.text) as { error: string; problems: string[] };
    expect(body.error).toBe('workflow "greet" was not started: its params are wrong');
    expect(body.problems.map((p) => /\[(WF\d+)\]/.exec(p)?.[1])).toEqual(['WF7002', 'WF7001', 'WF7003']);
  });

  it('reruns a run, asking again for a secret param that has no default', async () => {
    const headers = { cookie, 'x-wf-console': '1' };
    const started = JSON.parse((await send('/console/api/workflows/greet/start', { method: 'POST', headers, body: JSON.stringify({ params: { token: 'first-secret' } }) })).text) as { runId: string };
    let status = 'WAIT';
    for (let i = 0; i < 100 && (status === 'WAIT' || status === 'RUNNING'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (JSON.parse((await send(`/console/api/runs/${started.runId}`, { headers: { cookie } })).text) as { run: { status: string } }).run.status;
    }
    expect(status).toBe('SUCCESS');
    const refused = await send(`/console/api/runs/${started.runId}/rerun`, { method: 'POST', headers, body: '{}' });
    expect(JSON.parse(refused.text)).toEqual({ error: `run ${started.runId} had secret params, which are not recorded; give them again: token` });
    const rerun = JSON.parse((await send(`/console/api/runs/${started.runId}/rerun`, { method: 'POST', headers, body: JSON.stringify({ secrets: { token: 'second-secret' } }) })).text) as { runId: string };
    let detail: { run: { status: string; type: string; parentRunId?: string; params: Record<string, unknown> } } | undefined;
    for (let i = 0; i < 100 && (!detail || detail.run.status === 'RUNNING' || detail.run.status === 'WAIT'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await send(`/console/api/runs/${rerun.runId}`, { headers: { cookie } });
      if (res.status === 200) detail = JSON.parse(res.text) as typeof detail;
    }
    expect(detail!.run).toMatchObject({ status: 'SUCCESS', type: 'rerun', parentRunId: started.runId, params: { token: '***', colour: 'red', who: 'world' } });
  });
});
