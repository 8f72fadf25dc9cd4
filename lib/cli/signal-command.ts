import { Option } from 'commander';
import type { Workflow } from '../config/index.ts';
import { loadWorkflows } from '../config/index.ts';
import { WorkflowClient, type SignalResult } from '../client/index.ts';
import { openLocalStore, type LocalStore } from '../local/index.ts';
import type { SignalAnswer } from '../protocol/index.ts';
import type { CliCommand, CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { addRunRefOptions, clientAction, runRef, type ClientCliOptions } from './start-command.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

interface SignalCliOptions extends ClientCliOptions {
  workflow?: string;
  data?: string;
  reject?: boolean;
  reason?: string;
  by?: string;
  auditTable?: string;
}

/**
 * `wf signal RUN NAME`: answers a run's `wait` stage (an approval). Without `--endpoint`,
 * `--stack` or `--region`, RUN is a local run id and the answer goes to the local audit store,
 * where the waiting run (in any process) reads it. Otherwise RUN is an execution (an ARN, or a
 * name with `--workflow`) and the answer goes through the audit table and Step Functions'
 * SendTaskSuccess / SendTaskFailure. A signal is sent once; one sent before the run reaches the
 * stage is kept for when it does.
 */
export const signalCommand: CliCommand = {
  name: 'signal',
  register(program, ctx) {
    addRunRefOptions(
      program
        .command('signal')
        .description("send a signal to a run's wait stage (an approval or a rejection)")
        .argument('<run>', 'the run id (local), or the execution ARN (or name, with --workflow)')
        .argument('<name>', 'the signal, as the wait stage names it'),
    )
      .option('--data <json>', "data for the stage's outputs, a JSON object")
      .option('--reject', 'reject: the waiting stage fails')
      .option('--reason <text>', 'why (with --reject)')
      .option('--by <name>', 'who sends it, recorded with the signal (default: $USER)')
      .addOption(new Option('--audit-table <name>', 'the audit table, when the stack does not name it'))
      .action(clientAction(ctx, (run: string, name: string, opts: SignalCliOptions) => signal(ctx, run, name, opts)));
  },
};

function answerOf(ctx: CliContext, opts: SignalCliOptions): SignalAnswer {
  const answer: SignalAnswer = {};
  if (opts.data !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(opts.data);
    } catch (e) {
      throw new UsageError(`--data is not valid JSON: ${(e as Error).message}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--data must be a JSON object (it becomes the stage\'s outputs), e.g. --data \'{"version": "1.2"}\'');
    answer.data = data as Record<string, unknown>;
  }
  if (opts.reason !== undefined && !opts.reject) throw new UsageError('--reason goes with --reject');
  if (opts.reject) answer.reject = true;
  if (opts.reason !== undefined) answer.reason = opts.reason;
  const by = opts.by ?? ctx.env.USER;
  if (by) answer.by = by;
  return answer;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

function quietWorkflows(ctx: CliContext, conf: string | undefined): Map<string, Workflow> {
  return loadWorkflows({ ...(conf !== undefined ? { conf } : {}), env: ctx.env }).workflows;
}

function print(ctx: CliContext, result: SignalResult, json: boolean | undefined): void {
  if (json) {
    ctx.out(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const verb = result.status === 'REJECTED' ? 'rejected' : 'sent';
  ctx.out(`${verb} signal "${terminalText(result.signal)}" to run ${terminalText(result.runId)}${result.early ? ' (no stage waits for it yet: it is kept for the one that does)' : ''}\n`);
}

async function signal(ctx: CliContext, run: string, name: string, opts: SignalCliOptions): Promise<number> {
  const answer = answerOf(ctx, opts);
  const endpoint = opts.endpoint ?? (ctx.env.AWS_ENDPOINT_URL_SFN || undefined);
  const remote = endpoint !== undefined || opts.stack !== undefined || opts.region !== undefined || run.startsWith('arn:');
  let local: LocalStore | undefined;
  const openLocal = async (): Promise<LocalStore> => (local ??= await openLocalStore({ ...(ctx.env.WORKFLOW_CORE_AUDIT_PATH ? { dir: ctx.env.WORKFLOW_CORE_AUDIT_PATH } : {}) }));
  try {
    if (!remote) {
      const store = await openLocal();
      const record = await store.store.findRun(run);
      if (!record) {
        ctx.err(`${ctx.paint.red('error')}: no run "${terminalText(run)}" in the local audit store; give a run id from \`wf audit NAME\` (or an execution ARN with --endpoint/--stack for deployed runs)\n`);
        return ExitCode.failure;
      }
      if (record.status !== 'WAIT') {
        ctx.err(`${ctx.paint.red('error')}: run ${terminalText(run)} of "${terminalText(record.workflow)}" already ended (${terminalText(record.status)}); a signal can only be sent to a running run\n`);
        return ExitCode.failure;
      }
      const client = new WorkflowClient({ dynamodb: store.client, auditTable: store.store.table, region: 'us-east-1' });
      print(ctx, await client.signal({ runId: run }, name, answer), opts.json);
      return ExitCode.ok;
    }
    // Runs of `wf serve` keep their signals in the local store the server uses.
    const served = endpoint !== undefined && isLoopback(endpoint) && !opts.auditTable;
    const store = served ? await openLocal() : undefined;
    const client = new WorkflowClient({
      ...(endpoint ? { endpoint } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.stack ? { stack: opts.stack } : {}),
      ...(store ? { dynamodb: store.client, auditTable: store.store.table } : opts.auditTable ? { auditTable: opts.auditTable } : {}),
      workflows: quietWorkflows(ctx, opts.conf),
    });
    print(ctx, await client.signal(runRef(run, opts.workflow), name, answer), opts.json);
    return ExitCode.ok;
  } finally {
    await local?.close();
  }
}
