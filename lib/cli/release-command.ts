import { Option } from 'commander';
import { matchesCron, nextRuns, type Workflow } from '../config/index.ts';
import { lockReleaseKey } from '../audit/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { addRunOptions, runWorkflow, type RunOptions } from './run-command.ts';
import { terminalText } from './terminal-text.ts';
import { parseIsoOption } from './iso-option.ts';

const TYPES = ['normal', 'force', 'rerun', 'dryrun'] as const;

interface ReleaseOptions extends RunOptions {
  at: string;
  type: (typeof TYPES)[number];
}

/**
 * `wf release NAME --at ISO [--type normal|force|rerun|dryrun]`: runs the release of one scheduled
 * time. `normal` and `rerun` must name a time one of the workflow's schedules fires at; `normal`
 * runs at most once per (workflow, minute): a second release of the minute is SKIP. `force` runs
 * at any time; `dryrun` runs echoes only and records nothing.
 */
export const releaseCommand: CliCommand = {
  name: 'release',
  register(program, ctx) {
    addRunOptions(
      program
        .command('release')
        .description('run the release of a scheduled time (at most once per minute)')
        .argument('<name>', 'workflow to release')
        .requiredOption('--at <iso>', 'the scheduled time, e.g. 2024-01-01T09:00:00Z')
        .addOption(new Option('--type <type>', 'release type').choices(TYPES).default('normal')),
    ).action(commandAction(ctx, (name: string, opts: ReleaseOptions) => release(ctx, name, opts)));
  },
};

/** Why `at` is not a time the workflow's schedules fire at, or undefined when it is. */
export function scheduleMismatch(workflow: Workflow, at: Date): string | undefined {
  const schedules = workflow.on.schedules;
  if (!schedules.length) return `workflow "${workflow.name}" has no schedule; release it with --type force`;
  if (schedules.some((s) => matchesCron(s.cron, s.timezone, at))) return undefined;
  const next = schedules.map((s) => `"${s.cron}" (${s.timezone}) next at ${nextRuns(s.cron, s.timezone, at, 1)[0]?.toISOString() ?? 'never'}`);
  return `${at.toISOString()} is not a scheduled time of workflow "${workflow.name}": ${next.join('; ')}; use --type force to run it anyway`;
}

async function release(ctx: CliContext, name: string, opts: ReleaseOptions): Promise<number> {
  const at = parseIsoOption('--at', opts.at);
  if (opts.type === 'normal' || opts.type === 'rerun') {
    const loaded = loadOne({ ...ctx, err: () => undefined }, name, opts.conf);
    if (loaded) {
      const why = scheduleMismatch(loaded.workflow, at);
      if (why) {
        ctx.err(`${ctx.paint.red('error')}: ${terminalText(why)}\n`);
        return ExitCode.usage;
      }
    }
  }
  const logicalDate = at.toISOString().replace(/\.000Z$/, 'Z');
  return runWorkflow(ctx, name, opts, {
    release: { logical_date: logicalDate, type: opts.type },
    type: opts.type,
    ...(opts.type === 'normal' ? { lock: lockReleaseKey(at) } : {}),
    ...(opts.type === 'force' || opts.type === 'rerun' ? { claimMinute: logicalDate } : {}),
  });
}
