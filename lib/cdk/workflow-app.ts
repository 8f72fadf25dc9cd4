/**
 * Every workflow of a config directory on AWS, compiled at synth time: the shared runner Lambdas
 * and audit table, one {@link WorkflowStateMachine} per workflow (children before the workflows
 * that trigger them), ECS resources when some workflow has docker stages, a dead-letter queue when
 * some workflow has schedules, and outputs naming every state machine.
 *
 * The shared resources stay in the app's stack. The state machines go there too while the whole
 * fits in one stack; past that they go to nested stacks (see place-workflows.ts), which are passed
 * the shared resources they use as parameters and name machines of other stacks by their ARN.
 */
import { Annotations, ArnFormat, CfnOutput, CfnResource, Duration, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { WorkflowResultsBucket } from './workflow-results-bucket.ts';
import { Placeholders, RESULTS_BUCKET_ENV, SPILL_PREFIX } from '../protocol/index.ts';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { CompiledWorkflow } from '../compiler/index.ts';
import { namedSecret, type Workflow } from '../config/index.ts';
import { compileForDeploy, type DeployableWorkflow } from './compile-for-deploy.ts';
import { DockerTasks } from './docker-tasks.ts';
import { BYTES_PER_RESOURCE, placeWorkflows, type NestedStacksOption } from './place-workflows.ts';
import { RunnerFunctions, type RunnerOptions } from './runner-functions.ts';
import { alphanumericName, stateMachineName, stateMachineNamePattern } from './state-machine-name.ts';
import { suppressNag } from './suppress-nag.ts';
import { suppressRoleNag } from './suppress-role-nag.ts';
import { runnerPermissionsFor, secretPermissionsFor, secretsPrefixOf } from './permissions-for.ts';
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
  /** How many days S3 foreach results (per-item records) are kept in the results bucket. @default 30 */
  resultsRetentionDays?: number;
  /** The VPC docker stages run in. @default a new VPC with public subnets only and no NAT gateway */
  vpc?: ec2.IVpc;
  /** The subnets of `vpc` docker stages run in. @default its public subnets, else its private ones */
  vpcSubnets?: ec2.SubnetSelection;
  /** CPU units and memory (MiB) of docker stage tasks. @default 256 and 512 */
  dockerTask?: { cpu?: number; memoryLimitMiB?: number };
  /** The lock file the stage-runner bundle resolves packages against. @default the nearest above the working directory */
  depsLockFilePath?: string;
  /**
   * Where the state machines go: `'auto'` keeps them in this stack while everything fits in it and
   * otherwise uses the fewest nested stacks that each fit; a number uses that many nested stacks
   * (so that the placement never changes as workflows come and go); `'off'` keeps them in this
   * stack and fails the synth when they do not fit. @default 'auto'
   */
  nestedStacks?: NestedStacksOption;
}

/** One state machine to build: a workflow's, or a child machine of a split workflow. */
interface PlannedMachine {
  /** Its deployed name. */
  name: string;
  /** The construct id. */
  id: string;
  workflow: Workflow;
  compiled: CompiledWorkflow;
  /** For a child machine: the workflow's `compiled.children` entry name. */
  job?: string;
}

/** Every workflow of a config directory deployed as Step Functions state machines, with what they run on. */
export class WorkflowApp extends Construct {
  /** The stage-runner function: add statements to its role for `call` functions that use AWS. */
  readonly stageRunner: nodejs.NodejsFunction;
  /** The Python runner function. */
  readonly pyRunner: lambda.Function;
  /** The stage runner's version of this deploy, which the definitions invoke (retained after later deploys). */
  readonly stageRunnerVersion: lambda.Version;
  /** The Python runner's version of this deploy, which the definitions invoke (retained after later deploys). */
  readonly pyRunnerVersion: lambda.Version;
  /** The audit table. */
  readonly auditTable: dynamodb.Table;
  /** Each workflow's construct, by workflow name, children first. */
  readonly stateMachines: ReadonlyMap<string, WorkflowStateMachine>;
  /** The ECS resources, when some workflow has docker stages. */
  readonly docker?: DockerTasks;
  /** The results bucket: values too big for a run's state, and S3 foreach stages' per-item records. */
  readonly resultsBucket: s3.Bucket;
  /** The dead-letter queue of scheduled starts, when some workflow has schedules. */
  readonly deadLetterQueue?: sqs.Queue;
  /** The compiled workflows, in deployment order. */
  readonly compiled: readonly DeployableWorkflow[];
  /** The nested stacks holding the state machines, when they do not fit in this stack (else none). */
  readonly nestedStacks: readonly NestedStack[];

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

    const secretsPrefix = secretsPrefixOf(prefix);
    const runners = new RunnerFunctions(this, 'Runners', {
      secretsPrefix,
      ...(props.registry ? { registry: props.registry } : {}),
      ...(props.stageRunner ? { stageRunner: props.stageRunner } : {}),
      ...(props.pyRunner ? { pyRunner: props.pyRunner } : {}),
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
    });
    this.stageRunner = runners.stageRunner;
    this.pyRunner = runners.pyRunner;
    this.stageRunnerVersion = runners.stageRunnerVersion;
    this.pyRunnerVersion = runners.pyRunnerVersion;
    this.auditTable = new WorkflowAuditTable(this, 'Audit', {
      ...(props.deletionProtection !== undefined ? { deletionProtection: props.deletionProtection } : {}),
      ...(props.auditTableRemovalPolicy !== undefined ? { removalPolicy: props.auditTableRemovalPolicy } : {}),
    }).table;

    // Every app has a results bucket: values too big for a run's state go there (wf-spill/), and
    // S3 foreach stages write their records there (wf-foreach/).
    this.resultsBucket = new WorkflowResultsBucket(this, 'Results', { retentionDays: props.resultsRetentionDays ?? 30 }).bucket;
    for (const runner of [this.stageRunner, this.pyRunner]) {
      runner.addEnvironment(RESULTS_BUCKET_ENV, this.resultsBucket.bucketName);
      runner.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.resultsBucket.arnForObjects(`${SPILL_PREFIX}*`)] }));
      suppressRoleNag(runner.role as iam.Role, [
        {
          id: 'AwsSolutions-IAM5',
          reason: "Values too big for a run's state: the runner names each object it writes when it writes it (wf-spill/<uuid>.json), so it may read and write only below wf-spill/ of this app's results bucket.",
          appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/wf-spill\\/\\*$/' }],
        },
      ]);
    }
    if (workflows.some((w) => [w.compiled, ...w.compiled.children].some((c) => c.placeholders.includes(Placeholders.resultsBucket)))) {
      // The stage runner's tally reads the results the Distributed Maps wrote.
      this.stageRunner.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.resultsBucket.arnForObjects('wf-foreach/*')] }));
    }
    new CfnOutput(this, 'ResultsBucketName', { value: this.resultsBucket.bucketName, description: 'The results bucket: values too big for a run\'s state (wf-spill/) and S3 foreach records (wf-foreach/<workflow>/<run>/<stage>/)' }).overrideLogicalId('ResultsBucketName');
    if (workflows.some((w) => w.compiled.dockerTasks.length)) {
      this.docker = new DockerTasks(this, 'Docker', {
        namePrefix: prefix,
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

    const planned = planMachines(workflows, prefix);
    const stack = Stack.of(this);
    const inStack = stack.node.findAll().filter((c) => c instanceof CfnResource && Stack.of(c) === stack).length;
    const placement = placeWorkflows(
      planned.map((m) => ({
        name: m.name,
        workflow: m.workflow.name,
        footprint: {
          ...WorkflowStateMachine.footprint(m.compiled, { schedules: m.job ? 0 : m.workflow.on.schedules.length, ...(props.logging ? { logging: props.logging } : {}) }),
          outputs: m.job ? 0 : 1,
        },
      })),
      { bytes: inStack * BYTES_PER_RESOURCE, resources: inStack, outputs: 3 },
      props.nestedStacks,
    );
    this.nestedStacks = Array.from(
      { length: placement.nestedStacks },
      (_, i) => new NestedStack(this, `WorkflowGroup${i + 1}`, { description: `sfn-workflow: state machines of ${stack.stackName}, group ${i + 1}` }),
    );
    if (placement.nestedStacks) {
      Annotations.of(this).addInfo(
        `${planned.length} state machines placed in ${placement.nestedStacks} nested stacks (nestedStacks: ${String(props.nestedStacks ?? 'auto')}); a deploy that changes their number moves some machines to another nested stack, see docs/deploy.md "Large apps"`,
      );
    }
    const scopeOf = (name: string): Construct => {
      const index = placement.stackOf.get(name) ?? 0;
      return index === 0 ? this : this.nestedStacks[index - 1]!;
    };

    const machines = new Map<string, WorkflowStateMachine>();
    const children = new Map<string, Map<string, WorkflowStateMachine>>();
    const outputs: Record<string, string> = {};
    const keys = new Set<string>();
    for (const m of planned) {
      let own = children.get(m.workflow.name);
      if (!own) children.set(m.workflow.name, (own = new Map(m.compiled.triggers.map((child) => [child, machines.get(child)!]))));
      const scope = scopeOf(m.name);
      const machine = new WorkflowStateMachine(scope, m.id, {
        // A split workflow's child machines run its jobs (or a batched foreach): no schedule of their own.
        workflow: m.job ? { ...m.workflow, on: { schedules: [], manual: false } } : m.workflow,
        compiled: m.compiled,
        stateMachineName: m.name,
        stageRunner: this.stageRunnerVersion,
        pyRunner: this.pyRunnerVersion,
        auditTable: this.auditTable,
        ...(this.resultsBucket ? { resultsBucket: this.resultsBucket } : {}),
        children: new Map(own),
        ...(this.docker ? { docker: this.docker } : {}),
        ...(this.deadLetterQueue && !m.job ? { deadLetterQueue: this.deadLetterQueue } : {}),
        ...(props.logging ? { logging: props.logging } : {}),
        ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      });
      if (m.job) {
        own.set(m.job, machine);
        continue;
      }
      machines.set(m.workflow.name, machine);
      outputs[m.workflow.name] = machine.arnFor(this);
      let key = `StateMachine${alphanumericName(m.workflow.name)}`;
      for (let n = 2; keys.has(key); n++) key = `StateMachine${alphanumericName(m.workflow.name)}${n}`;
      keys.add(key);
      new CfnOutput(scope, key, { value: machine.stateMachine.stateMachineArn, description: m.workflow.name }).overrideLogicalId(key);
    }
    this.stateMachines = machines;
    this.grantCoordination(workflows, prefix);
    this.grantSecrets(workflows, secretsPrefix);
    new CfnOutput(this, 'WorkflowStateMachines', {
      value: stack.toJsonString(outputs),
      description: 'State machine ARN of every workflow, by workflow name (JSON)',
    }).overrideLogicalId('WorkflowStateMachines');
    new CfnOutput(this, 'AuditTableName', { value: this.auditTable.tableName, description: 'The DynamoDB audit table' }).overrideLogicalId('AuditTableName');
    new CfnOutput(this, 'SecretsPrefix', {
      value: secretsPrefix,
      description: 'The Parameter Store path of secret params (<prefix>/<run id>/<param>, SecureString)',
    }).overrideLogicalId('SecretsPrefix');
  }

  /**
   * What the runners need for secret params (secretPermissionsFor), when some workflow has one:
   * the stage runner stores, reads and deletes the parameters under the app's secrets prefix, the
   * Python runner reads them. Nothing for an app without secret params.
   */
  private grantSecrets(workflows: readonly DeployableWorkflow[], secretsPrefix: string): void {
    const hasSecrets = workflows.some((w) => Object.values(w.workflow.params).some((p) => p.secret));
    const parameters = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${secretsPrefix.slice(1)}/*` });
    const named = workflows.flatMap((w) => Object.values(w.workflow.params).map(namedSecret).filter((n): n is string => n !== undefined));
    const namedArns = named.map((n) => Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: n.replace(/^\//, '') }));
    const grants = secretPermissionsFor(hasSecrets, parameters, namedArns);
    for (const [fn, statements] of [[this.stageRunner, grants.stageRunner], [this.pyRunner, grants.pyRunner]] as const) {
      if (!statements.length) continue;
      for (const p of statements) fn.addToRolePolicy(new iam.PolicyStatement({ actions: p.actions, resources: p.resources }));
      suppressRoleNag(fn.role as iam.Role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Secret params: each run's secrets are SecureString parameters named when the run starts (<secrets prefix>/<run id>/<param>), so the runners may act only below this app's secrets path, on no other parameter.",
          appliesTo: [`Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${secretsPrefix}/*`],
        },
      ]);
    }
  }

  /**
   * What the stage runner needs for wait stages and concurrency groups (runnerPermissionsFor):
   * the audit table, and the executions of this app's machines (a group may span workflows). The
   * executions are named by one pattern, the machine names' common start (`<prefix>-*`), so the
   * policy stays the same size however many workflows the app has.
   */
  private grantCoordination(workflows: readonly DeployableWorkflow[], prefix: string): void {
    const stack = Stack.of(this);
    const definitions = workflows.flatMap((w) => [w.compiled.definition, ...w.compiled.children.map((c) => c.definition)]);
    const executions = [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineNamePattern(prefix)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })];
    const statements = runnerPermissionsFor(definitions, { table: this.auditTable.tableArn, executions });
    for (const p of statements) this.stageRunner.addToRolePolicy(new iam.PolicyStatement({ actions: p.actions, resources: p.resources }));
    if (!statements.length) return;
    suppressRoleNag(this.stageRunner.role as iam.Role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Coordination (wait stages, concurrency groups): SendTaskSuccess/SendTaskFailure cannot be scoped for task tokens of service integrations ("*"); the executions a group\'s holders may run in are named when they start, in any machine of this app (execution:<app prefix>-*:*).',
        appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:[A-Za-z0-9_-]+\\*:\\*$/' }],
      },
    ]);
  }
}

/**
 * Every state machine to build, in order (a split workflow's child machines, then its own machine;
 * the workflows each after those they trigger), with their names. Two machines that would share a
 * name stop the synth.
 */
function planMachines(workflows: readonly DeployableWorkflow[], prefix: string): PlannedMachine[] {
  const names = new Map<string, string>();
  const planned: PlannedMachine[] = [];
  for (const { workflow, compiled } of workflows) {
    const name = stateMachineName(prefix, workflow.name);
    const clash = names.get(name);
    if (clash) throw new Error(`workflows "${clash}" and "${workflow.name}" would both deploy as state machine "${name}"; rename one`);
    names.set(name, workflow.name);
    for (const job of compiled.children) {
      const jobName = stateMachineName(prefix, job.name);
      if (names.has(jobName)) throw new Error(`state machine name "${jobName}" of a child machine of workflow "${workflow.name}" (a job, or a batched foreach) is taken; rename the job`);
      names.set(jobName, job.name);
      planned.push({
        name: jobName,
        id: `Job-${job.name}`,
        workflow,
        compiled: { ...compiled, definition: job.definition, json: job.json, pretty: job.pretty, states: job.states, diagnostics: job.diagnostics, placeholders: job.placeholders, children: [] },
        job: job.name,
      });
    }
    planned.push({ name, id: `Workflow-${workflow.name}`, workflow, compiled });
  }
  return planned;
}
