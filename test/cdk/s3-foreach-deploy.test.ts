/**
 * S3 foreach stages deployed: the results bucket (encrypted, private, TLS only, expiring), the
 * `${ResultsBucket}` substitution, and a role that allows exactly what the stages use: starting
 * and following the machine's own child executions, listing each bucket only under the declared
 * prefix, reading only the declared manifest (a templated bucket: only a choice param's options),
 * writing results only under the workflow's folder; the stage runner reads the results. The
 * template passes AWS's rules; a bucket the workflow does not bound stops the synth. Values too
 * big for the state: both runners are told the bucket and may read and write only `wf-spill/` in
 * it; a workflow whose foreach list may come back spilled reads only `wf-spill/` besides its results.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowApp } from '../../lib/cdk/index.ts';
import { scanTemplate } from '../helpers/aws-rules.ts';
import { isServiceStatement, resourcesOf, roleStatements, stateMachine } from './synth-helpers.ts';

const CONF = `
lake:
  type: Workflow
  params:
    day: {type: str, default: "2024-01-01"}
    source: {type: choice, options: [lists-a, lists-b]}
  jobs:
    scan:
      stages:
        - name: Each object
          foreach: {s3: {bucket: raw-data, prefix: "in/\${{ params.day }}/"}}
          stages: [{name: show, bash: 'echo "\${{ item.key }}"'}]
        - name: Each record
          foreach: {s3: {bucket: "\${{ params.source }}", key: manifests/today.jsonl}}
          tolerated-failure: 5%
          batch: 100
          stages: [{name: say, echo: "\${{ item.id }}"}]
plain:
  type: Workflow
  jobs: {only: {stages: [{name: say, echo: hi}]}}
spill:
  type: Workflow
  jobs:
    work:
      stages:
        - {name: list, id: list, run: 'ids = list(range(100000))'}
        - name: Each id
          foreach: \${{ stages.list.outputs.ids }}
          stages: [{name: say, echo: "\${{ item }}"}]
`;

let stack: Stack;
let app: WorkflowApp;
let template: Template;
let outdir: string;

beforeAll(() => {
  const conf = mkdtempSync(join(tmpdir(), 'wf-s3-cdk-'));
  writeFileSync(join(conf, 'wf.yml'), CONF);
  outdir = mkdtempSync(join(tmpdir(), 'wf-s3-cdk-out-'));
  const cdkApp = new App({ outdir });
  stack = new Stack(cdkApp, 'L');
  app = new WorkflowApp(stack, 'Workflows', { conf, resultsRetentionDays: 7 });
  template = Template.fromStack(stack);
  cdkApp.synth();
});

const resolved = (v: unknown): string => JSON.stringify(stack.resolve(v));

describe('S3 foreach, deployed', () => {
  it('makes one encrypted, private, expiring results bucket and substitutes it', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    const subs = stateMachine(template, 'L-lake').props.DefinitionSubstitutions as Record<string, unknown>;
    expect(JSON.stringify(subs.ResultsBucket)).toBe(resolved(app.resultsBucket!.bucketName));
    expect(stateMachine(template, 'L-plain').props.DefinitionSubstitutions ?? {}).not.toHaveProperty('ResultsBucket');
    expect(JSON.stringify((stateMachine(template, 'L-spill').props.DefinitionSubstitutions as Record<string, unknown>).ResultsBucket)).toBe(resolved(app.resultsBucket.bucketName));
  });

  it('grants the machine exactly its child executions, the declared buckets and prefixes, and its results folder', () => {
    const { props } = stateMachine(template, 'L-lake');
    const roleId = (props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const s3Statements = roleStatements(template, roleId)
      .filter((s) => !isServiceStatement(s))
      .filter((s) => JSON.stringify(s.Action).includes('s3:') || JSON.stringify(s.Action).includes('states:'));
    const text = JSON.stringify(stack.resolve(s3Statements));
    const results = resolved(app.resultsBucket!.bucketArn);
    const byAction = (a: string): Record<string, unknown> => s3Statements.find((s) => JSON.stringify(s.Action) === JSON.stringify(a) || (Array.isArray(s.Action) && (s.Action as string[]).join() === a))!;
    expect(JSON.stringify(byAction('states:StartExecution').Resource)).toContain(':stateMachine:L-lake"');
    expect(JSON.stringify(byAction('states:DescribeExecution,states:StopExecution').Resource)).toContain(':execution:L-lake/*"');
    expect(byAction('s3:ListBucket').Condition).toEqual({ StringLike: { 's3:prefix': ['in/*'] } });
    expect(JSON.stringify(byAction('s3:ListBucket').Resource)).toContain(':s3:::raw-data"');
    const reads = JSON.stringify(byAction('s3:GetObject').Resource);
    expect(reads).toContain(':s3:::lists-a/manifests/today.jsonl"');
    expect(reads).toContain(':s3:::lists-b/manifests/today.jsonl"');
    const writes = byAction('s3:AbortMultipartUpload,s3:GetObject,s3:ListMultipartUploadParts,s3:PutObject');
    expect(JSON.stringify(writes.Resource)).toContain('/wf-foreach/lake/*');
    expect(JSON.stringify(writes.Resource)).toContain(results.slice(1, -1).split('"')[0]!);
    // Nothing broader: no bucket-wide object access, no other bucket, no "*".
    expect(text).not.toMatch(/"Resource":"\*"/);
    expect(text).not.toContain('raw-data/');
    expect(s3Statements).toHaveLength(5);
    // The plain workflow's role gets none of it.
    const plainRole = (stateMachine(template, 'L-plain').props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(JSON.stringify(roleStatements(template, plainRole))).not.toMatch(/s3:|states:StartExecution/);
  });

  it('tells both runners the bucket, and lets them read and write only wf-spill/ in it', () => {
    const bucketName = resolved(app.resultsBucket.bucketName);
    for (const fn of [app.stageRunner, app.pyRunner]) {
      const props = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find((r) => JSON.stringify(r.Properties).includes(JSON.stringify(stack.resolve(fn.role!.roleArn))))!.Properties as { Environment: { Variables: Record<string, unknown> } };
      expect(JSON.stringify(props.Environment.Variables.WF_RESULTS_BUCKET)).toBe(bucketName);
      const roleId = (stack.resolve(fn.role!.roleArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const spills = roleStatements(template, roleId).filter((st) => JSON.stringify(st.Resource).includes('wf-spill'));
      expect(spills.map((st) => st.Action)).toEqual([['s3:GetObject', 's3:PutObject']]);
      expect(JSON.stringify(stack.resolve(spills[0]!.Resource))).toMatch(/\/wf-spill\/\*"\]\]\}$/);
    }
  });

  it('lets a machine whose foreach list may be spilled read wf-spill/ and run its own children, and no more', () => {
    const roleId = (stateMachine(template, 'L-spill').props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = roleStatements(template, roleId)
      .filter((st) => !isServiceStatement(st))
      .filter((st) => JSON.stringify(st.Action).includes('s3:') || JSON.stringify(st.Action).includes('states:'));
    const shown = statements.map((st) => [st.Action, JSON.stringify(stack.resolve(st.Resource))] as const);
    expect(shown.find(([a]) => a === 's3:GetObject')?.[1]).toMatch(/\/wf-spill\/\*"\]\]\}$/);
    expect(shown.find(([a]) => a === 'states:StartExecution')?.[1]).toContain(':stateMachine:L-spill"');
    expect(shown.find(([a]) => Array.isArray(a) && a.includes('s3:PutObject'))?.[1]).toContain('/wf-foreach/spill/*');
    expect(statements).toHaveLength(4);
    expect(JSON.stringify(stack.resolve(statements))).not.toContain('s3:ListBucket');
  });

  it('lets the stage runner read the results (its tally)', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).map((p) => JSON.stringify(stack.resolve(p.Properties.PolicyDocument)));
    expect(policies.some((p) => p.includes('"s3:GetObject"') && p.includes('/wf-foreach/*'))).toBe(true);
  });

  it('passes AWS\'s rules', async () => {
    const findings: string[] = [];
    for (const f of readdirSync(outdir).filter((n) => n.endsWith('.template.json'))) findings.push(...(await scanTemplate(JSON.parse(readFileSync(join(outdir, f), 'utf8')) as never)));
    expect(findings).toEqual([]);
  });

  it('stops the synth of a bucket the workflow does not bound', () => {
    const conf = mkdtempSync(join(tmpdir(), 'wf-s3-cdk-free-'));
    writeFileSync(join(conf, 'wf.yml'), CONF.replace('{type: choice, options: [lists-a, lists-b]}', 'str'));
    expect(() => new WorkflowApp(new Stack(new App({ outdir: mkdtempSync(join(tmpdir(), 'wf-s3-cdk-o-')) }), 'F'), 'Workflows', { conf })).toThrow(/bucket "\$\{\{ params\.source \}\}" is a template the workflow does not bound.*choice param/);
  });
});
