/**
 * The local S3 server: `s3rver` (an S3-compatible server) on 127.0.0.1, its objects under
 * `<dir>/s3/data`. Like the audit server (audit-server.ts) it runs as a small detached daemon that
 * every `wf` process of one `.wf/` folder shares, started on demand (local-s3.ts), writing
 * `<dir>/s3/server.json` (`{port, pid}`) once it answers and exiting after a period without
 * requests (`WORKFLOW_CORE_S3_IDLE_MS`, default 15 minutes, since the AWS CLI may use it between
 * runs; 0 = never) or on SIGTERM/SIGINT. A new server takes the folder's last port when it is free.
 *
 * It answers only this machine's S3 clients: a request with an `Origin` header (a web page), a
 * `Host` that is not a loopback name with the server's port (DNS rebinding), a CORS preflight, or
 * one that is not signed (SigV4, Authorization header) is refused with an S3 `AccessDenied` error.
 * Like other local S3 servers (and `wf serve`'s API), it takes any access key by default, so the AWS
 * CLI and SDKs reach it path-style (`--endpoint-url`, `forcePathStyle`) with whatever credentials
 * they have. With `WORKFLOW_CORE_S3_REQUIRE_SIGNATURE=1` in the environment that starts it, only
 * requests signed with the folder's credentials (`<dir>/s3/credentials.json`, random, mode 0600)
 * are taken, which makes reaching the endpoint as private as reading the folder;
 * `wf s3 endpoint --env` prints those keys. `GET /__wf/ping` answers unsigned with the folder it serves
 * (no data), so that clients can find a live server.
 *
 * Run as a script: `node --import tsx lib/local/s3-server.ts <s3 dir>`.
 */
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_TAKEN } from './loopback-daemon.ts';
import { credentialsFile, ensureCredentials, hostProblem, originProblem, readBody, type LocalCredentials } from './verify-sigv4.ts';
import { s3SignatureProblem } from './verify-s3-signature.ts';
import { listingRewrite } from './s3-listing.ts';
import { PassThrough } from 'node:stream';

/** Response header of the ping naming the folder a server serves. */
export const S3_DIR_HEADER = 'x-wf-s3-dir';
/** The unsigned path that answers whether a server is alive, and for which folder. */
export const PING_PATH = '/__wf/ping';

/** The contents of `server.json`. */
export interface S3ServerInfo {
  port: number;
  pid: number;
}

/** A listening local S3 server. */
export interface RunningS3Server {
  port: number;
  credentials: LocalCredentials;
  /** Removes server.json (when it is this server's) and closes the server. */
  close(): Promise<void>;
}

/** The path of `server.json` in an S3 folder. */
export function s3ServerInfoFile(s3Dir: string): string {
  return join(s3Dir, 'server.json');
}

/** The server an S3 folder's `server.json` names, or undefined. */
export function readS3ServerInfo(s3Dir: string): S3ServerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(s3ServerInfoFile(s3Dir), 'utf8')) as Partial<S3ServerInfo>;
    return Number.isInteger(info.port) && Number.isInteger(info.pid) ? { port: info.port!, pid: info.pid! } : undefined;
  } catch {
    return undefined;
  }
}

/** True when the S3 server of `s3Dir` answers its ping on `port`. Never throws. */
export async function probeS3Server(port: number, s3Dir: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${PING_PATH}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok && res.headers.get(S3_DIR_HEADER) === encodeURIComponent(resolve(s3Dir));
  } catch {
    return false;
  }
}

/** The idle period of the S3 server: `WORKFLOW_CORE_S3_IDLE_MS`, default 15 minutes (0 = never). */
export function s3IdleMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.WORKFLOW_CORE_S3_IDLE_MS === '' ? NaN : env.WORKFLOW_CORE_S3_IDLE_MS ?? NaN);
  return Number.isFinite(value) && value >= 0 ? value : 15 * 60_000;
}

function lastPort(s3Dir: string): number | undefined {
  try {
    const port = Number(readFileSync(join(s3Dir, 'port'), 'utf8').trim());
    return Number.isInteger(port) && port > 1024 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

function removeServerInfo(s3Dir: string, pid: number): void {
  if (readS3ServerInfo(s3Dir)?.pid === pid) rmSync(s3ServerInfoFile(s3Dir), { force: true });
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refuse(res: ServerResponse, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${xmlEscape(message)}</Message></Error>`;
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
  res.end(body);
}

/** The largest streamed (`aws-chunked`) upload taken. */
const MAX_CHUNKED_BYTES = 512 * 1024 * 1024;

/** The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=...]\r\n<data>\r\n`..., then `0` and trailers). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Whether a request's body is `aws-chunked` (the SDKs' and CLI's streamed uploads with trailing checksums). */
function isChunked(req: IncomingMessage): boolean {
  return /aws-chunked/.test(String(req.headers['content-encoding'] ?? '')) || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

/** The request s3rver gets: signature checked and removed (it canonicalises paths otherwise than the SDKs), a chunked body decoded. */
async function forwarded(req: IncomingMessage): Promise<IncomingMessage | undefined> {
  const headers = { ...req.headers };
  delete headers.authorization;
  if (!isChunked(req)) {
    req.headers = headers;
    return req;
  }
  const raw = await readBody(req, MAX_CHUNKED_BYTES);
  if (raw === undefined) return undefined;
  const body = decodeAwsChunked(raw);
  const encoding = String(headers['content-encoding'] ?? '').split(',').map((t) => t.trim()).filter((t) => t && t !== 'aws-chunked').join(',');
  if (encoding) headers['content-encoding'] = encoding;
  else delete headers['content-encoding'];
  delete headers['transfer-encoding'];
  delete headers['x-amz-trailer'];
  delete headers['x-amz-decoded-content-length'];
  headers['content-length'] = String(body.length);
  headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const replay = Object.assign(new PassThrough(), { method: req.method, url: req.url, headers, socket: req.socket, connection: req.socket, httpVersion: req.httpVersion }) as unknown as IncomingMessage;
  (replay as unknown as PassThrough).end(body);
  return replay;
}

/** Makes `res` send `answer(body)` instead of the text body s3rver ends it with. */
function answerWith(res: ServerResponse, answer: (text: string) => string): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk)) return end(chunk, ...rest);
    const text = answer(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk);
    if (!res.headersSent) res.setHeader('content-length', String(Buffer.byteLength(text)));
    return end(text, ...rest);
  }) as ServerResponse['end'];
}

type S3rverClass = new (options: Record<string, unknown>) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };

/** Starts an S3 server for `s3Dir` on a free loopback port and writes server.json. */
export async function startS3Server(options: { s3Dir: string; idleMs?: number; onIdle?: () => void }): Promise<RunningS3Server> {
  const s3Dir = resolve(options.s3Dir);
  mkdirSync(join(s3Dir, 'data'), { recursive: true, mode: 0o700 });
  const credentials = ensureCredentials(s3Dir);
  const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverClass;
  const s3rver = new S3rver({ directory: join(s3Dir, 'data'), silent: true, vhostBuckets: false, allowMismatchedSignatures: false });
  const handle = s3rver.callback();
  const dirHeader = encodeURIComponent(s3Dir);
  const requireSignature = process.env.WORKFLOW_CORE_S3_REQUIRE_SIGNATURE === '1';
  const hint = requireSignature
    ? `The local S3 server answers only requests through 127.0.0.1 signed with the keys in ${credentialsFile(s3Dir)} (wf s3 endpoint --env prints them).`
    : 'The local S3 server answers only signed requests (any access key) through 127.0.0.1 from S3 clients, not web pages.';
  let lastRequest = Date.now();
  let port = 0;
  const server = createServer((req, res) => {
    lastRequest = Date.now();
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) => (/^access-control-/i.test(name) ? res : setHeader(name, value));
    const problem = originProblem(req.headers.origin) ?? hostProblem(req.headers.host, port) ?? (req.method === 'OPTIONS' ? 'CORS preflight requests are refused' : undefined);
    if (problem) {
      req.resume();
      refuse(res, `refused: ${problem}. ${hint}`);
      return;
    }
    if (req.method === 'GET' && req.url === PING_PATH) {
      res.writeHead(200, { [S3_DIR_HEADER]: dirHeader, 'content-length': '0' });
      res.end();
      return;
    }
    const unsigned = requireSignature
      ? s3SignatureProblem({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, credentials)
      : /^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? '')
        ? undefined
        : 'the request is not signed (sign it with the Authorization header, as the AWS CLI and SDKs do)';
    if (unsigned) {
      req.resume();
      refuse(res, `refused: ${unsigned}. ${hint}`);
      return;
    }
    const listing = listingRewrite(req.method ?? 'GET', req.url ?? '/');
    if (listing) {
      req.url = listing.url;
      answerWith(res, listing.answer);
    }
    void forwarded(req).then(
      (fwd) => (fwd ? handle(fwd, res) : refuse(res, `the upload is larger than ${MAX_CHUNKED_BYTES} bytes`)),
      () => res.destroy(),
    );
  });
  // Clients keep connections alive; the idle timer must still be able to close the server.
  server.keepAliveTimeout = 2000;
  // The port of the folder's last server when it is free, so that an endpoint printed earlier
  // (`wf s3 endpoint`) still works after an idle restart.
  const listen = (at: number): Promise<void> =>
    new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', fail);
        done();
      });
    });
  const last = lastPort(s3Dir);
  try {
    await listen(last ?? 0);
  } catch (e) {
    if (last === undefined) throw e;
    await listen(0);
  }
  port = (server.address() as AddressInfo).port;
  writeFileSync(join(s3Dir, 'port'), `${port}\n`);
  let closing: Promise<void> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((done) => {
      if (idleTimer) clearInterval(idleTimer);
      removeServerInfo(s3Dir, process.pid);
      server.close(() => done());
      server.closeAllConnections();
    });
    return closing;
  };
  const file = s3ServerInfoFile(s3Dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ port, pid: process.pid })}\n`);
  renameSync(tmp, file);
  const idleMs = options.idleMs ?? 0;
  if (idleMs > 0) {
    idleTimer = setInterval(() => {
      if (Date.now() - lastRequest < idleMs) return;
      void close().then(() => options.onIdle?.());
    }, Math.max(10, Math.min(1000, Math.floor(idleMs / 4))));
  }
  return { port, credentials, close };
}

/** The daemon: serve `s3Dir` until idle or told to stop. */
async function main(s3Dir: string): Promise<void> {
  const log = (text: string): void => void process.stderr.write(`${new Date().toISOString()} s3-server[${process.pid}] ${text}\n`);
  const current = readS3ServerInfo(s3Dir);
  if (current && (await probeS3Server(current.port, s3Dir))) {
    log(`already served on port ${current.port}; exiting`);
    process.exit(EXIT_TAKEN);
  }
  const running = await startS3Server({ s3Dir, idleMs: s3IdleMs(), onIdle: () => process.exit(0) });
  log(`listening on 127.0.0.1:${running.port}`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function isMainModule(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const s3Dir = process.argv[2];
  if (s3Dir === undefined) {
    process.stderr.write('usage: s3-server.ts <s3 dir>\n');
    process.exit(2);
  }
  main(resolve(s3Dir)).catch((e: unknown) => {
    process.stderr.write(`s3-server[${process.pid}] failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
