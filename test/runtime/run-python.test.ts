import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PyRunRequest } from '../../lib/protocol/index.ts';
import { PY_RUNNER_PATH, runPython, type RunPythonOptions } from '../../lib/runtime/index.ts';

function py(code: PyRunRequest['code'] | string, extra: Partial<PyRunRequest> = {}): PyRunRequest {
  return { action: 'py', name: 'Process Data', code: typeof code === 'string' ? [code] : code, vars: {}, globals: {}, ...extra };
}

async function outputs(req: PyRunRequest): Promise<Record<string, unknown>> {
  const r = (await runPython(req)) as { status: string; outputs: Record<string, unknown> };
  expect(r.status).toBe('SUCCESS');
  return r.outputs;
}

async function failure(req: PyRunRequest, options?: RunPythonOptions): Promise<{ name: string; record: any }> {
  try {
    await runPython(req, options);
  } catch (err) {
    const e = err as Error;
    return { name: e.name, record: JSON.parse(e.message) };
  }
  throw new Error('the request did not fail');
}

describe('py stages', () => {
  it('runs code with vars as globals and returns what it leaves behind (py-vars conformance)', async () => {
    const out = await outputs(
      py('size = "large" if rows > threshold else "small"\ndoubled = rows * 2\n', {
        vars: { rows: 1500, threshold: 1000 },
        globals: { params: { threshold: 1000 } },
      }),
    );
    expect(out).toEqual({ rows: 1500, threshold: 1000, size: 'large', doubled: 3000 });
  });

  it('writes value parts for their place: a Python literal in code (a string too: it never runs), escaped text in a string', async () => {
    expect(await outputs(py(['item = ', { value: 2 }, ' + 1'], { globals: { item: 2 } }))).toEqual({ item: 3 });
    const out = await outputs(
      py(['a = ', { value: [1, 'x', null, true, 1.5] }, '\nb = ', { value: { k: "it's" } }, '\nc = ', { value: 'len("abc")' }, '\nd = ', { value: false }, '\ne = 10', { value: -1 }, ' if False else 0']),
    );
    expect(out).toEqual({ a: [1, 'x', null, true, 1.5], b: { k: "it's" }, c: 'len("abc")', d: false, e: 0 });
    const hostile = `";__import__('os').system('exit 3');x="\n'''"""\\{}`;
    const inStrings = await outputs(
      py(['s = "<', { value: hostile, in: 'string' }, '>"\nt = f"{1}', { value: hostile, in: 'fstring' }, '"\nu = """', { value: [1, 'a'], in: 'string' }, '"""']),
    );
    expect(inStrings).toEqual({ s: `<${hostile}>`, t: `1${hostile}`, u: "[1, 'a']" });
  });

  it('vars override globals of the same name; context globals left unchanged are not outputs', async () => {
    const out = await outputs(
      py('seen = (params["x"], matrix["os"], item)\nitem = item + 1', {
        globals: { params: { x: 1 }, matrix: { os: 'linux' }, item: 10, stages: { a: {} } },
        vars: { matrix: { os: 'mac' } },
      }),
    );
    expect(out).toEqual({ matrix: { os: 'mac' }, seen: [1, 'mac', 10], item: 11 });
  });

  it('leaves out modules, functions, classes and dunder names; functions see top-level names', async () => {
    const code = [
      'import math',
      'from os import path',
      'def area(r):',
      '    return round(math.pi * r * r, 2)',
      'class Box: pass',
      '__private__ = 1',
      'result = area(2)',
      'box = Box()',
    ].join('\n');
    const out = await outputs(py(code));
    expect(Object.keys(out).sort()).toEqual(['box', 'result']);
    expect(out.result).toBe(12.57);
    expect(out.box).toMatch(/^<__main__.Box object at 0x[0-9a-f]+>$/);
  });

  it('makes outputs JSON: tuples, sets, dates, decimals, non-finite floats, cycles, other objects', async () => {
    const code = [
      'import datetime, decimal',
      't = (1, (2, 3))',
      's = {3, 1, 2}',
      'mixed = {1, "a"}',
      'when = datetime.datetime(2024, 1, 2, 3, 4, 5)',
      'day = datetime.date(2024, 1, 2)',
      'price = decimal.Decimal("1.25")',
      'inf = float("inf")',
      'keys = {1: "one", (1, 2): "pair"}',
      'loop = []',
      'loop.append(loop)',
      'raw = b"\\x00ab"',
    ].join('\n');
    expect(await outputs(py(code))).toEqual({
      t: [1, [2, 3]],
      s: [1, 2, 3],
      mixed: ['a', 1],
      when: '2024-01-02T03:04:05',
      day: '2024-01-02',
      price: 1.25,
      inf: 'inf',
      keys: { '1': 'one', '(1, 2)': 'pair' },
      loop: ['<circular reference>'],
      raw: "b'\\x00ab'",
    });
  });

  it('print() and writes to file descriptor 1 go to the logs, not into the result', async () => {
    let logs = '';
    const r = await runPython(py('import os, sys\nprint("hello")\nsys.stdout.flush()\nos.write(1, b"raw fd write\\n")\nsys.stdout.write("more\\n")\nx = 1'), {
      onLog: (text) => (logs += text),
    });
    expect(r).toEqual({ status: 'SUCCESS', outputs: { x: 1 } });
    expect(logs).toBe('hello\nraw fd write\nmore\n');
  });

  it('an exception is StageFailed with the exception and a traceback of the stage\'s own lines', async () => {
    const f = await failure(py('def divide(a, b):\n    return a / b\n\nratio = divide(1, 0)\n'));
    expect(f.name).toBe('StageFailed');
    expect(f.record.status).toBe('FAILED');
    expect(f.record.outputs).toEqual({});
    expect(f.record.errors.name).toBe('ZeroDivisionError');
    const message: string = f.record.errors.message;
    expect(message.split('\n')[0]).toBe('py stage "Process Data" raised ZeroDivisionError: division by zero');
    expect(message).toContain('Traceback (most recent call last):');
    expect(message).toContain('File "<py stage Process Data>", line 4, in <module>\n    ratio = divide(1, 0)');
    expect(message).toContain('File "<py stage Process Data>", line 2, in divide\n    return a / b');
    expect(message).not.toContain('handler.py');
    expect(message.endsWith('ZeroDivisionError: division by zero')).toBe(true);
  });

  it('an exception raised in library code shows the stage line that called it', async () => {
    const f = await failure(py('import json\ndata = json.loads("{bad")'));
    expect(f.record.errors.name).toBe('JSONDecodeError');
    expect(f.record.errors.message).toContain('line 2, in <module>\n    data = json.loads("{bad")');
    expect(f.record.errors.message).not.toMatch(/json[/\\]decoder\.py/);
  });

  it('a syntax error names the line and points at it', async () => {
    const f = await failure(py('x = 1\ny = (2 +\n'));
    expect(f.record.errors.name).toBe('SyntaxError');
    expect(f.record.errors.message).toMatch(/^py stage "Process Data" has a syntax error at line 2: /);
  });

  it('sys.exit() and exit() fail the stage with a clear message; the runner survives', async () => {
    const f = await failure(py('import sys\nsys.exit(3)'));
    expect(f.record.errors).toEqual({
      name: 'SystemExit',
      message: 'py stage "Process Data" called exit(3): a py stage cannot end the Python runner; let the code finish, or raise an exception to fail the stage',
    });
    const g = await failure(py('exit()'));
    expect(g.record.errors.message).toMatch(/called exit\(None\)/);
  });

  it('os._exit() kills the interpreter: a StageFailed that says it ended without a result', async () => {
    const f = await failure(py('import os\nos._exit(5)'));
    expect(f.record.errors.name).toBe('StageError');
    expect(f.record.errors.message).toBe(
      'py stage "Process Data": the Python runner exited with code 5 without a result (did the code call os._exit or crash the interpreter?)',
    );
  });

  it('an interpreter killed by a signal is named', async () => {
    const f = await failure(py('import os, signal, sys\nprint("about to die", file=sys.stderr)\nos.kill(os.getpid(), signal.SIGKILL)'));
    expect(f.record.errors.message).toBe(
      'py stage "Process Data": the Python runner was killed by signal SIGKILL without a result (did the code call os._exit or crash the interpreter?); last stderr line: about to die',
    );
  });

  it('an infinite loop is killed at the caller\'s timeout', async () => {
    const started = Date.now();
    const f = await failure(py('while True:\n    pass'), { timeoutMs: 700 });
    expect(f.record.errors).toEqual({ name: 'StageTimeout', message: 'py stage "Process Data" timed out after 0.7 s and the Python runner was killed' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the request timeout stops the code inside the runner, even when the code catches Exception', async () => {
    const f = await failure(py('while True:\n    try:\n        pass\n    except Exception:\n        pass', { timeout: 1 }));
    expect(f.record.errors).toEqual({ name: 'StageTimeout', message: 'py stage "Process Data" timed out after 1 s' });
  });

  it('a cancel kills the runner', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const f = await failure(py('import time\ntime.sleep(30)'), { signal: ac.signal });
    expect(f.record).toMatchObject({ status: 'CANCEL', errors: { name: 'StageCancelled' } });
  });

  it('a missing interpreter is a clear StageFailed', async () => {
    const f = await failure(py('x = 1'), { python: 'python-does-not-exist-3.99' });
    expect(f.record.errors.message).toMatch(/^py stage "Process Data": the Python interpreter "python-does-not-exist-3.99" could not be started: /);
  });

  it('an unknown action is a BadRequest', async () => {
    await expect(runPython({ ...py('x = 1'), action: 'nope' as 'py' })).rejects.toMatchObject({
      name: 'BadRequest',
      message: 'unknown action \'nope\'; the Python runner takes "py" and "virtual-py"',
    });
  });
});

describe('the Python runner as a command and as a Lambda handler', () => {
  it('answers one JSON line; a request that is not JSON is a BadRequest answer', () => {
    const ok = spawnSync('python3', [PY_RUNNER_PATH], { input: JSON.stringify(py('x = 2 * 21')), encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, result: { status: 'SUCCESS', outputs: { x: 42 } } });
    const bad = spawnSync('python3', [PY_RUNNER_PATH], { input: '{not json', encoding: 'utf8' });
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, errorType: 'BadRequest' });
  });

  it('the Lambda handler raises an exception class named StageFailed (Lambda\'s errorType)', () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(PY_RUNNER_PATH, '..'))})`,
      'import handler',
      'try:',
      '    handler.handler({"action": "py", "name": "x", "code": ["raise ValueError(\'nope\')"], "vars": {}, "globals": {}}, None)',
      'except Exception as e:',
      '    print(type(e).__name__)',
      '    print(json.loads(str(e))["errors"]["name"])',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(['StageFailed', 'ValueError']);
  });
});

describe('virtual py stages', () => {
  let cache = '';
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'wf-venv-test-'));
    offline.env!.WORKFLOW_CORE_VENV_CACHE = cache;
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const current = spawnSync('python3', ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' }).stdout.trim();
  // An index that refuses connections at once, and none of the machine's local indexes.
  const offline: RunPythonOptions = {
    env: {
      PIP_CONFIG_FILE: '/dev/null',
      PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
      PIP_EXTRA_INDEX_URL: '',
      PIP_FIND_LINKS: '',
      PIP_TIMEOUT: '5',
      PIP_DEFAULT_TIMEOUT: '5',
      PIP_RETRIES: '0',
    },
  };

  it('runs code in a venv with vars and globals; outputs return_code, stdout, stderr', async () => {
    const req = py(['import sys\nprint(greeting, params["who"])\nprint("note", file=sys.stderr)\nprint(sys.prefix != sys.base_prefix)'], {
      action: 'virtual-py',
      vars: { greeting: 'hello' },
      globals: { params: { who: 'world' } },
      deps: [],
      version: current,
    });
    expect(await runPython(req, offline)).toEqual({ status: 'SUCCESS', outputs: { return_code: 0, stdout: 'hello world\nTrue', stderr: 'note' } });
  });

  it('a failing script is StageFailed with its outputs and the last stderr line', async () => {
    const f = await failure(py('x = 1\nraise RuntimeError("broken pipe")', { action: 'virtual-py', deps: [], version: current }), offline);
    expect(f.record.outputs.return_code).toBe(1);
    expect(f.record.outputs.stderr).toContain('File "<virtual py stage Process Data>", line 2, in <module>');
    expect(f.record.errors).toEqual({ name: 'StageError', message: 'virtual py stage "Process Data" exited with code 1: RuntimeError: broken pipe' });
  });

  it('fails clearly, naming the deps and the pip error, when the package index cannot be reached', async () => {
    const started = Date.now();
    const f = await failure(py('import requests', { action: 'virtual-py', deps: ['requests', 'wf-no-such-package==1.0'], version: current }), offline);
    expect(f.name).toBe('StageFailed');
    expect(f.record.errors.name).toBe('DependencyError');
    const message: string = f.record.errors.message;
    expect(message.split('\n')[0]).toBe(
      `virtual py stage "Process Data" could not install its deps "requests", "wf-no-such-package==1.0" for Python ${current}: pip failed:`,
    );
    expect(message).toMatch(/ERROR: /);
    expect(message).toContain('the package index must be reachable');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
