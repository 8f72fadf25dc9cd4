import { workflowJsonSchema } from '../config/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * `wf schema`: prints the JSON Schema of a workflow file (for editors' YAML language servers) as
 * pretty JSON on stdout.
 */
export const schemaCommand: CliCommand = {
  name: 'schema',
  register(program, ctx) {
    program
      .command('schema')
      .description('print the JSON Schema of workflow files (for editor completion and checks)')
      .action(commandAction(ctx, () => schema(ctx)));
  },
};

function schema(ctx: CliContext): number {
  ctx.out(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
  return ExitCode.ok;
}
