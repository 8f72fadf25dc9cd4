/**
 * Runs a bash script the way a bash stage does: the script goes to a private temp file run by
 * `bash`, and `env` values reach it as environment variables, so they are data the shell never
 * re-parses (`"; rm -rf ~; echo "` stays a string).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './run-process.ts';
import { setOwn } from '../expr/index.ts';

/** What {@link runBash} runs. */
export interface RunBashOptions {
  script: string;
  /** Variables for the script, merged over `process.env`; non-strings are passed as JSON text, null as "". */
  env?: Record<string, unknown>;
  /** Kill the script (its whole process group) after this many milliseconds. */
  timeoutMs?: number;
  /** @default process.cwd() */
  cwd?: string;
  signal?: AbortSignal;
  /** Bytes kept per stream. @default DEFAULT_OUTPUT_BYTES (64 KiB) */
  maxOutputBytes?: number;
  /** Wait between SIGTERM and SIGKILL on timeout, in milliseconds. @default 2000 */
  killGraceMs?: number;
  /** Receives the script's output as it arrives, chunk by chunk (it is captured as well). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

/** How a script ended: the bash stage's outputs plus how it was stopped. */
export interface BashResult {
  /** The exit code; 128 + the signal number when a signal ended the script. */
  return_code: number;
  /** Captured stdout, trailing whitespace removed. */
  stdout: string;
  /** Captured stderr, trailing whitespace removed. */
  stderr: string;
  /** The signal that ended the script, when one did. */
  signal?: NodeJS.Signals;
  timedOut?: boolean;
  aborted?: boolean;
}

const ENV_NAME = /^[^=\0]+$/;

/** The text of an env value: strings as they are, null as "", anything else as JSON. */
export function envText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

/** The environment for a script: `process.env` with `env` over it. Throws on a name or value the OS refuses. */
export function scriptEnv(env: Record<string, unknown> = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      throw new TypeError(`env name ${JSON.stringify(name)} is not valid: it must be non-empty without "=" or NUL`);
    }
    const text = envText(value);
    if (text.includes('\0')) throw new TypeError(`env ${name} contains a NUL character, which no environment variable can hold`);
    setOwn(merged as Record<string, string | undefined>, name, text);
  }
  return merged;
}

/** Runs `script` with bash and returns its return code and trimmed output. */
export async function runBash(options: RunBashOptions): Promise<BashResult> {
  const env = scriptEnv(options.env);
  const dir = await mkdtemp(join(tmpdir(), 'wf-bash-'));
  try {
    const file = join(dir, 'stage.sh');
    await writeFile(file, options.script, { mode: 0o700 });
    await chmod(file, 0o700);
    const r = await runProcess({
      command: 'bash',
      args: ['--noprofile', '--norc', file],
      env,
      cwd: options.cwd,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      maxOutputBytes: options.maxOutputBytes,
      killGraceMs: options.killGraceMs,
      ...(options.onOutput ? { onStdout: (c: Buffer) => options.onOutput!('stdout', c), onStderr: (c: Buffer) => options.onOutput!('stderr', c) } : {}),
    });
    if (r.spawnError) throw new Error(`bash could not be started: ${r.spawnError.message}`);
    const result: BashResult = { return_code: r.code, stdout: r.stdout.trimEnd(), stderr: r.stderr.trimEnd() };
    if (r.signal) result.signal = r.signal;
    if (r.timedOut) result.timedOut = true;
    if (r.aborted) result.aborted = true;
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
