/** WorkflowApp's options, what is left out when no workflow needs it, and synth failures. */
import { App, Aspects, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { WorkflowApp, type WorkflowAppProps } from '../../lib/cdk/index.ts';
import { loadWorkflows, type Workflow } from '../../lib/config/index.ts';
import { formatDiagnostics } from '../../lib/diagnostics/index.ts';
import { definitionStatements, resourcesOf, stateMachine } from './synth-helpers.ts';

const CONF = 'test/cdk/fixtures/conf';

function only(...names: string[]): Map<string, Workflow> {
  const all = loadWorkflows({ conf: CONF }).workflows;
  return new Map(names.map((n) => [n, all.get(n)!]));
}

function synth(props: (stack: Stack) => WorkflowAppProps): { stack: Stack; app: WorkflowApp; template: Template } {
  const root = new App();
  const stack = new Stack(root, 'Options');
  const app = new WorkflowApp(stack, 'Workflows', props(stack));
  Aspects.of(root).add(new AwsSolutionsChecks({ reports: false }));
  return { stack, app, template: Template.fromStack(stack) };
}

describe('WorkflowApp options', () => {
  it('runs docker stages in a given VPC, logs ALL, traces, and takes the runner and table settings', () => {
    let vpc!: ec2.Vpc;
    const { stack, app, template } = synth((s) => {
      vpc = new ec2.Vpc(s, 'UserVpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      NagSuppressions.addResourceSuppressions(vpc, [{ id: 'AwsSolutions-VPC7', reason: 'A test VPC that never carries traffic; flow logs would record nothing.' }]);
      return {
        workflows: only('container', 'quick'),
        vpc,
        namePrefix: 'wf',
        logging: 'ALL',
        tracing: true,
        deletionProtection: false,
        auditTableRemovalPolicy: RemovalPolicy.DESTROY,
        stageRunner: { memorySize: 2048, timeout: Duration.minutes(5), environment: { WORKFLOW_ENV_STAGE: 'prod' } },
        pyRunner: { memorySize: 512 },
        dockerTask: { cpu: 512, memoryLimitMiB: 1024 },
      };
    });

    const container = stateMachine(template, 'wf-container').props;
    const subs = container.DefinitionSubstitutions as Record<string, unknown>;
    expect(subs.EcsAssignPublicIp).toBe('DISABLED');
    expect(subs.EcsSubnet).toEqual(stack.resolve(vpc.isolatedSubnets[0]!.subnetId));
    template.resourceCountIs('AWS::EC2::VPC', 1);
    expect(container.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(container.TracingConfiguration).toEqual({ Enabled: true });
    expect(stateMachine(template, 'wf-quick').props.StateMachineType).toBe('EXPRESS');

    const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((f) => f.Properties);
    const node = fns.find((f) => f.Runtime === 'nodejs22.x')!;
    expect(node).toMatchObject({ MemorySize: 2048, Timeout: 300, TracingConfig: { Mode: 'Active' } });
    expect((node.Environment as { Variables: Record<string, string> }).Variables.WORKFLOW_ENV_STAGE).toBe('prod');
    expect(fns.find((f) => f.Runtime === 'python3.12')).toMatchObject({ MemorySize: 512, Timeout: 900 });

    const table = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
    expect(app.docker?.vpc).toBe(vpc);

    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')).map((e) => e.id)).toEqual([]);
    const machineMetadata = JSON.stringify(stack.resolve((app.stateMachines.get('container')!.stateMachine.node.defaultChild as CfnResource).getMetadata('cdk_nag') ?? null));
    expect(machineMetadata).not.toContain('AwsSolutions-SF1');
    expect(machineMetadata).not.toContain('AwsSolutions-SF2');
  });

  it('creates no ECS, network, scheduler or queue resources when no workflow has docker stages or schedules, and no log group with logging OFF', () => {
    const { template } = synth(() => ({ workflows: only('quick'), logging: 'OFF' }));
    expect(stateMachine(template, 'Options-quick').props.LoggingConfiguration).toBeUndefined();
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::TaskDefinition', 'AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', 'AWS::Scheduler::Schedule', 'AWS::SQS::Queue']) {
      template.resourceCountIs(type, 0);
    }
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });
});

describe('split workflows', () => {
  it('deploys one machine per job first, and the workflow machine may start exactly those', () => {
    const { template } = synth(() => ({ workflows: only('nightly', 'publish'), registry: ['test/cdk/fixtures/registry/count.ts'], split: 'jobs' }));
    const jobs = Object.keys(only('nightly').get('nightly')!.jobs);
    const parent = stateMachine(template, 'Options-nightly');
    const subs = parent.props.DefinitionSubstitutions as Record<string, unknown>;
    for (const job of jobs) {
      const child = stateMachine(template, `Options-nightly__${job}`);
      const key = Object.keys(subs).find((k) => k.endsWith(job.replace(/_/g, '__').replace(/-/g, '_0')) && k.startsWith('StateMachine_nightly'));
      expect(key, job).toBeDefined();
      expect(subs[key!]).toEqual({ Ref: child.id });
      // a job machine has no schedule of its own
      expect(child.props.DefinitionString).toBeDefined();
    }
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((r) => JSON.stringify(r.Properties.Target));
    expect(schedules.every((t) => t.includes(parent.id))).toBe(true);
  });
});

describe('batched foreach', () => {
  it('deploys the chunk machine first, and the workflow machine may start exactly it', () => {
    const { workflows } = loadWorkflows({ conf: 'test/fixtures/batched-foreach' });
    const { template } = synth(() => ({ workflows }));
    const parent = stateMachine(template, 'Options-fan');
    const chunk = stateMachine(template, 'Options-fan__work__batch1');
    expect((parent.props.DefinitionSubstitutions as Record<string, unknown>).StateMachine_fan____work____batch1).toEqual({ Ref: chunk.id });
    const starts = definitionStatements(template, parent.props).find((s) => s.actions.join() === 'states:StartExecution');
    expect(starts?.resources).toEqual([JSON.stringify({ Ref: chunk.id })]);
    // The chunk machine runs the items' stages: it invokes the stage runner, and starts nothing.
    const own = definitionStatements(template, chunk.props);
    expect(own.some((s) => s.actions.includes('lambda:InvokeFunction'))).toBe(true);
    expect(own.some((s) => s.actions.some((a) => a.startsWith('states:')))).toBe(false);
  });
});

describe('synth failures', () => {
  it('fails with the same file:line:col diagnostics as wf validate for an inexpressible cron', () => {
    const loaded = loadWorkflows({ conf: 'test/cdk/fixtures/bad-cron' });
    const expected = formatDiagnostics(loaded.diagnostics, { sources: loaded.sources });
    expect(expected).toMatch(/^test\/cdk\/fixtures\/bad-cron\/report\.yml:4:13: error WF2010: cron "30 6 1-15 \* MON-FRI" cannot be scheduled: /);
    const stack = new Stack(new App(), 'Bad');
    expect(() => new WorkflowApp(stack, 'Workflows', { conf: 'test/cdk/fixtures/bad-cron' })).toThrow(expected);
  });

  it('fails naming a registry module that does not exist', () => {
    const stack = new Stack(new App(), 'BadRegistry');
    expect(() => new WorkflowApp(stack, 'Workflows', { workflows: only('quick'), registry: ['test/cdk/fixtures/registry/missing.ts'] })).toThrow(
      'registry module "test/cdk/fixtures/registry/missing.ts" not found',
    );
  });
});

describe('the example conf', () => {
  it('deploys every example workflow with the example registry', () => {
    const { template } = synth(() => ({ conf: 'conf', registry: ['conf/registry/tasks.ts'] }));
    const names = [...loadWorkflows({ conf: 'conf' }).workflows.keys()];
    expect(Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine')).map((m) => m.Properties.StateMachineName).sort()).toEqual(names.map((n) => `Options-${n}`).sort());
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).filter((k) => k.startsWith('StateMachine'))).toHaveLength(names.length);
  });
});
