/**
 * Secret params of a start on AWS travel as references: the client stores each value in Parameter
 * Store (SecureString, `<prefix>/<run id>/<param>`) and StartExecution carries only
 * `{"$wf:secret": name}`. A local endpoint (`wf serve`) is sent the values and no SSM call is made.
 * `aws-sdk-client-mock` stands in for Step Functions, Systems Manager and CloudFormation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, ExecutionDoesNotExist, ExecutionLimitExceeded, GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { WorkflowClient, WorkflowClientError } from '../../lib/client/index.ts';
import { cliClient } from '../../lib/cli/start-command.ts';
import type { CliContext } from '../../lib/cli/cli-context.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { workflows } = loadWorkflowsFromText({
  'conf/wf.yml': `
deploy:
  type: Workflow
  params:
    size: { type: int, default: 1 }
    token: { type: str, secret: true }
    keys: { type: array, secret: true, required: false }
  jobs:
    ship:
      stages:
        - { name: Push, id: push, bash: "echo \${{ params.size }}" }
`,
});

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:app-deploy';
const PREFIX = '/app/secrets';
const SECRET = 'swordfish-7c1e';
const meta = { $metadata: {} };

const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);
const cfn = mockClient(CloudFormationClient);

function newClient(extra: Partial<ConstructorParameters<typeof WorkflowClient>[0]> = {}): WorkflowClient {
  return new WorkflowClient({
    region: 'eu-west-1',
    sfn: new SFNClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    stateMachines: { deploy: MACHINE },
    workflows,
    ...extra,
  });
}

const startInputs = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.input!);
const puts = () => ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);

async function failure(p: Promise<unknown>): Promise<WorkflowClientError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkflowClientError);
  return e as WorkflowClientError;
}

beforeEach(() => {
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${MACHINE.replace('stateMachine', 'execution')}:${input.name}`, startDate: new Date(0) }));
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));
  ssm.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
  ssm.on(DeleteParametersCommand).resolves({});
});

afterEach(() => {
  sfn.reset();
  ssm.reset();
  cfn.reset();
});

describe('a start on AWS', () => {
  it('stores each secret value as a SecureString named <prefix>/<run id>/<param> and sends only references', async () => {
    const started = await newClient({ secretsPrefix: PREFIX }).start('deploy', { size: '2', token: SECRET, keys: ['k1', SECRET] });
    const runId = started.name;
    expect(puts()).toEqual([
      { Name: `${PREFIX}/${runId}/token`, Value: JSON.stringify(SECRET), Type: 'SecureString', Tier: 'Standard', Overwrite: true },
      { Name: `${PREFIX}/${runId}/keys`, Value: JSON.stringify(['k1', SECRET]), Type: 'SecureString', Tier: 'Standard', Overwrite: true },
    ]);
    const [text] = startInputs();
    expect(JSON.parse(text!)).toMatchObject({
      prepared: true,
      params: { size: 2, token: { '$wf:secret': `${PREFIX}/${runId}/token` }, keys: { '$wf:secret': `${PREFIX}/${runId}/keys` } },
      run: { id: runId, workflow: 'deploy' },
    });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('k1');
    expect(started.name).not.toContain(SECRET);
  });

  it('keeps a non-secret param a value, and stores nothing when no secret is given', async () => {
    await newClient({ secretsPrefix: PREFIX }).start('deploy', { size: 3, token: SECRET });
    expect(JSON.parse(startInputs()[0]!).params.size).toBe(3);
    expect(puts().map((p) => p.Name!.split('/').pop())).toEqual(['token']);
  });

  it("takes the prefix from the stack's SecretsPrefix output", async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'app', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'SecretsPrefix', OutputValue: '/app-prod/secrets' }] }],
    });
    const started = await newClient({ stack: 'app' }).start('deploy', { token: SECRET });
    expect(puts().map((p) => p.Name)).toEqual([`/app-prod/secrets/${started.name}/token`]);
    expect(JSON.parse(startInputs()[0]!).params.token).toEqual({ '$wf:secret': `/app-prod/secrets/${started.name}/token` });
  });

  it('without a prefix: a clear error, and nothing stored or started', async () => {
    const err = await failure(newClient().start('deploy', { token: SECRET }));
    expect(err.code).toBe('NoSecretsPrefix');
    expect(err.message).toMatch(/no secrets prefix is known \(no stack was given\).*--stack.*secretsPrefix option.*\/<app prefix>\/secrets/);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'old', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    expect((await failure(newClient({ stack: 'old' }).start('deploy', { token: SECRET }))).message).toContain('stack "old" has no SecretsPrefix output');
    expect(puts()).toEqual([]);
    expect(startInputs()).toEqual([]);
  });

  it('refuses a secret over 4096 bytes as JSON before any call', async () => {
    const err = await failure(newClient({ secretsPrefix: PREFIX }).start('deploy', { token: 'x'.repeat(4095) }));
    expect([err.code, err.message]).toEqual(['SecretTooLarge', 'secret param "token" is 4097 bytes as JSON, over the 4096-byte limit of a secret (a standard Parameter Store parameter); nothing was started']);
    expect(ssm.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
    await newClient({ secretsPrefix: PREFIX }).start('deploy', { token: 'x'.repeat(4094) });
    expect(puts()).toHaveLength(1);
  });

  it('a release already started: SKIP, without touching that run’s secrets', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: `${MACHINE}:deploy-20240102T0900`, stateMachineArn: MACHINE, status: 'RUNNING', startDate: new Date(0) });
    const out = await newClient({ secretsPrefix: PREFIX }).start('deploy', { token: SECRET }, { release: { logical_date: '2024-01-02T09:00:00Z' } });
    expect(out.alreadyReleased).toBe(true);
    expect(ssm.calls()).toHaveLength(0);
    expect(startInputs()).toEqual([]);
  });

  it('a start that fails deletes the secrets it stored', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionLimitExceeded({ message: 'limit', ...meta }));
    const err = await failure(newClient({ secretsPrefix: PREFIX }).start('deploy', { token: SECRET }, { name: 'deploy-mine' }));
    expect(err.code).toBe('ExecutionLimitExceeded');
    expect(ssm.commandCalls(DeleteParametersCommand).map((c) => c.args[0].input)).toEqual([{ Names: [`${PREFIX}/deploy-mine/token`] }]);
  });

  it('PutParameter refused: says which permission is missing, and nothing is started', async () => {
    ssm.on(PutParameterCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const err = await failure(newClient({ secretsPrefix: PREFIX }).start('deploy', { token: SECRET }, { name: 'deploy-denied' }));
    expect([err.code, err.message]).toEqual([
      'AccessDeniedException',
      `storing secret param "token" in Parameter Store (${PREFIX}/deploy-denied/token): access denied; starting a run with secret params on AWS needs ssm:PutParameter on ${PREFIX}/*: nothing was started`,
    ]);
    expect(startInputs()).toEqual([]);
  });

  it('a rerun stores the secrets given again under the new run and refuses references left in the old input', async () => {
    const old = 'arn:aws:states:eu-west-1:123456789012:execution:app-deploy:deploy-old';
    sfn.on(DescribeExecutionCommand, { executionArn: old }).resolves({
      executionArn: old,
      stateMachineArn: MACHINE,
      name: 'deploy-old',
      status: 'FAILED',
      error: 'States.Timeout',
      startDate: new Date(0),
      input: JSON.stringify({ prepared: true, params: { size: 2, token: { '$wf:secret': `${PREFIX}/deploy-old/token` } }, release: { logical_date: '2024-01-02T09:00:00Z', type: 'normal' }, run: { id: 'deploy-old', workflow: 'deploy' }, jobs: {} }),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const refused = await failure(newClient({ secretsPrefix: PREFIX }).rerun(old));
    expect(refused.code).toBe('SecretParamsMissing');
    const out = await newClient({ secretsPrefix: PREFIX }).rerun(old, { params: { token: SECRET }, name: 'deploy-again' });
    expect(out.name).toBe('deploy-again');
    expect(puts().map((p) => [p.Name, p.Value, p.Type])).toEqual([[`${PREFIX}/deploy-again/token`, JSON.stringify(SECRET), 'SecureString']]);
    const [text] = startInputs();
    expect(JSON.parse(text!)).toMatchObject({ params: { size: 2, token: { '$wf:secret': `${PREFIX}/deploy-again/token` } }, run: { id: 'deploy-again', parent: 'deploy-old' } });
    expect(text).not.toContain(SECRET);
  });

  it('wf start takes the prefix from --secrets-prefix, else $WF_SECRETS_PREFIX', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'deploy', stateMachineArn: MACHINE, type: 'STANDARD', creationDate: new Date(0) }] });
    const ctx = { env: { WF_SECRETS_PREFIX: '/from-env/secrets', AWS_REGION: 'eu-west-1' } } as unknown as CliContext;
    const fromEnv = await cliClient(ctx, {}, workflows).start('deploy', { token: SECRET }, { name: 'deploy-env' });
    const fromFlag = await cliClient(ctx, { secretsPrefix: '/from-flag/secrets' }, workflows).start('deploy', { token: SECRET }, { name: 'deploy-flag' });
    expect([fromEnv.name, fromFlag.name]).toEqual(['deploy-env', 'deploy-flag']);
    expect(puts().map((p) => p.Name)).toEqual(['/from-env/secrets/deploy-env/token', '/from-flag/secrets/deploy-flag/token']);
  });
});

describe('a start on a local endpoint', () => {
  it('sends the values (wf serve stores them itself) and makes no SSM call', async () => {
    await newClient({ endpoint: 'http://127.0.0.1:8083', secretsPrefix: PREFIX }).start('deploy', { token: SECRET });
    expect(JSON.parse(startInputs()[0]!).params).toEqual({ size: 1, token: SECRET, keys: null });
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('a start without the workflow loaded', () => {
  it('sends the params as given: the machine’s prepare step stores the secrets', async () => {
    await newClient({ workflows: undefined, secretsPrefix: PREFIX }).start('deploy', { token: SECRET });
    expect(JSON.parse(startInputs()[0]!)).not.toHaveProperty('prepared');
    expect(ssm.calls()).toHaveLength(0);
  });
});
