/**
 * Start-up of the built `wf` command (dist/bin/wf.js, what npm installs), beside the floor of a
 * bare `node -e 0` measured in the same run, alternating so that both see the same machine load:
 * `wf --version`, `wf validate` of the example gallery (conf/) and `wf run hello --no-audit`.
 * Builds the package first when dist/ is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WF = join(ROOT, 'dist', 'bin', 'wf.js');

/** Median wall time of each command line, in milliseconds. */
export interface StartupFigures {
  nodeMs: number;
  versionMs: number;
  validateMs: number;
  runHelloMs: number;
  reps: number;
}

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ when it is missing or older than lib/, bin/ or functions/. */
export function ensureBuilt(): void {
  const sources = Math.max(newest(join(ROOT, 'lib')), newest(join(ROOT, 'bin')), newest(join(ROOT, 'functions')));
  if (existsSync(WF) && statSync(WF).mtimeMs >= sources && newest(join(ROOT, 'dist')) >= sources) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function timeOnce(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs each command `reps` times (after one warm-up each), interleaved, and returns the medians. */
export function measureStartup(reps: number): StartupFigures {
  ensureBuilt();
  const lines = { nodeMs: ['-e', '0'], versionMs: [WF, '--version'], validateMs: [WF, 'validate'], runHelloMs: [WF, 'run', 'hello', '--no-audit'] };
  const times: Record<keyof typeof lines, number[]> = { nodeMs: [], versionMs: [], validateMs: [], runHelloMs: [] };
  for (const args of Object.values(lines)) timeOnce(args);
  for (let i = 0; i < reps; i++) for (const [k, args] of Object.entries(lines)) times[k as keyof typeof lines].push(timeOnce(args));
  return { nodeMs: median(times.nodeMs), versionMs: median(times.versionMs), validateMs: median(times.validateMs), runHelloMs: median(times.runHelloMs), reps };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = measureStartup(Number(process.argv[2] ?? 9));
  console.log(`node -e 0            ${f.nodeMs.toFixed(0)} ms (floor)`);
  console.log(`wf --version         ${f.versionMs.toFixed(0)} ms (${(f.versionMs / f.nodeMs).toFixed(2)}× node; target ≤ 2.5×)`);
  console.log(`wf validate (conf/)  ${f.validateMs.toFixed(0)} ms (target ≤ 300 ms)`);
  console.log(`wf run hello         ${f.runHelloMs.toFixed(0)} ms (--no-audit; target ≤ 600 ms)`);
}
