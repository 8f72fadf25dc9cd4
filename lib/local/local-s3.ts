/**
 * Opens the local S3 server of a `.wf/` folder (s3-server.ts), starting its daemon when none
 * answers, and gives an S3 client for it: path-style, signed with the folder's keys, following the
 * server when a new daemon takes over (one that idled out while a process slept). Local runs read
 * an S3 foreach's items from it and write its results there, and `wf s3 endpoint` prints its URL.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ensureDaemon, followDaemon } from './loopback-daemon.ts';
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

/** Finds the live S3 server of `s3Dir`, starting a daemon when none answers. */
function ensureServer(s3Dir: string, timeoutMs: number): Promise<number> {
  return ensureDaemon({
    dir: s3Dir,
    script: 'lib/local/s3-server',
    timeoutMs,
    find: async () => {
      const info = readS3ServerInfo(s3Dir);
      return info && (await probeS3Server(info.port, s3Dir)) ? info.port : undefined;
    },
    failure: (reason, log) => new Error(`the local S3 server in ${s3Dir} did not start ${reason}${log}`),
  });
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
  const client = new S3Client({
    region: LOCAL_S3_REGION,
    credentials,
    forcePathStyle: true,
    endpoint: async () => ({ protocol: 'http:', hostname: '127.0.0.1', port, path: '/' }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  followDaemon(client, 'localS3Reconnect', async () => void (port = await ensureServer(s3Dir, timeoutMs)));
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
