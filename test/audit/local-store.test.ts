process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.WORKFLOW_CORE_AUDIT_IDLE_MS = '1500';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditError } from '../../lib/audit/index.ts';
import { readServerInfo } from '../../lib/local/audit-server.ts';
import { EXIT_TAKEN } from '../../lib/local/loopback-daemon.ts';
import { openLocalStore } from '../../lib/local/local-store.ts';

const run = promisify(execFile);
const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const client = fileURLToPath(new URL('./fixtures/store-client.ts', import.meta.url));
const serverScript = fileURLToPath(new URL('../../lib/local/audit-server.ts', import.meta.url));
const dirs: string[] = [];
const daemons = new Set<number>();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-local-store-'));
  dirs.push(dir);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The daemon serving `dir` now (remembered so that it is stopped after the tests). */
function daemonOf(dir: string): number {
  const info = readServerInfo(join(dir, 'audit'));
  expect(info).toBeDefined();
  daemons.add(info!.pid);
  return info!.pid;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
  }
}

async function storeClient(dir: string, runId: string, expected: number): Promise<{ endpoint: string; ids: string[] }> {
  const { stdout } = await run(process.execPath, ['--import', loader, client, dir, runId, String(expected)], { timeout: 30_000 });
  return JSON.parse(stdout) as { endpoint: string; ids: string[] };
}

afterAll(() => {
  for (const pid of daemons) if (alive(pid)) process.kill(pid, 'SIGTERM');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('audit server daemon', () => {
  it('serves a folder from one process: daemons started at once that lose the leveldb lock exit', async () => {
    const dir = tempDir();
    const auditDir = join(dir, 'audit');
    const children = Array.from({ length: 3 }, () => spawn(process.execPath, ['--import', loader, serverScript, auditDir], { stdio: 'ignore' }));
    const exits = children.map((c) => new Promise<number | null>((done) => c.on('exit', (code) => done(code))));
    for (const c of children) daemons.add(c.pid!);
    await until(() => readServerInfo(auditDir) !== undefined);
    const winner = readServerInfo(auditDir)!.pid;
    const losers = children.filter((c) => c.pid !== winner);
    expect(losers).toHaveLength(2);
    expect(await Promise.all(exits.filter((_, i) => children[i]!.pid !== winner))).toEqual([EXIT_TAKEN, EXIT_TAKEN]);
    process.kill(winner, 'SIGTERM');
    expect(await exits[children.findIndex((c) => c.pid === winner)]).toBe(0);
    expect(existsSync(join(auditDir, 'server.json'))).toBe(false);
  });
});

describe('openLocalStore', () => {
  it('lets two processes that start at once share one daemon, each reading what the other wrote', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([storeClient(dir, 'run-a', 2), storeClient(dir, 'run-b', 2)]);
    expect(a.ids).toEqual(['run-a', 'run-b']);
    expect(b.ids).toEqual(['run-a', 'run-b']);
    expect(a.endpoint).toBe(b.endpoint);
    expect(a.endpoint).toBe(`http://127.0.0.1:${readServerInfo(join(dir, 'audit'))!.port}`);
    daemonOf(dir);
  });

  it('keeps the data when the idle daemon exits and a new one starts', async () => {
    const dir = tempDir();
    await storeClient(dir, 'first', 1);
    const pid = daemonOf(dir);
    await until(() => !alive(pid));
    expect(existsSync(join(dir, 'audit', 'server.json'))).toBe(false);

    const local = await openLocalStore({ dir });
    expect(daemonOf(dir)).not.toBe(pid);
    const [first] = await local.store.list('shared');
    expect(first).toMatchObject({ runId: 'first', status: 'SUCCESS', context: { by: expect.any(Number) } });
    await local.close();
  });

  it('keeps its daemon alive while open, and starts a new one when the daemon is killed', async () => {
    const dir = tempDir();
    const local = await openLocalStore({ dir, table: 'other-table' });
    const pid = daemonOf(dir);
    await new Promise((r) => setTimeout(r, 1200));
    expect(alive(pid)).toBe(true);
    expect(await local.store.claimRelease('wf', '2024-01-01T09:00', 'r1')).toBe(true);
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid));
    expect(await local.store.claimRelease('wf', '2024-01-01T09:00', 'r2')).toBe(false);
    expect(daemonOf(dir)).not.toBe(pid);
    await local.close();
  });

  it('uses WORKFLOW_CORE_AUDIT_PATH when no folder is given', async () => {
    const dir = tempDir();
    process.env.WORKFLOW_CORE_AUDIT_PATH = dir;
    try {
      const local = await openLocalStore();
      expect(local.endpoint).toBe(`http://127.0.0.1:${readServerInfo(join(dir, 'audit'))!.port}`);
      daemonOf(dir);
      await local.close();
    } finally {
      delete process.env.WORKFLOW_CORE_AUDIT_PATH;
    }
  });

  it('gives an AuditError when the folder cannot be used', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const err = await openLocalStore({ dir: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditError);
    expect((err as AuditError).reason).toBe('server');
    expect((err as AuditError).message).toMatch(new RegExp(`^cannot create the local audit folder ${file}/audit: .*Set WORKFLOW_CORE_AUDIT_PATH to a writable folder\\.$`));
  });
});
