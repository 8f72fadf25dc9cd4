import { writeFileSync } from 'node:fs';
import { compileWorkflow } from '../compiler/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { renderDiagnostics } from './print-diagnostics.ts';

/** `wf compile NAME [--conf DIR] [-o FILE] [--compact]`: the workflow's Amazon States Language definition. */
export const compileCommand: CliCommand = {
  name: 'compile',
  register(program, ctx) {
    program
      .command('compile')
      .description('print the Step Functions state machine (ASL JSON) a workflow compiles to')
      .argument('<name>', 'workflow to compile')
      .addOption(confOption())
      .option('-o, --output <file>', 'write the definition to a file instead of stdout')
      .option('--compact', 'print the compact text that deploys (byte for byte) instead of the indented one')
      .action(commandAction(ctx, (name: string, opts: CompileOptions) => compile(ctx, name, opts)));
  },
};

interface CompileOptions extends ConfOptions {
  output?: string;
  compact?: boolean;
}

function compile(ctx: CliContext, name: string, opts: CompileOptions): number {
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.failure;
  const result = compileWorkflow(loaded.workflow, { workflows: loaded.workflows });
  if (result.diagnostics.length) ctx.err(renderDiagnostics(result.diagnostics, new Map(), ctx.paint));
  if (result.diagnostics.some((d) => d.severity === 'error')) return ExitCode.failure;
  const text = opts.compact ? `${result.json}\n` : result.pretty;
  if (opts.output) writeFileSync(opts.output, text);
  else ctx.out(text);
  return ExitCode.ok;
}
