/**
 * Secret params on AWS: both runners learn the app's secrets prefix (`WF_SECRETS_PREFIX`,
 * `/<namePrefix>/secrets`), the stack names it (`SecretsPrefix` output), and only an app with a
 * secret param gives the runners Parameter Store access, on exactly that path.
 */
import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { secretPermissionsFor, secretsPrefixOf, WorkflowApp } from '../../lib/cdk/index.ts';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { scanTemplate } from '../helpers/aws-rules.ts';
import { normalise, roleStatements } from './synth-helpers.ts';

/** A workflow with a bash and a py stage, whose param `token` is secret when `secret` is. */
const workflowText = (name: string, secret: boolean) => `
${name}:
  type: Workflow
  params:
${secret ? '    token: { type: str, secret: true }\n' : ''}    size: { type: int, default: 1 }
  jobs:
    ship:
      stages:
        - { name: Push, id: push, bash: "echo \${{ params.size }}" }
        - { name: Check, id: check, run: "x = 1" }
`;
const SECRET = workflowText('deploy', true);
const PLAIN = workflowText('tidy', false);

function workflowsOf(text: string): Map<string, Workflow> {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'conf/wf.yml': text });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return workflows;
}

interface Synth {
  stack: Stack;
  app: WorkflowApp;
  template: Template;
}

function synth(stackName: string, text: string, namePrefix?: string): Synth {
  const root = new App();
  const stack = new Stack(root, stackName);
  const app = new WorkflowApp(stack, 'Workflows', { workflows: workflowsOf(text), ...(namePrefix ? { namePrefix } : {}) });
  Aspects.of(root).add(new AwsSolutionsChecks({ logIgnores: true, reports: false }));
  return { stack, app, template: Template.fromStack(stack) };
}

const roleId = (s: Synth, role: iam.IRole | undefined) => s.stack.getLogicalId(role!.node.defaultChild as CfnResource);
const ssmStatements = (s: Synth, role: iam.IRole | undefined) =>
  normalise(roleStatements(s.template, roleId(s, role)).filter((st) => JSON.stringify(st.Action).includes('ssm:')) as never);
const environment = (s: Synth, fn: { node: { defaultChild?: unknown } }) => {
  const id = s.stack.getLogicalId(fn.node.defaultChild as CfnResource);
  return (s.template.toJSON().Resources[id].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};
/** The ARN pattern of the parameters below `/<prefix>/secrets/`, as CDK writes it. */
const parametersOf = (prefix: string) =>
  JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter/${prefix}/secrets/*`]] });

let withSecrets: Synth;
let withoutSecrets: Synth;

beforeAll(() => {
  withSecrets = synth('Secretive', SECRET, 'wfsec');
  withoutSecrets = synth('Plain', PLAIN);
});

describe('the secrets prefix', () => {
  it('is /<namePrefix>/secrets, the WF_SECRETS_PREFIX of both runners', () => {
    expect(secretsPrefixOf('wfsec')).toBe('/wfsec/secrets');
    for (const fn of [withSecrets.app.stageRunner, withSecrets.app.pyRunner]) expect(environment(withSecrets, fn).WF_SECRETS_PREFIX).toBe('/wfsec/secrets');
    expect(environment(withSecrets, withSecrets.app.stageRunner).NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('defaults to the stack name, and is set for an app without secret params too', () => {
    for (const fn of [withoutSecrets.app.stageRunner, withoutSecrets.app.pyRunner]) expect(environment(withoutSecrets, fn).WF_SECRETS_PREFIX).toBe('/Plain/secrets');
  });

  it('is the SecretsPrefix output', () => {
    expect(withSecrets.template.findOutputs('SecretsPrefix')).toEqual({ SecretsPrefix: { Value: '/wfsec/secrets', Description: expect.stringContaining('Parameter Store') } });
    expect(withoutSecrets.template.findOutputs('SecretsPrefix').SecretsPrefix?.Value).toBe('/Plain/secrets');
  });

  it('wins over a WF_SECRETS_PREFIX given in a runner environment', () => {
    const stack = new Stack(new App(), 'Override');
    const app = new WorkflowApp(stack, 'Workflows', { workflows: workflowsOf(SECRET), stageRunner: { environment: { WF_SECRETS_PREFIX: '/elsewhere', WORKFLOW_ENV_A: 'a' } }, pyRunner: { environment: { WF_SECRETS_PREFIX: '/elsewhere' } } });
    const s = { stack, app, template: Template.fromStack(stack) };
    expect(environment(s, app.stageRunner)).toMatchObject({ WF_SECRETS_PREFIX: '/Override/secrets', WORKFLOW_ENV_A: 'a' });
    expect(environment(s, app.pyRunner)).toEqual({ WF_SECRETS_PREFIX: '/Override/secrets', WF_RESULTS_BUCKET: JSON.parse(JSON.stringify(stack.resolve(app.resultsBucket.bucketName))) });
  });
});

describe('IAM for secret params', () => {
  it('lets the stage runner store, read, list by path and delete exactly the parameters below the prefix', () => {
    expect(ssmStatements(withSecrets, withSecrets.app.stageRunner.role)).toEqual([
      { actions: ['ssm:DeleteParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath', 'ssm:PutParameter'], resources: [parametersOf('wfsec')] },
    ]);
  });

  it('lets the Python runner only read them', () => {
    expect(ssmStatements(withSecrets, withSecrets.app.pyRunner.role)).toEqual([{ actions: ['ssm:GetParameter'], resources: [parametersOf('wfsec')] }]);
  });

  it('grants no KMS statement (the aws/ssm key) and nothing on other parameters', () => {
    const all = JSON.stringify(withSecrets.template.findResources('AWS::IAM::Policy'));
    expect(all).not.toContain('kms:');
    const ssmResources = [withSecrets.app.stageRunner.role, withSecrets.app.pyRunner.role].flatMap((r) => ssmStatements(withSecrets, r).flatMap((st) => st.resources));
    expect(new Set(ssmResources)).toEqual(new Set([parametersOf('wfsec')]));
  });

  it('grants nothing on Parameter Store to an app without secret params', () => {
    expect(JSON.stringify(withoutSecrets.template.findResources('AWS::IAM::Policy'))).not.toContain('ssm:');
    expect(secretPermissionsFor(false, 'arn:x')).toEqual({ stageRunner: [], pyRunner: [] });
  });
});

describe('template checks', () => {
  it('passes cdk-nag AwsSolutions: the parameter wildcard is suppressed with its reason, on both roles', () => {
    for (const s of [withSecrets, withoutSecrets]) {
      const errors = Annotations.fromStack(s.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors.map((e) => `${e.id}: ${String(e.entry.data).split('\n')[0]}`)).toEqual([]);
    }
    const reasons = withSecrets.stack.node
      .findAll()
      .filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::IAM::Policy')
      .flatMap((c) => ((c.getMetadata('cdk_nag') as { rules_to_suppress?: Array<{ id: string; reason: string; applies_to?: unknown[] }> } | undefined)?.rules_to_suppress ?? []).map((r) => ({ path: c.node.path, ...r })))
      .filter((r) => r.reason.startsWith('Secret params'));
    expect(reasons.map((r) => [r.path, r.id, r.applies_to])).toEqual([
      ['Secretive/Workflows/Runners/StageRunnerRole/DefaultPolicy/Resource', 'AwsSolutions-IAM5', ['Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/wfsec/secrets/*']],
      ['Secretive/Workflows/Runners/PyRunnerRole/DefaultPolicy/Resource', 'AwsSolutions-IAM5', ['Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/wfsec/secrets/*']],
    ]);
    const fired = Annotations.fromStack(withSecrets.stack)
      .findInfo('*', Match.stringLikeRegexp('CdkNagSuppression'))
      .filter((i) => /AwsSolutions-IAM5 was triggered/.test(String(i.entry.data)) && i.id.includes('/Runners/'))
      .map((i) => i.id);
    // Twice a role: the parameters below the secrets path, and wf-spill/ of the results bucket.
    expect(fired.sort()).toEqual(['/Secretive/Workflows/Runners/PyRunnerRole/DefaultPolicy/Resource', '/Secretive/Workflows/Runners/PyRunnerRole/DefaultPolicy/Resource', '/Secretive/Workflows/Runners/StageRunnerRole/DefaultPolicy/Resource', '/Secretive/Workflows/Runners/StageRunnerRole/DefaultPolicy/Resource']);
  });

  it("keeps every state machine clean under AWS's rules", async () => {
    expect(await scanTemplate(withSecrets.template.toJSON())).toEqual([]);
    expect(await scanTemplate(withoutSecrets.template.toJSON())).toEqual([]);
  });
});
