/**
 * The Python runner on AWS resolves secret references itself (functions/py-runner/handler.py
 * `resolve_secret_refs`), with the same rules as the stage runner: only under `$WF_SECRETS_PREFIX`,
 * only for the request's run or its parent, `at` picking an item; the code, `vars` and globals get
 * the values, and what it returns, prints and throws is masked. Parameter Store is replaced by a
 * dictionary (the one thing that cannot run here); the handler is the real one, in real python3.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = String.raw`
import io, json, sys
sys.path.insert(0, "functions/py-runner")
import handler
store = json.loads(sys.argv[1])
handler._ssm_get = lambda name: store.get(name)
event = json.load(sys.stdin)
err = io.StringIO()
sys.stdout = sys.stderr = err
try:
    out = {"ok": handler.handler(event)}
except Exception as e:
    out = {"error": type(e).__name__, "message": str(e)}
sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
out["printed"] = err.getvalue()
print(json.dumps(out))
`;

const PREFIX = '/app/secrets';
const TOKEN = 'Tq9-multi\nline-secret-77';
const store = { [`${PREFIX}/r1/token`]: JSON.stringify(TOKEN), [`${PREFIX}/r1/keys`]: JSON.stringify(['key-one-111', 'key-two-222']), [`${PREFIX}/other/token`]: JSON.stringify('not-yours-999') };
const ref = (name: string, at?: number[]) => ({ '$wf:secret': `${PREFIX}/${name}`, ...(at ? { at } : {}) });

function run(event: Record<string, unknown>): { ok?: { status: string; outputs: Record<string, unknown> }; error?: string; message?: string; printed: string } {
  const r = spawnSync('python3', ['-c', SCRIPT, JSON.stringify(store)], { input: JSON.stringify(event), encoding: 'utf8', env: { ...process.env, WF_SECRETS_PREFIX: PREFIX } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const base = { action: 'py', name: 's', secrets: ['token', 'keys'], secretRun: { id: 'r1' } };

describe('the Python runner resolves secret references', () => {
  it('gives the code the values (globals, vars, code parts, an item of a list) and masks what comes back', () => {
    const r = run({
      ...base,
      secretValues: { token: ref('r1/token'), keys: ref('r1/keys') },
      globals: { params: { token: ref('r1/token'), keys: ref('r1/keys') }, run: { id: 'r1' } },
      vars: { second: ref('r1/keys', [1]) },
      code: ['same = params["token"] == ', { value: ref('r1/token') }, '\nn = len(params["keys"])\nprint("token:", params["token"])\ncopy = second'],
    });
    expect(r.ok).toEqual({ status: 'SUCCESS', outputs: { same: true, n: 2, copy: '***', second: '***' } });
    expect(r.printed).toContain('token: ***');
    expect(r.printed).not.toMatch(/Tq9-multi|line-secret-77|key-two-222/);
  });

  it("refuses a reference of another run, or outside the prefix, before reading it", () => {
    for (const forged of [ref('other/token'), { '$wf:secret': '/elsewhere/r1/token' }]) {
      const r = run({ ...base, secretValues: {}, globals: { params: { token: forged }, run: { id: 'r1' } }, vars: {}, code: 'x = 1' });
      expect(r.error).toBe('BadRequest');
      expect(r.message).toContain('is not one this run may read');
    }
  });

  it('a reference whose value is gone fails the stage with a SecretError', () => {
    const r = run({ ...base, secretValues: {}, globals: { params: { token: ref('r1/gone') }, run: { id: 'r1' } }, vars: {}, code: 'x = 1', key: 'f1' });
    expect(r.error).toBe('StageFailed');
    expect(JSON.parse(r.message!)).toMatchObject({ status: 'FAILED', errors: { name: 'SecretError' }, key: 'f1' });
  });
});
