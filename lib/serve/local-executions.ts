/**
 * The executions behind the local Step Functions endpoint: each StartExecution runs the workflow's
 * compiled machine on the local engine (`runAudited`, so the run is in the audit table too) in
 * the background, records its history, and keeps the execution in the executions table.
 *
 * Local choices, where AWS has no local equivalent:
 * - The input of a run goes to `runLocal` as given: `params`, `release`, `run.id` (default: the
 *   execution name), `jobs` and `lock` (`lock: true` from a schedule becomes the minute's key),
 *   with the same param checks as the machine's `prepare` step; wrong params fail the execution
 *   with error `ParamError`, as the `prepare failed` state does on AWS.
 * - A run id (`run.id`, `run.parent`) must be a valid execution name (ValidationException), and
 *   a new execution may not take the id of a run the audit store already has, or of one starting
 *   now (ExecutionAlreadyExists): its record would replace that run's.
 * - A duplicate execution name is always `ExecutionAlreadyExists` (AWS returns the running
 *   execution for an identical request instead).
 * - Secret params are redacted in the reported and stored input and history; the real values stay
 *   in memory only, for a redrive by the same server process.
 * - `RedriveExecution` of a FAILED execution runs the machine again under the same ARN, resuming
 *   from the run's result document: jobs that succeeded are kept, the rest run again.
 * - An execution that was RUNNING when the server stopped (or died) is FAILED with error
 *   `States.Runtime` and cause {@link SERVER_STOPPED}; it can be redriven.
 */
import { randomUUID } from 'node:crypto';
import type { Workflow } from '../config/index.ts';
import { REDACTED, redactParams, VALUE_DEPTH_MAX, valueDepth } from '../config/index.ts';
import { compileWorkflow, type Machine } from '../compiler/index.ts';
import { runAudited, RunInputError, secretTexts, type ResultDocument, type RunEvent } from '../local/index.ts';
import { CAUSE_LIMIT_CHARS } from '../runtime/index.ts';
import type { AuditStore, RunType } from '../audit/index.ts';
import { HistoryRecorder, type ExecutionEnd, type HistoryEvent } from './history-recorder.ts';
import type { ExecutionRecord, ExecutionStatus, ExecutionSummary } from './execution-record.ts';
import type { ExecutionTable } from './execution-table.ts';
import { checkRunId, executionNameProblem, localExecutionArn, localStateMachineArn, parseExecutionArn, parseStateMachineArn } from './local-arns.ts';
import { SfnError } from './sfn-error.ts';

/** The cause of an execution that was running when the local server stopped. */
export const SERVER_STOPPED = 'the local server stopped during the run';

/** Step Functions' limit on an execution's input, in bytes. */
export const MAX_INPUT_BYTES = 262_144;

/**
 * The deepest nesting of maps and lists an execution's input may have: deeper input is refused at
 * the start (as InvalidExecutionInput), so nothing that walks it later runs out of stack. Params sit
 * two levels down (`{"params": {"p": ...}}`) and are held to their own, lower limit when the run starts.
 */
export const MAX_INPUT_DEPTH = 256;

const CACHED_FINISHED = 200;
const STOP_WAIT_MS = 10_000;

/** Options of {@link LocalExecutions}. */
export interface LocalExecutionsOptions {
  /** Every workflow by name: one state machine each. */
  workflows: ReadonlyMap<string, Workflow>;
  /** Where executions are kept. */
  table: ExecutionTable;
  /** The audit store runs are recorded in (also the release claims' table). */
  audit: AuditStore;
  /** Replaces retry waits with this many milliseconds (tests). */
  retryWaitMs?: number;
  /** The local state folder whose `pending/` keeps a run's end record the audit store cannot take. @default none */
  pendingDir?: string;
  /** Receives one line per execution that starts or ends. @default none */
  log?: (line: string) => void;
  /** The clock. @default Date.now */
  now?: () => number;
  /** The local state folder whose `logs/` keeps what each run's stages printed (`wf logs`). @default none: no logs are kept */
  logsDir?: string;
  /** Told of each run's progress events and stage lines as they come, and of its end (the web console). @default none */
  watch?: RunWatch;
}

/** A run of the endpoint, as a {@link RunWatch} sees it. */
export interface WatchedRun {
  runId: string;
  executionArn: string;
  workflow: Workflow;
  /** The params as given (secret values included: for masking, never to show). */
  params: Record<string, unknown>;
}

/** Receives what the endpoint's runs do while they run. */
export interface RunWatch {
  /** A progress event (`job-start`, `stage-end`, ...) or a stage's line or failed attempt. */
  event(run: WatchedRun, e: RunEvent): void;
  /** The run ended (its audit record is written). */
  ended(run: WatchedRun): void;
}

/** A state machine of the endpoint. */
export interface LocalStateMachine {
  stateMachineArn: string;
  workflow: Workflow;
  definition: string;
  type: 'STANDARD' | 'EXPRESS';
  /** Epoch milliseconds (when the server loaded it). */
  creationDate: number;
  resources: Map<string, string>;
}

interface LiveRun {
  controller: AbortController;
  stop?: { error?: string; cause?: string };
  done: Promise<void>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function taskResources(m: Machine, into = new Map<string, string>()): Map<string, string> {
  for (const [name, st] of Object.entries(m.States)) {
    if (st.Type === 'Task' && st.Resource) into.set(name, st.Resource);
    for (const b of st.Branches ?? []) taskResources(b, into);
    if (st.ItemProcessor) taskResources(st.ItemProcessor, into);
  }
  return into;
}

/** The input as shown and stored: secret params replaced by `"***"`. */
function redactInput(workflow: Workflow, input: unknown): unknown {
  if (!isRecord(input) || !isRecord(input.params)) return input;
  return { ...input, params: redactParams(workflow, input.params) };
}

/** A lock key from an input that asks for one (`lock: true`, as schedules send it) for a normal release. */
function lockFor(input: Record<string, unknown>, release: { logical_date: string; type: string }): string | undefined {
  if (typeof input.lock === 'string') return input.lock;
  if (input.lock !== true || release.type !== 'normal') return undefined;
  const at = new Date(release.logical_date);
  return Number.isNaN(at.getTime()) ? undefined : `lock#${at.toISOString().slice(0, 16)}`;
}

function auditType(releaseType: string, lock: string | undefined): RunType {
  if (releaseType === 'normal') return lock ? 'normal' : 'manual';
  return releaseType === 'force' || releaseType === 'rerun' || releaseType === 'dryrun' ? releaseType : 'manual';
}

function succeededJobs(doc: unknown): Record<string, unknown> {
  const jobs = isRecord(doc) && isRecord(doc.jobs) ? doc.jobs : {};
  return Object.fromEntries(Object.entries(jobs).filter(([, j]) => isRecord(j) && j.status === 'SUCCESS'));
}

/**
 * True for a ListExecutions page token of this state machine: the executions index's last
 * evaluated key (`executionArn`, `stateMachineArn`, `startDate`), as the endpoint hands it out.
 * Anything else would reach the store as a malformed start key.
 */
function isPageKey(start: unknown, stateMachineArn: string): boolean {
  if (!isRecord(start)) return false;
  const keys = Object.keys(start).sort();
  if (keys.join() !== 'executionArn,startDate,stateMachineArn') return false;
  const attr = (name: string, type: 'S' | 'N'): string | undefined => {
    const v = start[name];
    if (!isRecord(v) || Object.keys(v).length !== 1 || typeof v[type] !== 'string') return undefined;
    return v[type] as string;
  };
  const date = attr('startDate', 'N');
  return attr('executionArn', 'S') !== undefined && attr('stateMachineArn', 'S') === stateMachineArn && date !== undefined && date.trim() !== '' && Number.isFinite(Number(date));
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

function readToken(token: unknown): unknown {
  if (token === undefined || token === null) return undefined;
  try {
    return JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as unknown;
  } catch {
    throw new SfnError('InvalidToken', `Invalid Token: '${String(token)}'`);
  }
}

function limitOf(maxResults: unknown, fallback: number): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return fallback;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new SfnError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return maxResults;
}

/** The executions of the local endpoint (see the file comment). */
export class LocalExecutions {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly live = new Map<string, LiveRun>();
  private readonly reserved = new Set<string>();
  /** The run ids of executions started by this server whose run may not have written its audit record yet. */
  private readonly runIds = new Set<string>();
  /** Inputs with their secret values, for a redrive by this process (kept while the execution can be redriven). */
  private readonly fullInputs = new Map<string, unknown>();
  private readonly writes = new Map<string, Promise<void>>();
  private closing = false;
  private readonly now: () => number;

  constructor(private readonly options: LocalExecutionsOptions) {
    this.now = options.now ?? Date.now;
    const created = this.now();
    for (const workflow of options.workflows.values()) {
      const compiled = compileWorkflow(workflow, { workflows: options.workflows });
      const arn = localStateMachineArn(workflow.name);
      this.machines.set(arn, {
        stateMachineArn: arn,
        workflow,
        definition: compiled.json,
        type: workflow.execution === 'express' ? 'EXPRESS' : 'STANDARD',
        creationDate: created,
        resources: taskResources(compiled.definition),
      });
    }
  }

  /** The state machines, by name. */
  stateMachines(): LocalStateMachine[] {
    return [...this.machines.values()].sort((a, b) => (a.workflow.name < b.workflow.name ? -1 : a.workflow.name > b.workflow.name ? 1 : 0));
  }

  /** The state machine of an ARN; `InvalidArn` or `StateMachineDoesNotExist` otherwise. */
  stateMachine(arn: unknown): LocalStateMachine {
    parseStateMachineArn(arn);
    const machine = this.machines.get(arn as string);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  /** Marks the executions left RUNNING by a previous server as FAILED (see {@link SERVER_STOPPED}). */
  async recover(): Promise<number> {
    const left = await this.options.table.running();
    for (const summary of left) {
      const record = await this.options.table.get(summary.executionArn);
      if (!record || this.live.has(record.executionArn)) continue;
      const at = this.now();
      const recorder = new HistoryRecorder({}, record.history);
      const end: ExecutionEnd = { status: 'FAILED', error: 'States.Runtime', cause: SERVER_STOPPED };
      recorder.finished(end, at);
      Object.assign(record, { status: 'FAILED', error: end.error, cause: end.cause, stopDate: at });
      await this.options.table.put(record);
    }
    return left.length;
  }

  private persist(record: ExecutionRecord, create = false): Promise<boolean> {
    const previous = this.writes.get(record.executionArn) ?? Promise.resolve();
    const write = previous.then(() => this.options.table.put(record, { create }));
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(record.executionArn, settled);
    void settled.then(() => {
      if (this.writes.get(record.executionArn) === settled) this.writes.delete(record.executionArn);
    });
    return write;
  }

  private remember(record: ExecutionRecord): void {
    this.records.delete(record.executionArn);
    this.records.set(record.executionArn, record);
    if (this.records.size <= CACHED_FINISHED) return;
    for (const arn of this.records.keys()) {
      if (this.records.size <= CACHED_FINISHED) break;
      if (!this.live.has(arn) && !this.writes.has(arn)) this.records.delete(arn);
    }
  }

  private async find(arn: unknown): Promise<ExecutionRecord> {
    parseExecutionArn(arn);
    const known = this.records.get(arn as string) ?? (await this.options.table.get(arn as string));
    if (!known) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    if (!this.records.has(known.executionArn)) this.remember(known);
    return known;
  }

  /** `StartExecution`. */
  async start(request: { stateMachineArn?: unknown; name?: unknown; input?: unknown }): Promise<{ executionArn: string; startDate: number }> {
    const machine = this.stateMachine(request.stateMachineArn);
    if (this.closing) throw new SfnError('ServiceUnavailable', 'the local server is stopping', 503);
    const name = request.name === undefined || request.name === null ? randomUUID() : request.name;
    if (typeof name !== 'string') throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
    const problem = executionNameProblem(name);
    if (problem) throw new SfnError('InvalidName', `Invalid Name: '${name}' (${problem})`);
    const text = request.input === undefined || request.input === null ? '{}' : request.input;
    if (typeof text !== 'string') throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input must be a JSON text');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_INPUT_BYTES) throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: the input is ${bytes} bytes, over the limit of ${MAX_INPUT_BYTES} bytes`);
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
    }
    if (valueDepth(input, MAX_INPUT_DEPTH) > MAX_INPUT_DEPTH) {
      throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: maps and lists nest more than ${MAX_INPUT_DEPTH} levels deep (a param value may nest at most ${VALUE_DEPTH_MAX})`);
    }
    const runInfo = isRecord(input) && isRecord(input.run) ? input.run : {};
    const runId = runInfo.id === undefined || runInfo.id === null || runInfo.id === '' ? name : checkRunId(runInfo.id, 'run.id');
    if (runInfo.parent !== undefined && runInfo.parent !== null) checkRunId(runInfo.parent, 'run.parent');
    const workflow = machine.workflow;
    const executionArn = localExecutionArn(workflow.name, name);
    const duplicate = (): SfnError => new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    if (this.reserved.has(executionArn) || this.records.has(executionArn)) throw duplicate();
    const runTaken = (): SfnError =>
      new SfnError('ExecutionAlreadyExists', `the run id "${runId}" is taken: the audit store already has a run with that id, and a new execution may not replace its record. Give another run.id in the input, or leave it out to use the execution name`);
    if (this.runIds.has(runId)) throw runTaken();
    this.reserved.add(executionArn);
    this.runIds.add(runId);
    let launched = false;
    try {
      if (await this.options.table.get(executionArn)) throw duplicate();
      if (await this.options.audit.findRun(runId)) throw runTaken();
      const at = this.now();
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn: machine.stateMachineArn,
        name,
        workflow: workflow.name,
        status: 'RUNNING',
        input: JSON.stringify(redactInput(workflow, input)),
        startDate: at,
        redriveCount: 0,
        history: [],
      };
      const recorder = this.recorder(machine, input, record.history);
      recorder.started(record.input, at);
      if (!(await this.persist(record, true))) throw duplicate();
      this.remember(record);
      this.fullInputs.set(executionArn, input);
      this.launch(machine, record, input, recorder, runId);
      launched = true;
      return { executionArn, startDate: at / 1000 };
    } finally {
      this.reserved.delete(executionArn);
      if (!launched) this.runIds.delete(runId);
    }
  }

  private recorder(machine: LocalStateMachine, input: unknown, history: HistoryEvent[]): HistoryRecorder {
    const params = isRecord(input) && isRecord(input.params) ? input.params : {};
    return new HistoryRecorder({ secrets: secretTexts(machine.workflow, params), resources: machine.resources }, history);
  }

  /** Runs an execution in the background; `startedRunId` (a new execution's) is released when the run ends. */
  private launch(machine: LocalStateMachine, record: ExecutionRecord, input: unknown, recorder: HistoryRecorder, startedRunId?: string): void {
    const controller = new AbortController();
    const run: LiveRun = { controller, done: Promise.resolve() };
    this.live.set(record.executionArn, run);
    this.options.log?.(`${record.name} (${record.workflow}): started${record.redriveCount ? `, redrive ${record.redriveCount}` : ''}`);
    run.done = this.execute(machine, record, input, recorder, run).finally(() => {
      if (this.live.get(record.executionArn) === run) this.live.delete(record.executionArn);
      if (startedRunId !== undefined) this.runIds.delete(startedRunId);
      this.options.log?.(`${record.name} (${record.workflow}): ${record.status}${record.error ? ` (${record.error})` : ''}`);
    });
  }

  private async execute(machine: LocalStateMachine, record: ExecutionRecord, input: unknown, recorder: HistoryRecorder, run: LiveRun): Promise<void> {
    const workflow = machine.workflow;
    const i = isRecord(input) ? input : {};
    const r = isRecord(i.release) ? i.release : {};
    const release = {
      logical_date: typeof r.logical_date === 'string' ? r.logical_date : new Date(record.startDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      type: typeof r.type === 'string' ? r.type : 'normal',
    };
    const runInfo = isRecord(i.run) ? i.run : {};
    const lock = lockFor(i, release);
    let doc: ResultDocument | undefined;
    let end: ExecutionEnd;
    let topExecution: string | undefined;
    const params = isRecord(i.params) ? i.params : {};
    const runId = typeof runInfo.id === 'string' && runInfo.id !== '' ? runInfo.id : record.name;
    const watch = this.options.watch;
    const watched: WatchedRun = { runId, executionArn: record.executionArn, workflow, params };
    const onWatched = watch ? (e: RunEvent): void => watch.event(watched, e) : undefined;
    try {
      doc = await runAudited(workflow, {
        workflows: this.options.workflows,
        audit: this.options.audit,
        type: auditType(release.type, lock),
        params,
        release,
        runId,
        jobs: isRecord(i.jobs) ? i.jobs : {},
        ...(lock ? { lock } : {}),
        ...(typeof runInfo.parent === 'string' ? { parentRunId: runInfo.parent } : {}),
        signal: run.controller.signal,
        // The run's own execution only: a split job or a foreach chunk is an execution of its own on AWS.
        onRawEvent: (e, execution) => {
          topExecution ??= execution;
          if (execution === topExecution) recorder.engine(e);
        },
        ...(this.options.retryWaitMs !== undefined ? { retryWaitMs: this.options.retryWaitMs } : {}),
        ...(this.options.pendingDir !== undefined ? { pendingDir: this.options.pendingDir } : {}),
        ...(this.options.logsDir !== undefined ? { logsDir: this.options.logsDir, onLogsError: (e: Error) => this.options.log?.(`${record.name} (${record.workflow}): the run's logs were not kept: ${e.message}`) } : {}),
        ...(onWatched ? { onEvent: onWatched, onStageLog: onWatched } : {}),
        onAuditError: (e, _doc, keptAt) =>
          this.options.log?.(`${record.name} (${record.workflow}): the run's audit record was not written: ${e.message}${keptAt ? `; kept in ${keptAt} until the store takes it` : ''}`),
      });
      end = this.outcome(doc, recorder);
    } catch (e) {
      if (e instanceof RunInputError) {
        end = { status: 'FAILED', error: 'ParamError', cause: JSON.stringify({ errorType: 'ParamError', errorMessage: `workflow "${workflow.name}" was not run: ${e.problems.join('; ')}` }) };
      } else {
        end = { status: 'FAILED', error: 'States.Runtime', cause: e instanceof Error ? e.message : String(e) };
      }
    }
    if (run.stop) end = { status: 'ABORTED', ...run.stop };
    else if (this.closing && end.status !== 'SUCCEEDED') end = { status: 'FAILED', error: 'States.Runtime', cause: SERVER_STOPPED };
    const at = this.now();
    recorder.finished(end, at);
    // The ended record is written first and shown after, with the run no longer live in the same
    // step: a caller never sees it ended yet not redrivable because it still counts as running.
    const ended: ExecutionRecord = { ...record, status: end.status, stopDate: at };
    if (end.status === 'SUCCEEDED') ended.output = end.output;
    else {
      if (end.error !== undefined) ended.error = end.error;
      if (end.cause !== undefined) ended.cause = end.cause;
    }
    if (doc) ended.result = JSON.stringify(doc);
    await this.persist(ended).catch((e: unknown) => this.options.log?.(`${record.name} (${record.workflow}): the execution record was not written: ${(e as Error).message}`));
    Object.assign(record, ended);
    if (record.status !== 'FAILED') this.fullInputs.delete(record.executionArn);
    if (this.live.get(record.executionArn) === run) this.live.delete(record.executionArn);
    watch?.ended(watched);
  }

  private outcome(doc: ResultDocument, recorder: HistoryRecorder): ExecutionEnd {
    if (doc.status === 'SUCCESS' || doc.status === 'SKIP') return { status: 'SUCCEEDED', output: JSON.stringify(doc) };
    if (doc.status === 'CANCEL') return { status: 'ABORTED' };
    const engine = recorder.engineFailure;
    if (engine?.error === 'WorkflowFailed') return { status: 'FAILED', error: 'WorkflowFailed', cause: (engine.cause ?? '').slice(0, CAUSE_LIMIT_CHARS) };
    const first = doc.errors[0];
    if (first?.name === 'States.Timeout') return { status: 'TIMED_OUT', error: 'States.Timeout', cause: first.message };
    return { status: 'FAILED', error: engine?.error ?? first?.name ?? 'States.Runtime', cause: (engine?.cause ?? first?.message ?? '').slice(0, CAUSE_LIMIT_CHARS) };
  }

  private redriveProblem(record: ExecutionRecord): string | undefined {
    if (this.live.has(record.executionArn) || record.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven';
    if (record.status !== 'FAILED') return `Execution is ${record.status} and cannot be redriven; the local server redrives FAILED executions only`;
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) return `the state machine ${record.stateMachineArn} is not served any more`;
    if (!this.fullInputs.has(record.executionArn)) {
      const stored = JSON.parse(record.input) as unknown;
      const params = isRecord(stored) && isRecord(stored.params) ? stored.params : {};
      const hidden = Object.values(machine.workflow.params).filter((p) => p.secret && params[p.name] === REDACTED);
      if (hidden.length) return `the execution's secret params (${hidden.map((p) => p.name).join(', ')}) are not kept across server restarts; start a new execution with them`;
    }
    return undefined;
  }

  /** `RedriveExecution` (see the file comment). */
  async redrive(request: { executionArn?: unknown }): Promise<{ redriveDate: number }> {
    const record = await this.find(request.executionArn);
    const problem = this.redriveProblem(record);
    if (problem) throw new SfnError('ExecutionNotRedrivable', problem);
    if (this.closing) throw new SfnError('ServiceUnavailable', 'the local server is stopping', 503);
    const machine = this.machines.get(record.stateMachineArn)!;
    const original = this.fullInputs.get(record.executionArn) ?? (JSON.parse(record.input) as unknown);
    const base = isRecord(original) ? original : {};
    // The release was claimed by the first run: the redrive must not claim it again.
    const { lock: _claimed, ...rest } = base;
    const input = { ...rest, jobs: record.result ? succeededJobs(JSON.parse(record.result)) : isRecord(base.jobs) ? base.jobs : {} };
    const at = this.now();
    record.status = 'RUNNING';
    record.redriveCount += 1;
    record.redriveDate = at;
    delete record.stopDate;
    delete record.output;
    delete record.error;
    delete record.cause;
    delete record.result;
    const recorder = this.recorder(machine, input, record.history);
    recorder.redriven(record.redriveCount, at);
    await this.persist(record);
    this.launch(machine, record, input, recorder);
    return { redriveDate: at / 1000 };
  }

  /** `StopExecution`: aborts the run (ABORTED) and waits for it to end. A closed execution is left as it is. */
  async stop(request: { executionArn?: unknown; error?: unknown; cause?: unknown }): Promise<{ stopDate: number }> {
    const record = await this.find(request.executionArn);
    const run = this.live.get(record.executionArn);
    if (run) {
      run.stop = {
        ...(typeof request.error === 'string' ? { error: request.error } : {}),
        ...(typeof request.cause === 'string' ? { cause: request.cause } : {}),
      };
      run.controller.abort();
      await Promise.race([run.done, new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    }
    return { stopDate: (record.stopDate ?? this.now()) / 1000 };
  }

  /** An execution's status (from memory when this server ran it lately), or undefined when there is no such execution. */
  async status(executionArn: string): Promise<ExecutionStatus | undefined> {
    return (this.records.get(executionArn) ?? (await this.options.table.summary(executionArn)))?.status;
  }

  /** `DescribeExecution`. */
  async describe(request: { executionArn?: unknown }): Promise<Record<string, unknown>> {
    const r = await this.find(request.executionArn);
    const problem = this.redriveProblem(r);
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: seconds(r.startDate),
      ...(r.stopDate !== undefined ? { stopDate: seconds(r.stopDate) } : {}),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
      redriveCount: r.redriveCount,
      ...(r.redriveDate !== undefined ? { redriveDate: seconds(r.redriveDate) } : {}),
      redriveStatus: problem ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      ...(problem ? { redriveStatusReason: problem } : {}),
    };
  }

  /** `ListExecutions`, newest first. */
  async list(request: { stateMachineArn?: unknown; statusFilter?: unknown; maxResults?: unknown; nextToken?: unknown }): Promise<Record<string, unknown>> {
    const machine = this.stateMachine(request.stateMachineArn);
    const statuses: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
    if (request.statusFilter !== undefined && request.statusFilter !== null && !statuses.includes(request.statusFilter as ExecutionStatus)) {
      throw new SfnError('ValidationException', `1 validation error detected: Value '${String(request.statusFilter)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${statuses.join(', ')}]`);
    }
    const limit = limitOf(request.maxResults, 100);
    const start = readToken(request.nextToken);
    if (start !== undefined && !isPageKey(start, machine.stateMachineArn)) throw new SfnError('InvalidToken', `Invalid Token: '${String(request.nextToken)}'`);
    const page = await this.options.table.list(machine.stateMachineArn, {
      limit,
      ...(request.statusFilter ? { status: request.statusFilter as ExecutionStatus } : {}),
      ...(start ? { start: start as never } : {}),
    });
    const item = (e: ExecutionSummary): Record<string, unknown> => {
      const current = this.records.get(e.executionArn) ?? e;
      return {
        executionArn: current.executionArn,
        stateMachineArn: current.stateMachineArn,
        name: current.name,
        status: current.status,
        startDate: seconds(current.startDate),
        ...(current.stopDate !== undefined ? { stopDate: seconds(current.stopDate) } : {}),
        redriveCount: current.redriveCount,
        ...(current.redriveDate !== undefined ? { redriveDate: seconds(current.redriveDate) } : {}),
      };
    };
    return { executions: page.executions.map(item), ...(page.next ? { nextToken: Buffer.from(JSON.stringify(page.next)).toString('base64') } : {}) };
  }

  /** `GetExecutionHistory`. */
  async history(request: { executionArn?: unknown; maxResults?: unknown; nextToken?: unknown; reverseOrder?: unknown; includeExecutionData?: unknown }): Promise<Record<string, unknown>> {
    const record = await this.find(request.executionArn);
    const limit = limitOf(request.maxResults, 100);
    const token = readToken(request.nextToken);
    const offset = token === undefined ? 0 : isRecord(token) && Number.isInteger(token.o) ? (token.o as number) : -1;
    if (offset < 0) throw new SfnError('InvalidToken', `Invalid Token: '${String(request.nextToken)}'`);
    const all = request.reverseOrder === true ? [...record.history].reverse() : record.history;
    const page = all.slice(offset, offset + limit);
    const events = request.includeExecutionData === false ? page.map(withoutData) : page;
    return { events, ...(offset + limit < all.length ? { nextToken: pageToken(offset + limit) } : {}) };
  }

  /** `ListStateMachines`. */
  listStateMachines(request: { maxResults?: unknown; nextToken?: unknown }): Record<string, unknown> {
    const limit = limitOf(request.maxResults, 100);
    const token = readToken(request.nextToken);
    const offset = token === undefined ? 0 : isRecord(token) && Number.isInteger(token.o) ? (token.o as number) : -1;
    if (offset < 0) throw new SfnError('InvalidToken', `Invalid Token: '${String(request.nextToken)}'`);
    const all = this.stateMachines();
    return {
      stateMachines: all.slice(offset, offset + limit).map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.workflow.name, type: m.type, creationDate: seconds(m.creationDate) })),
      ...(offset + limit < all.length ? { nextToken: pageToken(offset + limit) } : {}),
    };
  }

  /** `DescribeStateMachine`: the compiled definition (placeholders as compiled). */
  describeStateMachine(request: { stateMachineArn?: unknown }): Record<string, unknown> {
    const m = this.stateMachine(request.stateMachineArn);
    return {
      stateMachineArn: m.stateMachineArn,
      name: m.workflow.name,
      status: 'ACTIVE',
      definition: m.definition,
      roleArn: 'arn:aws:iam::000000000000:role/local',
      type: m.type,
      creationDate: seconds(m.creationDate),
      ...(m.workflow.desc ? { description: m.workflow.desc.slice(0, 256) } : {}),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  /** The number of executions running now. */
  get running(): number {
    return this.live.size;
  }

  /** Ends every running execution (FAILED, {@link SERVER_STOPPED}) and waits for their records to be written. */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.live.values()];
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((r) => r.done));
    await Promise.all([...this.writes.values()]);
  }
}

function withoutData(event: HistoryEvent): HistoryEvent {
  const out: HistoryEvent = { ...event };
  for (const [k, v] of Object.entries(event)) {
    if (!k.endsWith('EventDetails') || !isRecord(v)) continue;
    const { input: _i, output: _o, ...rest } = v;
    out[k] = rest;
  }
  return out;
}
