/**
 * The two Lambda functions every workflow shares: the stage runner (Node: bash and call stages,
 * expression evaluation, run preparation) and the Python runner (py stages, standard library only).
 * Each has its own role that may write its own log group and nothing else; `call` functions that
 * reach other AWS services need statements added to `stageRunner` (see docs/deploy.md).
 *
 * Definitions invoke a published version of each function, never `$LATEST`: a deploy that changes
 * the code publishes a new version, and an execution that started before it keeps running the code
 * its definition names. Versions are retained (CloudFormation never deletes one), so that code
 * stays there for as long as such an execution may run.
 *
 * The stage runner is bundled by the locally installed esbuild (never Docker) as an ES module:
 * the runtime reads `import.meta.url`, and a `require` shim lets bundled CommonJS dependencies load
 * Node built-ins.
 */
import { dirname } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SECRETS_PREFIX_ENV } from '../protocol/index.ts';
import { findLockFile, PY_RUNNER_DIR, REGISTRY_TAG_MODULE, writeStageRunnerEntry } from './stage-runner-entry.ts';
import { suppressNag } from './suppress-nag.ts';
import { suppressRoleNag } from './suppress-role-nag.ts';

/** Settings of one runner function. */
export interface RunnerOptions {
  /** Memory in MB (CPU grows with it). @default 1024 */
  memorySize?: number;
  /** The longest a stage may run in this function (at most 15 minutes). @default Duration.minutes(15) */
  timeout?: Duration;
  /** Extra environment variables (`WORKFLOW_ENV_<NAME>` appear in templates as `env.<NAME>`). @default none */
  environment?: Record<string, string>;
}

/** Props of {@link RunnerFunctions}. */
export interface RunnerFunctionsProps {
  /** Modules whose `tag(...)` calls register `call` functions, bundled into the stage runner. @default none */
  registry?: readonly string[];
  /** The stage runner's settings. */
  stageRunner?: RunnerOptions;
  /** The Python runner's settings. */
  pyRunner?: RunnerOptions;
  /** X-Ray active tracing. @default false */
  tracing?: boolean;
  /** How long the functions' logs are kept. @default RetentionDays.THREE_MONTHS */
  logRetention?: logs.RetentionDays;
  /** The lock file the bundle resolves dependencies against; its folder is the project root. @default the nearest lock file above the working directory */
  depsLockFilePath?: string;
  /**
   * Where both runners keep secret params in Parameter Store (`/<prefix>/secrets`), given to them
   * as `WF_SECRETS_PREFIX` (it wins over the same variable in `environment`). @default none: a run
   * with secret params fails in `prepare`
   */
  secretsPrefix?: string;
}

const DEFAULT_MEMORY = 1024;
const DEFAULT_TIMEOUT = Duration.minutes(15);
const RETAINED_VERSIONS: lambda.VersionOptions = {
  removalPolicy: RemovalPolicy.RETAIN,
  description: 'sfn-workflow: the code of one deploy, kept for executions that started on it',
};

/** The stage runner and Python runner Lambda functions, with their roles and log groups. */
export class RunnerFunctions extends Construct {
  /** The stage-runner function (Node.js 22, arm64). Add statements to its role for `call` functions that use AWS. */
  readonly stageRunner: nodejs.NodejsFunction;
  /** The Python runner function (Python 3.12, arm64). */
  readonly pyRunner: lambda.Function;
  /** The stage runner's version of this deploy: what definitions invoke. Retained after later deploys. */
  readonly stageRunnerVersion: lambda.Version;
  /** The Python runner's version of this deploy: what definitions invoke. Retained after later deploys. */
  readonly pyRunnerVersion: lambda.Version;

  constructor(scope: Construct, id: string, props: RunnerFunctionsProps = {}) {
    super(scope, id);
    const lockFile = props.depsLockFilePath ?? findLockFile();
    const projectRoot = dirname(lockFile);
    const entry = writeStageRunnerEntry(projectRoot, props.registry ?? []);
    const tracing = props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED;
    const secrets: Record<string, string> = props.secretsPrefix !== undefined ? { [SECRETS_PREFIX_ENV]: props.secretsPrefix } : {};

    const stage = this.roleAndLogs('StageRunner', props.logRetention);
    this.stageRunner = new nodejs.NodejsFunction(this, 'StageRunner', {
      description: 'sfn-workflow stage runner: bash and call stages, expressions, run preparation',
      entry,
      projectRoot,
      depsLockFilePath: lockFile,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.stageRunner?.memorySize ?? DEFAULT_MEMORY,
      timeout: props.stageRunner?.timeout ?? DEFAULT_TIMEOUT,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.stageRunner?.environment, ...secrets },
      role: stage.role,
      logGroup: stage.logGroup,
      tracing,
      currentVersionOptions: RETAINED_VERSIONS,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        keepNames: true,
        sourceMap: true,
        banner: "import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);",
        esbuildArgs: { '--alias': `sfn-workflow=${REGISTRY_TAG_MODULE}` },
      },
    });

    const py = this.roleAndLogs('PyRunner', props.logRetention);
    this.pyRunner = new lambda.Function(this, 'PyRunner', {
      description: 'sfn-workflow Python runner: py stages',
      code: lambda.Code.fromAsset(PY_RUNNER_DIR, { exclude: ['__pycache__', '*.pyc'] }),
      handler: 'handler.handler',
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.pyRunner?.memorySize ?? DEFAULT_MEMORY,
      timeout: props.pyRunner?.timeout ?? DEFAULT_TIMEOUT,
      ...(props.pyRunner?.environment || props.secretsPrefix !== undefined ? { environment: { ...props.pyRunner?.environment, ...secrets } } : {}),
      role: py.role,
      logGroup: py.logGroup,
      tracing,
      currentVersionOptions: RETAINED_VERSIONS,
    });
    this.stageRunnerVersion = this.stageRunner.currentVersion;
    this.pyRunnerVersion = this.pyRunner.currentVersion;

    suppressNag(this.stageRunner, [
      { id: 'AwsSolutions-L1', reason: 'The stage runner targets nodejs22.x on purpose: the runtime the project is built and tested for.' },
    ]);
    suppressNag(this.pyRunner, [
      { id: 'AwsSolutions-L1', reason: 'The Python runner targets python3.12 on purpose: the version py stages are documented and tested with.' },
    ]);
    if (props.tracing) {
      for (const role of [stage.role, py.role]) {
        suppressRoleNag(role, [
          { id: 'AwsSolutions-IAM5', reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource, so the statement must name "*".', appliesTo: ['Resource::*'] },
        ]);
      }
    }
  }

  /** A role that may write to a log group of its own (the log group's ARN covers its streams), and that log group. */
  private roleAndLogs(id: string, retention: logs.RetentionDays | undefined): { role: iam.Role; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: retention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `sfn-workflow ${id}: writes its own logs`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    return { role, logGroup };
  }
}
