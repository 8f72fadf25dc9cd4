/**
 * What docker stages run on: an ECS cluster, a security group with no inbound rules, a VPC, the
 * container log group, and the task and execution roles every task definition shares. The task
 * definitions themselves (one per docker stage: the image and tag are fixed at deploy time) are
 * made by {@link DockerTasks.taskDefinition} beside the state machine that runs them.
 *
 * A deploy that changes a stage's image registers a new revision of its task definition family;
 * the old revision is retained (CloudFormation does not deregister it), so an execution that
 * started before the deploy still runs the revision its definition names. Families are named
 * after the deployment and the stage (`<prefix>-<workflow>_<job>_<stage>`), not after where the
 * task definition sits in the construct tree, so they stay the same when a workflow moves to
 * another nested stack, and a role may run every revision of a family (`family:*`).
 *
 * The default VPC has public subnets only and no NAT gateway (a NAT gateway costs money every
 * hour); tasks get a public IP to pull their image. Bring your own VPC with `vpc` and
 * `vpcSubnets` (private subnets with a NAT gateway or VPC endpoints turn the public IP off).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Placeholders } from '../protocol/index.ts';
import { boundedName, MAX_TASK_FAMILY_NAME } from './state-machine-name.ts';
import { suppressNag } from './suppress-nag.ts';

/** A docker stage's task: what the compiler lists in `CompiledWorkflow.dockerTasks`. */
export interface DockerTaskSpec {
  /** The placeholder the definition names the task definition with (`TaskDefinition_…`). */
  placeholder: string;
  image: string;
  tag: string;
  job: string;
  stage: string;
}

/** Props of {@link DockerTasks}. */
export interface DockerTasksProps {
  /** The start of every task definition family name (`<prefix>-<workflow>_<job>_<stage>`). @default the stack's name */
  namePrefix?: string;
  /** The VPC to run tasks in. @default a new VPC: 2 AZs, public subnets only, no NAT gateway */
  vpc?: ec2.IVpc;
  /** The subnets of `vpc` to run tasks in (the first one is used). @default public subnets, else private ones */
  vpcSubnets?: ec2.SubnetSelection;
  /** CPU units of each task. @default 256 */
  cpu?: number;
  /** Memory of each task in MiB. @default 512 */
  memoryLimitMiB?: number;
  /** How long container logs are kept. @default RetentionDays.THREE_MONTHS */
  logRetention?: logs.RetentionDays;
}

/** The ECS cluster, network, log group and roles the docker stages' task definitions share. */
export class DockerTasks extends Construct {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly securityGroup: ec2.SecurityGroup;
  /** The subnet tasks run in (the definition has one `${EcsSubnet}`). */
  readonly subnetId: string;
  /** `ENABLED` for a public subnet (the task needs a public IP to pull its image), else `DISABLED`. */
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  /** The log group of every container. */
  readonly logGroup: logs.LogGroup;
  /** The role every task runs with: no permission. */
  readonly taskRole: iam.Role;
  /** The role ECS starts every task with: it may write the container log group. */
  readonly executionRole: iam.Role;
  private readonly namePrefix: string;
  private readonly cpu: number;
  private readonly memoryLimitMiB: number;

  constructor(scope: Construct, id: string, props: DockerTasksProps = {}) {
    super(scope, id);
    if (props.vpc) this.vpc = props.vpc;
    else {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
      });
      suppressNag(vpc, [
        {
          id: 'AwsSolutions-VPC7',
          reason: 'Flow logs are off by default to keep the deployment free at rest; the VPC only carries outbound traffic of stage containers. Pass your own vpc with flow logs if you need them.',
        },
      ]);
      this.vpc = vpc;
    }
    const selection = this.vpc.selectSubnets(props.vpcSubnets ?? (this.vpc.publicSubnets.length ? { subnetType: ec2.SubnetType.PUBLIC } : {}));
    const first = selection.subnetIds[0];
    if (first === undefined) throw new Error('DockerTasks: the VPC has no subnet to run docker stages in');
    this.subnetId = first;
    this.assignPublicIp = selection.hasPublic ? 'ENABLED' : 'DISABLED';

    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'sfn-workflow docker stages: no inbound traffic, outbound to pull images and reach services',
      allowAllOutbound: true,
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.logGroup = new logs.LogGroup(this, 'ContainerLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'sfn-workflow docker stages: the role their containers run with (no permission)',
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'sfn-workflow docker stages: starts their containers and writes the container log group',
    });
    this.logGroup.grantWrite(this.executionRole);
    this.namePrefix = props.namePrefix ?? Stack.of(this).stackName;
    this.cpu = props.cpu ?? 256;
    this.memoryLimitMiB = props.memoryLimitMiB ?? 512;
  }

  /**
   * A docker stage's Fargate task definition, made in `scope` (beside the state machine that runs
   * it): family `<prefix>-<workflow>_<job>_<stage>` (at most 255 characters), container `stage`
   * with the stage's image and tag, logs to {@link logGroup}, the shared roles, and its revision
   * retained when a later deploy replaces it.
   */
  taskDefinition(scope: Construct, task: DockerTaskSpec): ecs.FargateTaskDefinition {
    const def = new ecs.FargateTaskDefinition(scope, task.placeholder, {
      family: boundedName(`${this.namePrefix}-${stageKey(task)}`, MAX_TASK_FAMILY_NAME),
      cpu: this.cpu,
      memoryLimitMiB: this.memoryLimitMiB,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    def.addContainer('stage', {
      containerName: 'stage',
      image: ecs.ContainerImage.fromRegistry(`${task.image}:${task.tag}`),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: stageKey(task).slice(0, 200) }),
    });
    def.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return def;
  }
}

/** The part of a task's placeholder after `TaskDefinition_`: its workflow, job and stage. */
function stageKey(task: DockerTaskSpec): string {
  return task.placeholder.slice(Placeholders.taskDefinitionPrefix.length);
}
