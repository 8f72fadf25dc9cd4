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
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Response header naming the audit folder a server serves (clients check it: a stale port may be another server's). */
export const AUDIT_DIR_HEADER = 'x-wf-audit-dir';

/** Exit code of a daemon that found its folder served or locked by another one. */
export const EXIT_TAKEN = 3;

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
}

/** A listening audit server. */
export interface RunningAuditServer {
  port: number;
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

/**
 * True when an audit server for `auditDir` answers on `port` (a DynamoDB `ListTables` call whose
 * response names the same folder). Never throws.
 */
export async function probeAuditServer(port: number, auditDir: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'x-amz-date': '20240101T000000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{"Limit":1}',
      signal: AbortSignal.timeout(timeoutMs),
    });
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

/**
 * Starts a dynalite server for `auditDir` on a free loopback port, checks that it can read its
 * data, and writes server.json. In-process use is for tests and tools; `wf` uses the daemon.
 */
export async function startAuditServer(options: AuditServerOptions): Promise<RunningAuditServer> {
  const auditDir = resolve(options.auditDir);
  mkdirSync(join(auditDir, 'db'), { recursive: true });
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ path: join(auditDir, 'db'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dirHeader = encodeURIComponent(auditDir);
  let lastRequest = Date.now();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
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
  const port = (server.address() as AddressInfo).port;

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

  if (!(await probeAuditServer(port, auditDir, 10_000))) {
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
  return { port, close };
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
