/**
 * The logs of a local run: what each stage printed (bash stdout and stderr, py prints and
 * tracebacks), line by line, and the error of each failed attempt, kept beside the run's audit
 * record as `<dir>/logs/<run id>.json` so `wf logs RUN` can show them once the run is over. The
 * stages' outputs in the record keep only what their budget allows, and no line of a py stage's
 * print() or of a stage without an id; this file keeps them all within its own bounds: per stage,
 * the first and the last {@link STAGE_LOG_BYTES}/2 bytes of lines (a marker says how many lines
 * were left out between), and {@link RUN_LOG_BYTES} for the whole run. Secret values are masked
 * before anything is kept.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunEvent } from './run-local.ts';
import { scrubText } from './scrub-secrets.ts';

/** Bytes of lines kept per stage (and place: each matrix combination, branch and item has its own). */
export const STAGE_LOG_BYTES = 256 * 1024;
/** Bytes of lines kept per run. */
export const RUN_LOG_BYTES = 4 * 1024 * 1024;

/** One line a stage printed. */
export interface LogLine {
  stream: 'stdout' | 'stderr' | 'log';
  text: string;
  attempt: number;
}

/** A failed attempt of a stage. */
export interface LogError {
  attempt: number;
  name: string;
  message: string;
  retrying: boolean;
}

/** The logs of one stage at one place (a matrix combination, a branch, a foreach item). */
export interface StageLog {
  job: string;
  /** The stage's id (its record's key), when known. */
  id?: string;
  /** The stage's name, as progress shows it (rendered). */
  stage: string;
  matrix?: unknown[];
  branch?: string;
  loop?: number;
  lines: LogLine[];
  /** Lines left out to keep within the bounds, and where: after the first `droppedAt` lines. */
  dropped?: number;
  droppedAt?: number;
  errors: LogError[];
}

/** A run's logs file. */
export interface RunLogs {
  version: 1;
  runId: string;
  workflow: string;
  stages: StageLog[];
  /** True when the run's bound was reached: later lines were not kept. */
  full?: boolean;
}

interface Collecting {
  log: StageLog;
  headBytes: number;
  tail: LogLine[];
  tailBytes: number;
}

/** Collects a run's stage lines and failed attempts within the bounds (see the file comment). */
export class RunLogCollector {
  private readonly stages = new Map<string, Collecting>();
  private bytes = 0;
  private full = false;

  constructor(
    private readonly masks: readonly string[] = [],
    private readonly limits = { stage: STAGE_LOG_BYTES, run: RUN_LOG_BYTES },
  ) {}

  private entry(e: RunEvent): Collecting {
    const key = JSON.stringify([e.job, e.id ?? '', e.stage ?? '', e.matrix ?? [], e.branch ?? '', e.loop ?? '']);
    let c = this.stages.get(key);
    if (!c) {
      const log: StageLog = { job: String(e.job), ...(e.id !== undefined ? { id: e.id } : {}), stage: scrubText(String(e.stage ?? e.id ?? ''), this.masks), lines: [], errors: [] };
      if (e.matrix) log.matrix = e.matrix;
      if (e.branch !== undefined) log.branch = e.branch;
      if (e.loop !== undefined) log.loop = e.loop;
      this.stages.set(key, (c = { log, headBytes: 0, tail: [], tailBytes: 0 }));
    }
    return c;
  }

  /** Takes a `stage-line` or `stage-attempt-failed` event; others are ignored. */
  add(e: RunEvent): void {
    if (e.type === 'stage-attempt-failed' && e.error) {
      this.entry(e).log.errors.push({ attempt: e.attempt ?? 1, name: scrubText(e.error.name, this.masks), message: scrubText(e.error.message, this.masks), retrying: e.retrying === true });
      return;
    }
    if (e.type !== 'stage-line' || e.line === undefined) return;
    const c = this.entry(e);
    const line: LogLine = { stream: e.stream ?? 'stdout', text: scrubText(e.line, this.masks), attempt: e.attempt ?? 1 };
    const size = Buffer.byteLength(line.text) + 1;
    if (this.full || this.bytes + size > this.limits.run) {
      this.full = true;
      c.log.dropped = (c.log.dropped ?? 0) + 1;
      c.log.droppedAt ??= c.log.lines.length;
      return;
    }
    const half = this.limits.stage / 2;
    if (c.headBytes + size <= half && !c.tail.length && c.log.dropped === undefined) {
      c.log.lines.push(line);
      c.headBytes += size;
      this.bytes += size;
      return;
    }
    c.tail.push(line);
    c.tailBytes += size;
    this.bytes += size;
    while (c.tailBytes > half && c.tail.length) {
      const gone = c.tail.shift()!;
      c.tailBytes -= Buffer.byteLength(gone.text) + 1;
      this.bytes -= Buffer.byteLength(gone.text) + 1;
      c.log.dropped = (c.log.dropped ?? 0) + 1;
      c.log.droppedAt ??= c.log.lines.length;
    }
  }

  /** The logs so far. */
  logs(runId: string, workflow: string): RunLogs {
    const stages = [...this.stages.values()].map((c) => ({ ...c.log, lines: [...c.log.lines, ...c.tail] }));
    return { version: 1, runId, workflow, stages, ...(this.full ? { full: true } : {}) };
  }
}

/** The folder of run logs of a local state folder (`.wf/logs`). */
export function logsDir(dir: string): string {
  return resolve(dir, 'logs');
}

const RUN_ID = /^[A-Za-z0-9_.-]+$/;

/** Writes a run's logs (atomically: a reader never sees half a file). */
export function writeRunLogs(dir: string, logs: RunLogs): string {
  if (!RUN_ID.test(logs.runId)) throw new Error(`run id ${JSON.stringify(logs.runId)} cannot name a file`);
  const folder = logsDir(dir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, `${logs.runId}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(logs), { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/** A run's logs, or undefined when none were kept (a run with --no-audit, or older than logs). */
export function readRunLogs(dir: string, runId: string): RunLogs | undefined {
  if (!RUN_ID.test(runId)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(join(logsDir(dir), `${runId}.json`), 'utf8')) as RunLogs;
    return parsed && Array.isArray(parsed.stages) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of the runs whose logs are kept. */
export function listRunLogs(dir: string): string[] {
  try {
    return readdirSync(logsDir(dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}
