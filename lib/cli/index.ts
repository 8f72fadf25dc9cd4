export { runCli, reportError, installCrashHandlers, type RunCliOptions } from './run-cli.ts';
export { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
export { commandLoaders, commandsFor } from './commands.ts';
export { ExitCode, type ExitCodeValue } from './exit-codes.ts';
export { UsageError } from './usage-error.ts';
export { createPaint, colorEnabled, type Paint } from './paint.ts';
export { renderDiagnostics, countDiagnostics, plural } from './print-diagnostics.ts';
export { confOption, type ConfOptions } from './conf-option.ts';
