/**
 * Starts the loopback daemon of a `.wf/` subfolder (the audit store's, the S3 server's) when none
 * answers, the same way for both. Many processes may ask at once: one of them claims the start (a
 * `starting` file made with O_EXCL, stale after {@link CLAIM_STALE_MS}) and spawns the daemon; the
 * others wait, polling with backoff, until the folder's server.json names a server that answers.
 * A daemon that finds the folder already served exits with its "taken" code, and its starter goes
 * back to waiting rather than spawning again at once.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { isConnectionError } from '../audit/index.ts';
import { codeFile, FROM_SOURCES } from '../package-files.ts';

/** Exit code of a daemon that found its folder served or locked by another one. */
export const EXIT_TAKEN = 3;

/** A start claim older than this is taken to belong to a process that died while starting. */
export const CLAIM_STALE_MS = 15_000;
const LOG_LIMIT_BYTES = 1024 * 1024;
const MAX_SPAWNS = 8;

/** What {@link ensureDaemon} needs to know of one kind of daemon; `T` is what it gives of a live one. */
export interface DaemonSpec<T> {
  /** The daemon's folder: its server.json, server.log and start claim live there. */
  dir: string;
  /** The daemon's script, as {@link codeFile} names it (`lib/local/audit-server`). */
  script: string;
  /** Gives the live server of {@link dir} (its port, its server.json), or undefined when none answers. */
  find: () => Promise<T | undefined>;
  /** How long to wait for a server to answer, in milliseconds. */
  timeoutMs: number;
  /** The error to throw when no server answers: `reason` says why, `log` names the log and its tail. */
  failure: (reason: string, log: string) => Error;
}

interface Daemon {
  exited: boolean;
  code: number | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function logTail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Takes the start claim of `dir`; false when another live process holds it. */
function claim(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return true; // cannot claim: start anyway, the daemon's own lock decides
      try {
        if (Date.now() - statSync(file).mtimeMs < CLAIM_STALE_MS) return false;
        rmSync(file, { force: true });
      } catch {
        // gone meanwhile: try again
      }
    }
  }
  return false;
}

function spawnDaemon(spec: DaemonSpec<unknown>, logFile: string): Daemon {
  try {
    if (statSync(logFile).size > LOG_LIMIT_BYTES) truncateSync(logFile, 0);
  } catch {
    // no log yet
  }
  // From the TypeScript sources (the repository), the script runs under tsx; built, as is.
  const loader = FROM_SOURCES ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  const log = openSync(logFile, 'a');
  const daemon: Daemon = { exited: false, code: null };
  try {
    const child = spawn(process.execPath, [...loader, codeFile(spec.script), spec.dir], {
      detached: true,
      cwd: spec.dir,
      stdio: ['ignore', 'ignore', log],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    child.on('error', () => Object.assign(daemon, { exited: true, code: -1 }));
    child.on('exit', (code) => Object.assign(daemon, { exited: true, code }));
    child.unref();
  } finally {
    closeSync(log);
  }
  return daemon;
}

/** Gives the live daemon of `spec.dir`, as `spec.find` does, starting one when none answers (see the file comment). */
export async function ensureDaemon<T>(spec: DaemonSpec<T>): Promise<T> {
  mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
  const logFile = join(spec.dir, 'server.log');
  const claimFile = join(spec.dir, 'starting');
  const deadline = Date.now() + spec.timeoutMs;
  let daemon: Daemon | undefined;
  let claimed = false;
  let spawns = 0;
  let notBefore = 0;
  let wait = 25;
  const release = (): void => {
    if (claimed) rmSync(claimFile, { force: true });
    claimed = false;
  };
  try {
    for (;;) {
      const live = await spec.find();
      if (live !== undefined) return live;
      const exitedBadly = daemon?.exited === true && daemon.code !== EXIT_TAKEN && daemon.code !== 0;
      if (Date.now() > deadline || (exitedBadly && spawns >= 2) || (daemon?.exited && spawns >= MAX_SPAWNS)) {
        const tail = logTail(logFile);
        throw spec.failure(Date.now() > deadline ? `within ${spec.timeoutMs} ms` : `(its server exited ${spawns} times)`, tail ? `; its log (${logFile}) ends with:\n${tail}\n` : '. ');
      }
      if (daemon?.exited) {
        release();
        // Another daemon holds the folder and is still starting: give it time before trying again.
        if (daemon.code === EXIT_TAKEN) notBefore = Date.now() + 1000;
        daemon = undefined;
      }
      if (!daemon && Date.now() >= notBefore && (claimed || (claimed = claim(claimFile)))) {
        daemon = spawnDaemon(spec, logFile);
        spawns++;
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 250);
    }
  } finally {
    release();
  }
}

/**
 * Makes `client` follow its daemon: a request that cannot connect (the daemon idled out while the
 * process slept, or was killed) waits for `reconnect` (one at a time, shared by the requests that
 * failed together) and is sent once more.
 */
export function followDaemon(client: DynamoDBClient | S3Client, name: string, reconnect: () => Promise<void>): void {
  let reconnecting: Promise<void> | undefined;
  (client.middlewareStack as S3Client['middlewareStack']).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        await (reconnecting ??= reconnect().finally(() => (reconnecting = undefined)));
        return next(args);
      }
    },
    { step: 'initialize', name },
  );
}
