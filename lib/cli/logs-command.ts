import { loadWorkflows } from '../config/index.ts';
import { DiagnosticError, closest, quoteList, type Diagnostic } from '../diagnostics/index.ts';
import { listRunLogs, openLocalStore, readRunLogs, type LogLine, type ResultDocument, type StageLog } from '../local/index.ts';
import type { AuditRecord } from '../audit/index.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { commandAction } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { noteFlushed } from './run-command.ts';
import { addRunRefOptions, clientAction, cliClient, runRef, type ClientCliOptions } from './start-command.ts';
import { terminalText } from './terminal-text.ts';

interface LogsOptions extends ClientCliOptions {
  workflow?: string;
}

/**
 * `wf logs RUN [JOB[.STAGE]]`: what a finished run's stages printed (bash stdout and stderr, py
 * prints) and the whole error of each failed attempt (a py traceback included), each line
 * prefixed `job › stage` as progress labels it. RUN is a local run's id (`wf run` with the audit
 * store on: its logs are kept in `.wf/logs/`), or a deployed run's execution ARN (or its name with
 * `--workflow`), read from its execution history.
 */
export const logsCommand: CliCommand = {
  name: 'logs',
  register(program, ctx) {
    addRunRefOptions(
      program
        .command('logs')
        .description("print a finished run's stage logs: what each stage printed and each failed attempt's whole error")
        .argument('<run>', 'a local run id (wf run), or a deployed run\'s execution ARN (or name, with --workflow)')
        .argument('[job.stage]', 'only this job, or this stage of it (its id or its name)'),
    ).action(
      commandAction(ctx, async (run: string, filter: string | undefined, opts: LogsOptions) => {
        if (run.startsWith('arn:') || opts.workflow !== undefined) return clientAction(ctx, () => deployedLogs(ctx, run, filter, opts))().then(() => ctx.exitCode);
        return localLogs(ctx, run, filter, opts);
      }),
    );
  },
};

/** `job (v1, v2) › stage [branch] [n]`: a stage's place, as progress shows it. */
function label(s: StageLog): string {
  const job = s.matrix ? `${s.job} (${s.matrix.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')})` : s.job;
  let after = s.branch !== undefined ? ` [${s.branch}]` : '';
  if (s.loop !== undefined) after += ` [${s.loop}]`;
  return `${job} › ${s.stage}${after}`;
}

function linesOf(text: unknown, stream: LogLine['stream']): LogLine[] {
  if (typeof text !== 'string' || text === '') return [];
  return text.split(/\r?\n/).map((t) => ({ stream, text: t, attempt: 1 }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The stages a result document records (those with an id), as logs: their `stdout` and `stderr`
 * outputs and their error. For the stages of a run whose logs were not kept, or that the logs
 * miss (a docker stage).
 */
function logsFromDocument(doc: ResultDocument | undefined): StageLog[] {
  const out: StageLog[] = [];
  if (!doc || !isRecord(doc.jobs)) return out;
  const take = (job: string, stages: unknown, matrix?: unknown): void => {
    if (!isRecord(stages)) return;
    for (const [id, st] of Object.entries(stages)) {
      if (!isRecord(st)) continue;
      const outputs = isRecord(st.outputs) ? st.outputs : {};
      const log: StageLog = { job, id, stage: id, lines: [...linesOf(outputs.stdout, 'stdout'), ...linesOf(outputs.stderr, 'stderr')], errors: [] };
      if (isRecord(matrix)) log.matrix = Object.values(matrix);
      if (isRecord(st.errors) && st.status === 'FAILED') log.errors.push({ attempt: 1, name: String(st.errors.name ?? 'Error'), message: String(st.errors.message ?? ''), retrying: false });
      out.push(log);
    }
  };
  for (const [job, record] of Object.entries(doc.jobs)) {
    if (!isRecord(record)) continue;
    take(job, record.stages);
    if (isRecord(record.strategies)) for (const strategy of Object.values(record.strategies)) if (isRecord(strategy)) take(job, strategy.stages, strategy.matrix);
  }
  return out;
}

/** The logs kept, with each recorded stage they miss added from the document. */
function merged(kept: StageLog[] | undefined, doc: ResultDocument | undefined): StageLog[] {
  const fromDoc = logsFromDocument(doc);
  if (!kept) return fromDoc;
  const has = new Set(kept.map((s) => JSON.stringify([s.job, s.id ?? '', s.matrix ?? []])));
  return [...kept, ...fromDoc.filter((s) => !has.has(JSON.stringify([s.job, s.id ?? '', s.matrix ?? []])))];
}

/** The stages `filter` (`JOB` or `JOB.STAGE`, the stage by id or name) picks; a name that matches nothing is a WF7007 with the closest one. */
function select(stages: StageLog[], jobs: Iterable<string>, filter: string | undefined, run: string): StageLog[] {
  if (filter === undefined) return stages;
  const knownJobs = [...new Set([...jobs, ...stages.map((s) => s.job)])];
  // A job id has no dot (ID_PATTERN); a stage name may.
  const dot = filter.indexOf('.');
  const job = dot < 0 ? filter : filter.slice(0, dot);
  const stage = dot < 0 ? undefined : filter.slice(dot + 1);
  if (!knownJobs.includes(job)) {
    const near = closest(job, knownJobs);
    throw notFound(`run ${run} has no job "${job}"`, knownJobs.length ? `${near ? `did you mean "${near}"? ` : ''}its jobs are ${quoteList(knownJobs)}` : 'the run recorded no jobs');
  }
  const ofJob = stages.filter((s) => s.job === job);
  if (stage === undefined) return ofJob;
  const picked = ofJob.filter((s) => s.id === stage || s.stage === stage);
  if (picked.length) return picked;
  const names = [...new Set(ofJob.flatMap((s) => (s.id !== undefined && s.id !== s.stage ? [s.id, s.stage] : [s.stage])))];
  // An id is what JOB.STAGE is usually typed with: suggested first.
  const near = closest(stage, ofJob.flatMap((s) => (s.id !== undefined ? [s.id] : []))) ?? closest(stage, names);
  throw notFound(
    `job "${job}" of run ${run} has no stage "${stage}" with logs`,
    names.length ? `${near ? `did you mean "${job}.${near}"? ` : ''}its stages with logs are ${quoteList(names)}` : `no stage of job "${job}" printed anything or failed`,
  );
}

function notFound(message: string, note: string, code = 'WF7007'): DiagnosticError {
  const d: Diagnostic = { code, severity: 'error', message, note };
  return new DiagnosticError([d]);
}

/** The logs as text: every line prefixed with its stage's label. */
function render(ctx: CliContext, stages: StageLog[]): string {
  const out: string[] = [];
  for (const s of stages) {
    const prefix = terminalText(label(s));
    const attempts = new Set(s.lines.map((l) => l.attempt)).size > 1 || s.errors.length > 1;
    s.lines.forEach((l, i) => {
      if (s.dropped && i === s.droppedAt) out.push(`${prefix} | … ${s.dropped} line${s.dropped === 1 ? '' : 's'} left out …`);
      out.push(`${prefix} ${l.stream === 'stderr' ? '!' : '|'} ${attempts ? `[attempt ${l.attempt}] ` : ''}${terminalText(l.text)}`);
    });
    if (s.dropped && s.droppedAt === s.lines.length) out.push(`${prefix} | … ${s.dropped} line${s.dropped === 1 ? '' : 's'} left out …`);
    for (const e of s.errors) {
      const [first = '', ...rest] = e.message.split('\n');
      out.push(`${prefix} ${ctx.paint.red('✗')} attempt ${e.attempt} failed${e.retrying ? ' (retried)' : ''}: ${terminalText(e.name)}: ${terminalText(first)}`);
      for (const line of rest) out.push(`${prefix} ${ctx.paint.red('✗')}   ${terminalText(line)}`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A job's own error (a `raise` stage's message, say), which no stage's logs hold. */
interface JobError {
  job: string;
  name: string;
  message: string;
}

/** The errors of the jobs of a document that `filter` picks (none for a stage). */
function jobErrors(doc: ResultDocument | undefined, filter: string | undefined): JobError[] {
  if (filter?.includes('.') || !doc || !isRecord(doc.jobs)) return [];
  const out: JobError[] = [];
  for (const [job, record] of Object.entries(doc.jobs)) {
    if (filter !== undefined && job !== filter) continue;
    if (isRecord(record) && isRecord(record.errors)) out.push({ job, name: String(record.errors.name ?? 'Error'), message: String(record.errors.message ?? '') });
  }
  return out;
}

function print(ctx: CliContext, run: { id: string; workflow: string; status?: string }, stages: StageLog[], errors: JobError[], json: boolean | undefined): void {
  if (json) {
    ctx.out(`${JSON.stringify({ run: run.id, workflow: run.workflow, ...(run.status ? { status: run.status } : {}), stages, jobErrors: errors }, null, 2)}\n`);
    return;
  }
  let text = render(ctx, stages);
  for (const e of errors) {
    const [first = '', ...rest] = e.message.split('\n');
    text += `${terminalText(e.job)} ${ctx.paint.red('✗')} job failed: ${terminalText(e.name)}: ${terminalText(first)}\n`;
    for (const line of rest) text += `${terminalText(e.job)} ${ctx.paint.red('✗')}   ${terminalText(line)}\n`;
  }
  if (text) ctx.out(text);
  else ctx.err(`no stage of run ${terminalText(run.id)} printed anything or failed${stages.length ? '' : ' (only stages with an id keep a record: the logs of this run were not kept)'}\n`);
}

/** A local run's logs: the kept logs file, and the record's stages it misses. */
async function localLogs(ctx: CliContext, runId: string, filter: string | undefined, opts: LogsOptions): Promise<number> {
  const local = await openLocalStore({ ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}) });
  noteFlushed(ctx, local);
  try {
    const record = await local.store.findRun(runId);
    const kept = readRunLogs(local.dir, runId);
    if (!record && !kept) throw notFound(`no run "${runId}" in the local audit store (${local.dir})`, await runNote(ctx, local, runId, opts), 'WF7006');
    if (record?.status === 'WAIT') ctx.err(`note: run ${terminalText(runId)} has not finished (or was killed): its logs are those kept so far\n`);
    if (!kept) ctx.err(`note: the logs of run ${terminalText(runId)} were not kept; these are the outputs its record holds (stages with an id only)\n`);
    const doc = record?.context as ResultDocument | undefined;
    const stages = merged(kept?.stages, doc);
    const picked = select(stages, Object.keys(isRecord(doc?.jobs) ? doc!.jobs : {}), filter, runId);
    print(ctx, { id: runId, workflow: record?.workflow ?? kept?.workflow ?? '', ...(record ? { status: record.status } : {}) }, picked, jobErrors(doc, filter), opts.json);
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}

/** What to say about a run id that is not there: the closest known one, and where run ids come from. */
async function runNote(ctx: CliContext, local: Awaited<ReturnType<typeof openLocalStore>>, runId: string, opts: LogsOptions): Promise<string> {
  const ids = new Set(listRunLogs(local.dir));
  const names = [...loadWorkflows({ ...(opts.conf !== undefined ? { conf: opts.conf } : {}), env: ctx.env }).workflows.keys()];
  for (const name of names) {
    let records: AuditRecord[] = [];
    try {
      records = await local.store.list(name, { limit: 100, withContext: false });
    } catch {
      // the listing is only for the suggestion
    }
    for (const r of records) ids.add(r.runId);
  }
  const near = closest(runId, ids);
  return `${near ? `did you mean "${near}"? ` : ''}wf audit NAME lists a workflow's runs; a deployed run is named by its execution ARN (or its name with --workflow NAME)`;
}

/** A deployed run's logs, from its execution history. */
async function deployedLogs(ctx: CliContext, run: string, filter: string | undefined, opts: LogsOptions): Promise<number> {
  const { report, stages } = await cliClient(ctx, opts).stageLogs(runRef(run, opts.workflow));
  const doc = report.result;
  // Without the workflow loaded, history stages have no ids to match the document's with: the document fills in only when the history has none.
  const all = stages.length && !stages.some((s) => s.id !== undefined) ? stages : merged(stages, doc);
  const picked = select(all, [...Object.keys(report.jobs), ...Object.keys(isRecord(doc?.jobs) ? doc!.jobs : {})], filter, report.name);
  if (report.status === 'WAIT') ctx.err(`note: ${terminalText(report.name)} is still running: these are its logs so far\n`);
  print(ctx, { id: report.name, workflow: report.workflow, status: report.status }, picked, jobErrors(doc, filter), opts.json);
  return ExitCode.ok;
}
