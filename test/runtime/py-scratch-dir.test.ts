/**
 * py and virtual py code runs in a fresh, writable temporary directory, removed afterwards, and not
 * in the runner's own folder: on Lambda that folder (/var/task) is read-only. The runner is started
 * here from a read-only directory (mode 555) and its code writes a relative file; as root the mode
 * does not stop writes, so the tests also pin where the code ran: a new directory under the system's
 * temporary directory, neither the runner's nor its own folder, gone once the stage ended.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PyRunRequest } from '../../lib/protocol/index.ts';
import { PY_RUNNER_PATH, runPython, type RunPythonOptions } from '../../lib/runtime/index.ts';

let readOnly = '';
let venvs = '';
const current = spawnSync('python3', ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' }).stdout.trim();

beforeAll(() => {
  readOnly = mkdtempSync(join(tmpdir(), 'wf-readonly-'));
  chmodSync(readOnly, 0o555);
  venvs = mkdtempSync(join(tmpdir(), 'wf-scratch-venvs-'));
});

afterAll(() => {
  chmodSync(readOnly, 0o755);
  rmSync(readOnly, { recursive: true, force: true });
  rmSync(venvs, { recursive: true, force: true });
});

function options(): RunPythonOptions {
  return { cwd: readOnly, env: { WORKFLOW_CORE_VENV_CACHE: venvs, PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_CONFIG_FILE: '/dev/null' } };
}

function expectFreshScratch(where: string): void {
  expect(where).not.toBe(readOnly);
  expect(where).not.toBe(dirname(PY_RUNNER_PATH));
  expect(dirname(where)).toBe(tmpdir());
  expect(existsSync(where)).toBe(false);
  expect(readdirSync(readOnly)).toEqual([]);
}

describe('the working directory of py code', () => {
  const req: PyRunRequest = {
    action: 'py',
    name: 'Writes',
    code: ['import os\nwith open("report.txt", "w") as f:\n    f.write("written")\nwith open("report.txt") as f:\n    back = f.read()\nwhere = os.getcwd()\n'],
    vars: {},
    globals: {},
  };

  it('is a fresh temporary directory: a relative file can be written, and the directory is gone afterwards', async () => {
    const r = (await runPython(req, options())) as { status: string; outputs: { back: string; where: string } };
    expect(r.status).toBe('SUCCESS');
    expect(r.outputs.back).toBe('written');
    expect(r.outputs.where).toMatch(/\/wf-py-[^/]+$/);
    expectFreshScratch(r.outputs.where);
  });

  it('is a new one for every stage', async () => {
    const [a, b] = (await Promise.all([runPython(req, options()), runPython(req, options())])) as Array<{ outputs: { where: string } }>;
    expect(a!.outputs.where).not.toBe(b!.outputs.where);
  });

  it('is removed when the code fails too', async () => {
    const failing = { ...req, code: ['import os\nprint(os.getcwd())\nraise RuntimeError("after writing")\n'] };
    const logged: string[] = [];
    await expect(runPython(failing, { ...options(), onLog: (t) => logged.push(t) })).rejects.toMatchObject({ name: 'StageFailed' });
    const where = logged.join('').trim().split('\n')[0]!;
    expect(where).toMatch(/\/wf-py-[^/]+$/);
    expectFreshScratch(where);
  });
});

describe('the working directory of virtual py code', () => {
  it('is a fresh temporary directory too, removed afterwards', async () => {
    const req: PyRunRequest = {
      action: 'virtual-py',
      name: 'Writes',
      code: ['import os\nopen("report.txt", "w").write("written")\nprint(open("report.txt").read())\nprint(os.getcwd())\n'],
      vars: {},
      globals: {},
      deps: [],
      version: current,
    };
    const r = (await runPython(req, options())) as { status: string; outputs: { return_code: number; stdout: string } };
    expect(r.status).toBe('SUCCESS');
    const [back, where] = r.outputs.stdout.split('\n');
    expect(back).toBe('written');
    expect(where).toMatch(/\/wf-vpy-cwd-[^/]+$/);
    expectFreshScratch(where!);
  }, 60_000);
});
