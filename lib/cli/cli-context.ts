import type { Command } from 'commander';
import type { Paint } from './paint.ts';

/**
 * What a command may touch of the outside world. Commands write through it (never to
 * `process.stdout` directly), so tests can run the CLI in-process and capture everything.
 */
export interface CliContext {
  /** Writes text to standard output as is (add your own newline). */
  out(text: string): void;
  /** Writes text to standard error as is (add your own newline). */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Styling for standard error, where diagnostics and progress go. */
  paint: Paint;
  /** Set by a command's action: the process's exit code. @default 0 */
  exitCode: number;
}

/**
 * One `wf` subcommand, in its own file under `lib/cli/`. `register` adds it to the program with
 * `program.command(...)` (so it inherits the program's error handling) and sets its action with
 * {@link commandAction}.
 */
export interface CliCommand {
  /** The subcommand's name as typed (`validate`). */
  name: string;
  register(program: Command, ctx: CliContext): void;
}

/**
 * Wraps a command's action: whatever number it returns becomes the exit code. User errors may be
 * thrown as `DiagnosticError`, `ParamError` or `UsageError` (exit 2); anything else thrown is a bug
 * and is reported as an internal error (exit 70) by the CLI's runner.
 */
export function commandAction<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => number | Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.exitCode = await fn(...args);
  };
}
