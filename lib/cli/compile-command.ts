import { writeFileSync } from 'node:fs';
import { compileWorkflow, type CompiledDefinition } from '../compiler/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { renderDiagnostics } from './print-diagnostics.ts';
import { terminalText } from './terminal-text.ts';

/**
 * `wf compile NAME [--conf DIR] [-o FILE] [--compact] [--machine CHILD]`: the workflow's Amazon
 * States Language definition, or one of the child machines it deploys beside it (a split job, a
 * batched foreach's chunk machine), which are listed on stderr.
 */
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
      .option('--machine <child>', 'print a child state machine the workflow deploys beside its own (a split job, a batched foreach)')
      .action(commandAction(ctx, (name: string, opts: CompileOptions) => compile(ctx, name, opts)));
  },
};

interface CompileOptions extends ConfOptions {
  output?: string;
  compact?: boolean;
  machine?: string;
}

function compile(ctx: CliContext, name: string, opts: CompileOptions): number {
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.usage;
  const result = compileWorkflow(loaded.workflow, { workflows: loaded.workflows });
  if (result.diagnostics.length) ctx.err(renderDiagnostics(result.diagnostics, new Map(), ctx.paint));
  if (result.diagnostics.some((d) => d.severity === 'error')) return ExitCode.usage;
  const names = result.children.map((c) => c.name);
  let machine: CompiledDefinition = result;
  if (opts.machine !== undefined) {
    const child = result.children.find((c) => c.name === opts.machine);
    if (!child) {
      ctx.err(`error: ${terminalText(`workflow "${name}" deploys no child machine "${opts.machine}"; ${names.length ? `its child machines are ${names.map((n) => `"${n}"`).join(', ')}` : 'it deploys none'}`)}\n`);
      return ExitCode.usage;
    }
    machine = child;
  } else if (names.length) {
    ctx.err(`note: workflow "${terminalText(name)}" also deploys ${names.length} child state machine${names.length > 1 ? 's' : ''}: ${terminalText(names.join(', '))} (print one with --machine NAME)\n`);
  }
  const text = opts.compact ? `${machine.json}\n` : machine.pretty;
  if (opts.output) writeFileSync(opts.output, text);
  else ctx.out(text);
  return ExitCode.ok;
}
