import { Option, type Command } from 'commander';
import { loadWorkflows, type Workflow } from '../config/index.ts';
import { SECRETS_PREFIX_ENV } from '../protocol/index.ts';
import { ParamsRejectedError, WorkflowClient, WorkflowClientError, type ReleaseType, type RunReport } from '../client/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { parseIsoOption } from './iso-option.ts';
import { loadOne } from './load-one.ts';
import { checkParams, paramOption, paramsOption } from './param-options.ts';
import { scheduleMismatch } from './release-command.ts';
import { collectParams, progressPrinter, summary } from './run-command.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

/** Options of every command that talks to Step Functions (`start`, `status`, `stop`, `redrive`, `list`). */
export interface ClientCliOptions extends ConfOptions {
  endpoint?: string;
  region?: string;
  stack?: string;
  json?: boolean;
  /** The Parameter Store path of secret params on AWS (`wf start --secrets-prefix`). */
  secretsPrefix?: string;
}

/** Adds `--endpoint`, `--region`, `--stack` and `--conf`. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .addOption(confOption())
    .option('--endpoint <url>', 'the Step Functions endpoint, e.g. http://127.0.0.1:8083 for `wf serve` (also $AWS_ENDPOINT_URL_SFN)')
    .option('--region <region>', 'the AWS region (default: the SDK\'s, from $AWS_REGION or the profile)')
    .option('--stack <name>', 'the CloudFormation stack whose WorkflowStateMachines output maps workflows to state machines');
}

/** Adds the options of a command that acts on one run: `--workflow` (with a name instead of an ARN) and `--json`. */
export function addRunRefOptions(cmd: Command): Command {
  return addClientOptions(cmd).option('--workflow <name>', 'the workflow, when RUN is an execution name rather than an ARN').option('--json', 'print JSON on stdout');
}

/** The workflows of the config directory, quietly (for commands that can do without them). */
function quietWorkflows(ctx: CliContext, conf: string | undefined): Map<string, Workflow> {
  return loadWorkflows({ ...(conf !== undefined ? { conf } : {}), env: ctx.env }).workflows;
}

/**
 * A {@link WorkflowClient} for the command line's options. The secrets prefix (where secret params
 * are stored on AWS) is `--secrets-prefix`, else `$WF_SECRETS_PREFIX`, else the stack's output.
 */
export function cliClient(ctx: CliContext, opts: ClientCliOptions, workflows?: ReadonlyMap<string, Workflow>): WorkflowClient {
  const endpoint = opts.endpoint ?? (ctx.env.AWS_ENDPOINT_URL_SFN || undefined);
  const secretsPrefix = opts.secretsPrefix ?? (ctx.env[SECRETS_PREFIX_ENV] || undefined);
  return new WorkflowClient({
    ...(endpoint ? { endpoint } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.stack ? { stack: opts.stack } : {}),
    ...(secretsPrefix ? { secretsPrefix } : {}),
    workflows: workflows ?? quietWorkflows(ctx, opts.conf),
  });
}

/** The run a command names: an execution ARN, or a name with `--workflow`. */
export function runRef(run: string, workflow: string | undefined): string | { workflow: string; name: string } {
  if (run.startsWith('arn:')) return run;
  if (!workflow) throw new UsageError(`"${run}" is not an execution ARN`, 'give the ARN (see wf list NAME), or the execution name with --workflow NAME');
  return { workflow, name: run };
}

/**
 * Wraps a client command's action: a {@link WorkflowClientError} prints `error: <message>` and
 * exits 1 (2 for a malformed run reference or release), wrong params exit 2.
 */
export function clientAction<A extends unknown[]>(ctx: CliContext, fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return commandAction(ctx, async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof ParamsRejectedError) {
        ctx.err(`${ctx.paint.red('error')}: ${terminalText(e.message, { multiline: true })}\n`);
        return ExitCode.usage;
      }
      if (e instanceof WorkflowClientError) {
        ctx.err(`${ctx.paint.bold(ctx.paint.red('error'))}: ${terminalText(e.message, { multiline: true })}\n`);
        return e.code === 'BadRunRef' || e.code === 'BadRelease' ? ExitCode.usage : ExitCode.failure;
      }
      throw e;
    }
  });
}

/** The exit code of a run's status, as `wf run` gives it: 1 for FAILED and CANCEL, else 0. */
export function reportExitCode(report: RunReport): number {
  return report.status === 'FAILED' || report.status === 'CANCEL' ? ExitCode.failure : ExitCode.ok;
}

/** Waits for a run with progress on stderr, then prints its result (JSON with `--json`) and returns the exit code. */
export async function waitAndPrint(ctx: CliContext, client: WorkflowClient, arn: string, opts: { json?: boolean; progress?: boolean }): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => {
    ctx.err(`\nstopped waiting; the run goes on (wf stop ${terminalText(arn)} stops it)\n`);
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const report = await client.wait(arn, { ...(opts.progress === false ? {} : { onProgress: progressPrinter(ctx) }), signal: controller.signal });
    if (opts.json) ctx.out(JSON.stringify(report.result ?? report, null, 2) + '\n');
    // The whole errors and what the stages returned are in the execution's history: wf logs reads them.
    else if (report.result) ctx.out(summary(report.result, { logs: arn }));
    else ctx.out(`${terminalText(report.name)} of ${terminalText(report.workflow)}: ${terminalText(report.status)}\n`);
    return reportExitCode(report);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const TYPES = ['normal', 'force', 'rerun', 'dryrun'] as const;

interface StartCliOptions extends ClientCliOptions {
  param?: string[];
  params?: string;
  releaseAt?: string;
  type?: ReleaseType;
  name?: string;
  wait?: boolean;
  progress?: boolean;
}

/**
 * `wf start NAME`: starts a run of a deployed workflow (or one served by `wf serve`). Params are
 * checked against the workflow in the config directory before anything is sent. Prints the
 * execution ARN; with `--wait`, follows the run (progress on stderr) and exits like `wf run`.
 */
export const startCommand: CliCommand = {
  name: 'start',
  register(program, ctx) {
    addClientOptions(program.command('start').description('start a run of a deployed workflow through the Step Functions API').argument('<name>', 'workflow to start'))
      .addOption(paramOption())
      .addOption(paramsOption())
      .option('--release-at <iso>', 'release a scheduled time (a normal release runs at most once per minute)')
      .addOption(new Option('--type <type>', 'release type (with --release-at)').choices(TYPES))
      .option('--name <name>', 'the execution name (default: <workflow>-<minute> for a normal release, else unique)')
      .option('--secrets-prefix <path>', `on AWS: the Parameter Store path secret params are stored under, /<app prefix>/secrets (default: $${SECRETS_PREFIX_ENV}, else the stack's SecretsPrefix output)`)
      .option('--wait', 'wait for the run to end, with progress on stderr; exit like wf run')
      .option('--no-progress', 'with --wait: no progress on stderr')
      .option('--json', 'print JSON on stdout (with --wait: the result document)')
      .action(clientAction(ctx, (name: string, opts: StartCliOptions) => start(ctx, name, opts)));
  },
};

async function start(ctx: CliContext, name: string, opts: StartCliOptions): Promise<number> {
  if (opts.type && !opts.releaseAt) throw new UsageError('--type needs --release-at', 'write e.g. --release-at 2024-01-01T09:00:00Z --type force');
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.usage;
  const params = collectParams(opts);
  checkParams(loaded.workflow, params, 'started');
  let release: { logical_date: string; type: ReleaseType } | undefined;
  if (opts.releaseAt !== undefined) {
    const at = parseIsoOption('--release-at', opts.releaseAt);
    const type = opts.type ?? 'normal';
    if (type === 'normal' || type === 'rerun') {
      const why = scheduleMismatch(loaded.workflow, at);
      if (why) {
        ctx.err(`${ctx.paint.red('error')}: ${terminalText(why)}\n`);
        return ExitCode.usage;
      }
    }
    release = { logical_date: at.toISOString(), type };
  }
  const client = cliClient(ctx, opts, loaded.workflows);
  const started = await client.start(name, params, { ...(release ? { release } : {}), ...(opts.name ? { name: opts.name } : {}) });
  if (started.alreadyReleased) {
    ctx.err(`the release of ${release!.logical_date.slice(0, 16)} of "${terminalText(name)}" was already started (SKIP): ${terminalText(started.executionArn)}\n`);
    if (opts.json) ctx.out(JSON.stringify({ ...started, status: 'SKIP' }, null, 2) + '\n');
    else ctx.out(`${terminalText(started.executionArn)}\n`);
    return ExitCode.ok;
  }
  if (!opts.wait) {
    if (opts.json) ctx.out(JSON.stringify(started, null, 2) + '\n');
    else ctx.out(`${terminalText(started.executionArn)}\n`);
    return ExitCode.ok;
  }
  ctx.err(`started ${terminalText(started.executionArn)}\n`);
  return waitAndPrint(ctx, client, started.executionArn, opts);
}
