import { Option } from 'commander';
import { loadCommandRegistry, registryOption } from './registry-option.ts';
import type { Command } from 'commander';
import { parseParamAssignments } from '../config/index.ts';
import { maskDocument, newRunId, openLocalStore, runAudited, RunInputError, scrubText, secretTexts, type LocalStore, type ResultDocument, type RunEvent } from '../local/index.ts';
import { AuditError, type RunType } from '../audit/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { checkParams, paramOption, paramsOption } from './param-options.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

/** Options shared by `wf run` and `wf release`. */
export interface RunOptions extends ConfOptions {
  registry?: string[];
  param?: string[];
  params?: string;
  json?: boolean;
  progress?: boolean;
  /** False with `--no-audit`. */
  audit?: boolean;
}

/** Adds the options `wf run` and `wf release` share. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(confOption())
    .addOption(registryOption())
    .addOption(paramOption())
    .addOption(paramsOption())
    .option('--json', 'print the result document as JSON on stdout')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .option('--no-audit', 'do not record the run in the local audit store (.wf/)');
}

/** `wf run NAME ...`: runs a workflow on the local engine. */
export const runCommand: CliCommand = {
  name: 'run',
  register(program, ctx) {
    addRunOptions(program.command('run').description('run a workflow on the local engine').argument('<name>', 'workflow to run')).action(
      commandAction(ctx, (name: string, opts: RunOptions) => runWorkflow(ctx, name, opts, {})),
    );
  },
};

/** Collects params from `--params` and `-p`; `-p` wins. */
export function collectParams(opts: RunOptions): Record<string, unknown> {
  let fromJson: Record<string, unknown> = {};
  if (opts.params !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(opts.params);
    } catch (e) {
      throw new UsageError(`--params is not valid JSON: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--params must be a JSON object, e.g. --params \'{"who": "world"}\'');
    fromJson = parsed as Record<string, unknown>;
  }
  return { ...fromJson, ...parseParamAssignments(opts.param ?? []) };
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Where a progress event's stage runs: `job (v1, v2)` for a matrix combination, and `[branch]` / `[n]` (foreach index, until iteration) after the stage. */
function eventPlace(e: RunEvent): { job: string; after: string } {
  const job = e.matrix ? `${e.job} (${e.matrix.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')})` : String(e.job);
  let after = e.branch !== undefined ? ` [${e.branch}]` : '';
  if (e.loop !== undefined) after += ` [${e.loop}]`;
  // An engine index with nothing else to place it: a Map or Parallel iteration (runs of older events, AWS).
  else if (!e.matrix && e.branch === undefined && e.index !== undefined) after += ` [${e.index}]`;
  return { job, after };
}

/** A progress printer for stderr; `secrets` (masks) are masked in everything it prints: names, messages, labels. */
export function progressPrinter(ctx: CliContext, secrets: readonly string[] = []): (e: RunEvent) => void {
  return (event) => {
    const e = maskDocument(event, secrets);
    // Each event is one line: names and messages (rendered from params) are escaped, newlines too.
    const place = eventPlace(e);
    const where = terminalText(place.after);
    const job = terminalText(place.job);
    const stage = terminalText(String(e.stage));
    switch (e.type) {
      case 'job-start':
        ctx.err(`${ctx.paint.dim('▶')} job ${job}\n`);
        break;
      case 'job-end':
        ctx.err(`${e.status === 'FAILED' ? ctx.paint.red('✗') : '■'} job ${job}: ${terminalText(e.status ?? 'done')}\n`);
        break;
      case 'stage-start':
        ctx.err(`  ${ctx.paint.dim('·')} ${job} › ${stage}${where}${e.message !== undefined ? `: ${terminalText(e.message)}` : ''}\n`);
        break;
      case 'stage-end':
        if (e.skipped) ctx.err(`  ${ctx.paint.dim('↷')} ${job} › ${stage}${where} ${ctx.paint.dim('skipped')}\n`);
        else ctx.err(`  ✓ ${job} › ${stage}${where} ${ctx.paint.dim(formatMs(e.ms))}\n`);
        break;
      case 'stage-failed':
        ctx.err(`  ${ctx.paint.red('✗')} ${job} › ${stage}${where} failed ${ctx.paint.dim(formatMs(e.ms))}\n`);
        break;
      case 'stage-line':
        // What the stage prints, as it comes: one line each, escaped (a carriage return or an escape sequence shows, never acts).
        ctx.err(`    ${ctx.paint.dim(`${job} › ${stage}${where} |`)} ${terminalText(e.line ?? '')}\n`);
        break;
      case 'stage-attempt-failed': {
        const reason = `${terminalText(e.error?.name ?? 'Error')}: ${terminalText(firstLine(e.error?.message ?? ''))}`;
        if (e.retrying) ctx.err(`  ${ctx.paint.yellow('↻')} ${job} › ${stage}${where} attempt ${e.attempt ?? 1} failed, retrying: ${reason}\n`);
        else ctx.err(`  ${ctx.paint.red('!')} ${job} › ${stage}${where} attempt ${e.attempt ?? 1} failed: ${reason}\n`);
        break;
      }
    }
  };
}

/** The first line of a message, with ` …` when more lines follow. */
function firstLine(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  return rest.some((l) => l.trim() !== '') ? `${first} …` : first;
}

/** `job.stage` of each failed stage of a result document (those with a record: a stage with an id), matrix combinations included. */
export function failedStageRefs(doc: ResultDocument): string[] {
  const refs: string[] = [];
  const take = (job: string, stages: unknown): void => {
    if (!stages || typeof stages !== 'object') return;
    for (const [id, st] of Object.entries(stages as Record<string, { status?: string; errors?: unknown }>)) {
      const ref = `${job}.${id}`;
      if (st?.status === 'FAILED' && st.errors && !refs.includes(ref)) refs.push(ref);
    }
  };
  for (const [job, record] of Object.entries(doc.jobs as Record<string, { stages?: unknown; strategies?: Record<string, { stages?: unknown }> }>)) {
    take(job, record?.stages);
    for (const strategy of Object.values(record?.strategies ?? {})) take(job, strategy?.stages);
  }
  return refs;
}

/**
 * A summary table of a result document. A job's error shows its first line (with `…` when there is
 * more); then a last line says how to see the whole messages: `seeAll` (say, the audit command of a
 * recorded run), by default `--json`.
 */
export function summary(doc: ResultDocument, seeAll: string | { logs: string } = '--json shows the whole messages'): string {
  const lines = [`run ${terminalText(doc.run.id)} of ${terminalText(doc.run.workflow)}: ${terminalText(doc.status)}`];
  let cut = false;
  for (const [id, job] of Object.entries(doc.jobs as Record<string, { status?: string; errors?: { message?: string } }>)) {
    const [first = '', ...rest] = job.errors?.message?.split('\n') ?? [];
    const more = rest.some((l) => l.trim() !== '');
    cut ||= more;
    lines.push(`  ${terminalText(id).padEnd(24)} ${terminalText(String(job.status ?? '')).padEnd(8)} ${terminalText(first)}${more ? ' …' : ''}`.trimEnd());
  }
  if (typeof seeAll === 'string') {
    if (cut) lines.push(`  (first lines only: ${terminalText(seeAll)})`);
  } else {
    // A recorded run keeps its logs: each failed stage's whole error and what it printed.
    const refs = failedStageRefs(doc);
    const shown = refs.slice(0, 3).map((r) => `wf logs ${seeAll.logs} ${r}`);
    if (refs.length > 3) shown.push(`wf logs ${seeAll.logs}`);
    if (!shown.length && (cut || doc.status === 'FAILED')) shown.push(`wf logs ${seeAll.logs}`);
    if (shown.length) lines.push(`  (${cut ? 'first lines only; ' : ''}the whole errors and what the stages printed: ${terminalText(shown.join(', '))})`);
  }
  for (const e of doc.errors ?? []) lines.push(`  error: ${terminalText(e.name)}: ${terminalText(e.message, { multiline: true })}`);
  return lines.join('\n') + '\n';
}

/** What `wf release` and `wf rerun` add to a run. */
export interface RunExtra {
  release?: { logical_date?: string; type?: string };
  type?: RunType;
  lock?: string;
  jobs?: Record<string, unknown>;
  parentRunId?: string;
  /** Params to use instead of the command line's (a rerun's). */
  params?: Record<string, unknown>;
  /** The run id (a new one when absent). */
  runId?: string;
  /** Claim the release minute before running, whether or not another run has (force and rerun releases). */
  claimMinute?: string;
}

/** Says which kept end records (see lib/local/pending-records.ts) opening the store wrote, and which it could not. */
export function noteFlushed(ctx: CliContext, local: Pick<LocalStore, 'flushed'>): void {
  const { written, failed } = local.flushed;
  if (written.length) ctx.err(`note: recorded the end of ${written.length === 1 ? 'run' : `${written.length} runs`} kept while the audit store was down: ${terminalText(written.join(', '))}\n`);
  for (const f of failed) ctx.err(`${ctx.paint.red('error')}: the kept audit record ${terminalText(f.file)} could not be written: ${terminalText(f.error, { multiline: true })}\n`);
}

/** Runs a loaded workflow and prints the outcome; shared by `run`, `release` and `rerun`. */
export async function runWorkflow(ctx: CliContext, name: string, opts: RunOptions, extra: RunExtra): Promise<number> {
  const loaded = loadOne(ctx, name, opts.conf);
  if (!loaded) return ExitCode.usage;
  const params = extra.params ?? collectParams(opts);
  checkParams(loaded.workflow, params, 'run');
  await loadCommandRegistry(ctx, opts.registry, loaded.workflows.values());
  const type = extra.type ?? 'manual';
  const controller = new AbortController();
  const onSigint = (): void => {
    ctx.err('\ncancelling the run (Ctrl-C again to quit at once)\n');
    process.off('SIGINT', onSigint);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  if (opts.audit === false && extra.lock) {
    throw new UsageError('a normal release claims its minute in the audit store, so it cannot run with --no-audit; use --type force to run without the claim');
  }
  const local = opts.audit === false || type === 'dryrun' ? undefined : await openLocalStore({ ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}) });
  if (local) noteFlushed(ctx, local);
  let auditLost = false;
  const runId = extra.runId ?? newRunId();
  // A forced run or a rerun of a minute also marks it as released, so a later normal release of it is SKIP.
  if (local && extra.claimMinute) await local.store.claimRelease(loaded.workflow.name, extra.claimMinute, runId);
  const showProgress = opts.progress || (process.stderr.isTTY && !opts.json) || false;
  const masks = secretTexts(loaded.workflow, params);
  try {
    const doc = await runAudited(loaded.workflow, {
      workflows: loaded.workflows,
      params,
      runId,
      signal: controller.signal,
      type,
      ...(local ? { audit: local.store } : {}),
      ...(extra.release ? { release: extra.release } : {}),
      ...(extra.lock ? { lock: extra.lock } : {}),
      ...(extra.jobs ? { jobs: extra.jobs } : {}),
      ...(extra.parentRunId ? { parentRunId: extra.parentRunId } : {}),
      ...(showProgress ? { onEvent: progressPrinter(ctx, masks), onStageLog: progressPrinter(ctx, masks) } : {}),
      ...(local ? { pendingDir: local.dir, logsDir: local.dir, onLogsError: (e: Error) => ctx.err(`${ctx.paint.yellow('warning')}: the run's logs were not kept (wf logs cannot show them): ${terminalText(e.message, { multiline: true })}\n`) } : {}),
      onAuditError: (e, _doc, keptAt) => {
        ctx.err(`${ctx.paint.red('error')}: the run ended but its audit record was not written: ${terminalText(e.message, { multiline: true })}\n`);
        if (keptAt) ctx.err(`  note: the record is kept in ${terminalText(keptAt)}; the next wf command that opens the audit store writes it\n`);
        else auditLost = true;
      },
    });
    if (opts.json) ctx.out(JSON.stringify(doc, null, 2) + '\n');
    else ctx.out(local ? summary(doc, { logs: doc.run.id }) : summary(doc));
    // A run whose outcome could be neither recorded nor kept fails loudly, whatever its status.
    if (auditLost) return ExitCode.failure;
    if (doc.status === 'CANCEL' && controller.signal.aborted) return ExitCode.interrupted;
    return doc.status === 'SUCCESS' || doc.status === 'SKIP' ? ExitCode.ok : ExitCode.failure;
  } catch (e) {
    if (e instanceof RunInputError) {
      ctx.err(`${ctx.paint.red('error')}: workflow "${terminalText(name)}" was not run: its params are wrong\n${e.reports.map((p) => `  ${terminalText(p)}`).join('\n')}\n`);
      return ExitCode.usage;
    }
    if (e instanceof AuditError) {
      ctx.err(`${ctx.paint.red('error')}: ${terminalText(e.message, { multiline: true })}\n`);
      return ExitCode.failure;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await local?.close();
  }
}
