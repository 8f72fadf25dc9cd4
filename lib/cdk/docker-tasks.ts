/**
 * What docker stages run on: an ECS cluster, a Fargate task definition per docker stage (the
 * image and tag are fixed at deploy time), a security group with no inbound rules, and a VPC.
 * The default VPC has public subnets only and no NAT gateway (a NAT gateway costs money every
 * hour); tasks get a public IP to pull their image. Bring your own VPC with `vpc` and
 * `vpcSubnets` (private subnets with a NAT gateway or VPC endpoints turn the public IP off).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
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
  /** The docker stages of every workflow. */
  tasks: readonly DockerTaskSpec[];
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

/** The ECS cluster, network and task definitions of the docker stages. */
export class DockerTasks extends Construct {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly securityGroup: ec2.SecurityGroup;
  /** The subnet tasks run in (the definition has one `${EcsSubnet}`). */
  readonly subnetId: string;
  /** `ENABLED` for a public subnet (the task needs a public IP to pull its image), else `DISABLED`. */
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  /** Task definitions by placeholder name. */
  readonly taskDefinitions: ReadonlyMap<string, ecs.FargateTaskDefinition>;
  /** The log group of every container. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DockerTasksProps) {
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

    const defs = new Map<string, ecs.FargateTaskDefinition>();
    for (const task of props.tasks) {
      if (defs.has(task.placeholder)) continue;
      const def = new ecs.FargateTaskDefinition(this, task.placeholder, {
        cpu: props.cpu ?? 256,
        memoryLimitMiB: props.memoryLimitMiB ?? 512,
      });
      def.addContainer('stage', {
        containerName: 'stage',
        image: ecs.ContainerImage.fromRegistry(`${task.image}:${task.tag}`),
        essential: true,
        logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: task.placeholder.replace(/^TaskDefinition_/, '').slice(0, 200) }),
      });
      defs.set(task.placeholder, def);
    }
    this.taskDefinitions = defs;
  }
}
