import type { CliCommand } from './cli-context.ts';

/**
 * Every `wf` subcommand by name, in the order `wf --help` lists them, each loaded when needed: a
 * run of one command loads that command's code only (`wf validate` does not load the local engine
 * or the AWS SDK). A new command is one file (`<name>-command.ts` exporting a {@link CliCommand})
 * and one line here.
 */
export const commandLoaders: ReadonlyMap<string, () => Promise<CliCommand>> = new Map<string, () => Promise<CliCommand>>([
  ['init', async () => (await import('./init-command.ts')).initCommand],
  ['validate', async () => (await import('./validate-command.ts')).validateCommand],
  ['compile', async () => (await import('./compile-command.ts')).compileCommand],
  ['graph', async () => (await import('./graph-command.ts')).graphCommand],
  ['run', async () => (await import('./run-command.ts')).runCommand],
  ['release', async () => (await import('./release-command.ts')).releaseCommand],
  ['schedule', async () => (await import('./schedule-command.ts')).scheduleCommand],
  ['rerun', async () => (await import('./rerun-command.ts')).rerunCommand],
  ['audit', async () => (await import('./audit-command.ts')).auditCommand],
  ['logs', async () => (await import('./logs-command.ts')).logsCommand],
  ['start', async () => (await import('./start-command.ts')).startCommand],
  ['status', async () => (await import('./status-command.ts')).statusCommand],
  ['stop', async () => (await import('./stop-command.ts')).stopCommand],
  ['signal', async () => (await import('./signal-command.ts')).signalCommand],
  ['redrive', async () => (await import('./redrive-command.ts')).redriveCommand],
  ['list', async () => (await import('./list-command.ts')).listCommand],
  ['serve', async () => (await import('./serve-command.ts')).serveCommand],
  ['schema', async () => (await import('./schema-command.ts')).schemaCommand],
  ['s3', async () => (await import('./s3-command.ts')).s3Command],
]);

/**
 * The commands a command line needs: the one it names (its first argument), none for the version,
 * or every command when it names none or an unknown one (help, a suggestion for a misspelt name).
 */
export async function commandsFor(argv: readonly string[]): Promise<CliCommand[]> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return [];
  const load = commandLoaders.get(argv[0] ?? '');
  if (load) return [await load()];
  return Promise.all([...commandLoaders.values()].map((l) => l()));
}
