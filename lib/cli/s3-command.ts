import { join } from 'node:path';
import { localStateDir, openLocalS3, LOCAL_S3_REGION, readS3ServerInfo } from '../local/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * `wf s3 endpoint [--env]`: the URL of the local S3 server (started when none runs), which local
 * runs read S3 foreach items from and write their results to; `--env` prints the shell exports that
 * point the AWS CLI and SDKs at it (endpoint, keys, region). `wf s3 stop` stops the server.
 */
export const s3Command: CliCommand = {
  name: 's3',
  register(program, ctx) {
    const s3 = program.command('s3').description('the local S3 server that local runs of S3 foreach stages use');
    s3.command('endpoint')
      .description('print the local S3 server\'s URL (starting it when none runs)')
      .option('--env', 'print shell exports for the AWS CLI and SDKs instead (endpoint, keys, region)')
      .action(commandAction(ctx, (opts: { env?: boolean }) => endpoint(ctx, opts.env === true)));
    s3.command('stop')
      .description('stop the local S3 server (its data stays under .wf/s3)')
      .action(commandAction(ctx, () => stop(ctx)));
  },
};

function dirOf(ctx: CliContext): string {
  return localStateDir(ctx.env.WORKFLOW_CORE_AUDIT_PATH || undefined);
}

async function endpoint(ctx: CliContext, env: boolean): Promise<number> {
  const local = await openLocalS3({ dir: dirOf(ctx) });
  local.close();
  if (!env) {
    ctx.out(`${local.endpoint}\n`);
    return ExitCode.ok;
  }
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  ctx.out(
    [
      `export AWS_ENDPOINT_URL_S3=${quote(local.endpoint)}`,
      `export AWS_ACCESS_KEY_ID=${quote(local.credentials.accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${quote(local.credentials.secretAccessKey)}`,
      `export AWS_REGION=${LOCAL_S3_REGION}`,
      `export AWS_DEFAULT_REGION=${LOCAL_S3_REGION}`,
      'unset AWS_SESSION_TOKEN AWS_PROFILE',
      '',
    ].join('\n'),
  );
  return ExitCode.ok;
}

function stop(ctx: CliContext): number {
  const info = readS3ServerInfo(join(dirOf(ctx), 's3'));
  if (!info) {
    ctx.err('the local S3 server is not running\n');
    return ExitCode.ok;
  }
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  ctx.err(`stopped the local S3 server (pid ${info.pid})\n`);
  return ExitCode.ok;
}
