/**
 * The deployment of a conf dir that uses every construct (bash, py, call with a registry module,
 * trigger, foreach, docker, schedules in both `on` forms with time zones, an Express workflow),
 * synthesized once with the cdk-nag AwsSolutions pack applied.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionsFor, SCHEDULE_INPUT, WorkflowApp } from '../../lib/cdk/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { loadWorkflows } from '../../lib/config/index.ts';
import { definitionStatements, normalise, resourcesOf, stateMachine } from './synth-helpers.ts';

const CONF = 'test/cdk/fixtures/conf';
const REGISTRY = 'test/cdk/fixtures/registry/count.ts';
const WORKFLOWS = ['container', 'nightly', 'publish', 'quick'];
const OUR_PLACEHOLDER = /\$\{(StageRunnerFunctionArn|PyRunnerFunctionArn|AuditTableName|EcsClusterArn|EcsSubnet|EcsSecurityGroup|EcsAssignPublicIp|StateMachine_\w+|TaskDefinition_\w+)\}/g;

let app: App;
let stack: Stack;
let workflows: WorkflowApp;
let template: Template;

beforeAll(() => {
  app = new App();
  stack = new Stack(app, 'Test');
  workflows = new WorkflowApp(stack, 'Workflows', { conf: CONF, registry: [REGISTRY] });
  Aspects.of(app).add(new AwsSolutionsChecks({ logIgnores: true, reports: false }));
  template = Template.fromStack(stack);
});

const machine = (workflow: string) => stateMachine(template, `Test-${workflow}`);
/** The IAM resource that covers every published version of a function: `arn:…:function:<name>:*`. */
const everyVersionOf = (fn: { functionName: string }) =>
  JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:', stack.resolve(fn.functionName), ':*']] });
const arnOf = (construct: { stateMachine: { stateMachineArn: string } } | undefined) => stack.resolve(construct!.stateMachine.stateMachineArn);

describe('state machines', () => {
  it('deploys one state machine per workflow, named <stack>-<workflow>, Standard or Express as declared', () => {
    const machines = resourcesOf(template, 'AWS::StepFunctions::StateMachine');
    expect(Object.values(machines).map((m) => m.Properties.StateMachineName).sort()).toEqual(WORKFLOWS.map((w) => `Test-${w}`));
    expect(machine('quick').props.StateMachineType).toBe('EXPRESS');
    expect(JSON.parse(machine('quick').props.DefinitionString as string).TimeoutSeconds).toBe(60);
    expect(JSON.parse(machine('nightly').props.DefinitionString as string).TimeoutSeconds).toBe(3600);
    for (const w of ['container', 'nightly', 'publish']) expect(machine(w).props.StateMachineType).toBe('STANDARD');
  });

  it('deploys the definition wf compile prints, byte for byte, with the placeholders left to the substitutions', () => {
    const loaded = loadWorkflows({ conf: CONF });
    for (const name of WORKFLOWS) {
      const compiled = compileWorkflow(loaded.workflows.get(name)!, { workflows: loaded.workflows });
      const { props } = machine(name);
      expect(props.DefinitionString).toBe(compiled.json);
      expect(Object.keys(props.DefinitionSubstitutions as object).sort()).toEqual(compiled.placeholders);
    }
  });

  it('fills every placeholder the definition uses; the filled definition is valid JSON', () => {
    for (const name of WORKFLOWS) {
      const { props } = machine(name);
      const subs = props.DefinitionSubstitutions as Record<string, unknown>;
      const text = props.DefinitionString as string;
      const used = [...text.matchAll(OUR_PLACEHOLDER)].map((m) => m[1]!);
      expect(used.length).toBeGreaterThan(0);
      for (const p of used) expect(subs[p], `${name}: \${${p}}`).toBeDefined();
      const filled = text.replace(OUR_PLACEHOLDER, (_, p: string) => `filled-${p}`);
      expect(filled).not.toMatch(OUR_PLACEHOLDER);
      expect(() => JSON.parse(filled)).not.toThrow();
    }
  });

  it("substitutes the runners' published versions, the table, child machines and ECS resources", () => {
    const nightly = machine('nightly').props.DefinitionSubstitutions as Record<string, unknown>;
    expect(nightly.StageRunnerFunctionArn).toEqual(stack.resolve(workflows.stageRunnerVersion.functionArn));
    expect(nightly.PyRunnerFunctionArn).toEqual(stack.resolve(workflows.pyRunnerVersion.functionArn));
    expect(nightly.AuditTableName).toEqual(stack.resolve(workflows.auditTable.tableName));
    expect(nightly.StateMachine_publish).toEqual(arnOf(workflows.stateMachines.get('publish')));

    const container = machine('container').props.DefinitionSubstitutions as Record<string, unknown>;
    const docker = workflows.docker!;
    expect(container.EcsClusterArn).toEqual(stack.resolve(docker.cluster.clusterArn));
    expect(container.EcsSubnet).toEqual(stack.resolve(docker.vpc.publicSubnets[0]!.subnetId));
    expect(container.EcsSecurityGroup).toEqual(stack.resolve(docker.securityGroup.securityGroupId));
    expect(container.EcsAssignPublicIp).toBe('ENABLED');
    const def = workflows.stateMachines.get('container')!.taskDefinitions.get('TaskDefinition_container_run_In_a_container')!;
    expect(container.TaskDefinition_container_run_In_a_container).toEqual(stack.resolve(def.taskDefinitionArn));
  });

  it('creates a child before the workflow that triggers it', () => {
    const order = [...workflows.stateMachines.keys()];
    expect(order.indexOf('publish')).toBeLessThan(order.indexOf('nightly'));
  });

  it('logs errors without execution data to a log group per machine, tracing off', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const name of WORKFLOWS) {
      const { props } = machine(name);
      const config = props.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean; Destinations: Array<{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }> };
      expect(config.Level).toBe('ERROR');
      expect(config.IncludeExecutionData).toBe(false);
      const group = groups[config.Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]]!;
      expect(group.Properties.LogGroupName).toBe(`/aws/vendedlogs/states/Test-${name}`);
      expect(group.DeletionPolicy).toBe('Delete');
      expect(props.TracingConfiguration).toEqual({ Enabled: false });
    }
  });

  it('tags the state machine with the workflow tags', () => {
    expect(machine('nightly').props.Tags).toEqual([
      { Key: 'nightly', Value: 'true' },
      { Key: 'team', Value: 'data' },
    ]);
  });
});

describe('least privilege', () => {
  it("gives each machine's role exactly the statements permissionsFor derives from its deployed definition", () => {
    for (const name of WORKFLOWS) {
      const { props } = machine(name);
      const construct = workflows.stateMachines.get(name)!;
      const fromTemplateDefinition = permissionsFor(JSON.parse(props.DefinitionString as string), construct.resources);
      expect(definitionStatements(template, props), name).toEqual(normalise(stack.resolve(fromTemplateDefinition)));
    }
  });

  it('lets a machine invoke only the runners its definition calls (any published version of them), and write only the audit table', () => {
    const stage = everyVersionOf(workflows.stageRunner);
    const py = everyVersionOf(workflows.pyRunner);
    const table = JSON.stringify(stack.resolve(workflows.auditTable.tableArn));
    expect(definitionStatements(template, machine('quick').props)).toEqual([
      { actions: ['dynamodb:PutItem'], resources: [table] },
      { actions: ['lambda:InvokeFunction'], resources: [stage] },
    ]);
    const nightly = definitionStatements(template, machine('nightly').props);
    expect(nightly.find((s) => s.actions[0] === 'lambda:InvokeFunction')!.resources).toEqual([stage, py].sort());
  });

  it('lets a parent start only its child, follow the child executions, and use the .sync:2 managed rule', () => {
    const nightly = definitionStatements(template, machine('nightly').props);
    const child = JSON.stringify(arnOf(workflows.stateMachines.get('publish')));
    expect(nightly.find((s) => s.actions.join() === 'states:StartExecution')!.resources).toEqual([child]);
    expect(nightly.find((s) => s.actions.join() === 'states:DescribeExecution,states:StopExecution')!.resources[0]).toContain(':execution:Test-publish:*');
    expect(nightly.find((s) => s.actions.join() === 'events:DescribeRule,events:PutRule,events:PutTargets')!.resources[0]).toContain(':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
    for (const other of ['publish', 'quick', 'container']) {
      expect(definitionStatements(template, machine(other).props).some((s) => s.actions.some((a) => a.startsWith('states:')))).toBe(false);
    }
  });

  it('lets a docker workflow run only its task definition families (any revision), pass only their roles, and use the ECS managed rule', () => {
    const def = workflows.stateMachines.get('container')!.taskDefinitions.get('TaskDefinition_container_run_In_a_container')!;
    const statements = definitionStatements(template, machine('container').props);
    expect(def.family).toBe('Test-container_run_In_a_container');
    expect(statements.find((s) => s.actions.join() === 'ecs:RunTask')!.resources).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':task-definition/Test-container_run_In_a_container:*']] }),
    ]);
    expect(statements.find((s) => s.actions.join() === 'iam:PassRole')!.resources).toEqual(
      [JSON.stringify(stack.resolve(def.taskRole.roleArn)), JSON.stringify(stack.resolve(def.executionRole!.roleArn))].sort(),
    );
    expect(statements.find((s) => s.actions.join() === 'ecs:DescribeTasks,ecs:StopTask')!.resources[0]).toContain(':task/');
    expect(statements.find((s) => s.actions[0] === 'events:DescribeRule')!.resources[0]).toContain(':rule/StepFunctionsGetEventsForECSTaskRule');
  });
});

describe('runner functions', () => {
  it('deploys one stage runner (nodejs22.x, arm64) and one Python runner (python3.12, arm64), 1024 MB and 15 minutes', () => {
    const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((f) => f.Properties);
    expect(fns).toHaveLength(2);
    const node = fns.find((f) => f.Runtime === 'nodejs22.x')!;
    const python = fns.find((f) => f.Runtime === 'python3.12')!;
    expect(node).toMatchObject({ Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 1024, Timeout: 900 });
    expect(python).toMatchObject({ Architectures: ['arm64'], Handler: 'handler.handler', MemorySize: 1024, Timeout: 900 });
  });

  it('bundles the registry modules into the stage runner, which then runs a call stage', () => {
    const assets = readdirSync(app.outdir).filter((d) => d.startsWith('asset.'));
    const bundle = assets.map((d) => join(app.outdir, d, 'index.mjs')).filter((f) => existsSync(f));
    expect(bundle).toHaveLength(1);
    expect(assets.some((d) => existsSync(join(app.outdir, d, 'handler.py')))).toBe(true);
    const request = { action: 'stage', stage: { kind: 'call', name: 'Count', fields: { uses: 'fixtures/count@v1', with: { files: ['a', 'b', 'c'] } } }, ctx: {} };
    const script = 'const m = await import(process.argv[1]); process.stdout.write(JSON.stringify(await m.handler(JSON.parse(process.argv[2]))));';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(bundle[0]!).href, JSON.stringify(request)], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ status: 'SUCCESS', outputs: { files: 3 } });
  });
});

describe('audit table', () => {
  it('is on-demand with point-in-time recovery, deletion protection and the by-run index, and outlives the stack', () => {
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1);
    const table = tables[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      KeySchema: [
        { AttributeName: 'workflow', KeyType: 'HASH' },
        { AttributeName: 'release', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'by-run', KeySchema: [{ AttributeName: 'run_id', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
  });
});

describe('schedules', () => {
  const schedules = () => Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((s) => s.Properties);

  it('creates one schedule per `on` entry, converted to AWS cron in its own time zone', () => {
    expect(schedules().map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(0 9 ? * 2-6 *)', 'America/New_York'],
      ['cron(0/15 * * * ? *)', 'Asia/Bangkok'],
      ['cron(30 2 1 * ? *)', 'UTC'],
    ]);
  });

  it('starts the state machine with the scheduled time as the release and the release lock, retried, then dead-lettered', () => {
    const queue = JSON.stringify(stack.resolve(workflows.deadLetterQueue!.queueArn));
    expect(JSON.parse(SCHEDULE_INPUT)).toEqual({ release: { logical_date: '<aws.scheduler.scheduled-time>', type: 'normal' }, lock: true });
    for (const s of schedules()) {
      const target = s.Target as Record<string, unknown>;
      expect(s.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(target.Input).toBe(SCHEDULE_INPUT);
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
      expect(JSON.stringify((target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(queue);
    }
    const nightly = schedules().filter((s) => JSON.stringify((s.Target as { Arn: unknown }).Arn) === JSON.stringify(arnOf(workflows.stateMachines.get('nightly'))));
    expect(nightly).toHaveLength(2);
  });

  it("gives each workflow's schedules a role that may start that state machine only", () => {
    const construct = workflows.stateMachines.get('nightly')!;
    const roleId = stack.getLogicalId(construct.schedules!.role.node.defaultChild as CfnResource);
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    const statements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: never[] }).Statement);
    expect(normalise(statements)).toEqual(
      normalise([
        { Action: 'states:StartExecution', Resource: arnOf(construct), Effect: 'Allow' },
        { Action: 'sqs:SendMessage', Resource: stack.resolve(workflows.deadLetterQueue!.queueArn), Effect: 'Allow' },
      ]),
    );
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  });

  it('dead-letters into an encrypted queue that accepts TLS only', () => {
    const queues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    expect(queues[0]!.Properties.SqsManagedSseEnabled).toBe(true);
    const policy = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'))[0]!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });
});

describe('docker stages', () => {
  it('runs on a cluster with container insights, in a VPC without NAT gateways, behind a security group with no inbound rule', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    const groups = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('has a Fargate task definition per docker stage: container "stage", the image and tag, awslogs, 256 CPU / 512 MiB', () => {
    const defs = Object.values(resourcesOf(template, 'AWS::ECS::TaskDefinition'));
    expect(defs).toHaveLength(1);
    expect(defs[0]!.Properties).toMatchObject({ Cpu: '256', Memory: '512', RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc' });
    const [container] = defs[0]!.Properties.ContainerDefinitions as Array<Record<string, unknown>>;
    expect(container).toMatchObject({ Name: 'stage', Image: 'alpine:3.20', Essential: true, LogConfiguration: { LogDriver: 'awslogs' } });
  });
});

describe('outputs', () => {
  it('names every state machine ARN by workflow, one by one and as one JSON map', () => {
    const outputs = template.findOutputs('*') as Record<string, { Value: unknown; Description?: string }>;
    for (const [key, name] of [['StateMachineNightly', 'nightly'], ['StateMachinePublish', 'publish'], ['StateMachineQuick', 'quick'], ['StateMachineContainer', 'container']] as const) {
      expect(outputs[key]).toEqual({ Value: arnOf(workflows.stateMachines.get(name)), Description: name });
    }
    const map = JSON.stringify(outputs.WorkflowStateMachines!.Value);
    for (const name of WORKFLOWS) expect(map).toContain(`\\"${name}\\":\\"`);
    expect(outputs.AuditTableName!.Value).toEqual(stack.resolve(workflows.auditTable.tableName));
  });
});

describe('template checks', () => {
  it("passes CDK's CloudFormation schema validation without a violation", () => {
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ violations: Array<{ ruleName: string; description: string }> }> };
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${v.ruleName}: ${v.description}`))).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed error', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('has a reason for every suppression, and no suppression for a rule that does not fire', () => {
    const suppressed = new Set<string>();
    for (const c of stack.node.findAll()) {
      if (!(c instanceof CfnResource)) continue;
      const rules = (c.getMetadata('cdk_nag') as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined)?.rules_to_suppress ?? [];
      for (const r of rules) {
        expect(r.reason.length, `${c.node.path} ${r.id}`).toBeGreaterThan(40);
        suppressed.add(`/${c.node.path} ${r.id}`);
      }
    }
    const fired = new Set(
      Annotations.fromStack(stack)
        .findInfo('*', Match.stringLikeRegexp('CdkNagSuppression'))
        .map((i) => `${i.id} ${/(AwsSolutions-[A-Z0-9]+) was triggered/.exec(String(i.entry.data))?.[1]}`),
    );
    expect([...suppressed].filter((s) => !fired.has(s))).toEqual([]);
    expect(suppressed.size).toBeGreaterThan(0);
  });

  it('shows the workflow warnings as synth warnings with their file:line:col', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('WF2009'));
    expect(String(warnings[0]?.entry.data)).toMatch(/^test\/cdk\/fixtures\/conf\/nightly\.yml:8:53: warning WF2009/);
  });
});
