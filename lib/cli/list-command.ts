import { Option } from 'commander';
import type { ExecutionItem, ExecutionStatus } from '../client/index.ts';
import { ExitCode } from './exit-codes.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { UsageError } from './usage-error.ts';
import { terminalText } from './terminal-text.ts';
import { addClientOptions, clientAction, cliClient, type ClientCliOptions } from './start-command.ts';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

interface ListCliOptions extends ClientCliOptions {
  limit?: string;
  status?: ExecutionStatus;
}

/** A table of executions. */
export function executionTable(items: readonly ExecutionItem[]): string {
  const rows = [['name', 'status', 'execution', 'started', 'ended']];
  for (const e of items) {
    rows.push([e.name, e.status, e.executionStatus + (e.redriveCount ? ` (redriven ${e.redriveCount}×)` : ''), e.startDate?.toISOString() ?? '', e.stopDate?.toISOString() ?? ''].map((c) => terminalText(c)));
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** `wf list NAME`: the executions of a deployed workflow, newest first. */
export const listCommand: CliCommand = {
  name: 'list',
  register(program, ctx) {
    addClientOptions(program.command('list').description('list the executions of a deployed workflow, newest first').argument('<name>', 'workflow'))
      .option('--limit <n>', 'at most this many', '50')
      .addOption(new Option('--status <status>', 'only executions with this Step Functions status').choices(STATUSES))
      .option('--json', 'print JSON on stdout')
      .action(clientAction(ctx, (name: string, opts: ListCliOptions) => list(ctx, name, opts)));
  },
};

async function list(ctx: CliContext, name: string, opts: ListCliOptions): Promise<number> {
  const limit = Number(opts.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number ≥ 1, got ${JSON.stringify(opts.limit)}`);
  const items = await cliClient(ctx, opts).list(name, { limit, ...(opts.status ? { status: opts.status } : {}) });
  if (opts.json) ctx.out(JSON.stringify(items, null, 2) + '\n');
  else if (!items.length) ctx.err(`no executions of "${terminalText(name)}"\n`);
  else ctx.out(executionTable(items));
  return ExitCode.ok;
}
