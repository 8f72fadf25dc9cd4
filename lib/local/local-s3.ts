/**
 * Opens the local S3 server of a `.wf/` folder (s3-server.ts), starting its daemon when none
 * answers, and gives an S3 client for it: path-style, signed with the folder's keys, following the
 * server when a new daemon takes over (one that idled out while a process slept). Local runs read
 * an S3 foreach's items from it and write its results there, and `wf s3 endpoint` prints its URL.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { isConnectionError } from '../audit/index.ts';
import { codeFile, FROM_SOURCES } from '../package-files.ts';
import { probeS3Server, readS3ServerInfo, s3IdleMs } from './s3-server.ts';
import { ensureCredentials, type LocalCredentials } from './verify-sigv4.ts';

/** The region local S3 clients sign for (any region works: the server checks the keys). */
export const LOCAL_S3_REGION = 'us-east-1';

/** An open local S3 server. */
export interface LocalS3 {
  /** An S3 client for the server. */
  client: S3Client;
  /** The server's URL when opened (`http://127.0.0.1:<port>`). */
  endpoint: string;
  /** The keys requests are signed with. */
  credentials: LocalCredentials;
  /** The server's folder (`<dir>/s3`). */
  s3Dir: string;
  /** Closes the client; the daemon stays up until it idles out. */
  close(): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function spawnDaemon(s3Dir: string): { exited: boolean } {
  const loader = FROM_SOURCES ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  const log = openSync(join(s3Dir, 'server.log'), 'a');
  const state = { exited: false };
  try {
    const child = spawn(process.execPath, [...loader, codeFile('lib/local/s3-server'), s3Dir], {
      detached: true,
      cwd: s3Dir,
      stdio: ['ignore', 'ignore', log],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    child.on('error', () => (state.exited = true));
    child.on('exit', () => (state.exited = true));
    child.unref();
  } finally {
    closeSync(log);
  }
  return state;
}

/** The port of the live S3 server of `s3Dir`, starting a daemon when none answers. */
async function ensureServer(s3Dir: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let daemon: { exited: boolean } | undefined;
  let spawns = 0;
  let wait = 25;
  for (;;) {
    const info = readS3ServerInfo(s3Dir);
    if (info && (await probeS3Server(info.port, s3Dir))) return info.port;
    if (Date.now() > deadline || spawns > 5) {
      let tail = '';
      try {
        tail = readFileSync(join(s3Dir, 'server.log'), 'utf8').trimEnd().split('\n').slice(-5).join('\n');
      } catch {
        // no log
      }
      throw new Error(`the local S3 server in ${s3Dir} did not start${tail ? `; its log ends with:\n${tail}` : ''}`);
    }
    if (!daemon || daemon.exited) {
      daemon = spawnDaemon(s3Dir);
      spawns++;
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 250);
  }
}

/** The local state folder: `dir`, else `WORKFLOW_CORE_AUDIT_PATH`, else `.wf` (as the audit store). */
export function localStateDir(dir?: string): string {
  return resolve(dir ?? (process.env.WORKFLOW_CORE_AUDIT_PATH || '.wf'));
}

/** Opens the local S3 server of a folder (see the file comment). */
export async function openLocalS3(options: { dir?: string; startTimeoutMs?: number } = {}): Promise<LocalS3> {
  const s3Dir = join(localStateDir(options.dir), 's3');
  mkdirSync(s3Dir, { recursive: true, mode: 0o700 });
  const credentials = ensureCredentials(s3Dir);
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let port = await ensureServer(s3Dir, timeoutMs);
  let reconnecting: Promise<void> | undefined;
  const client = new S3Client({
    region: LOCAL_S3_REGION,
    credentials,
    forcePathStyle: true,
    endpoint: async () => ({ protocol: 'http:', hostname: '127.0.0.1', port, path: '/' }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        await (reconnecting ??= ensureServer(s3Dir, timeoutMs)
          .then((p) => void (port = p))
          .finally(() => (reconnecting = undefined)));
        return next(args);
      }
    },
    { step: 'initialize', name: 'localS3Reconnect' },
  );
  // A long run keeps the daemon from idling out under it.
  const idleMs = s3IdleMs();
  const heartbeat = idleMs > 0 ? setInterval(() => void probeS3Server(port, s3Dir), Math.max(50, Math.floor(idleMs / 3))) : undefined;
  heartbeat?.unref();
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    credentials,
    s3Dir,
    close: () => {
      if (heartbeat) clearInterval(heartbeat);
      client.destroy();
    },
  };
}
