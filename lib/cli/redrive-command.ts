import { Option } from 'commander';
import { ExitCode } from './exit-codes.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { collectParams } from './run-command.ts';
import { terminalText } from './terminal-text.ts';
import { addRunRefOptions, clientAction, cliClient, runRef, waitAndPrint, type ClientCliOptions } from './start-command.ts';

interface RedriveCliOptions extends ClientCliOptions {
  workflow?: string;
  param?: string[];
  params?: string;
  wait?: boolean;
  progress?: boolean;
}

/**
 * `wf redrive RUN`: runs a run of a deployed workflow again, keeping the jobs that succeeded —
 * `RedriveExecution` when Step Functions can resume the execution itself, else a new execution
 * that resumes from the run's result document (secret params must be given again with `-p`).
 */
export const redriveCommand: CliCommand = {
  name: 'redrive',
  register(program, ctx) {
    addRunRefOptions(program.command('redrive').description('run a run of a deployed workflow again, keeping the jobs that succeeded').argument('<run>', 'execution ARN (or name, with --workflow)'))
      .addOption(new Option('-p, --param <key=value...>', 'a param value to use instead of the recorded one (secret params must be given again)'))
      .option('--params <json>', 'params as a JSON object')
      .option('--wait', 'wait for the run to end, with progress on stderr; exit like wf run')
      .option('--no-progress', 'with --wait: no progress on stderr')
      .action(clientAction(ctx, (run: string, opts: RedriveCliOptions) => redrive(ctx, run, opts)));
  },
};

async function redrive(ctx: CliContext, run: string, opts: RedriveCliOptions): Promise<number> {
  const client = cliClient(ctx, opts);
  const params = collectParams(opts);
  const out = await client.rerun(runRef(run, opts.workflow), Object.keys(params).length ? { params } : {});
  const arn = terminalText(out.executionArn);
  if (out.mode === 'redrive') ctx.err(`redriven ${arn}: Step Functions resumes it at the state that failed\n`);
  else ctx.err(`started ${arn}, resuming ${terminalText(run)}${out.kept.length ? ` (keeping ${terminalText(out.kept.join(', '))})` : ''}\n`);
  if (opts.wait) return waitAndPrint(ctx, client, out.executionArn, opts);
  ctx.out(opts.json ? JSON.stringify(out, null, 2) + '\n' : `${arn}\n`);
  return ExitCode.ok;
}
