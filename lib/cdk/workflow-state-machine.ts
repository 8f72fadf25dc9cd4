/**
 * One workflow on AWS: its state machine (the compiled definition, unchanged, with the deployment
 * values filled in by `definitionSubstitutions`), a role that allows exactly what the definition
 * uses (see permissions-for.ts), a log group, its schedules, and the task definitions of its
 * docker stages.
 *
 * What a definition names stays there for the executions that started on it: it invokes published
 * versions of the runner functions (retained), and runs task definition revisions (retained); the
 * role may invoke every version of the runners and run every revision of its task families, so a
 * deploy does not take a permission away from an execution that is still running.
 */
import { ArnFormat, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stateMachinePlaceholder, type CompiledWorkflow } from '../compiler/index.ts';
import type { Workflow } from '../config/index.ts';
import { Placeholders, SPILL_REF_KEY } from '../protocol/index.ts';
import type { DockerTasks } from './docker-tasks.ts';
import { BYTES_PER_RESOURCE, type StackFootprint } from './place-workflows.ts';
import { permissionsFor, type DefinitionResources, type PermissionStatement } from './permissions-for.ts';
import { s3ForeachPermissions } from './s3-foreach-permissions.ts';
import { suppressNag, type NagSuppression } from './suppress-nag.ts';
import { suppressRoleNag } from './suppress-role-nag.ts';
import { WorkflowSchedules } from './workflow-schedules.ts';

/** How much a state machine logs: every event, errors only, fatal errors only, or nothing. */
export type WorkflowLogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

/** Props of {@link WorkflowStateMachine}. */
export interface WorkflowStateMachineProps {
  /** The workflow. */
  workflow: Workflow;
  /** Its compiled definition (`compileWorkflow`). */
  compiled: CompiledWorkflow;
  /** The state machine's name (see `stateMachineName`). */
  stateMachineName: string;
  /** The stage-runner version the definition invokes (`${StageRunnerFunctionArn}`). */
  stageRunner: lambda.IVersion;
  /** The Python runner version the definition invokes (`${PyRunnerFunctionArn}`). */
  pyRunner: lambda.IVersion;
  /** The audit table (`${AuditTableName}`). */
  auditTable: dynamodb.ITable;
  /** The bucket S3 foreach stages write their results to (`${ResultsBucket}`); required when the workflow has such stages. */
  resultsBucket?: s3.IBucket;
  /** The machines of the workflows this one triggers, by workflow name. @default none */
  children?: ReadonlyMap<string, WorkflowStateMachine>;
  /** The ECS resources, when the workflow has docker stages (its task definitions are made here). */
  docker?: DockerTasks;
  /** Where failed scheduled starts go; required when the workflow has schedules. */
  deadLetterQueue?: sqs.IQueue;
  /** Log level. Execution data (inputs and outputs, which may hold params) is never logged. @default 'ERROR' */
  logging?: WorkflowLogLevel;
  /** X-Ray tracing. @default false */
  tracing?: boolean;
  /** How long the machine's logs are kept. @default RetentionDays.THREE_MONTHS */
  logRetention?: logs.RetentionDays;
}

/** Template bytes allowed per placeholder: its substitution and its IAM resource. */
const BYTES_PER_PLACEHOLDER = 400;

const LOG_LEVELS: Record<WorkflowLogLevel, sfn.LogLevel> = {
  ALL: sfn.LogLevel.ALL,
  ERROR: sfn.LogLevel.ERROR,
  FATAL: sfn.LogLevel.FATAL,
  OFF: sfn.LogLevel.OFF,
};

/** A workflow's state machine with its least-privilege role, log group and schedules. */
export class WorkflowStateMachine extends Construct {
  /** The workflow's name. */
  readonly workflowName: string;
  /** The deployed state machine's name. */
  readonly stateMachineName: string;
  readonly stateMachine: sfn.StateMachine;
  /** The log group, unless logging is `OFF`. */
  readonly logGroup?: logs.LogGroup;
  /** The schedules, when the workflow has any. */
  readonly schedules?: WorkflowSchedules;
  /** The substitution of every placeholder in the definition. */
  readonly substitutions: Readonly<Record<string, string>>;
  /** What the placeholders stand for, as {@link permissionsFor} reads them. */
  readonly resources: DefinitionResources;
  /** The statements the role was given from the definition. */
  readonly permissions: readonly PermissionStatement[];
  /** The task definitions of the docker stages this machine runs, by placeholder name. */
  readonly taskDefinitions: ReadonlyMap<string, ecs.FargateTaskDefinition>;

  /**
   * What a machine of this compiled workflow adds to its template, estimated before it is built:
   * the resources it makes (state machine, role, policy, log group, schedules with their role and
   * policy, task definitions), and the definition's size as a JSON string plus an allowance per
   * resource and per placeholder. Outputs are the app's: none here.
   */
  static footprint(compiled: CompiledWorkflow, options: { schedules: number; logging?: WorkflowLogLevel }): StackFootprint {
    const tasks = new Set(compiled.dockerTasks.map((t) => t.placeholder).filter((p) => compiled.placeholders.includes(p))).size;
    const resources = 3 + ((options.logging ?? 'ERROR') === 'OFF' ? 0 : 1) + (options.schedules ? 2 + options.schedules : 0) + tasks;
    const bytes = Buffer.byteLength(JSON.stringify(compiled.json), 'utf8') + resources * BYTES_PER_RESOURCE + compiled.placeholders.length * BYTES_PER_PLACEHOLDER;
    return { bytes, resources, outputs: 0 };
  }

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { workflow, compiled } = props;
    const stack = Stack.of(this);
    this.workflowName = workflow.name;
    this.stateMachineName = props.stateMachineName;

    const docker = props.docker;
    const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
    for (const task of compiled.dockerTasks) {
      if (!docker || taskDefinitions.has(task.placeholder) || !compiled.placeholders.includes(task.placeholder)) continue;
      taskDefinitions.set(task.placeholder, docker.taskDefinition(this, task));
    }
    this.taskDefinitions = taskDefinitions;
    const everyVersion = (version: lambda.IVersion): string =>
      stack.formatArn({ service: 'lambda', resource: 'function', resourceName: `${version.lambda.functionName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.resources = {
      functions: { [Placeholders.stageRunner]: everyVersion(props.stageRunner), [Placeholders.pyRunner]: everyVersion(props.pyRunner) },
      tables: { [Placeholders.auditTable]: props.auditTable.tableArn },
      stateMachines: Object.fromEntries(
        [...(props.children ?? new Map<string, WorkflowStateMachine>())].map(([name, child]) => [
          stateMachinePlaceholder(name),
          {
            arn: child.arnFor(this),
            executions: stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${child.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        ]),
      ),
      taskDefinitions: Object.fromEntries(
        [...taskDefinitions].map(([placeholder, def]) => [
          placeholder,
          {
            arn: stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${def.family}:*` }),
            roles: [def.taskRole.roleArn, ...(def.executionRole ? [def.executionRole.roleArn] : [])],
          },
        ]),
      ),
      ...(docker ? { ecsTasks: stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${docker.cluster.clusterName}/*` }) } : {}),
      managedRule: (name) => stack.formatArn({ service: 'events', resource: 'rule', resourceName: name }),
    };
    this.substitutions = substitutionsFor(this, compiled, props);

    const level = props.logging ?? 'ERROR';
    if (level !== 'OFF') {
      this.logGroup = new logs.LogGroup(this, 'Logs', {
        logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: workflow.execution === 'express' ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(compiled.json),
      definitionSubstitutions: { ...this.substitutions },
      ...(this.logGroup ? { logs: { destination: this.logGroup, level: LOG_LEVELS[level], includeExecutionData: false } } : {}),
      tracingEnabled: props.tracing ?? false,
    });
    // S3 foreach stages (Distributed Maps): their own child executions, the declared buckets, the results.
    const s3Grants = compiled.placeholders.includes(Placeholders.resultsBucket)
      ? s3ForeachPermissions(workflow, {
          stateMachine: stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: props.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          childExecutions: stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${props.stateMachineName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          bucketArn: (name) => stack.formatArn({ service: 's3', region: '', account: '', resource: name }),
          resultsBucket: props.resultsBucket!.bucketArn,
          spilled: compiled.json.includes(`.${SPILL_REF_KEY}.key`),
        })
      : [];
    this.permissions = [...permissionsFor(compiled.definition, this.resources), ...s3Grants];
    for (const p of this.permissions) this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: p.actions, resources: p.resources, ...(p.conditions ? { conditions: p.conditions } : {}) }));

    if (workflow.on.schedules.length) {
      if (!props.deadLetterQueue) throw new Error(`WorkflowStateMachine: workflow "${workflow.name}" has schedules but no deadLetterQueue was given`);
      this.schedules = new WorkflowSchedules(this, 'Schedules', {
        workflow: workflow.name,
        schedules: workflow.on.schedules,
        stateMachineArn: this.stateMachine.stateMachineArn,
        deadLetterQueue: props.deadLetterQueue,
      });
    }
    for (const tag of workflow.tags) {
      const eq = tag.indexOf('=');
      Tags.of(this).add(eq > 0 ? tag.slice(0, eq) : tag, eq > 0 && eq < tag.length - 1 ? tag.slice(eq + 1) : 'true');
    }

    const nag: NagSuppression[] = [];
    if (level !== 'ALL') {
      nag.push({
        id: 'AwsSolutions-SF1',
        reason: `Logging is "${level}" (the default is ERROR): ALL writes a log event for every state transition, which costs more than the run itself for most workflows; the audit table records every run. Set logging: 'ALL' to log everything.`,
      });
    }
    if (!props.tracing) {
      nag.push({ id: 'AwsSolutions-SF2', reason: 'X-Ray tracing is off by default (it is billed per trace); set tracing: true to turn it on.' });
    }
    if (nag.length) suppressNag(this.stateMachine, nag);
    suppressRoleNag(this.stateMachine.role as iam.Role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Wildcards only where the resource is named at run time or by a later deploy: CloudWatch Logs delivery and X-Ray take no resource ("*"); child executions are named when they start (execution:<child machine>:*, and a Distributed Map\'s execution:<machine>/*); an S3 foreach lists only under its declared prefix, reads only its manifest (a templated key: below the text before the template), and writes results only below its workflow\'s folder (wf-foreach/<workflow>/*), and a foreach whose list was spilled reads it from the results bucket\'s wf-spill/ (objects named by the runner at run time); ECS tasks get their ids when they start (task/<cluster>/*); an execution keeps invoking the runner version and running the task definition revision it started with, so the role may invoke every published version of the runners (function:<runner>:*) and run every revision of its task definition families (task-definition/<family>:*).',
        appliesTo: [
          'Resource::*',
          { regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:[A-Za-z0-9_-]+:\\*$/' },
          { regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:[A-Za-z0-9_-]+\\/\\*$/' },
          { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/wf-foreach\\/[A-Za-z0-9_-]+\\/\\*$/' },
          { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/wf-spill\\/\\*$/' },
          { regex: '/^Resource::arn:<AWS::Partition>:s3:::.*\\*$/' },
          { regex: '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<[^>]+>/\\*$/' },
          { regex: '/^Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:<[^>]+>:\\*$/' },
          { regex: '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/[A-Za-z0-9_-]+:\\*$/' },
        ],
      },
    ]);
  }

  /**
   * This machine's ARN as a construct in `scope` may use it: a reference when both are in the
   * same stack, else the ARN built from the machine's name, so that no stack has to export it to
   * another (machines in different nested stacks start each other by name).
   */
  arnFor(scope: Construct): string {
    const here = Stack.of(scope);
    if (here === Stack.of(this)) return this.stateMachine.stateMachineArn;
    return here.formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }
}

/** The value of every placeholder the definition uses; an unknown placeholder is a bug and throws. */
function substitutionsFor(machine: WorkflowStateMachine, compiled: CompiledWorkflow, props: WorkflowStateMachineProps): Record<string, string> {
  const children = new Map([...(props.children ?? new Map<string, WorkflowStateMachine>())].map(([name, child]) => [stateMachinePlaceholder(name), child]));
  const docker = props.docker;
  const needDocker = (p: string): DockerTasks => {
    if (!docker) throw new Error(`workflow "${props.workflow.name}" uses \${${p}} but no ECS resources were given (docker)`);
    return docker;
  };
  const out: Record<string, string> = {};
  for (const p of compiled.placeholders) {
    if (p === Placeholders.stageRunner) out[p] = props.stageRunner.functionArn;
    else if (p === Placeholders.pyRunner) out[p] = props.pyRunner.functionArn;
    else if (p === Placeholders.auditTable) out[p] = props.auditTable.tableName;
    else if (p === Placeholders.resultsBucket) {
      if (!props.resultsBucket) throw new Error(`workflow "${props.workflow.name}" has S3 foreach stages but no resultsBucket was given`);
      out[p] = props.resultsBucket.bucketName;
    }
    else if (p === Placeholders.cluster) out[p] = needDocker(p).cluster.clusterArn;
    else if (p === Placeholders.subnets) out[p] = needDocker(p).subnetId;
    else if (p === Placeholders.securityGroup) out[p] = needDocker(p).securityGroup.securityGroupId;
    else if (p === Placeholders.assignPublicIp) out[p] = needDocker(p).assignPublicIp;
    else if (p.startsWith(Placeholders.stateMachinePrefix)) {
      const child = children.get(p);
      if (!child) throw new Error(`workflow "${props.workflow.name}" starts \${${p}}, which is not a deployed workflow's state machine`);
      out[p] = child.arnFor(machine);
    } else if (p.startsWith(Placeholders.taskDefinitionPrefix)) {
      needDocker(p);
      const def = machine.taskDefinitions.get(p);
      if (!def) throw new Error(`workflow "${props.workflow.name}" uses \${${p}}, which no docker stage of its compiled workflow describes`);
      out[p] = def.taskDefinitionArn;
    } else throw new Error(`workflow "${props.workflow.name}": no deployment value for placeholder \${${p}}`);
  }
  return out;
}
