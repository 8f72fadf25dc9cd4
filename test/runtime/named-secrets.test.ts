/**
 * A secret param's default may name a Parameter Store parameter (`default: {ssm: /prod/db}`): the
 * workflow file and the compiled definition hold only the name; `prepare` (a scheduled start, a raw
 * StartExecution) reads it and stores the run's own copy, so the run holds a reference as for any
 * secret; a local run, which cannot read AWS, asks for the value; the stage runner's role may read
 * exactly the named parameters.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText, parameterize } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { secretPermissionsFor } from '../../lib/cdk/permissions-for.ts';
import { handleRequest, memorySecretStore, type SecretStore } from '../../lib/runtime/index.ts';

const YAML = `
nightly:
  type: Workflow
  params:
    password: { type: str, secret: true, default: { ssm: /prod/db-password } }
    limits: { type: array, secret: true, default: { ssm: /prod/limits } }
  on:
    - cron: "0 3 * * *"
  jobs:
    j:
      stages:
        - { name: Use, id: use, bash: 'test "$P" = "hunter2-db" && echo ok', env: { P: "\${{ params.password }}" } }
`;

describe('a secret default that names a stored parameter', () => {
  const loaded = loadWorkflowsFromText({ 'conf/n.yml': YAML });
  const workflow = loaded.workflows.get('nightly')!;

  it('loads (no type check of the name), and a name that is no parameter name, or a non-secret param, is refused', () => {
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const bad = loadWorkflowsFromText({ 'conf/n.yml': YAML.replace('/prod/db-password', 'prod db password!') });
    expect(bad.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('names the SSM parameter "prod db password!", which is not a parameter name'));
    const plain = loadWorkflowsFromText({ 'conf/n.yml': YAML.replace('{ type: str, secret: true, default:', '{ type: str, default:') });
    expect(plain.diagnostics.map((d) => d.code)).toContain('WF2009');
  });

  it('the definition holds the name, never a value', () => {
    const text = JSON.stringify(compileWorkflow(workflow).definition);
    expect(text).toContain('/prod/db-password');
  });

  it('a local run asks for the value', () => {
    const { errors } = parameterize(workflow, {});
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringContaining('its default names the SSM parameter /prod/db-password, which is read only when the run starts on AWS'));
  });

  it('prepare reads it, stores the run\'s copy and gives a reference; a missing parameter is a ParamError', async () => {
    const memory = memorySecretStore('/app/secrets');
    const named: Record<string, string> = { '/prod/db-password': 'hunter2-db', '/prod/limits': '[1,2]' };
    const store: SecretStore = { ...memory, readNamed: async (n) => named[n] };
    const declared = { password: { type: 'str', required: false, default: { ssm: '/prod/db-password' }, secret: true }, limits: { type: 'array', required: false, default: { ssm: '/prod/limits' }, secret: true } };
    const out = (await handleRequest({ action: 'prepare', workflow: 'nightly', params: declared, input: { lock: true, run: { id: 'r9' } } } as never, { secretStore: store })) as { params: Record<string, unknown> };
    expect(out.params).toEqual({ password: { '$wf:secret': '/app/secrets/r9/password' }, limits: { '$wf:secret': '/app/secrets/r9/limits' } });
    expect(await memory.get('/app/secrets/r9/password')).toBe(JSON.stringify('hunter2-db'));
    expect(await memory.get('/app/secrets/r9/limits')).toBe('[1,2]');
    delete named['/prod/limits'];
    await expect(handleRequest({ action: 'prepare', workflow: 'nightly', params: declared, input: { run: { id: 'r10' } } } as never, { secretStore: store })).rejects.toThrow(/the SSM parameter its default names \(\/prod\/limits\) does not exist/);
  });

  it("the stage runner's role reads exactly the named parameters", () => {
    const grants = secretPermissionsFor(true, 'arn:aws:ssm:eu-west-1:1:parameter/app/secrets/*', ['arn:aws:ssm:eu-west-1:1:parameter/prod/db-password']);
    expect(grants.stageRunner).toContainEqual({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:1:parameter/prod/db-password'] });
    expect(grants.pyRunner).toEqual([{ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:1:parameter/app/secrets/*'] }]);
  });
});
