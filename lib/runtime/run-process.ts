/**
 * Runs a child process in its own process group and supervises it: captures stdout and stderr
 * within a budget, kills the whole group on timeout or abort (SIGTERM, then SIGKILL after a
 * grace period), and kills what the process left running in the background once it exits, so a
 * stage never leaves processes behind and never hangs on a pipe a grandchild holds open.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { DEFAULT_OUTPUT_BYTES, OutputBuffer } from './output-buffer.ts';

/** What to run and how. */
export interface RunProcessOptions {
  command: string;
  args: string[];
  /** The full environment of the process. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed; stdin is empty when absent. */
  input?: string;
  /** Kill the process after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes kept per stream. @default DEFAULT_OUTPUT_BYTES */
  maxOutputBytes?: number;
  /** Wait between SIGTERM and SIGKILL, in milliseconds. @default 2000 */
  killGraceMs?: number;
  /** Receives stderr as it arrives (it is captured as well). */
  onStderr?: (chunk: Buffer) => void;
  /** Receives stdout as it arrives (it is captured as well). */
  onStdout?: (chunk: Buffer) => void;
}

/** How a supervised process ended. */
export interface ProcessResult {
  /** The exit code, or 128 + the signal number when a signal ended it. */
  code: number;
  /** The signal that ended it (`SIGKILL`, ...), when one did. */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  /** True when the timeout ended it. */
  timedOut: boolean;
  /** True when the abort signal ended it. */
  aborted: boolean;
  /** Set when the process could not be started at all (ENOENT, ...). */
  spawnError?: Error;
}

const ORPHAN_WAIT_MS = 1000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Runs a process to its end (see the file comment); never rejects. */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const stdout = new OutputBuffer(options.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES);
  const stderr = new OutputBuffer(options.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES);
  const grace = options.killGraceMs ?? 2000;

  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });

    const finish = (spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      const signal = exit?.signal ?? undefined;
      const code = signal ? 128 + (constants.signals[signal] ?? 0) : (exit?.code ?? (spawnError ? 127 : 1));
      const result: ProcessResult = { code, stdout: stdout.text(), stderr: stderr.text(), timedOut, aborted };
      if (signal) result.signal = signal;
      if (spawnError) result.spawnError = spawnError;
      resolve(result);
    };

    const stop = (): void => {
      killGroup(child.pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
      t.unref();
      timers.push(t);
    };

    function onAbort(): void {
      if (exit || settled) return;
      aborted = true;
      stop();
    }

    child.stdout.on('data', (c: Buffer) => {
      stdout.push(c);
      options.onStdout?.(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr.push(c);
      options.onStderr?.(c);
    });
    child.stdin.on('error', () => {
      // the process exited without reading its input
    });
    child.on('error', (err) => {
      if (child.pid === undefined) finish(err);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Background processes the script left would keep the pipes open: end them.
      killGroup(child.pid, 'SIGKILL');
      const t = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, ORPHAN_WAIT_MS);
      timers.push(t);
    });
    child.on('close', () => {
      if (exit) finish();
    });

    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          if (exit) return;
          timedOut = true;
          stop();
        }, options.timeoutMs),
      );
    }
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort);

    child.stdin.end(options.input ?? '');
  });
}
