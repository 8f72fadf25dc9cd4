import type { RunReport } from '../client/index.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { terminalText } from './terminal-text.ts';
import { addRunRefOptions, clientAction, cliClient, reportExitCode, runRef, type ClientCliOptions } from './start-command.ts';

interface StatusCliOptions extends ClientCliOptions {
  workflow?: string;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A run's report as text: the run's status, then each job and its stages. */
export function renderReport(report: RunReport): string {
  const t = (text: string): string => terminalText(text);
  const lines = [`${t(report.name)} (${t(report.workflow)}): ${t(report.status)}${report.executionStatus !== 'SUCCEEDED' ? ` [${t(report.executionStatus)}]` : ''}`];
  lines.push(`  started ${report.startDate.toISOString()}${report.stopDate ? `, ended ${report.stopDate.toISOString()}` : ''}${report.redriveCount ? `, redriven ${report.redriveCount}×` : ''}`);
  for (const [id, job] of Object.entries(report.jobs)) {
    lines.push(`  ${t(id).padEnd(24)} ${t(job.status)}`);
    for (const stage of Object.values(job.stages)) lines.push(`    ${t(stage.name).padEnd(30)} ${t(stage.status).padEnd(8)} ${formatMs(stage.ms)}`.trimEnd());
  }
  if (report.error) lines.push(`  error: ${t(report.error.name)}: ${t(report.error.message.split('\n')[0]!)}`);
  for (const e of report.result?.errors ?? []) if (!report.error || e.name !== report.error.name) lines.push(`  error: ${t(e.name)}: ${t(e.message.split('\n')[0]!)}`);
  lines.push(`  ${t(report.executionArn)}`);
  return lines.join('\n') + '\n';
}

/**
 * `wf status RUN`: a run's status, per job and stage, read from its execution history. Exits like
 * `wf run` for a run that ended (1 for FAILED or CANCEL), 0 while it runs.
 */
export const statusCommand: CliCommand = {
  name: 'status',
  register(program, ctx) {
    addRunRefOptions(program.command('status').description('show the status of a run of a deployed workflow, per job and stage').argument('<run>', 'execution ARN (or name, with --workflow)')).action(
      clientAction(ctx, (run: string, opts: StatusCliOptions) => status(ctx, run, opts)),
    );
  },
};

async function status(ctx: CliContext, run: string, opts: StatusCliOptions): Promise<number> {
  const report = await cliClient(ctx, opts).status(runRef(run, opts.workflow));
  ctx.out(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
  return reportExitCode(report);
}
