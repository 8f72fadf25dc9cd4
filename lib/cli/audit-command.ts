import { openLocalStore } from '../local/index.ts';
import type { AuditRecord } from '../audit/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { noteFlushed } from './run-command.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

interface AuditOptions {
  json?: boolean;
  limit?: string;
}

/** `wf audit NAME [--json] [--limit N]`: the runs recorded for a workflow, newest first. */
export const auditCommand: CliCommand = {
  name: 'audit',
  register(program, ctx) {
    program
      .command('audit')
      .description('list the runs recorded for a workflow in the local audit store, newest first')
      .argument('<name>', 'workflow')
      .option('--json', 'print the records as JSON')
      .option('--limit <n>', 'at most this many records', '50')
      .action(commandAction(ctx, (name: string, opts: AuditOptions) => audit(ctx, name, opts)));
  },
};

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A table of audit records. */
export function auditTable(records: readonly AuditRecord[]): string {
  const rows = [['run', 'release', 'type', 'status', 'started', 'took']];
  for (const r of records) rows.push([r.runId, r.logicalDate, r.type, r.status === 'WAIT' ? 'WAIT (not finished)' : r.status, r.startedAt, duration(r.durationMs)].map((c) => terminalText(String(c))));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function audit(ctx: CliContext, name: string, opts: AuditOptions): Promise<number> {
  const limit = Number(opts.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number ≥ 1, got ${JSON.stringify(opts.limit)}`);
  const local = await openLocalStore({ ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}) });
  noteFlushed(ctx, local);
  try {
    const records = await local.store.list(name, { limit, withContext: Boolean(opts.json) });
    if (opts.json) ctx.out(JSON.stringify(records, null, 2) + '\n');
    else if (!records.length) ctx.err(`no runs recorded for "${terminalText(name)}"\n`);
    else ctx.out(auditTable(records));
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}
