/**
 * The Step Functions API client of deployed workflows: start, watch, stop and rerun runs, list
 * executions and read audit records. It speaks only the AWS API, so the same code drives AWS and
 * the local endpoint (`wf serve`): only the endpoint differs.
 *
 * State machine ARNs come from `stateMachines` (explicit), else from the `WorkflowStateMachines`
 * output of the CloudFormation stack `stack` (JSON `{workflow: arn}`), else from
 * `ListStateMachines` (a machine named like the workflow, as the local endpoint names them).
 *
 * Secret params never reach Step Functions as values on AWS: with the workflow loaded, the client
 * stores each secret param's value in Parameter Store (a SecureString named
 * `<secrets prefix>/<run id>/<param>`) and the run's input holds a reference to it (see
 * lib/protocol/secret-refs.ts). A local endpoint (`wf serve` on loopback) is sent the values: it
 * keeps them in its own store.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { answerSignalUpdate, decodeSignal, isSecretRef, SECRET_REF_KEY, secretName, signalOutcome, type SignalAnswer } from '../protocol/index.ts';
import { awsSecretStore, MAX_SECRET_BYTES, type SecretStore } from '../runtime/secret-store.ts';
import { parameterize, redactParams, REDACTED, type Workflow } from '../config/index.ts';
import { setOwn } from '../expr/index.ts';
import { compileWorkflow, type StateInfo } from '../compiler/index.ts';
import { AuditStore, lockReleaseKey, type AuditRecord, type ListOptions } from '../audit/index.ts';
import type { ResultDocument, RunEvent, StageLog } from '../local/index.ts';
import { stageLogsFromHistory } from './stage-logs.ts';
import { executionArnOf, releaseExecutionName, splitExecutionArn, uniqueExecutionName } from './execution-names.ts';
import { HistoryTracker, parse } from './history-tracker.ts';
import { ParamsRejectedError } from './params-rejected-error.ts';
import { runStatusOf, type ExecutionStatus, type JobReport, type RunRef, type RunReport, type RunStatus } from './run-report.ts';
import { toClientError, WorkflowClientError } from './workflow-client-error.ts';

/** The stack output that maps workflow names to state machine ARNs (JSON). */
export const STATE_MACHINES_OUTPUT = 'WorkflowStateMachines';

/** The stack output that names the audit table. */
export const AUDIT_TABLE_OUTPUT = 'AuditTableName';

/** The stack output that names the Parameter Store path of secret params (`/<prefix>/secrets`). */
export const SECRETS_PREFIX_OUTPUT = 'SecretsPrefix';

/** Release types (docs/running.md). */
export type ReleaseType = 'normal' | 'force' | 'rerun' | 'dryrun';

const RELEASE_TYPES: readonly ReleaseType[] = ['normal', 'force', 'rerun', 'dryrun'];

/** Options of {@link WorkflowClient}. */
export interface WorkflowClientOptions {
  /** The Step Functions client. @default one for `endpoint` and `region` */
  sfn?: SFNClient;
  /** The DynamoDB client of the audit table. @default one for `region` */
  dynamodb?: DynamoDBClient;
  /** The CloudFormation client that reads stack outputs. @default one for `region` */
  cloudformation?: CloudFormationClient;
  /** The Systems Manager client that stores secret params in Parameter Store (AWS only). @default one for `region` */
  ssm?: SSMClient;
  /**
   * The Parameter Store path secret params are stored under on AWS (`/<prefix>/secrets`, the
   * `WF_SECRETS_PREFIX` of the app's runners). Needed only to start a run that gives a secret param
   * a value, with the workflow loaded. @default the stack's `SecretsPrefix` output
   */
  secretsPrefix?: string;
  /**
   * The Step Functions endpoint, e.g. `http://127.0.0.1:8083` for `wf serve`. A loopback endpoint
   * gets dummy credentials and region `us-east-1` unless given. @default AWS's
   */
  endpoint?: string;
  /** The AWS region. @default the SDK's (AWS_REGION, profile) */
  region?: string;
  /** State machine ARNs by workflow name; checked first. */
  stateMachines?: Readonly<Record<string, string>>;
  /** The CloudFormation stack whose `WorkflowStateMachines` (and `AuditTableName`) outputs to read. */
  stack?: string;
  /** The audit table's name. @default the stack's `AuditTableName` output */
  auditTable?: string;
  /**
   * The workflows (from `loadWorkflows`): params are checked and coerced before a start, and
   * status reports classify every state exactly. Without them params are checked by the
   * machine's `prepare` step and stages are read from Task states only.
   */
  workflows?: ReadonlyMap<string, Workflow>;
}

/** Options of {@link WorkflowClient.start}. */
export interface StartOptions {
  /**
   * The release. A `normal` release claims its minute: the execution is named
   * `<workflow>-<YYYYMMDDTHHMM>`, so a second start of the minute is refused (`alreadyReleased`).
   * @default a manual start now (type `normal`, no claim, a unique name)
   */
  release?: { logical_date: string | Date; type?: ReleaseType };
  /** The execution name. @default derived as described */
  name?: string;
}

/** A started execution. */
export interface StartedRun {
  executionArn: string;
  name: string;
  workflow: string;
  /** Absent when the release was already started. */
  startDate?: Date;
  /** True when this release's minute has an execution already (SKIP): nothing new was started. */
  alreadyReleased?: boolean;
}

/** Options of {@link WorkflowClient.wait}. */
export interface WaitOptions {
  /** Called with each job and stage transition, in order. */
  onProgress?: (event: RunEvent) => void;
  /** Milliseconds between polls. @default 1000 */
  pollMs?: number;
  /** Give up (a `WaitTimeout` error) after this many milliseconds. @default no limit */
  timeoutMs?: number;
  /** Stops waiting (a `WaitAborted` error); the run goes on. */
  signal?: AbortSignal;
}

/** Options of {@link WorkflowClient.rerun}. */
export interface RerunOptions {
  /** Param values to use instead of the recorded ones (secret params must be given again). */
  params?: Record<string, unknown>;
  /** The new execution's name, when a new one is started. @default a unique name */
  name?: string;
}

/** What {@link WorkflowClient.rerun} did. */
export interface RerunResult {
  /** `redrive`: Step Functions resumed the execution itself; `resume`: a new execution resumes from the result document. */
  mode: 'redrive' | 'resume';
  /** The execution that now runs (the same one for a redrive). */
  executionArn: string;
  name: string;
  workflow: string;
  /** For `resume`: the jobs kept from the earlier run. */
  kept: string[];
  redriveDate?: Date;
}

/** What {@link WorkflowClient.signal} did. */
export interface SignalResult {
  /** The run's id (the key of its signals). */
  runId: string;
  signal: string;
  /** `SUCCESS` for an approval, `REJECTED` for a rejection. */
  status: 'SUCCESS' | 'REJECTED';
  /** Waiting stages answered now (AWS: task tokens sent; local runs read the answer themselves). */
  delivered: number;
  /** True when no stage of the run had reached the wait yet: the answer is kept for when one does. */
  early: boolean;
}

/** One execution of a listing. */
export interface ExecutionItem {
  executionArn: string;
  name: string;
  /** `SUCCESS` for every SUCCEEDED execution (telling SKIP apart needs its output: see `status`). */
  status: RunStatus;
  executionStatus: ExecutionStatus;
  startDate?: Date;
  stopDate?: Date;
  redriveCount: number;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


function errorName(e: unknown): string | undefined {
  return (e as { name?: string } | undefined)?.name;
}

function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function succeeded(jobs: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(isRecord(jobs) ? jobs : {}).filter(([, j]) => isRecord(j) && j.status === 'SUCCESS'));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Start, watch, stop and rerun runs of deployed workflows (see the file comment). */
export class WorkflowClient {
  /** The Step Functions client in use. */
  readonly sfn: SFNClient;
  private readonly options: WorkflowClientOptions;
  private readonly local: boolean;
  private cfn: CloudFormationClient | undefined;
  private ddb: DynamoDBClient | undefined;
  private ssm: SSMClient | undefined;
  private stackOutputs: Promise<Output[]> | undefined;
  private listed: Promise<Map<string, string>> | undefined;
  private readonly infos = new Map<string, Readonly<Record<string, StateInfo>>>();

  constructor(options: WorkflowClientOptions = {}) {
    this.options = options;
    this.local = options.endpoint !== undefined && isLoopback(options.endpoint);
    this.cfn = options.cloudformation;
    this.ddb = options.dynamodb;
    this.ssm = options.ssm;
    this.sfn = options.sfn ?? new SFNClient({ ...this.clientConfig(), ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  }

  private clientConfig(): { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
    const region = this.options.region ?? (this.local ? 'us-east-1' : undefined);
    return { ...(region ? { region } : {}), ...(this.local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) };
  }

  private async call<T>(doing: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw toClientError(e, doing, this.options.endpoint);
    }
  }

  private outputs(): Promise<Output[]> {
    const stack = this.options.stack;
    if (!stack) return Promise.resolve([]);
    this.stackOutputs ??= this.call(`reading the outputs of stack "${stack}"`, async () => {
      this.cfn ??= new CloudFormationClient(this.clientConfig());
      const out = await this.cfn.send(new DescribeStacksCommand({ StackName: stack }));
      const found = out.Stacks?.[0];
      if (!found) throw new WorkflowClientError(`reading the outputs of stack "${stack}": the stack does not exist`, 'NoStack');
      return found.Outputs ?? [];
    }).catch((e: unknown) => {
      this.stackOutputs = undefined;
      throw e;
    });
    return this.stackOutputs;
  }

  private async output(key: string): Promise<string | undefined> {
    const outputs = await this.outputs();
    // CDK prefixes the keys of outputs made inside constructs (`AppWorkflowStateMachines1A2B3C4D`).
    const hit = outputs.find((o) => o.OutputKey === key) ?? outputs.find((o) => o.OutputKey?.includes(key));
    return hit?.OutputValue;
  }

  /** The state machine ARN of a workflow (see the file comment for where it comes from). */
  async stateMachineArn(workflow: string): Promise<string> {
    const explicit = this.options.stateMachines?.[workflow];
    if (explicit) return explicit;
    if (this.options.stack) {
      const text = await this.output(STATE_MACHINES_OUTPUT);
      if (text === undefined) throw new WorkflowClientError(`stack "${this.options.stack}" has no ${STATE_MACHINES_OUTPUT} output; is it a stack of sfn-workflow's WorkflowApp?`, 'NoStateMachine');
      const map = parse(text);
      if (!isRecord(map)) throw new WorkflowClientError(`the ${STATE_MACHINES_OUTPUT} output of stack "${this.options.stack}" is not a JSON object: ${text.slice(0, 80)}`, 'NoStateMachine');
      const arn = map[workflow];
      if (typeof arn !== 'string') {
        throw new WorkflowClientError(`stack "${this.options.stack}" has no state machine for workflow "${workflow}"; it has ${Object.keys(map).map((k) => `"${k}"`).join(', ') || 'none'}`, 'NoStateMachine');
      }
      return arn;
    }
    this.listed ??= this.call('listing state machines', async () => {
      const found = new Map<string, string>();
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
        for (const m of page.stateMachines ?? []) if (m.name && m.stateMachineArn) found.set(m.name, m.stateMachineArn);
        nextToken = page.nextToken;
      } while (nextToken);
      return found;
    }).catch((e: unknown) => {
      this.listed = undefined;
      throw e;
    });
    const arn = (await this.listed).get(workflow);
    if (arn) return arn;
    this.listed = undefined;
    throw new WorkflowClientError(`no state machine named "${workflow}"${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}; pass the stack (--stack) or the state machine ARNs`, 'NoStateMachine');
  }

  private async runArn(run: RunRef): Promise<string> {
    if (typeof run !== 'string') return executionArnOf(await this.stateMachineArn(run.workflow), run.name);
    if (splitExecutionArn(run)) return run;
    throw new WorkflowClientError(`"${run}" is not an execution ARN; give the ARN (arn:aws:states:...:execution:...), or the workflow and the execution name`, 'BadRunRef');
  }

  private stateInfo(workflow: string): Readonly<Record<string, StateInfo>> | undefined {
    const def = this.options.workflows?.get(workflow);
    if (!def) return undefined;
    let info = this.infos.get(workflow);
    if (!info) this.infos.set(workflow, (info = compileWorkflow(def, { workflows: this.options.workflows }).states));
    return info;
  }

  private async workflowOf(d: DescribeExecutionCommandOutput, arn: string): Promise<string> {
    const input = parse(d.input);
    if (isRecord(input) && isRecord(input.run) && typeof input.run.workflow === 'string') return input.run.workflow;
    const machineArn = d.stateMachineArn ?? splitExecutionArn(arn)?.stateMachineArn;
    const known: Record<string, unknown> = { ...(this.options.stateMachines ?? {}) };
    if (this.options.stack) {
      const fromStack = parse(await this.output(STATE_MACHINES_OUTPUT).catch(() => undefined));
      if (isRecord(fromStack)) Object.assign(known, fromStack);
    }
    const named = Object.entries(known).find(([, a]) => a === machineArn)?.[0];
    return named ?? splitExecutionArn(arn)?.machine ?? 'unknown';
  }

  /**
   * Starts a run. With the workflow loaded, params are checked and coerced first: wrong params
   * throw {@link ParamsRejectedError} and nothing is sent. Secret values go in the input only,
   * never in the execution name.
   */
  async start(workflow: string, params: Record<string, unknown> = {}, options: StartOptions = {}): Promise<StartedRun> {
    const def = this.options.workflows?.get(workflow);
    let values = params;
    if (def) {
      const checked = parameterize(def, params);
      if (checked.errors.length) throw new ParamsRejectedError(workflow, checked.errors);
      values = checked.params;
    }
    const type = options.release?.type ?? 'normal';
    if (!RELEASE_TYPES.includes(type)) throw new WorkflowClientError(`release type "${String(type)}" is not one of ${RELEASE_TYPES.join(', ')}`, 'BadRelease');
    const at = options.release ? new Date(options.release.logical_date) : new Date();
    if (Number.isNaN(at.getTime())) throw new WorkflowClientError(`release date ${JSON.stringify(options.release?.logical_date)} is not a date; write e.g. 2024-01-01T09:00:00Z`, 'BadRelease');
    const claim = options.release !== undefined && type === 'normal';
    const name = options.name ?? (claim ? releaseExecutionName(workflow, at) : uniqueExecutionName(workflow));
    const input = {
      ...(def ? { prepared: true } : {}),
      params: values,
      release: { logical_date: isoSeconds(at), type },
      run: { id: name, workflow },
      jobs: {},
      ...(claim ? { lock: lockReleaseKey(at) } : {}),
    };
    const secrets = this.secretValues(def, values);
    const machine = await this.stateMachineArn(workflow);
    // The run's secrets are named by its id (the execution name): a name that may be taken (a
    // release's minute, a given name) is checked first, so that they never overwrite another run's.
    if (secrets.length && (claim || options.name !== undefined) && (await this.executionExists(executionArnOf(machine, name)))) {
      if (claim) return { executionArn: executionArnOf(machine, name), name, workflow, alreadyReleased: true };
      throw new WorkflowClientError(`starting workflow "${workflow}": an execution named "${name}" exists already; give another name`, 'ExecutionAlreadyExists');
    }
    const stored = await this.storeSecrets(values, secrets, name);
    try {
      const out = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify({ ...input, params: stored.params }) }));
      return { executionArn: out.executionArn ?? executionArnOf(machine, name), name, workflow, startDate: out.startDate ?? new Date() };
    } catch (e) {
      if (claim && errorName(e) === 'ExecutionAlreadyExists') return { executionArn: executionArnOf(machine, name), name, workflow, alreadyReleased: true };
      if (errorName(e) !== 'ExecutionAlreadyExists') await stored.forget();
      throw toClientError(e, `starting workflow "${workflow}"`, this.options.endpoint);
    }
  }

  /**
   * The secret params of a start to store in Parameter Store, as `[param, JSON text]`: on AWS, with
   * the workflow known, each secret param given a value. A value over the 4 KB limit of a standard
   * parameter stops the start here, before anything is sent.
   */
  private secretValues(def: Workflow | undefined, values: Record<string, unknown>): Array<[string, string]> {
    if (!def || this.local) return [];
    const out: Array<[string, string]> = [];
    for (const p of Object.values(def.params)) {
      const value = Object.hasOwn(values, p.name) ? values[p.name] : undefined;
      if (!p.secret || value === null || value === undefined || isSecretRef(value)) continue;
      const text = JSON.stringify(value);
      const bytes = Buffer.byteLength(text);
      if (bytes > MAX_SECRET_BYTES) {
        throw new WorkflowClientError(`secret param "${p.name}" is ${bytes} bytes as JSON, over the ${MAX_SECRET_BYTES}-byte limit of a secret (a standard Parameter Store parameter); nothing was started`, 'SecretTooLarge');
      }
      out.push([p.name, text]);
    }
    return out;
  }

  /** The Parameter Store path of secret params: `secretsPrefix`, else the stack's `SecretsPrefix` output. */
  private async secretsPrefix(): Promise<string> {
    if (this.options.secretsPrefix) return this.options.secretsPrefix;
    const fromStack = this.options.stack ? await this.output(SECRETS_PREFIX_OUTPUT) : undefined;
    if (fromStack) return fromStack;
    const why = this.options.stack ? `stack "${this.options.stack}" has no ${SECRETS_PREFIX_OUTPUT} output (deploy it again with this version)` : 'no stack was given';
    throw new WorkflowClientError(
      `secret params are stored in Parameter Store before a run starts on AWS, and no secrets prefix is known (${why}): pass the stack (--stack, with its ${SECRETS_PREFIX_OUTPUT} output), or the secretsPrefix option (--secrets-prefix or WF_SECRETS_PREFIX: /<app prefix>/secrets, the WF_SECRETS_PREFIX of the app's runners); nothing was started`,
      'NoSecretsPrefix',
    );
  }

  /**
   * Stores `secrets` as run `runId`'s (`<prefix>/<run id>/<param>`) and gives the params with
   * references in their place, and a way to delete what was stored (when the start fails).
   */
  private async storeSecrets(values: Record<string, unknown>, secrets: ReadonlyArray<[string, string]>, runId: string): Promise<{ params: Record<string, unknown>; forget: () => Promise<void> }> {
    if (!secrets.length) return { params: values, forget: async () => undefined };
    const store: SecretStore = awsSecretStore(await this.secretsPrefix(), (this.ssm ??= new SSMClient(this.clientConfig())));
    const params = { ...values };
    const stored: string[] = [];
    const forget = async (): Promise<void> => {
      await store.delete(stored).catch(() => undefined);
    };
    for (const [param, text] of secrets) {
      const name = secretName(store.prefix, runId, param);
      try {
        await store.put(name, text);
      } catch (e) {
        await forget();
        const doing = `storing secret param "${param}" in Parameter Store (${name})`;
        if (/^AccessDenied/.test(errorName(e) ?? '')) {
          throw new WorkflowClientError(`${doing}: access denied; starting a run with secret params on AWS needs ssm:PutParameter on ${store.prefix}/*: nothing was started`, errorName(e)!, { cause: e });
        }
        throw toClientError(e, doing);
      }
      stored.push(name);
      setOwn(params, param, { [SECRET_REF_KEY]: name });
    }
    return { params, forget };
  }

  /** True when the execution exists (a name already taken). */
  private async executionExists(arn: string): Promise<boolean> {
    try {
      await this.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      return true;
    } catch (e) {
      if (errorName(e) === 'ExecutionDoesNotExist') return false;
      throw toClientError(e, `reading execution ${arn}`, this.options.endpoint);
    }
  }

  private async describe(arn: string): Promise<DescribeExecutionCommandOutput> {
    return this.call(`reading execution ${arn}`, () => this.sfn.send(new DescribeExecutionCommand({ executionArn: arn })));
  }

  /** Reads the history events newer than the tracker's last one (newest first, stopping at known ones) and feeds them to it. */
  private async follow(arn: string, tracker: HistoryTracker): Promise<RunEvent[]> {
    const fresh: HistoryEvent[] = [];
    await this.call(`reading the history of ${arn}`, async () => {
      let nextToken: string | undefined;
      let known = false;
      do {
        const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 1000, nextToken, includeExecutionData: true }));
        for (const e of page.events ?? []) {
          if ((e.id ?? 0) <= tracker.lastEventId) {
            known = true;
            break;
          }
          fresh.push(e);
        }
        nextToken = page.nextToken;
      } while (nextToken && !known);
    });
    return tracker.add(fresh);
  }

  private report(arn: string, d: DescribeExecutionCommandOutput, workflow: string, tracker: HistoryTracker): RunReport {
    const executionStatus = (d.status ?? 'RUNNING') as ExecutionStatus;
    let result: ResultDocument | undefined;
    let error: RunReport['error'];
    if (executionStatus === 'SUCCEEDED') {
      const out = parse(d.output);
      result = isRecord(out) && typeof out.status === 'string' ? (out as unknown as ResultDocument) : tracker.resultDocument();
    } else if (executionStatus === 'FAILED' && d.error === 'WorkflowFailed') {
      const doc = parse(d.cause);
      result = isRecord(doc) && typeof doc.status === 'string' ? (doc as unknown as ResultDocument) : tracker.resultDocument();
    } else if (executionStatus === 'FAILED' || executionStatus === 'TIMED_OUT' || executionStatus === 'ABORTED') {
      const name = d.error ?? (executionStatus === 'ABORTED' ? 'Cancelled' : executionStatus === 'TIMED_OUT' ? 'States.Timeout' : 'States.Runtime');
      const message = d.cause ?? (executionStatus === 'ABORTED' ? 'the execution was stopped' : executionStatus === 'TIMED_OUT' ? 'the execution timed out' : 'the execution failed');
      error = { name, message };
      result = this.documentFromInput(d, workflow, tracker, runStatusOf(executionStatus), error);
    }
    const status = runStatusOf(executionStatus, result);
    const jobs = tracker.jobReports();
    if (result) mergeResult(jobs, result, this.stateInfo(workflow));
    return {
      executionArn: arn,
      name: d.name ?? splitExecutionArn(arn)?.name ?? arn,
      workflow,
      stateMachineArn: d.stateMachineArn ?? '',
      status,
      executionStatus,
      startDate: d.startDate ?? new Date(0),
      ...(d.stopDate ? { stopDate: d.stopDate } : {}),
      redriveCount: d.redriveCount ?? 0,
      jobs,
      ...(result ? { result } : {}),
      ...(error ? { error } : {}),
    };
  }

  /** A result document for a run that ended without one: the input's run, params (secrets redacted) and release, and the jobs that ended. */
  private documentFromInput(d: DescribeExecutionCommandOutput, workflow: string, tracker: HistoryTracker, status: RunStatus, error: { name: string; message: string }): ResultDocument {
    const input = parse(d.input);
    const i = isRecord(input) ? input : {};
    const def = this.options.workflows?.get(workflow);
    const params = def && isRecord(i.params) ? redactParams(def, i.params) : {};
    return {
      status: status === 'WAIT' ? 'FAILED' : (status as ResultDocument['status']),
      run: isRecord(i.run) && typeof i.run.id === 'string' ? (i.run as ResultDocument['run']) : { id: d.name ?? '', workflow },
      params,
      release: isRecord(i.release) ? i.release : {},
      jobs: tracker.jobRecords(),
      errors: [error],
    };
  }

  private async snapshot(run: RunRef, tracker?: HistoryTracker): Promise<{ report: RunReport; events: RunEvent[]; tracker: HistoryTracker }> {
    const arn = await this.runArn(run);
    const d = await this.describe(arn);
    const workflow = await this.workflowOf(d, arn);
    const t = tracker ?? new HistoryTracker(workflow, this.stateInfo(workflow));
    const events = await this.follow(arn, t);
    return { report: this.report(arn, d, workflow, t), events, tracker: t };
  }

  /**
   * What a run's stages printed and failed with, attempt by attempt, read from its whole execution
   * history (stage-logs.ts), with the run's report.
   */
  async stageLogs(run: RunRef): Promise<{ report: RunReport; stages: StageLog[] }> {
    const arn = await this.runArn(run);
    const d = await this.describe(arn);
    const workflow = await this.workflowOf(d, arn);
    const info = this.stateInfo(workflow);
    const events: HistoryEvent[] = [];
    await this.call(`reading the history of ${arn}`, async () => {
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken, includeExecutionData: true }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    });
    const tracker = new HistoryTracker(workflow, info);
    tracker.add(events);
    return { report: this.report(arn, d, workflow, tracker), stages: stageLogsFromHistory(events, info) };
  }

  /** The run's status, per job and stage from its history, and its result document once it ended. */
  async status(run: RunRef): Promise<RunReport> {
    return (await this.snapshot(run)).report;
  }

  /** Polls until the run ends; `onProgress` sees each job and stage transition once. */
  async wait(run: RunRef, options: WaitOptions = {}): Promise<RunReport> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let tracker: HistoryTracker | undefined;
    for (;;) {
      const snap = await this.snapshot(run, tracker);
      tracker = snap.tracker;
      for (const e of snap.events) options.onProgress?.(e);
      if (snap.report.status !== 'WAIT') return snap.report;
      if (options.signal?.aborted) throw new WorkflowClientError(`stopped waiting for ${snap.report.executionArn}; the run goes on`, 'WaitAborted');
      if (Date.now() > deadline) throw new WorkflowClientError(`${snap.report.executionArn} was still running after ${options.timeoutMs} ms`, 'WaitTimeout');
      await sleep(options.pollMs ?? 1000, options.signal);
    }
  }

  /** Stops a run (its status becomes CANCEL). */
  async stop(run: RunRef, options: { cause?: string } = {}): Promise<{ executionArn: string; stopDate?: Date }> {
    const arn = await this.runArn(run);
    const out = await this.call(`stopping ${arn}`, () =>
      this.sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Cancelled', cause: options.cause ?? 'stopped through the workflow client' })),
    );
    return { executionArn: arn, ...(out.stopDate ? { stopDate: out.stopDate } : {}) };
  }

  /**
   * Runs a run again, keeping the jobs that succeeded. A run that failed because jobs failed
   * ended in the machine's own Fail state (`WorkflowFailed`), where a redrive would only fail
   * again: a new execution resumes from its result document instead (same params and release,
   * type `rerun`). A run that failed for another reason (a runtime error, a timeout, a stop) and
   * that Step Functions can redrive is redriven (`RedriveExecution`: it resumes at the failed
   * state); otherwise a new execution resumes from what the history recorded. Secret params are
   * not recorded and must be given again in `params` (a secret with a default falls back to it).
   */
  async rerun(run: RunRef, options: RerunOptions = {}): Promise<RerunResult> {
    const arn = await this.runArn(run);
    const d = await this.describe(arn);
    const workflow = await this.workflowOf(d, arn);
    const status = d.status ?? 'RUNNING';
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') throw new WorkflowClientError(`${arn} is still running; wait for it or stop it first`, 'ExecutionRunning');
    const workflowFailed = status === 'FAILED' && d.error === 'WorkflowFailed';
    if (!workflowFailed && status !== 'SUCCEEDED' && d.redriveStatus === 'REDRIVABLE') {
      const out = await this.call(`redriving ${arn}`, () => this.sfn.send(new RedriveExecutionCommand({ executionArn: arn })));
      return { mode: 'redrive', executionArn: arn, name: d.name ?? '', workflow, kept: [], ...(out.redriveDate ? { redriveDate: out.redriveDate } : {}) };
    }
    const tracker = new HistoryTracker(workflow, this.stateInfo(workflow));
    await this.follow(arn, tracker);
    const parsed = parse(workflowFailed ? d.cause : status === 'SUCCEEDED' ? d.output : undefined);
    const doc = isRecord(parsed) && isRecord(parsed.jobs) ? parsed : (tracker.resultDocument() as Record<string, unknown> | undefined);
    const input = parse(d.input);
    const i = isRecord(input) ? input : {};
    const jobs = succeeded(doc ? doc.jobs : tracker.jobRecords());
    const recorded = isRecord(doc?.params) ? doc.params : isRecord(i.params) ? i.params : {};
    const params: Record<string, unknown> = { ...recorded, ...(options.params ?? {}) };
    const def = this.options.workflows?.get(workflow);
    const missing: string[] = [];
    for (const [key, value] of Object.entries(params)) {
      if ((value !== REDACTED && !isSecretRef(value)) || (options.params && key in options.params)) continue;
      if (def?.params[key]?.hasDefault) delete params[key];
      else missing.push(key);
    }
    if (missing.length) {
      throw new WorkflowClientError(`${arn} had secret params, which are not recorded; give them again: ${missing.map((m) => `${m}=...`).join(', ')}`, 'SecretParamsMissing');
    }
    let values = params;
    if (def) {
      const checked = parameterize(def, params);
      if (checked.errors.length) throw new ParamsRejectedError(workflow, checked.errors);
      values = checked.params;
    }
    const release = isRecord(doc?.release) ? doc.release : isRecord(i.release) ? i.release : {};
    const oldRun = isRecord(doc?.run) ? doc.run : isRecord(i.run) ? i.run : {};
    const name = options.name ?? uniqueExecutionName(workflow);
    const machine = d.stateMachineArn ?? splitExecutionArn(arn)!.stateMachineArn;
    const secrets = this.secretValues(def, values);
    if (secrets.length && options.name !== undefined && (await this.executionExists(executionArnOf(machine, name)))) {
      throw new WorkflowClientError(`starting a rerun of ${arn}: an execution named "${name}" exists already; give another name`, 'ExecutionAlreadyExists');
    }
    const stored = await this.storeSecrets(values, secrets, name);
    const resume = {
      ...(def ? { prepared: true } : {}),
      params: stored.params,
      release: { logical_date: typeof release.logical_date === 'string' ? release.logical_date : isoSeconds(new Date()), type: 'rerun' },
      run: { id: name, workflow, parent: typeof oldRun.id === 'string' ? oldRun.id : (d.name ?? '') },
      jobs,
    };
    const out = await this.call(`starting a rerun of ${arn}`, () => this.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify(resume) }))).catch(async (e: unknown) => {
      if ((e as { code?: string }).code !== 'ExecutionAlreadyExists') await stored.forget();
      throw e;
    });
    return { mode: 'resume', executionArn: out.executionArn ?? executionArnOf(machine, name), name, workflow, kept: Object.keys(jobs) };
  }

  /** The executions of a workflow, newest first. */
  async list(workflow: string, options: { limit?: number; status?: ExecutionStatus } = {}): Promise<ExecutionItem[]> {
    const machine = await this.stateMachineArn(workflow);
    const limit = options.limit ?? 50;
    return this.call(`listing the executions of "${workflow}"`, async () => {
      const items: ExecutionItem[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: machine, maxResults: Math.min(1000, limit - items.length), nextToken, ...(options.status ? { statusFilter: options.status } : {}) }),
        );
        for (const e of page.executions ?? []) {
          items.push({
            executionArn: e.executionArn ?? '',
            name: e.name ?? '',
            status: runStatusOf(e.status),
            executionStatus: (e.status ?? 'RUNNING') as ExecutionStatus,
            ...(e.startDate ? { startDate: e.startDate } : {}),
            ...(e.stopDate ? { stopDate: e.stopDate } : {}),
            redriveCount: e.redriveCount ?? 0,
          });
        }
        nextToken = page.nextToken;
      } while (nextToken && items.length < limit);
      return items.slice(0, limit);
    });
  }

  /**
   * Sends a signal to a run (`wf signal`): records the answer in the audit table, once (a second
   * answer is refused with `SignalAlreadySent`), and answers every wait stage already waiting for it
   * (SendTaskSuccess with `{outputs: data}`, or SendTaskFailure `SignalRejected` with the reason).
   * A stage that reaches the wait later finds the answer there. `run` is an execution (its input's
   * `run.id` is the key; it must be running) or `{runId}` (no Step Functions call is made to find it).
   */
  async signal(run: RunRef | { runId: string }, signal: string, answer: SignalAnswer = {}): Promise<SignalResult> {
    let runId: string;
    if (typeof run === 'object' && 'runId' in run) runId = run.runId;
    else {
      const arn = await this.runArn(run);
      const d = await this.describe(arn);
      if (d.status && d.status !== 'RUNNING') throw new WorkflowClientError(`${arn} is not running (${d.status}); a signal can only be sent to a running run`, 'ExecutionNotRunning');
      const input = parse(d.input);
      runId = isRecord(input) && isRecord(input.run) && typeof input.run.id === 'string' ? input.run.id : (d.name ?? splitExecutionArn(arn)?.name ?? arn);
    }
    const table = this.options.auditTable ?? (await this.output(AUDIT_TABLE_OUTPUT));
    if (!table) throw new WorkflowClientError(`no audit table: give auditTable, or a stack with an ${AUDIT_TABLE_OUTPUT} output`, 'NoAuditTable');
    this.ddb ??= new DynamoDBClient(this.clientConfig().region ? { region: this.clientConfig().region } : {});
    const update = answerSignalUpdate(table, runId, signal, answer, new Date().toISOString()) as unknown as UpdateItemCommandInput;
    let attributes: Record<string, unknown> | undefined;
    try {
      attributes = (await this.ddb.send(new UpdateItemCommand(update))).Attributes;
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') {
        throw new WorkflowClientError(`signal "${signal}" of run ${runId} was already sent; a signal is sent once`, 'SignalAlreadySent');
      }
      throw toClientError(e, `recording signal "${signal}" of run ${runId} in table ${table}`, this.options.endpoint);
    }
    const state = decodeSignal(attributes);
    if (!state) throw new WorkflowClientError(`recording signal "${signal}" of run ${runId}: the table returned no item`, 'NoSignal');
    const outcome = signalOutcome(state);
    let delivered = 0;
    for (const taskToken of state.tokens) {
      try {
        if ('output' in outcome) await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome.output) }));
        else await this.sfn.send(new SendTaskFailureCommand({ taskToken, error: outcome.error, cause: outcome.cause }));
        delivered++;
      } catch (e) {
        // A wait that already ended (its timeout passed, its run stopped) no longer takes answers.
        if (errorName(e) !== 'TaskTimedOut' && errorName(e) !== 'TaskDoesNotExist' && errorName(e) !== 'InvalidToken') {
          throw toClientError(e, `answering signal "${signal}" of run ${runId}`, this.options.endpoint);
        }
      }
    }
    return { runId, signal, status: answer.reject ? 'REJECTED' : 'SUCCESS', delivered, early: state.waitingSince === undefined };
  }

  /** The audit records of a workflow (newest first), from the audit table (`auditTable` or the stack's `AuditTableName` output). */
  async audit(workflow: string, options: ListOptions = {}): Promise<AuditRecord[]> {
    const table = this.options.auditTable ?? (await this.output(AUDIT_TABLE_OUTPUT));
    if (!table) throw new WorkflowClientError(`no audit table: give auditTable, or a stack with an ${AUDIT_TABLE_OUTPUT} output`, 'NoAuditTable');
    this.ddb ??= new DynamoDBClient(this.clientConfig().region ? { region: this.clientConfig().region } : {});
    return new AuditStore(this.ddb, table).list(workflow, options);
  }
}

/** Folds a result document's job and stage statuses into reports read from the history (stage names from the compiled states). */
function mergeResult(jobs: Record<string, JobReport>, result: ResultDocument, info?: Readonly<Record<string, StateInfo>>): void {
  const names = new Map(Object.values(info ?? {}).flatMap((i) => (i.job && i.stage && i.name ? [[`${i.job}/${i.stage}`, i.name] as const] : [])));
  for (const [id, record] of Object.entries(isRecord(result.jobs) ? result.jobs : {})) {
    if (!isRecord(record)) continue;
    const job = (jobs[id] ??= { status: 'WAIT', stages: {} });
    if (typeof record.status === 'string') job.status = record.status as RunStatus;
    for (const [sid, stage] of Object.entries(isRecord(record.stages) ? record.stages : {})) {
      if (!isRecord(stage) || typeof stage.status !== 'string') continue;
      const known = Object.entries(job.stages).find(([k, s]) => k === sid || s.name === sid)?.[1];
      if (known) known.status = stage.status as RunStatus;
      else job.stages[sid] = { name: names.get(`${id}/${sid}`) ?? sid, status: stage.status as RunStatus };
    }
  }
}
