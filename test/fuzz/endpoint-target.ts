/**
 * The local Step Functions endpoint as a fuzz target: raw HTTP requests (methods, targets, content
 * types, bodies of right and wrong shapes, random bytes) against `startServer`. Every answer must be
 * a valid answer (HTTP 200 with a JSON object) or an AWS-shaped error (4xx/503 with
 * `{"__type", "message"}`); an `InternalFailure` (500) or a dropped connection is a finding, and
 * the server must keep serving.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { startServer, type RunningServer } from '../../lib/serve/index.ts';
import { rawRequest, type RawRequest } from './generators.ts';
import { FuzzFinding } from './targets.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const CONF = `
echo:
  type: Workflow
  params:
    n: { type: int, default: 1 }
    token: { type: str, secret: true, default: hidden }
  jobs:
    only:
      stages:
        - { name: Say, echo: "n is \${{ params.n }}" }
`;

/** A server for the endpoint target, in a fresh state folder. */
export interface FuzzServer {
  server: RunningServer;
  dir: string;
  /** Internal errors the server logged. */
  internal: string[];
  stop(): Promise<void>;
}

/** Starts `startServer` on a free port with one cheap workflow (`echo`), in a temporary folder. */
export async function startFuzzServer(): Promise<FuzzServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wf-fuzz-serve-'));
  const loaded = loadWorkflowsFromText({ 'conf/wf.yml': CONF });
  const internal: string[] = [];
  const server = await startServer({ workflows: loaded.workflows, port: 0, dir: join(dir, '.wf'), log: (line) => (line.startsWith('internal error') ? internal.push(line) : undefined) });
  return {
    server,
    dir,
    internal,
    stop: async () => {
      await server.close();
      // The audit server daemon the endpoint started for this folder: ours, stopped by its pid.
      stopAuditServer(join(dir, '.wf'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One response: status and body text. */
export interface RawResponse {
  status: number;
  body: string;
}

/** Sends a raw request (no client-side checks beyond what HTTP needs). */
export function send(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (/^[\t\x20-\x7e]*$/.test(v)) headers[k] = v;
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: { ...headers, 'content-length': String(Buffer.byteLength(r.body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.method === 'GET' && r.body === '' ? undefined : r.body);
  });
}

/** Checks one answer: a JSON object on 200, else an AWS-shaped error that is not an internal failure. */
export function checkAnswer(r: RawRequest, res: RawResponse): void {
  const shown = (): string => `${r.method} ${r.path} ${JSON.stringify(r.headers)} ${r.body.slice(0, 300)} → ${res.status} ${res.body.slice(0, 300)}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new FuzzFinding(`the answer is not JSON: ${shown()}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FuzzFinding(`the answer is not a JSON object: ${shown()}`);
  if (res.status === 200) return;
  const { __type, message } = body as { __type?: unknown; message?: unknown };
  if (typeof __type !== 'string' || typeof message !== 'string' || __type === '' || message === '') throw new FuzzFinding(`an error without __type and message: ${shown()}`);
  if (res.status >= 500 && res.status !== 503) throw new FuzzFinding(`an internal failure: ${shown()}`);
  if (res.status < 400) throw new FuzzFinding(`an error with status ${res.status}: ${shown()}`);
}

/** Sends one request and checks its answer and that the server still answers a valid request. */
export async function checkRequest(port: number, r: RawRequest): Promise<void> {
  let res: RawResponse;
  try {
    res = await send(port, r);
  } catch (e) {
    throw new FuzzFinding(`the connection failed: ${(e as Error).message} for ${r.method} ${JSON.stringify(r.headers)} ${r.body.slice(0, 300)}`);
  }
  checkAnswer(r, res);
}

/** True when the server answers `ListStateMachines` with its one machine. */
export async function stillServing(port: number): Promise<boolean> {
  const res = await send(port, { method: 'POST', path: '/', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
  return res.status === 200 && (JSON.parse(res.body) as { stateMachines: unknown[] }).stateMachines.length === 1;
}

export { rawRequest };
