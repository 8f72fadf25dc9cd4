/**
 * Runs the Python runner locally: `python3 functions/py-runner/handler.py` in a subprocess, one
 * JSON request on stdin, one JSON line back. Errors are re-thrown with the name and message the
 * Lambda would report (`StageFailed` with the record's JSON), carrying the cause the Python Lambda
 * runtime would report (`lambdaCause`), so local runs and AWS runs fail alike; a timeout, a cancel
 * or an interpreter that dies without answering is a `StageFailed` too.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-files.ts';
import { ErrorNames, type PyRunRequest } from '../protocol/index.ts';
import { lastLine } from './last-line.ts';
import { runProcess } from './run-process.ts';
import { RunnerError, stageFailed } from './runner-error.ts';

/** Absolute path of the Python runner's handler file. */
export const PY_RUNNER_PATH = join(PACKAGE_ROOT, 'functions', 'py-runner', 'handler.py');

/** How {@link runPython} runs. */
export interface RunPythonOptions {
  /** The interpreter. @default process.env.WORKFLOW_CORE_PYTHON ?? 'python3' */
  python?: string;
  /** Kill the runner after this many milliseconds. @default (req.timeout + 5) s when the request has a timeout */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Variables added to the runner's environment (e.g. PIP_INDEX_URL). */
  env?: Record<string, string>;
  /** Working directory of the runner process (the code itself runs in a fresh temporary directory). @default process.cwd() */
  cwd?: string;
  /** Receives the runner's log output as it arrives: the code's print() output and runner warnings. */
  onLog?: (text: string) => void;
}

/** Bytes of runner output kept: results are JSON on one line and may be large. */
const RESULT_BYTES = 8 * 1024 * 1024;

function labelOf(req: PyRunRequest): string {
  return `${req.action === 'virtual-py' ? 'virtual py' : 'py'} stage ${JSON.stringify(req.name)}`;
}

function parseReply(stdout: string): Record<string, unknown> | undefined {
  const line = lastLine(stdout, Infinity);
  if (!line) return undefined;
  try {
    const reply = JSON.parse(line) as unknown;
    return typeof reply === 'object' && reply !== null && 'ok' in reply ? (reply as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a py or virtual py request in the local Python runner and returns its result
 * (`{status, outputs}`); throws what the Lambda would throw.
 */
export async function runPython(req: PyRunRequest, options: RunPythonOptions = {}): Promise<unknown> {
  const label = labelOf(req);
  const python = options.python ?? process.env.WORKFLOW_CORE_PYTHON ?? 'python3';
  const timeoutMs = options.timeoutMs ?? (typeof req.timeout === 'number' ? (req.timeout + 5) * 1000 : undefined);
  const r = await runProcess({
    command: python,
    args: [PY_RUNNER_PATH],
    input: JSON.stringify(req),
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
    cwd: options.cwd,
    timeoutMs,
    signal: options.signal,
    maxOutputBytes: RESULT_BYTES,
    ...(options.onLog ? { onStderr: (chunk: Buffer) => options.onLog!(chunk.toString('utf8')) } : {}),
  });
  if (r.spawnError) {
    throw stageFailed({ name: 'StageError', message: `${label}: the Python interpreter "${python}" could not be started: ${r.spawnError.message}` });
  }
  if (r.aborted) throw stageFailed({ name: 'StageCancelled', message: `${label} was cancelled and the Python runner was killed` }, {}, 'CANCEL');
  if (r.timedOut) {
    throw stageFailed({ name: ErrorNames.timeout, message: `${label} timed out after ${(timeoutMs ?? 0) / 1000} s and the Python runner was killed` });
  }
  const reply = parseReply(r.stdout);
  if (!reply) {
    const how = r.signal ? `was killed by signal ${r.signal}` : `exited with code ${r.code}`;
    const tail = lastLine(r.stderr);
    throw stageFailed({
      name: 'StageError',
      message: `${label}: the Python runner ${how} without a result (did the code call os._exit or crash the interpreter?)${tail ? `; last stderr line: ${tail}` : ''}`,
    });
  }
  if (reply.ok === true) return reply.result;
  const error = new RunnerError(String(reply.errorType ?? 'Error'), String(reply.errorMessage ?? ''));
  if (typeof reply.cause === 'string') error.lambdaCause = reply.cause;
  throw error;
}
