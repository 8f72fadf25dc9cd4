/**
 * Ctrl-C stops a run with exit code 130 (128 + SIGINT), the code a shell reports, and under `npx wf`
 * the shell sees the same: npm dies of the same Ctrl-C (the signal reaches the whole foreground
 * process group, as a terminal sends it), while wf still cancels the run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs `cmd` in a process group of its own, sends SIGINT to the group once the stage runs, and gives how it ended. */
async function ctrlC(cmd: string, args: string[], cwd: string): Promise<{ status: number }> {
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  await new Promise<void>((resolve) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Hold')) resolve();
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-child.pid!, 'SIGINT');
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  // What a shell reports: the exit code, or 128 + the signal's number.
  return { status: code ?? 128 + (signal === 'SIGINT' ? 2 : 0) };
}

describe('Ctrl-C', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ctrl-c-'));
  writeFileSync(join(dir, 'wf.yml'), ['slow:', '  type: Workflow', '  jobs:', '    j:', '      stages:', '        - {name: Hold, bash: "sleep 30"}', ''].join('\n'));
  const args = ['run', 'slow', '--conf', dir, '--no-audit', '--progress'];
  // A project with wf installed as npm lays it out: its bin linked in node_modules/.bin.
  const project = join(dir, 'project');
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name": "project", "private": true}\n');
  symlinkSync(join(ROOT, 'bin/wf.js'), join(project, 'node_modules', '.bin', 'wf'));

  it('exits 130 from wf itself and under npx', async () => {
    expect(await ctrlC(process.execPath, [join(ROOT, 'bin/wf.js'), ...args], dir)).toEqual({ status: 130 });
    expect(await ctrlC('npx', ['--prefix', project, 'wf', ...args], dir)).toEqual({ status: 130 });
  }, 60_000);
});
