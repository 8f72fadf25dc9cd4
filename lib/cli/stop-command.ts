import { ExitCode } from './exit-codes.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { addRunRefOptions, clientAction, cliClient, runRef, type ClientCliOptions } from './start-command.ts';
import { terminalText } from './terminal-text.ts';

interface StopCliOptions extends ClientCliOptions {
  workflow?: string;
  cause?: string;
}

/** `wf stop RUN`: stops a run (`StopExecution`); its status becomes CANCEL. */
export const stopCommand: CliCommand = {
  name: 'stop',
  register(program, ctx) {
    addRunRefOptions(program.command('stop').description('stop a run of a deployed workflow (its status becomes CANCEL)').argument('<run>', 'execution ARN (or name, with --workflow)'))
      .option('--cause <text>', 'why it was stopped (recorded with the execution)')
      .action(clientAction(ctx, (run: string, opts: StopCliOptions) => stop(ctx, run, opts)));
  },
};

async function stop(ctx: CliContext, run: string, opts: StopCliOptions): Promise<number> {
  const out = await cliClient(ctx, opts).stop(runRef(run, opts.workflow), opts.cause ? { cause: opts.cause } : {});
  if (opts.json) ctx.out(JSON.stringify(out, null, 2) + '\n');
  else ctx.out(`stopped ${terminalText(out.executionArn)}\n`);
  return ExitCode.ok;
}
