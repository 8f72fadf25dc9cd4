import { statSync } from 'node:fs';
import { loadCommandRegistry, registryOption } from './registry-option.ts';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import { loadWorkflows } from '../config/index.ts';
import { DEFAULT_SERVE_PORT, startServer } from '../serve/index.ts';
import { ensureCredentials, isLoopbackHost, readCredentials, type LocalCredentials } from '../local/verify-sigv4.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { renderDiagnostics } from './print-diagnostics.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

interface ServeCliOptions extends ConfOptions {
  port?: string;
  host?: string;
  requireSignature?: boolean;
  credentials?: string;
  registry?: string[];
}

/**
 * `wf serve [--port N] [--host A] [--require-signature [--credentials F]]`: a local Step Functions
 * endpoint on 127.0.0.1 (one state machine per workflow of the config directory) for the AWS SDK,
 * the AWS CLI and `wf start --endpoint`. Prints `listening on http://127.0.0.1:<port>` on stdout
 * once it accepts requests; runs until interrupted (SIGINT or SIGTERM), when running executions
 * end FAILED. Requests from web pages and through foreign host names are always refused; with
 * `--require-signature` only requests SigV4-signed with the credentials file's keys are served
 * (`--credentials`, else `$WORKFLOW_CORE_SERVE_CREDENTIALS`, else `<state dir>/serve/credentials.json`,
 * made with random keys on first use). Listening on a non-loopback address prints a warning.
 * The same port serves the web console at `/` (docs/console.md); its address is printed on stderr,
 * with a token for the browser when requests must be signed.
 */
export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, ctx) {
    program
      .command('serve')
      .description('serve the Step Functions API locally (StartExecution, DescribeExecution, ...) over the local engine, and a web console at /')
      .option('--port <n>', 'the port (0 picks a free one)', String(DEFAULT_SERVE_PORT))
      .option('--host <address>', 'the address to listen on; anything but loopback exposes the endpoint to the network', '127.0.0.1')
      .option('--require-signature', 'serve only requests SigV4-signed with the credentials file\'s keys (see --credentials)')
      .option('--credentials <file>', 'with --require-signature: a JSON file {"accessKeyId", "secretAccessKey"} (also $WORKFLOW_CORE_SERVE_CREDENTIALS; default <state dir>/serve/credentials.json, made on first use)')
      .addOption(confOption())
      .addOption(registryOption())
      .action(commandAction(ctx, (opts: ServeCliOptions) => serve(ctx, opts)));
  },
};

/** The credentials `--require-signature` checks requests against, and the file they are in. */
function serveCredentials(ctx: CliContext, opts: ServeCliOptions): { credentials: LocalCredentials; source: string } {
  const given = opts.credentials ?? (ctx.env.WORKFLOW_CORE_SERVE_CREDENTIALS || undefined);
  if (given === undefined) {
    const dir = resolve(ctx.env.WORKFLOW_CORE_AUDIT_PATH || '.wf', 'serve');
    try {
      return { credentials: ensureCredentials(dir, { createDir: true }), source: join(dir, 'credentials.json') };
    } catch (e) {
      throw new UsageError(`cannot prepare the credentials for --require-signature in ${dir}: ${(e as Error).message}. Give a credentials file with --credentials <file>.`);
    }
  }
  const file = resolve(given);
  try {
    const credentials = readCredentials(file);
    if ((statSync(file).mode & 0o077) !== 0) ctx.err(`${ctx.paint.yellow('warning')}: the credentials file ${file} can be read by other users; chmod 600 it.\n`);
    return { credentials, source: file };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(err.code === 'ENOENT' ? `the credentials file ${file} does not exist; write {"accessKeyId": "...", "secretAccessKey": "..."} to it (mode 600), or leave --credentials out to have one made` : err.message);
  }
}

async function serve(ctx: CliContext, opts: ServeCliOptions): Promise<number> {
  const port = Number(opts.port ?? DEFAULT_SERVE_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${JSON.stringify(opts.port)}`);
  const host = opts.host ?? '127.0.0.1';
  if (host.trim() === '' || /[\s/]/.test(host)) throw new UsageError(`--host must be an address to listen on (e.g. 127.0.0.1), got ${JSON.stringify(opts.host)}`);
  const signature = opts.requireSignature || opts.credentials !== undefined ? serveCredentials(ctx, opts) : undefined;
  const loaded = loadWorkflows({ ...(opts.conf !== undefined ? { conf: opts.conf } : {}), env: ctx.env });
  if (loaded.diagnostics.length) ctx.err(renderDiagnostics(loaded.diagnostics, loaded.sources, ctx.paint));
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return ExitCode.usage;
  await loadCommandRegistry(ctx, opts.registry, loaded.workflows.values());
  let server;
  try {
    server = await startServer({
      workflows: loaded.workflows,
      port,
      host,
      ...(signature ? { signature } : {}),
      ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}),
      log: (line) => ctx.err(`${new Date().toISOString()} ${terminalText(line)}\n`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      ctx.err(`${ctx.paint.red('error')}: port ${port} is in use; pick another with --port N (0 picks a free one)\n`);
      return ExitCode.failure;
    }
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
      ctx.err(`${ctx.paint.red('error')}: cannot listen on ${host}: it is not an address of this machine; leave --host out to listen on 127.0.0.1\n`);
      return ExitCode.failure;
    }
    throw e;
  }
  if (!isLoopbackHost(host)) {
    ctx.err(
      `${ctx.paint.red(ctx.paint.bold('WARNING'))}: wf serve listens on ${host}:${server.port}, not on loopback: other machines that can reach this address can ` +
        (signature
          ? 'send it requests; only those signed with the credentials in ' + signature.source + ' are served, but the traffic (inputs, outputs, histories) is plain HTTP, readable on the network.\n'
          : 'start, stop and read executions of every workflow (their inputs, outputs and histories) and run the workflows\' code on this machine, with no credentials. Add --require-signature so that only requests signed with your credentials are served, or listen on 127.0.0.1 (the default).\n'),
    );
  }
  if (signature) ctx.err(`requests must be signed (AWS Signature Version 4, service "states") with the credentials in ${signature.source} (access key id ${signature.credentials.accessKeyId})\n`);
  if (server.recovered) ctx.err(`${server.recovered} execution(s) were running when the server last stopped: now FAILED (States.Runtime)\n`);
  for (const m of server.executions.stateMachines()) ctx.err(`  ${terminalText(m.stateMachineArn)}\n`);
  ctx.err(`web console: ${server.consoleUrl}${signature ? ' (the token lets a browser in without signing; it changes at each start)' : ''}\n`);
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
