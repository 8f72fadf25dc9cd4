import { InvalidArgumentError } from 'commander';
import { nextRuns, scheduleExpression, type Schedule } from '../config/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { parseIsoOption } from './iso-option.ts';
import { loadOne } from './load-one.ts';
import { terminalText } from './terminal-text.ts';

interface ScheduleOptions extends ConfOptions {
  next: number;
  from?: string;
  json?: boolean;
}

/** The most release times `--next` may ask for. */
const MAX_NEXT = 1000;

/** One schedule as `wf schedule` shows it. */
export interface ScheduleView {
  /** The cron as written (5-field Unix cron). */
  cron: string;
  timezone: string;
  /** The EventBridge Scheduler expression the deployment uses (`cron(...)`), in `timezone`. */
  expression: string;
  /** The next release times: wall-clock time in `timezone` with its offset, and the UTC instant. */
  next: Array<{ local: string; utc: string }>;
}

/**
 * `wf schedule NAME [--next N] [--from ISO] [--json]`: for each `on` schedule of a workflow, the
 * EventBridge Scheduler expression and time zone the deployment uses, and the next N release times
 * (strictly after now, or after `--from`) in that time zone and in UTC.
 */
export const scheduleCommand: CliCommand = {
  name: 'schedule',
  register(program, ctx) {
    program
      .command('schedule')
      .description("show a workflow's schedules as deployed (EventBridge Scheduler) and their next release times")
      .argument('<name>', 'workflow whose schedules to show')
      .addOption(confOption())
      .option('--next <n>', `how many release times to show per schedule (1-${MAX_NEXT})`, parseCount, 5)
      .option('--from <iso>', 'list the release times after this date-time instead of now, e.g. 2024-01-01T00:00:00Z')
      .option('--json', 'print JSON on stdout')
      .action(commandAction(ctx, (name: string, opts: ScheduleOptions) => schedule(ctx, name, opts)));
  },
};

function parseCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_NEXT) throw new InvalidArgumentError(`write a whole number from 1 to ${MAX_NEXT}`);
  return n;
}

/** Each schedule with its deployed expression and its next `n` release times after `from`. */
export function scheduleViews(schedules: readonly Schedule[], from: Date, n: number): ScheduleView[] {
  return schedules.map((s) => ({
    cron: s.cron,
    timezone: s.timezone,
    expression: scheduleExpression(s),
    next: nextRuns(s.cron, s.timezone, from, n).map((at) => ({ local: zonedTime(at, s.timezone), utc: at.toISOString() })),
  }));
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** `at` as wall-clock time in `timezone` with the zone's offset then: `2024-03-31T03:00+02:00`. */
export function zonedTime(at: Date, timezone: string): string {
  let format = zoneFormats.get(timezone);
  if (!format) {
    const two = '2-digit' as const;
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: two, day: two, hour: two, minute: two, timeZoneName: 'longOffset' });
    zoneFormats.set(timezone, format);
  }
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  // longOffset is "GMT+05:30", or "GMT" alone at offset zero.
  const offset = (part.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}${offset}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A zoned time for the table: `Sun 2024-03-31 03:00 +02:00` (the weekday of the wall-clock date). */
function tableTime(local: string): string {
  const [date, rest] = local.split('T') as [string, string];
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  return `${weekday} ${date} ${rest.slice(0, 5)} ${rest.slice(5)}`;
}

function schedule(ctx: CliContext, name: string, opts: ScheduleOptions): number {
  const from = opts.from !== undefined ? parseIsoOption('--from', opts.from) : new Date();
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.usage;
  const views = scheduleViews(loaded.workflow.on.schedules, from, opts.next);
  if (opts.json) {
    ctx.out(JSON.stringify({ workflow: loaded.workflow.name, from: from.toISOString(), schedules: views }, null, 2) + '\n');
    return ExitCode.ok;
  }
  const wf = terminalText(loaded.workflow.name);
  if (!views.length) {
    ctx.out(`workflow "${wf}" has no schedules (no cron entries in "on"); it runs only when started\n`);
    return ExitCode.ok;
  }
  const lines = [`workflow "${wf}": ${views.length} schedule${views.length === 1 ? '' : 's'}, next release times after ${from.toISOString()}`];
  views.forEach((v, i) => {
    const zone = terminalText(v.timezone);
    lines.push('', `${i + 1}. "${terminalText(v.cron)}" in ${zone}`, `   EventBridge Scheduler: ${terminalText(v.expression)}, time zone ${zone}`);
    if (!v.next.length) {
      lines.push('   it never fires after that time');
      return;
    }
    const width = Math.max(zone.length, 27);
    lines.push(`   ${zone.padEnd(width)}  UTC`);
    for (const t of v.next) lines.push(`   ${tableTime(t.local).padEnd(width)}  ${tableTime(t.utc.replace(/:00\.000Z$/, '+00:00'))}`);
  });
  ctx.out(lines.join('\n') + '\n');
  return ExitCode.ok;
}
