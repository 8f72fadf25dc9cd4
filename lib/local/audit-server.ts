/**
 * The local audit server: a `dynalite` (DynamoDB-compatible) server on 127.0.0.1 whose data lives
 * in `<dir>/audit/db` (leveldb). Leveldb lets one process open a folder, and several `wf`
 * processes may share one `.wf/`, so the server runs as a small detached daemon that they all talk
 * to: `openLocalStore` starts it when none answers. Once listening (and able to read its data) it
 * writes `<dir>/audit/server.json` (`{port, pid}`); it exits after a period without requests, or
 * on SIGTERM/SIGINT, removing that file first so no client picks up a closing server. When two
 * daemons start at once, the second cannot lock the leveldb folder and exits with
 * {@link EXIT_TAKEN}; its clients read the winner's server.json.
 *
 * Run as a script: `node --import tsx lib/local/audit-server.ts <audit dir>`; the idle period is
 * `WORKFLOW_CORE_AUDIT_IDLE_MS` (default 30000; 0 = never).
 *
 * The server answers only this machine's clients of this folder (see verify-sigv4.ts): a request
 * with an `Origin` header (a web page), with a `Host` that is not a loopback name and the server's
 * port (DNS rebinding), a CORS preflight, or one not SigV4-signed with the folder's credentials
 * (`<dir>/audit/credentials.json`, random, mode 0600, made on first use) is refused with HTTP 403
 * and a DynamoDB-style error; no `Access-Control-Allow-*` header is ever sent.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsFile, ensureCredentials, hostProblem, originProblem, readBody, readCredentials, signedHeaders, verifySigV4, type LocalCredentials, type RequestRefusal } from './verify-sigv4.ts';
import { EXIT_TAKEN } from './loopback-daemon.ts';

/** Response header naming the audit folder a server serves (clients check it: a stale port may be another server's). */
export const AUDIT_DIR_HEADER = 'x-wf-audit-dir';


/** The idle period when `WORKFLOW_CORE_AUDIT_IDLE_MS` is not set, in milliseconds. */
export const DEFAULT_IDLE_MS = 30_000;

/** The contents of `server.json`. */
export interface AuditServerInfo {
  port: number;
  pid: number;
}

/** Options of {@link startAuditServer}. */
export interface AuditServerOptions {
  /** The audit folder (`<dir>/audit`); the data goes to its `db` folder. */
  auditDir: string;
  /** Close after this many milliseconds without a request; 0 never closes. @default 0 */
  idleMs?: number;
  /** Called once the server has closed because it was idle. */
  onIdle?: () => void;
  /** The credentials requests must be signed with. @default the folder's (`credentials.json`, made when missing) */
  credentials?: LocalCredentials;
}

/** A listening audit server. */
export interface RunningAuditServer {
  port: number;
  /** The credentials requests must be signed with. */
  credentials: LocalCredentials;
  /** Removes server.json (when it is this server's) and closes the server and its data. */
  close(): Promise<void>;
}

type Dynalite = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** The idle period configured by `WORKFLOW_CORE_AUDIT_IDLE_MS`, or {@link DEFAULT_IDLE_MS}. */
export function configuredIdleMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKFLOW_CORE_AUDIT_IDLE_MS;
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_IDLE_MS;
}

/** The path of `server.json` in an audit folder. */
export function serverInfoFile(auditDir: string): string {
  return join(auditDir, 'server.json');
}

/** The server an audit folder's `server.json` names, or undefined when there is none (or it is unreadable). */
export function readServerInfo(auditDir: string): AuditServerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(serverInfoFile(auditDir), 'utf8')) as Partial<AuditServerInfo>;
    return Number.isInteger(info.port) && Number.isInteger(info.pid) ? { port: info.port!, pid: info.pid! } : undefined;
  } catch {
    return undefined;
  }
}

/** The credentials of an audit folder's server, or undefined when it has none yet. */
export function readStoreCredentials(auditDir: string): LocalCredentials | undefined {
  try {
    return readCredentials(credentialsFile(auditDir));
  } catch {
    return undefined;
  }
}

/**
 * True when an audit server for `auditDir` answers on `port` (a DynamoDB `ListTables` call, signed
 * with the folder's credentials, whose response names the same folder). Never throws.
 */
export async function probeAuditServer(port: number, auditDir: string, timeoutMs = 2000, credentials = readStoreCredentials(auditDir)): Promise<boolean> {
  if (!credentials) return false;
  try {
    const url = `http://127.0.0.1:${port}/`;
    const body = '{"Limit":1}';
    const headers = await signedHeaders(url, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body, credentials, 'dynamodb');
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok && res.headers.get(AUDIT_DIR_HEADER) === encodeURIComponent(resolve(auditDir));
  } catch {
    return false;
  }
}

function writeServerInfo(auditDir: string, info: AuditServerInfo): void {
  const file = serverInfoFile(auditDir);
  const tmp = `${file}.${info.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  renameSync(tmp, file);
}

function removeServerInfo(auditDir: string, pid: number): void {
  if (readServerInfo(auditDir)?.pid === pid) rmSync(serverInfoFile(auditDir), { force: true });
}

/** The largest request body taken (dynalite's own limit). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

function refuse(res: ServerResponse, status: number, refusal: RequestRefusal): void {
  const prefix = refusal.type === 'AccessDeniedException' ? 'com.amazonaws.dynamodb.v20120810' : 'com.amazon.coral.service';
  const text = JSON.stringify({ __type: `${prefix}#${refusal.type}`, message: refusal.message });
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
  res.end(text);
}

/** What a refused caller of the store can do. */
function storeHint(auditDir: string): string {
  return `The local audit store answers only wf and the AWS SDK or CLI on this machine, through 127.0.0.1, signing with the keys in ${credentialsFile(auditDir)} (wf does this itself).`;
}

/**
 * Puts the checks in front of dynalite's handler: a request must come from this machine's clients
 * (no Origin, a loopback Host with the server's port, not a preflight) and be signed with the
 * store's credentials; dynalite then gets the request with its body replayed. `Access-Control-*`
 * headers are dropped from every response.
 */
function guardRequests(server: Server, auditDir: string, credentials: LocalCredentials, port: () => number, onRequest: (res: ServerResponse) => void): void {
  const hint = storeHint(auditDir);
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) => (/^access-control-/i.test(name) ? res : setHeader(name, value));
    void (async () => {
      const origin = req.headers.origin;
      const problem = originProblem(origin) ?? hostProblem(req.headers.host, port()) ?? (req.method === 'OPTIONS' ? 'CORS preflight requests are refused' : undefined);
      if (problem) {
        req.resume();
        refuse(res, 403, { type: 'AccessDeniedException', message: `refused: ${problem}. ${hint}` });
        return;
      }
      const body = await readBody(req, MAX_REQUEST_BYTES);
      if (body === undefined) {
        refuse(res, 413, { type: 'ValidationException', message: `the request body is larger than ${MAX_REQUEST_BYTES} bytes` });
        return;
      }
      const refusal = await verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, { credentials, service: 'dynamodb', hint });
      if (refusal) {
        refuse(res, 403, refusal);
        return;
      }
      onRequest(res);
      const replay = Object.assign(new PassThrough(), { method: req.method, url: req.url, headers: req.headers }) as unknown as IncomingMessage;
      for (const handler of handlers) handler.call(server, replay, res);
      (replay as unknown as PassThrough).end(body);
    })().catch(() => {
      if (!res.headersSent) refuse(res, 500, { type: 'InternalFailure', message: 'the audit server failed to check the request' });
      else res.destroy();
    });
  });
}

/**
 * Starts a dynalite server for `auditDir` on a free loopback port, checks that it can read its
 * data, and writes server.json. In-process use is for tests and tools; `wf` uses the daemon.
 */
export async function startAuditServer(options: AuditServerOptions): Promise<RunningAuditServer> {
  const auditDir = resolve(options.auditDir);
  mkdirSync(auditDir, { recursive: true, mode: 0o700 });
  mkdirSync(join(auditDir, 'db'), { recursive: true, mode: 0o700 });
  const credentials = options.credentials ?? ensureCredentials(auditDir);
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ path: join(auditDir, 'db'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dirHeader = encodeURIComponent(auditDir);
  let lastRequest = Date.now();
  let port = 0;
  guardRequests(server, auditDir, credentials, () => port, (res) => {
    lastRequest = Date.now();
    res.setHeader(AUDIT_DIR_HEADER, dirHeader);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((done) => {
      if (idleTimer) clearInterval(idleTimer);
      removeServerInfo(auditDir, process.pid);
      server.close(() => done());
    });
    return closing;
  };

  if (!(await probeAuditServer(port, auditDir, 10_000, credentials))) {
    await close();
    throw new Error(`the audit server for ${auditDir} does not answer on its own port ${port}`);
  }
  writeServerInfo(auditDir, { port, pid: process.pid });

  const idleMs = options.idleMs ?? 0;
  if (idleMs > 0) {
    idleTimer = setInterval(() => {
      if (Date.now() - lastRequest < idleMs) return;
      void close().then(() => options.onIdle?.());
    }, Math.max(10, Math.min(1000, Math.floor(idleMs / 4))));
  }
  return { port, credentials, close };
}

function isLockError(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  return code === 'LEVEL_DATABASE_NOT_OPEN' || code === 'LEVEL_LOCKED' || (typeof message === 'string' && /\bLOCK\b|[Nn]ot open|is closed/.test(message));
}

/** The daemon: serve `auditDir` until idle or told to stop. */
async function main(auditDir: string): Promise<void> {
  const log = (text: string): void => void process.stderr.write(`${new Date().toISOString()} audit-server[${process.pid}] ${text}\n`);
  let started = false;
  process.on('uncaughtException', (e) => {
    // Dynalite reports a leveldb folder it cannot open (another daemon holds it) this way.
    const taken = !started && isLockError(e);
    log(taken ? `${auditDir} is locked by another audit server; exiting` : `crashed: ${e.stack ?? String(e)}`);
    removeServerInfo(auditDir, process.pid);
    process.exit(taken ? EXIT_TAKEN : 1);
  });
  const current = readServerInfo(auditDir);
  if (current && existsSync(auditDir) && (await probeAuditServer(current.port, auditDir))) {
    log(`already served on port ${current.port}; exiting`);
    process.exit(EXIT_TAKEN);
  }
  const running = await startAuditServer({ auditDir, idleMs: configuredIdleMs(), onIdle: () => process.exit(0) });
  started = true;
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
  const auditDir = process.argv[2];
  if (auditDir === undefined) {
    process.stderr.write('usage: audit-server.ts <audit dir>\n');
    process.exit(2);
  }
  main(resolve(auditDir)).catch((e: unknown) => {
    const taken = isLockError(e);
    process.stderr.write(`audit-server[${process.pid}] ${taken ? 'folder locked by another audit server' : 'failed to start'}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(taken ? EXIT_TAKEN : 1);
  });
}
