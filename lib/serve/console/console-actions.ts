/**
 * What the web console's buttons do, through the same code the Step Functions API runs: Start is
 * a StartExecution (the params checked first, so the form shows every problem at once), Stop a
 * StopExecution of the run's execution, Rerun a new execution resuming from the recorded run
 * (as `wf rerun` does: jobs that succeeded are kept, same params and release, type `rerun`;
 * secret params are not recorded and must be given again unless they have a default), and a
 * signal answer the same conditional write `wf signal` makes in the local audit store.
 */
import { UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { AuditRecord, AuditStore } from '../../audit/index.ts';
import { parameterize, REDACTED, type Workflow } from '../../config/index.ts';
import { newRunId } from '../../local/index.ts';
import { answerSignalUpdate, type SignalAnswer } from '../../protocol/index.ts';
import { localExecutionArn, localStateMachineArn } from '../local-arns.ts';
import type { LocalExecutions } from '../local-executions.ts';

/** A refused action: the HTTP status and what to tell the user. */
export class ConsoleActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** One line per problem (wrong params), with its code. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ConsoleActionError';
  }
}

function checkParams(workflow: Workflow, params: Record<string, unknown>): void {
  const { errors } = parameterize(workflow, params);
  if (errors.length) throw new ConsoleActionError(400, `workflow "${workflow.name}" was not started: its params are wrong`, errors.map((e) => e.report()));
}

/** How long a start waits for the run's audit record, so that the page it opens finds the run. */
const RECORD_WAIT_MS = 5_000;

async function startExecution(executions: LocalExecutions, store: AuditStore, workflow: Workflow, input: Record<string, unknown>, name: string): Promise<{ runId: string; executionArn: string }> {
  const out = await executions.start({ stateMachineArn: localStateMachineArn(workflow.name), name, input: JSON.stringify(input) });
  for (let waited = 0; waited < RECORD_WAIT_MS && !(await store.findRun(name)); waited += 50) await new Promise((r) => setTimeout(r, 50));
  return { runId: name, executionArn: out.executionArn };
}

/** Starts a run of `workflow` with the params of the start form. */
export async function startRun(executions: LocalExecutions, store: AuditStore, workflow: Workflow, params: Record<string, unknown>): Promise<{ runId: string; executionArn: string }> {
  checkParams(workflow, params);
  return startExecution(executions, store, workflow, { params }, newRunId());
}

/** Stops the run's execution (it ends ABORTED, its record CANCEL). */
export async function stopRun(executions: LocalExecutions, record: AuditRecord): Promise<void> {
  if (record.status !== 'WAIT') throw new ConsoleActionError(409, `run ${record.runId} already ended (${record.status})`);
  await executions.stop({ executionArn: localExecutionArn(record.workflow, record.runId), cause: 'stopped from the web console' });
}

/** Runs a recorded run again (see the file comment); `secrets` gives secret params again. */
export async function rerunRun(executions: LocalExecutions, store: AuditStore, workflow: Workflow, record: AuditRecord, secrets: Record<string, unknown>): Promise<{ runId: string; executionArn: string }> {
  if (record.status === 'WAIT') throw new ConsoleActionError(409, `run ${record.runId} is still running; wait for it or stop it first`);
  const context = (record.context ?? {}) as { jobs?: Record<string, { status?: string }>; errors?: Array<{ name?: string }> };
  if (record.status === 'SKIP' && (context.errors ?? []).some((e) => e.name === 'AlreadyReleased')) {
    throw new ConsoleActionError(409, `run ${record.runId} was skipped because its release had already run; rerun that run instead`);
  }
  const params: Record<string, unknown> = { ...record.params };
  for (const p of Object.values(workflow.params)) {
    if (!p.secret || params[p.name] !== REDACTED) continue;
    if (secrets[p.name] !== undefined && secrets[p.name] !== '') params[p.name] = secrets[p.name];
    else if (p.hasDefault) delete params[p.name];
  }
  const missing = Object.values(workflow.params).filter((p) => p.secret && params[p.name] === REDACTED).map((p) => p.name);
  if (missing.length) throw new ConsoleActionError(400, `run ${record.runId} had secret params, which are not recorded; give them again: ${missing.join(', ')}`);
  checkParams(workflow, params);
  const jobs = Object.fromEntries(Object.entries(context.jobs ?? {}).filter(([, j]) => j?.status === 'SUCCESS'));
  const name = newRunId();
  return startExecution(executions, store, workflow, { params, jobs, release: { logical_date: record.logicalDate, type: 'rerun' }, run: { id: name, parent: record.runId } }, name);
}

/** Answers a signal of a running run: approves it (with data) or rejects it (with a reason). */
export async function answerSignal(store: AuditStore, record: AuditRecord, signal: string, answer: SignalAnswer): Promise<void> {
  if (record.status !== 'WAIT') throw new ConsoleActionError(409, `run ${record.runId} already ended (${record.status}); a signal can only be sent to a running run`);
  const update = answerSignalUpdate(store.table, record.runId, signal, answer, new Date().toISOString()) as unknown as UpdateItemCommandInput;
  try {
    await store.client.send(new UpdateItemCommand(update));
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw new ConsoleActionError(409, `signal "${signal}" of run ${record.runId} was already sent; a signal is sent once`);
    throw e;
  }
}
