import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-files.ts';
import { Command, CommanderError } from 'commander';
import { DiagnosticError } from '../diagnostics/index.ts';
import { ParamError } from '../config/param-error.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { commandsFor } from './commands.ts';
import { ExitCode } from './exit-codes.ts';
import { colorEnabled, createPaint } from './paint.ts';
import { renderDiagnostics } from './print-diagnostics.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';
import { AuditError } from '../audit/audit-error.ts';

/** Where {@link runCli} reads and writes; every field defaults to the real process. */
export interface RunCliOptions {
  /** @default writes to process.stdout */
  out?: (text: string) => void;
  /** @default writes to process.stderr */
  err?: (text: string) => void;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Whether standard error is a terminal (for colour). @default process.stderr.isTTY */
  stderrIsTTY?: boolean;
  /** The subcommands to offer. @default those of `commands.ts` the arguments need */
  commands?: readonly CliCommand[];
}

const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Runs the `wf` command line (arguments after the program name) and returns the exit code; it
 * never throws and never exits the process. Usage errors exit 2; an unexpected exception prints
 * `internal error: <message>` (with the stack only when `WF_DEBUG=1`) and exits 70.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const ctx: CliContext = {
    out: options.out ?? writeStdout,
    err: options.err ?? ((text) => void process.stderr.write(text)),
    env,
    paint: createPaint(colorEnabled(env, options.stderrIsTTY ?? process.stderr.isTTY)),
    exitCode: ExitCode.ok,
  };
  try {
    const program = createProgram(ctx, options.commands ?? (await commandsFor(argv)));
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    return reportError(e, ctx);
  }
}

function createProgram(ctx: CliContext, commands: readonly CliCommand[]): Command {
  const program = new Command('wf')
    .description('YAML workflows compiled to AWS Step Functions, runnable locally')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run 'wf --help' for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out(s),
      // Commander's errors quote the arguments as typed.
      writeErr: (s) => ctx.err(terminalText(s, { multiline: true })),
      getOutHasColors: () => false,
      getErrHasColors: () => ctx.paint.enabled,
    });
  for (const command of commands) command.register(program, ctx);
  return program;
}

/** Turns anything thrown out of a command into output on stderr and an exit code. */
export function reportError(e: unknown, ctx: Pick<CliContext, 'err' | 'env' | 'paint'>): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (e instanceof DiagnosticError) {
    ctx.err(renderDiagnostics(e.diagnostics, {}, ctx.paint));
    return ExitCode.usage;
  }
  if (e instanceof ParamError) {
    ctx.err(renderDiagnostics([e.toDiagnostic()], {}, ctx.paint));
    return ExitCode.usage;
  }
  if (e instanceof AuditError) {
    ctx.err(`${ctx.paint.bold(ctx.paint.red('error'))}: ${terminalText(e.message, { multiline: true })}\n`);
    return ExitCode.failure;
  }
  if (e instanceof UsageError) {
    ctx.err(`${ctx.paint.bold(ctx.paint.red('error'))}: ${terminalText(e.message, { multiline: true })}\n${e.note ? `  note: ${terminalText(e.note, { multiline: true })}\n` : ''}`);
    return ExitCode.usage;
  }
  const message = terminalText(e instanceof Error ? e.message : String(e), { multiline: true });
  const debug = ctx.env.WF_DEBUG === '1';
  const stack = e instanceof Error && e.stack ? e.stack : undefined;
  ctx.err(
    `${ctx.paint.bold(ctx.paint.red('internal error'))}: ${message}\n` +
      (debug ? (stack ? `${terminalText(stack, { multiline: true })}\n` : '') : '(this is a bug in wf; set WF_DEBUG=1 to see the stack trace)\n'),
  );
  return ExitCode.internal;
}

let stdoutClosed = false;

/** Writes to stdout, going quiet once the reader has gone (`wf schema | head`). */
function writeStdout(text: string): void {
  if (stdoutClosed) return;
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') stdoutClosed = true;
      else reportError(err, { err: (t) => void process.stderr.write(t), env: process.env, paint: createPaint(false) });
    });
  }
  process.stdout.write(text);
}

/**
 * Reports an exception or rejection that escaped every command (a stray promise, say) as an
 * internal error and exits 70, so no raw stack trace reaches the user.
 */
export function installCrashHandlers(): void {
  const crash = (e: unknown) => {
    const code = reportError(e, {
      err: (t) => void process.stderr.write(t),
      env: process.env,
      paint: createPaint(colorEnabled(process.env, process.stderr.isTTY)),
    });
    process.exit(code);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
