/**
 * Opens the audit store of local runs: the same {@link AuditStore} as on AWS, talking to the
 * audit server daemon of a `.wf/` folder (see audit-server.ts), started here when none answers.
 * Many processes may open one folder at once: one starts the daemon (loopback-daemon.ts), a
 * daemon that loses the race for the leveldb lock exits, and every client waits until server.json
 * names a server that answers for this folder. While a store is open it pings the
 * daemon so that it does not idle out under a long run, and a request that finds the daemon gone
 * (killed, or idled out while the process slept) starts a new one and is sent again. Requests are
 * signed with the folder's credentials (`audit/credentials.json`, made on first use): the server
 * refuses any other.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuditError, AuditStore } from '../audit/index.ts';
import { configuredIdleMs, probeAuditServer, readServerInfo, type AuditServerInfo } from './audit-server.ts';
import { ensureCredentials, type LocalCredentials } from './verify-sigv4.ts';
import { flushPending, type FlushResult } from './pending-records.ts';
import { ensureDaemon, followDaemon } from './loopback-daemon.ts';

/** Options of {@link openLocalStore}. */
export interface LocalStoreOptions {
  /** The local state folder; the audit data goes to its `audit` folder. @default `WORKFLOW_CORE_AUDIT_PATH`, else `.wf` */
  dir?: string;
  /** The table name. @default 'wf-audit' */
  table?: string;
  /** How long to wait for an audit server to answer, in milliseconds. @default 20000 */
  startTimeoutMs?: number;
}

/** An open local audit store. */
export interface LocalStore {
  /** A DynamoDB client for the local server (follows the server if it is restarted). */
  client: DynamoDBClient;
  store: AuditStore;
  /** The server's URL when the store was opened (`http://127.0.0.1:<port>`). */
  endpoint: string;
  /** The local state folder (absolute): its `pending/` keeps end records the store could not take. */
  dir: string;
  /** The kept end records written when the store was opened (see pending-records.ts). */
  flushed: FlushResult;
  /** Closes the client; the daemon stays up until it idles out. */
  close(): Promise<void>;
}

/** Finds the live audit server of `auditDir`, starting a daemon when none answers. */
function ensureServer(auditDir: string, timeoutMs: number, credentials: LocalCredentials): Promise<AuditServerInfo> {
  return ensureDaemon({
    dir: auditDir,
    script: 'lib/local/audit-server',
    timeoutMs,
    find: async () => {
      const info = readServerInfo(auditDir);
      return info && (await probeAuditServer(info.port, auditDir, undefined, credentials)) ? info : undefined;
    },
    failure: (reason, log) =>
      new AuditError(
        `the local audit store in ${auditDir} did not start ${reason}${log}Check that the folder is writable; if no wf process is running, remove the folder's server.json and try again.`,
        'server',
      ),
  });
}

/**
 * Opens the local audit store of a folder (see the file comment), with its table created when
 * missing, and writes the end records kept while it was down (`<dir>/pending/`). Throws an
 * {@link AuditError} when no server can be started.
 */
export async function openLocalStore(options: LocalStoreOptions = {}): Promise<LocalStore> {
  const dir = options.dir ?? (process.env.WORKFLOW_CORE_AUDIT_PATH || '.wf');
  const auditDir = resolve(dir, 'audit');
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let credentials: LocalCredentials;
  try {
    mkdirSync(auditDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AuditError(`cannot create the local audit folder ${auditDir}: ${(e as Error).message}. Set WORKFLOW_CORE_AUDIT_PATH to a writable folder.`, 'server', { cause: e });
  }
  try {
    credentials = ensureCredentials(auditDir);
  } catch (e) {
    throw new AuditError(`cannot prepare the credentials of the local audit store in ${auditDir}: ${(e as Error).message}. Remove a damaged credentials.json (a new one is made), or set WORKFLOW_CORE_AUDIT_PATH to a writable folder.`, 'server', { cause: e });
  }
  let port = (await ensureServer(auditDir, timeoutMs, credentials)).port;
  let reconnecting: Promise<void> | undefined;
  const reconnect = (): Promise<void> =>
    (reconnecting ??= ensureServer(auditDir, timeoutMs, credentials)
      .then((info) => void (port = info.port))
      .finally(() => (reconnecting = undefined)));

  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials,
    endpoint: async () => ({ url: new URL(`http://127.0.0.1:${port}`) }),
  });
  followDaemon(client, 'localAuditReconnect', reconnect);

  const store = new AuditStore(client, options.table ?? 'wf-audit');
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await store.ensureTable();
  } catch (e) {
    client.destroy();
    throw e;
  }
  const flushed = await flushPending(dir, store);
  const idleMs = configuredIdleMs();
  const heartbeat =
    idleMs > 0
      ? setInterval(() => {
          void probeAuditServer(port, auditDir, undefined, credentials).then((alive) => (alive ? undefined : reconnect().catch(() => undefined)));
        }, Math.max(50, Math.floor(idleMs / 3)))
      : undefined;
  heartbeat?.unref();
  return {
    client,
    store,
    endpoint,
    dir: resolve(dir),
    flushed,
    close: async () => {
      if (heartbeat) clearInterval(heartbeat);
      client.destroy();
    },
  };
}
