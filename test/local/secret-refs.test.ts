/**
 * A local run takes the path a run takes on AWS: its secret params are stored (here in memory, as
 * for `--no-audit`; the local store's table otherwise) and every state of the machine holds only
 * references. The engine's own events (every state's input and output, of the run and of a
 * triggered child) are searched, unmasked, for the value and each of its lines; the stages still
 * compare the real values; the run's secrets are gone when it ends; a reference of another run is
 * refused.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { handleRequest, memorySecretStore } from '../../lib/runtime/index.ts';
import { secretName } from '../../lib/protocol/index.ts';
import { LOCAL_SECRETS_PREFIX } from '../../lib/local/local-secret-store.ts';

const LINES = ['Vb4-first-secret-line', 'Hx2-second-secret-line'];
const TOKEN = LINES.join('\n');
const KEYS = ['key-first-5551', 'key-second-6662'];

const YAML = `
refs:
  type: Workflow
  params:
    token: { type: str, secret: true }
    keys: { type: array, secret: true }
    forged: { type: map, default: {} }
  jobs:
    use:
      stages:
        - { name: Bash, id: bash, env: { T: "\${{ params.token }}" }, bash: 'test "$T" = \${{ params.token }} && echo same' }
        - { name: Py, id: py, run: 'same = params["token"] == \${{ params.token }}' }
        - name: Each
          id: each
          foreach: \${{ params.keys }}
          stages:
            - { name: Item, id: it, bash: 'case \${{ item }} in key-*) echo key;; esac' }
        - { name: If, id: cond, if: "\${{ startsWith(params.token, 'Vb4') }}", echo: yes }
        - { name: Child, id: child, trigger: child, params: { secret: "\${{ params.token }}" } }
        - { name: Forged, id: forged, bash: 'echo \${{ params.forged.x }}', if: "\${{ params.forged.x? != null }}" }
child:
  type: Workflow
  params:
    secret: { type: str, secret: true }
  jobs:
    c:
      stages:
        - { name: Check, id: check, run: 'ok = params["secret"].startswith("Vb4")' }
`;

const { workflows } = loadWorkflowsFromText({ 'conf/refs.yml': YAML });

async function run(params: Record<string, unknown>) {
  const events: string[] = [];
  const store = memorySecretStore(LOCAL_SECRETS_PREFIX);
  const doc = await runLocal(workflows.get('refs')!, { workflows, params, secretStore: store, onRawEvent: (e) => events.push(JSON.stringify(e)) });
  return { doc, events, store };
}

describe('secret params are references in every state of a local run', () => {
  it('no state holds the value or a line of it; the stages compared the real values', async () => {
    const { doc, events, store } = await run({ token: TOKEN, keys: KEYS });
    const use = doc.jobs.use as { status: string; stages: Record<string, { status: string; outputs: Record<string, unknown> }> };
    expect(use.status, JSON.stringify(doc.errors)).toBe('SUCCESS');
    expect(use.stages.bash!.outputs.stdout).toBe('same');
    expect(use.stages.py!.outputs.same).toBe(true);
    expect(use.stages.cond!.status).toBe('SUCCESS');
    expect((use.stages.child!.outputs as { jobs: { c: { stages: { check: { outputs: unknown } } } } }).jobs.c.stages.check.outputs).toEqual({ ok: true });
    expect(events.length).toBeGreaterThan(30);
    const all = events.join('\n');
    for (const needle of [TOKEN, JSON.stringify(TOKEN).slice(1, -1), ...LINES, ...KEYS]) expect(all.includes(needle), needle).toBe(false);
    expect(all).toContain('$wf:secret');
    // The run's secrets (and its child's copy) are deleted when it ends.
    expect(await store.get(secretName(LOCAL_SECRETS_PREFIX, String(doc.run.id), 'token'))).toBeUndefined();
  });

  it("a secret reference slipped into a plain param is refused before anything runs", async () => {
    const forged = { x: { '$wf:secret': secretName(LOCAL_SECRETS_PREFIX, 'someone-else', 'token') } };
    await expect(run({ token: TOKEN, keys: KEYS, forged })).rejects.toThrow('param "forged" holds a secret reference, but it is not declared secret: true');
  });

  it("a runner refuses a reference of another run (SecretError), and one whose value is gone", async () => {
    const store = memorySecretStore(LOCAL_SECRETS_PREFIX);
    await store.put(secretName(LOCAL_SECRETS_PREFIX, 'other-run', 'token'), JSON.stringify('not-yours-1234'));
    const stage = (params: Record<string, unknown>) => handleRequest({ action: 'stage', key: 'f1', secrets: ['token'], stage: { kind: 'bash', name: 'b', fields: { bash: 'echo ${{ params.token }}' } }, ctx: { params, run: { id: 'r1' } } } as never, { secretStore: store });
    const failure = async (params: Record<string, unknown>) => JSON.parse(((await stage(params).catch((e: Error) => e)) as Error).message);
    expect(await failure({ token: { '$wf:secret': secretName(LOCAL_SECRETS_PREFIX, 'other-run', 'token') } })).toMatchObject({ errors: { name: 'SecretError', message: expect.stringContaining('is not one this run may read') }, key: 'f1' });
    expect(await failure({ token: { '$wf:secret': secretName(LOCAL_SECRETS_PREFIX, 'r1', 'token') } })).toMatchObject({ errors: { name: 'SecretError', message: expect.stringContaining('is no longer stored') } });
  });
});
