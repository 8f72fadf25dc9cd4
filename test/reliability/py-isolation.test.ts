/**
 * What a py stage's code can reach, and what crosses back: the code runs in its own `python3`
 * process with the runner's environment, working directory and permissions (docs/reliability.md
 * says so; this pins it), and only JSON comes back. Every non-JSON value a stage leaves is
 * converted by the documented rules; modules, functions and classes are left out; nothing the code
 * does to its globals or to imported modules reaches the next stage.
 */
import '../../lib/local/polyfill.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal, type ResultDocument } from '../../lib/local/index.ts';

const CONF = `
isolation:
  type: Workflow
  params:
    name: { type: str, default: original }
  extras:
    env: { STAGE: dev }
  jobs:
    first:
      stages:
        - name: Leave every kind of value
          id: values
          run: |
            import datetime, decimal, json, math, os
            class Point:
                def __init__(self, x):
                    self.x = x
                def __repr__(self):
                    return f"Point({self.x})"
            def helper():
                return 1
            t = (1, "a", None)
            s = {3, 1, 2}
            mixed = {1, "a"}
            fs = frozenset(["b", "a"])
            keys = {1: "one", (2, 3): "tuple", None: "none"}
            dec = decimal.Decimal("1.10")
            dnan = decimal.Decimal("NaN")
            when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
            day = datetime.date(2024, 1, 2)
            at = datetime.time(3, 4, 5)
            nan = float("nan")
            inf = math.inf
            ninf = -math.inf
            raw = b"ab"
            z = complex(1, 2)
            p = Point(1)
            cyc = []
            cyc.append(cyc)
            big = 10**30
            nested = {"a": [(1, 2), {"b": {5, 4}}]}
            text = "ünïcode ✓"
            params["name"] = "changed in place"
            json.hacked = True
        - name: See the process
          id: where
          run: |
            import os
            cwd = os.getcwd()
            pid = os.getpid()
            ppid = os.getppid()
            group = os.getpgid(0) == os.getpid()
            visible = os.environ.get("WF_TEST_VISIBLE")
            env_names = sorted(env.keys())
    second:
      needs: [first]
      stages:
        - name: Starts clean
          id: clean
          run: |
            import json
            seen = params["name"]
            hacked = hasattr(json, "hacked")
`;

let doc: ResultDocument;
type Stages = Record<string, { status: string; outputs: Record<string, unknown> }>;
const stagesOf = (job: string): Stages => (doc.jobs as Record<string, { stages: Stages }>)[job]!.stages;

beforeAll(async () => {
  process.env.WF_TEST_VISIBLE = 'yes';
  process.env.WORKFLOW_ENV_COLOR = 'blue';
  const loaded = loadWorkflowsFromText({ 'conf/py.yml': CONF });
  doc = await runLocal(loaded.workflows.get('isolation')!, { workflows: loaded.workflows });
}, 30_000);

afterAll(() => {
  delete process.env.WF_TEST_VISIBLE;
  delete process.env.WORKFLOW_ENV_COLOR;
});

describe('py stage values cross as JSON only', () => {
  it('every value the code leaves is converted by the documented rules', () => {
    expect(doc.status).toBe('SUCCESS');
    expect(stagesOf('first').values!.outputs).toEqual({
      t: [1, 'a', null],
      s: [1, 2, 3],
      mixed: ['a', 1],
      fs: ['a', 'b'],
      keys: { '1': 'one', '(2, 3)': 'tuple', None: 'none' },
      dec: 1.1,
      dnan: 'NaN',
      when: '2024-01-02T03:04:05+00:00',
      day: '2024-01-02',
      at: '03:04:05',
      nan: 'nan',
      inf: 'inf',
      ninf: '-inf',
      raw: "b'ab'",
      z: '(1+2j)',
      p: 'Point(1)',
      cyc: ['<circular reference>'],
      big: 1e30,
      nested: { a: [[1, 2], { b: [4, 5] }] },
      text: 'ünïcode ✓',
    });
  });

  it('modules, functions, classes and context globals mutated in place are not outputs', () => {
    const names = Object.keys(stagesOf('first').values!.outputs);
    for (const n of ['datetime', 'decimal', 'json', 'math', 'os', 'Point', 'helper', 'params']) expect(names).not.toContain(n);
  });

  it('nothing a stage does to its globals or to imported modules reaches the next stage', () => {
    expect(stagesOf('second').clean!.outputs).toEqual({ seen: 'original', hacked: false });
    expect(doc.params.name).toBe('original');
  });
});

describe('what py code can reach (documented in docs/reliability.md)', () => {
  it('its own python3 process, in its own process group, started by wf, in a fresh temp working directory', () => {
    const where = stagesOf('first').where!.outputs;
    expect(where.cwd).not.toBe(process.cwd());
    expect(String(where.cwd)).toMatch(/wf-py-/);
    expect(where.ppid).toBe(process.pid);
    expect(where.pid).not.toBe(process.pid);
    expect(where.group).toBe(true);
  });

  it("wf's whole environment in os.environ; only WORKFLOW_ENV_* and extras.env in the env global", () => {
    const where = stagesOf('first').where!.outputs;
    expect(where.visible).toBe('yes');
    const expected = ['COLOR', 'STAGE', ...Object.keys(process.env).filter((k) => k.startsWith('WORKFLOW_ENV_')).map((k) => k.slice('WORKFLOW_ENV_'.length))];
    expect(where.env_names).toEqual([...new Set(expected)].sort());
  });
});
