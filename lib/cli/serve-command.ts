import { Option } from 'commander';
import { loadWorkflows } from '../config/index.ts';
import { loadRegistryModules, splitRegistryPaths } from '../runtime/index.ts';
import { DEFAULT_SERVE_PORT, startServer } from '../serve/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { renderDiagnostics } from './print-diagnostics.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

interface ServeCliOptions extends ConfOptions {
  port?: string;
  registry?: string[];
}

/**
 * `wf serve [--port N]`: a local Step Functions endpoint on 127.0.0.1 (one state machine per
 * workflow of the config directory) for the AWS SDK, the AWS CLI and `wf start --endpoint`. Prints
 * `listening on http://127.0.0.1:<port>` on stdout once it accepts requests; runs until
 * interrupted (SIGINT or SIGTERM), when running executions end FAILED.
 */
export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, ctx) {
    program
      .command('serve')
      .description('serve the Step Functions API locally (StartExecution, DescribeExecution, ...) over the local engine')
      .option('--port <n>', 'the port on 127.0.0.1 (0 picks a free one)', String(DEFAULT_SERVE_PORT))
      .addOption(confOption())
      .addOption(new Option('--registry <path...>', 'modules with tag()-registered functions for `uses:` (also $WORKFLOW_CORE_REGISTRY_CALLER)'))
      .action(commandAction(ctx, (opts: ServeCliOptions) => serve(ctx, opts)));
  },
};

async function serve(ctx: CliContext, opts: ServeCliOptions): Promise<number> {
  const port = Number(opts.port ?? DEFAULT_SERVE_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${JSON.stringify(opts.port)}`);
  const loaded = loadWorkflows({ ...(opts.conf !== undefined ? { conf: opts.conf } : {}), env: ctx.env });
  if (loaded.diagnostics.length) ctx.err(renderDiagnostics(loaded.diagnostics, loaded.sources, ctx.paint));
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return ExitCode.usage;
  try {
    await loadRegistryModules(splitRegistryPaths([...(opts.registry ?? []), ctx.env.WORKFLOW_CORE_REGISTRY_CALLER]));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let server;
  try {
    server = await startServer({
      workflows: loaded.workflows,
      port,
      ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}),
      log: (line) => ctx.err(`${new Date().toISOString()} ${terminalText(line)}\n`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      ctx.err(`${ctx.paint.red('error')}: port ${port} is in use; pick another with --port N (0 picks a free one)\n`);
      return ExitCode.failure;
    }
    throw e;
  }
  if (server.recovered) ctx.err(`${server.recovered} execution(s) were running when the server last stopped: now FAILED (States.Runtime)\n`);
  for (const m of server.executions.stateMachines()) ctx.err(`  ${terminalText(m.stateMachineArn)}\n`);
  ctx.out(`listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  ctx.err(`stopping${server.executions.running ? `: ending ${server.executions.running} running execution(s)` : ''}\n`);
  await server.close();
  return ExitCode.ok;
}
