/**
 * Helpers of the coordination-pattern tests: a folder with a config directory and its own local
 * audit store, `wf` as a real process, and the local store opened in-process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { openLocalStore, type LocalStore } from '../../lib/local/index.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const WF = new URL('../../bin/wf.js', import.meta.url).pathname;

/** A process's outcome. */
export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A test folder: `conf/wf.yml` and `.wf/` (the audit store). */
export class PatternDir {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  private store?: Promise<LocalStore>;

  constructor(prefix: string, conf: string) {
    this.dir = mkdtempSync(join(tmpdir(), `wf-${prefix}-`));
    mkdirSync(join(this.dir, 'conf'));
    mkdirSync(join(this.dir, 'marks'));
    writeFileSync(join(this.dir, 'conf', 'wf.yml'), conf.replaceAll('@DIR@', this.dir));
    this.env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(this.dir, '.wf') };
  }

  /** The workflows of the config file, loaded without errors. */
  workflows(): Map<string, Workflow> {
    const text = readFileSync(join(this.dir, 'conf', 'wf.yml'), 'utf8');
    const result = loadWorkflowsFromText({ 'wf.yml': text }, { env: {} });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
    return result.workflows;
  }

  /** The folder's local audit store, opened once. */
  open(): Promise<LocalStore> {
    return (this.store ??= openLocalStore({ dir: join(this.dir, '.wf') }));
  }

  /** Runs `wf` and waits for it. */
  wfSync(args: string[]): Exit {
    const r = spawnSync(process.execPath, [WF, ...args], { cwd: this.dir, encoding: 'utf8', env: this.env, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts `wf` in its own process group (so that a test can kill it with its children). */
  wfStart(args: string[]): { child: ChildProcess; done: Promise<Exit> } {
    const child = spawn(process.execPath, [WF, ...args], { cwd: this.dir, env: this.env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, done };
  }

  /** Closes the store and stops the folder's audit server. */
  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
    stopAuditServer(join(this.dir, '.wf'));
  }
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Loads workflows from YAML text; throws on errors. */
export function workflowsOf(text: string): Map<string, Workflow> {
  const result = loadWorkflowsFromText({ 'wf.yml': text }, { env: {} });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return result.workflows;
}

/** The diagnostics of YAML text, as `CODE message` lines. */
export function diagnosticsOf(text: string): string[] {
  return loadWorkflowsFromText({ 'wf.yml': text }, { env: {} }).diagnostics.map((d) => `${d.code} ${d.message}${d.note ? ` (${d.note})` : ''}`);
}
