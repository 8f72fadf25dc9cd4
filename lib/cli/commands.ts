import type { CliCommand } from './cli-context.ts';
import { schemaCommand } from './schema-command.ts';
import { validateCommand } from './validate-command.ts';
import { compileCommand } from './compile-command.ts';
import { runCommand } from './run-command.ts';
import { graphCommand } from './graph-command.ts';
import { releaseCommand } from './release-command.ts';
import { rerunCommand } from './rerun-command.ts';
import { auditCommand } from './audit-command.ts';
import { startCommand } from './start-command.ts';
import { statusCommand } from './status-command.ts';
import { stopCommand } from './stop-command.ts';
import { redriveCommand } from './redrive-command.ts';
import { listCommand } from './list-command.ts';
import { serveCommand } from './serve-command.ts';
import { signalCommand } from './signal-command.ts';

/**
 * Every `wf` subcommand, in the order `wf --help` lists them. A new command is one file
 * (`<name>-command.ts` exporting a {@link CliCommand}) and one line here.
 */
export const commands: readonly CliCommand[] = [validateCommand, compileCommand, graphCommand, runCommand, releaseCommand, rerunCommand, auditCommand, startCommand, statusCommand, stopCommand, signalCommand, redriveCommand, listCommand, serveCommand, schemaCommand];
