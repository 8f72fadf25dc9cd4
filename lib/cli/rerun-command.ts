import { REDACTED } from '../config/index.ts';
import type { AuditRecord } from '../audit/index.ts';
import { openLocalStore } from '../local/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { loadOne } from './load-one.ts';
import { addRunOptions, collectParams, noteFlushed, runWorkflow, type RunOptions } from './run-command.ts';
import { terminalText } from './terminal-text.ts';

/**
 * `wf rerun RUN_ID`: runs a recorded run again on the local engine. Jobs that succeeded keep their
 * results; the rest run again with the same params and release. A secret param (recorded as `***`)
 * must be given again with `-p`.
 */
export const rerunCommand: CliCommand = {
  name: 'rerun',
  register(program, ctx) {
    addRunOptions(program.command('rerun').description('run a recorded run again, keeping the jobs that succeeded').argument('<run-id>', 'the run to rerun (see wf audit NAME)')).action(
      commandAction(ctx, (runId: string, opts: RunOptions) => rerun(ctx, runId, opts)),
    );
  },
};

/** The jobs of a recorded run that succeeded, to carry into the rerun. */
export function succeededJobs(record: AuditRecord): Record<string, unknown> {
  const jobs = (record.context as { jobs?: Record<string, { status?: string }> } | undefined)?.jobs ?? {};
  return Object.fromEntries(Object.entries(jobs).filter(([, j]) => j?.status === 'SUCCESS'));
}

async function rerun(ctx: CliContext, runId: string, opts: RunOptions): Promise<number> {
  const local = await openLocalStore({ ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}) });
  noteFlushed(ctx, local);
  let record: AuditRecord | undefined;
  try {
    record = await local.store.findRun(runId);
  } finally {
    await local.close();
  }
  if (!record) {
    ctx.err(`${ctx.paint.red('error')}: no run "${terminalText(runId)}" in the local audit store; \`wf audit NAME\` lists the recorded runs\n`);
    return ExitCode.usage;
  }
  const skippedRelease = ((record.context as { errors?: Array<{ name?: string }> } | undefined)?.errors ?? []).some((e) => e.name === 'AlreadyReleased');
  if (record.status === 'SKIP' && skippedRelease) {
    ctx.err(`${ctx.paint.red('error')}: run ${terminalText(runId)} was skipped because its release had already run; rerun that run instead (\`wf audit ${terminalText(record.workflow)}\` lists it)\n`);
    return ExitCode.usage;
  }
  const loaded = loadOne(ctx, record.workflow, opts.conf);
  if (!loaded) return ExitCode.usage;
  const given = collectParams(opts);
  const params: Record<string, unknown> = { ...record.params, ...given };
  // Secret values are not recorded: a secret with a default falls back to it, any other must be given.
  for (const p of Object.values(loaded.workflow.params)) {
    if (p.secret && params[p.name] === REDACTED && p.hasDefault) {
      delete params[p.name];
      ctx.err(`note: secret param "${terminalText(p.name)}" is not recorded; the rerun uses its default (give another with -p ${terminalText(p.name)}=...)\n`);
    }
  }
  const missing = Object.values(loaded.workflow.params).filter((p) => p.secret && params[p.name] === REDACTED).map((p) => p.name);
  if (missing.length) {
    ctx.err(`${ctx.paint.red('error')}: run ${terminalText(runId)} had secret params, which are not recorded; give them again: ${missing.map((m) => `-p ${terminalText(m)}=...`).join(' ')}\n`);
    return ExitCode.usage;
  }
  const jobs = succeededJobs(record);
  if (record.truncated) ctx.err(`note: the record of run ${terminalText(runId)} was truncated to fit the audit table; kept jobs keep their truncated outputs\n`);
  const kept = Object.keys(jobs);
  ctx.err(`rerunning ${terminalText(record.workflow)} (run ${terminalText(runId)}, ${terminalText(record.status)})${kept.length ? `, keeping ${terminalText(kept.join(', '))}` : ''}\n`);
  return runWorkflow(ctx, record.workflow, opts, {
    params,
    jobs,
    type: 'rerun',
    parentRunId: runId,
    release: { logical_date: record.logicalDate, type: 'rerun' },
  });
}
