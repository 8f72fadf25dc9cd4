import { renderMermaid } from '../compiler/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { terminalText } from './terminal-text.ts';

/** `wf graph NAME [--conf DIR]`: a Mermaid flowchart of the workflow's jobs and stages. */
export const graphCommand: CliCommand = {
  name: 'graph',
  register(program, ctx) {
    program
      .command('graph')
      .description('print a Mermaid flowchart of a workflow (jobs, stages, needs)')
      .argument('<name>', 'workflow to draw')
      .addOption(confOption())
      .action(commandAction(ctx, (name: string, opts: ConfOptions) => graph(ctx, name, opts)));
  },
};

function graph(ctx: CliContext, name: string, opts: ConfOptions): number {
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.usage;
  // Names (and templates in them) are the user's text; the chart's own text has no control characters.
  ctx.out(terminalText(renderMermaid(loaded.workflow), { multiline: true }));
  return ExitCode.ok;
}
