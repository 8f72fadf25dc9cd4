/**
 * Helpers for reliability tests that run the real `wf` command: a temporary project folder with a
 * config directory and its own local state folder, `wf` spawned synchronously or not, and the
 * cleanup of the audit server daemons the folder's `wf` processes started (by their recorded pid).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServe, whenListening, type ServeProcess } from '../helpers/serve-process.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

/** The `wf` launcher. */
export const WF = new URL('../../bin/wf.js', import.meta.url).pathname;

/** What a finished `wf` process left. */
export interface WfResult {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary project: `conf/` with the given files and state under `.wf/` (or elsewhere). */
export class Project {
  readonly dir: string;
  /** WORKFLOW_CORE_AUDIT_PATH of every wf this project spawns. */
  state: string;

  constructor(prefix: string, files: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(join(this.dir, 'conf'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, 'conf', name), text.replaceAll('@DIR@', this.dir));
    this.state = join(this.dir, '.wf');
  }

  /** The environment of a spawned wf (no colour, this project's state folder). */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', WF_DEBUG: '', WORKFLOW_CORE_AUDIT_PATH: this.state, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
  }

  /** Runs `wf ARGS` to its end. */
  wf(args: string[], extra: NodeJS.ProcessEnv = {}): WfResult {
    const r = spawnSync(process.execPath, [WF, ...args], { cwd: this.dir, encoding: 'utf8', env: this.env(extra), timeout: 90_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts `wf ARGS`. */
  spawn(args: string[], extra: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [WF, ...args], { cwd: this.dir, env: this.env(extra) });
  }

  /** Runs `wf ARGS` without blocking the test's event loop. */
  wfAsync(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<WfResult> {
    return ended(this.spawn(args, extra));
  }

  /** Stops the audit server daemons started for this project's state folders, then removes the project. */
  cleanup(): void {
    for (const state of [this.state, join(this.dir, '.wf')]) stopAuditServer(state);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collects a child's output until it exits. */
export function ended(child: ChildProcess): Promise<WfResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export { stopAuditServer };

/** Waits until `test()` holds, polling every 50 ms; throws after `ms`. */
export async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `wf serve --port 0` and resolves with its URL once it listens. */
export function startServe(project: Project, extraArgs: string[] = []): Promise<ServeProcess> {
  return whenListening(project.spawn(['serve', '--port', '0', ...extraArgs]));
}

export { stopServe };

/** Every file under a folder (recursively), for searching outputs. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
