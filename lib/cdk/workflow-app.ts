/**
 * Every workflow of a config directory on AWS, compiled at synth time: the shared runner Lambdas
 * and audit table, one {@link WorkflowStateMachine} per workflow (children before the workflows
 * that trigger them), ECS resources when some workflow has docker stages, a dead-letter queue when
 * some workflow has schedules, and outputs naming every state machine.
 */
import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { Workflow } from '../config/index.ts';
import { compileForDeploy, type DeployableWorkflow } from './compile-for-deploy.ts';
import { DockerTasks } from './docker-tasks.ts';
import { RunnerFunctions, type RunnerOptions } from './runner-functions.ts';
import { alphanumericName, stateMachineName } from './state-machine-name.ts';
import { suppressNag } from './suppress-nag.ts';
import { defaultPolicyOf } from './default-policy-of.ts';
import { runnerPermissionsFor } from './permissions-for.ts';
import { WorkflowAuditTable } from './workflow-audit-table.ts';
import { WorkflowStateMachine, type WorkflowLogLevel } from './workflow-state-machine.ts';

/** Props of {@link WorkflowApp}. */
export interface WorkflowAppProps {
  /** The config directory to deploy every workflow of. @default WORKFLOW_CORE_CONF_PATH, else 'conf' */
  conf?: string;
  /** Workflows already loaded, by name (instead of `conf`). */
  workflows?: ReadonlyMap<string, Workflow>;
  /** Registry modules (`tag(...)` calls) bundled into the stage runner, relative to the working directory. @default none */
  registry?: readonly string[];
  /** Splitting workflows into one state machine per job: when one machine would pass its limits, always, or never. @default 'auto' */
  split?: 'auto' | 'jobs' | 'off';
  /** Prefix of state machine names: `<prefix>-<workflow>`. @default the stack's name */
  namePrefix?: string;
  /** State machine log level; execution data is never logged (params may be secret). @default 'ERROR' */
  logging?: WorkflowLogLevel;
  /** X-Ray tracing of state machines and runner functions. @default false */
  tracing?: boolean;
  /** How long logs are kept (state machines, functions, containers). @default RetentionDays.THREE_MONTHS */
  logRetention?: logs.RetentionDays;
  /** Protect the audit table from deletion. @default true */
  deletionProtection?: boolean;
  /** What happens to the audit table when it leaves the stack. @default RemovalPolicy.RETAIN */
  auditTableRemovalPolicy?: RemovalPolicy;
  /** The stage runner's memory, timeout and environment. @default 1024 MB, 15 minutes */
  stageRunner?: RunnerOptions;
  /** The Python runner's memory, timeout and environment. @default 1024 MB, 15 minutes */
  pyRunner?: RunnerOptions;
  /** The VPC docker stages run in. @default a new VPC with public subnets only and no NAT gateway */
  vpc?: ec2.IVpc;
  /** The subnets of `vpc` docker stages run in. @default its public subnets, else its private ones */
  vpcSubnets?: ec2.SubnetSelection;
  /** CPU units and memory (MiB) of docker stage tasks. @default 256 and 512 */
  dockerTask?: { cpu?: number; memoryLimitMiB?: number };
  /** The lock file the stage-runner bundle resolves packages against. @default the nearest above the working directory */
  depsLockFilePath?: string;
}

/** Every workflow of a config directory deployed as Step Functions state machines, with what they run on. */
export class WorkflowApp extends Construct {
  /** The stage-runner function: add statements to its role for `call` functions that use AWS. */
  readonly stageRunner: nodejs.NodejsFunction;
  /** The Python runner function. */
  readonly pyRunner: lambda.Function;
  /** The audit table. */
  readonly auditTable: dynamodb.Table;
  /** Each workflow's construct, by workflow name, children first. */
  readonly stateMachines: ReadonlyMap<string, WorkflowStateMachine>;
  /** The ECS resources, when some workflow has docker stages. */
  readonly docker?: DockerTasks;
  /** The dead-letter queue of scheduled starts, when some workflow has schedules. */
  readonly deadLetterQueue?: sqs.Queue;
  /** The compiled workflows, in deployment order. */
  readonly compiled: readonly DeployableWorkflow[];

  constructor(scope: Construct, id: string, props: WorkflowAppProps = {}) {
    super(scope, id);
    const { workflows, warnings } = compileForDeploy({
      ...(props.conf !== undefined ? { conf: props.conf } : {}),
      ...(props.workflows ? { workflows: props.workflows } : {}),
      ...(props.split ? { split: props.split } : {}),
    });
    this.compiled = workflows;
    for (const w of warnings) Annotations.of(this).addWarningV2(`sfn-workflow:${w.diagnostic.code}`, w.text);

    const prefix = props.namePrefix ?? Stack.of(this).stackName;
    if (Token.isUnresolved(prefix)) throw new Error('WorkflowApp: the stack name is not known at synth time; set namePrefix');

    const runners = new RunnerFunctions(this, 'Runners', {
      ...(props.registry ? { registry: props.registry } : {}),
      ...(props.stageRunner ? { stageRunner: props.stageRunner } : {}),
      ...(props.pyRunner ? { pyRunner: props.pyRunner } : {}),
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
    });
    this.stageRunner = runners.stageRunner;
    this.pyRunner = runners.pyRunner;
    this.auditTable = new WorkflowAuditTable(this, 'Audit', {
      ...(props.deletionProtection !== undefined ? { deletionProtection: props.deletionProtection } : {}),
      ...(props.auditTableRemovalPolicy !== undefined ? { removalPolicy: props.auditTableRemovalPolicy } : {}),
    }).table;

    const dockerTasks = workflows.flatMap((w) => w.compiled.dockerTasks);
    if (dockerTasks.length) {
      this.docker = new DockerTasks(this, 'Docker', {
        tasks: dockerTasks,
        ...(props.vpc ? { vpc: props.vpc } : {}),
        ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
        ...(props.dockerTask?.cpu !== undefined ? { cpu: props.dockerTask.cpu } : {}),
        ...(props.dockerTask?.memoryLimitMiB !== undefined ? { memoryLimitMiB: props.dockerTask.memoryLimitMiB } : {}),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      });
    }
    if (workflows.some((w) => w.workflow.on.schedules.length)) {
      this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      suppressNag(this.deadLetterQueue, [
        { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the EventBridge Scheduler schedules; it needs none of its own.' },
      ]);
    }

    const machines = new Map<string, WorkflowStateMachine>();
    const names = new Map<string, string>();
    const outputs: Record<string, string> = {};
    const keys = new Set<string>();
    for (const { workflow, compiled } of workflows) {
      const name = stateMachineName(prefix, workflow.name);
      const clash = names.get(name);
      if (clash) throw new Error(`workflows "${clash}" and "${workflow.name}" would both deploy as state machine "${name}"; rename one`);
      names.set(name, workflow.name);
      const children = new Map(compiled.triggers.map((child) => [child, machines.get(child)!]));
      // A split workflow: one machine per job, deployed first; the workflow's machine starts them.
      for (const job of compiled.children) {
        const jobName = stateMachineName(prefix, job.name);
        if (names.has(jobName)) throw new Error(`state machine name "${jobName}" of a child machine of workflow "${workflow.name}" (a job, or a batched foreach) is taken; rename the job`);
        names.set(jobName, job.name);
        const jobMachine = new WorkflowStateMachine(this, `Job-${job.name}`, {
          workflow: { ...workflow, on: { schedules: [], manual: false } },
          compiled: { ...compiled, definition: job.definition, json: job.json, pretty: job.pretty, states: job.states, diagnostics: job.diagnostics, placeholders: job.placeholders, children: [] },
          stateMachineName: jobName,
          stageRunner: this.stageRunner,
          pyRunner: this.pyRunner,
          auditTable: this.auditTable,
          children: new Map(children),
          ...(this.docker ? { docker: this.docker } : {}),
          ...(props.logging ? { logging: props.logging } : {}),
          ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
          ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
        });
        children.set(job.name, jobMachine);
      }
      const machine = new WorkflowStateMachine(this, `Workflow-${workflow.name}`, {
        workflow,
        compiled,
        stateMachineName: name,
        stageRunner: this.stageRunner,
        pyRunner: this.pyRunner,
        auditTable: this.auditTable,
        children,
        ...(this.docker ? { docker: this.docker } : {}),
        ...(this.deadLetterQueue ? { deadLetterQueue: this.deadLetterQueue } : {}),
        ...(props.logging ? { logging: props.logging } : {}),
        ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      });
      machines.set(workflow.name, machine);
      outputs[workflow.name] = machine.stateMachine.stateMachineArn;

      let key = `StateMachine${alphanumericName(workflow.name)}`;
      for (let n = 2; keys.has(key); n++) key = `StateMachine${alphanumericName(workflow.name)}${n}`;
      keys.add(key);
      new CfnOutput(this, key, { value: machine.stateMachine.stateMachineArn, description: workflow.name }).overrideLogicalId(key);
    }
    this.stateMachines = machines;
    this.grantCoordination(workflows, [...names.keys()]);
    new CfnOutput(this, 'WorkflowStateMachines', {
      value: Stack.of(this).toJsonString(outputs),
      description: 'State machine ARN of every workflow, by workflow name (JSON)',
    }).overrideLogicalId('WorkflowStateMachines');
    new CfnOutput(this, 'AuditTableName', { value: this.auditTable.tableName, description: 'The DynamoDB audit table' }).overrideLogicalId('AuditTableName');
  }

  /**
   * What the stage runner needs for wait stages and concurrency groups (runnerPermissionsFor):
   * the audit table, and the executions of this app's machines (a group may span workflows).
   */
  private grantCoordination(workflows: readonly DeployableWorkflow[], machineNames: readonly string[]): void {
    const stack = Stack.of(this);
    const definitions = workflows.flatMap((w) => [w.compiled.definition, ...w.compiled.children.map((c) => c.definition)]);
    const executions = machineNames.map((n) => stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${n}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const statements = runnerPermissionsFor(definitions, { table: this.auditTable.tableArn, executions });
    for (const p of statements) this.stageRunner.addToRolePolicy(new iam.PolicyStatement({ actions: p.actions, resources: p.resources }));
    const policy = statements.length ? defaultPolicyOf(this.stageRunner.role!) : undefined;
    if (policy) {
      suppressNag(policy, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Coordination (wait stages, concurrency groups): SendTaskSuccess/SendTaskFailure cannot be scoped for task tokens of service integrations ("*"); the executions a group\'s holders may run in are named when they start (execution:<machine>:*).',
          appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:[A-Za-z0-9_-]+:\\*$/' }],
        },
      ]);
    }
  }
}
