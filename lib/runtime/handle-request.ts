/**
 * The one entry the stage-runner Lambda and the local engine call. It dispatches on `action`:
 * run a stage, evaluate expressions, collect Map results, prepare a run, and the coordination
 * actions (signals, concurrency slots, start deadlines: see coordination.ts). Failures are thrown, never returned,
 * so that the state machine's Retry and Catch see them: `StageFailed` (message: the failed
 * record's JSON), `ExpressionError`, `BadRequest`; each kept within what a cause carries (fit-failure.ts).
 */
import type { TallyRequest, CollectRequest, ConcurrencyCancelRequest, ConcurrencyReclaimRequest, EvalRequest, PrepareRequest, RunnerRequest, RunStageRequest, SignalWaitRequest, StageResponse, StartDeadlineRequest, NeedsWaitRequest, JobDoneRequest, ChildOutcomeRequest } from '../protocol/index.ts';
import { childOutcome } from './child-outcome.ts';
import { cancelHolders, defaultCoordination, reclaimSlots, startDeadline, type Coordination } from './coordination.ts';
import { collectResults } from './collect-results.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { tallyResults } from './tally-results.ts';
import { evaluateItems } from './evaluate-items.ts';
import { runBashStage } from './run-bash-stage.ts';
import { runCallStage } from './run-call-stage.ts';
import { runDockerStage } from './run-docker-stage.ts';
import { runPyStage, type PyRunner } from './run-py-stage.ts';
import { badRequest, RunnerError } from './runner-error.ts';
import { ErrorNames } from '../protocol/index.ts';
import { prepareRun } from './prepare-run.ts';
import { environmentSpillStore, holdsSpillRef, LIST_BUDGET_BYTES, resolveSpilled, spillList, spillOutputs, type SpillStore } from './spill-values.ts';
import { fitFailure } from './fit-failure.ts';
import { scrubText } from './scrub-text.ts';
import { LineSplitter } from './line-splitter.ts';
import type { StageRunOptions } from './stage-run-options.ts';
import { maskSecrets, secretMasks } from './secret-masks.ts';
import { resolveSecretRefs, toSecretRefs, type ResolvedSecret } from './secret-refs.ts';
import { awsSecretStore, type SecretStore } from './secret-store.ts';
import { SECRET_REF_KEY, SECRETS_PREFIX_ENV } from '../protocol/index.ts';

/** How {@link handleRequest} runs. */
export interface HandleRequestOptions {
  /** Cancels a running stage: its processes are killed and it fails as CANCEL. */
  signal?: AbortSignal;
  /** Runs py and virtual py stages (locally: `runPython`); without it they are a `BadRequest`. */
  runPy?: PyRunner;
  /** Working directory of bash and docker processes. @default process.cwd() */
  cwd?: string;
  /** How coordination actions (signals, concurrency slots) see executions. @default Step Functions' (awsCoordination) */
  coordination?: Coordination;
  /** Where secret params are kept (secret-store.ts). @default Parameter Store under `$WF_SECRETS_PREFIX`, when set */
  secretStore?: SecretStore;
  /**
   * Receives each line a stage's process prints (bash: stdout and stderr) as it comes, secrets
   * masked as in the stage's outputs; the last line without a newline comes when the stage ends.
   * The outputs hold the same text (within their budget). @default lines are not streamed
   */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** The S3 client `tally` reads an S3 foreach's results with. @default the AWS SDK's, from the environment */
  s3?: S3Client;
  /**
   * Where values too big for the state go (spill-values.ts), and where references are read from.
   * @default the bucket `WF_RESULTS_BUCKET` names, when set; else outputs past the budget are truncated
   */
  spill?: SpillStore;
}

/** The secret store of a request: the given one, else Parameter Store under `$WF_SECRETS_PREFIX`. */
function storeFor(options: HandleRequestOptions): SecretStore | undefined {
  if (options.secretStore) return options.secretStore;
  const prefix = process.env[SECRETS_PREFIX_ENV];
  return prefix ? (defaultStore ??= awsSecretStore(prefix)) : undefined;
}
let defaultStore: SecretStore | undefined;
let defaultS3: S3Client | undefined;

/** The AWS SDK's S3 client, loaded when a request needs it (most runner requests never do). */
async function newS3Client(): Promise<S3Client> {
  const { S3Client: Client } = await import('@aws-sdk/client-s3');
  return new Client({});
}

/** The runs whose secret references a request may read: its own and its parent's. */
function runsOf(req: Record<string, unknown>): Set<string> {
  const run = (isRecord(req.secretRun) ? req.secretRun : isRecord(req.ctx) && isRecord(req.ctx.run) ? req.ctx.run : isRecord(req.input) && isRecord(req.input.run) ? req.input.run : {}) as { id?: unknown; parent?: unknown };
  return new Set([run.id, run.parent].filter((x): x is string => typeof x === 'string'));
}

/**
 * Resolves the secret references a request carries (its context and `secretValues`), so the
 * runner works with the values in memory only; gives the request and what was resolved.
 */
async function withSecrets(req: Record<string, unknown>, options: HandleRequestOptions): Promise<{ req: Record<string, unknown>; resolved: ResolvedSecret[] }> {
  // Only a workflow with secret params has references (its requests name them in `secrets`):
  // every other request goes on untouched, without a look through it.
  const named = Array.isArray(req.secrets) && req.secrets.length > 0;
  if (!named || req.action === 'prepare' || req.action === 'forget-secrets' || !JSON.stringify(req).includes(SECRET_REF_KEY)) return { req, resolved: [] };
  const store = storeFor(options);
  if (!store) throw badRequest('this request holds secret references, but the runner has no secret store (WF_SECRETS_PREFIX is not set)');
  const runs = runsOf(req);
  const out = { ...req };
  const resolved: ResolvedSecret[] = [];
  for (const key of ['ctx', 'secretValues', 'resolved'] as const) {
    if (!(key in out)) continue;
    const r = await resolveSecretRefs(out[key], store, runs);
    out[key] = r.value;
    resolved.push(...r.resolved);
  }
  return { req: out, resolved };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Requests may carry user values as JSON text (`fieldsJson`, `itemsJson`, `paramsJson`): a map key
 * ending in `.$` inside state Parameters would be read as a path, so the compiler sends such values
 * as text. This puts them back in place.
 */
function decodeJsonFields(req: Record<string, unknown>): Record<string, unknown> {
  const parse = (text: unknown, what: string): unknown => {
    if (typeof text !== 'string') throw badRequest(`"${what}" must be JSON text`);
    try {
      return JSON.parse(text);
    } catch {
      throw badRequest(`"${what}" is not valid JSON`);
    }
  };
  const out: Record<string, unknown> = { ...req };
  for (const key of ['itemsJson', 'paramsJson'] as const) {
    if (key in out) {
      out[key.slice(0, -4)] = parse(out[key], key);
      delete out[key];
    }
  }
  if (isRecord(out.stage) && 'fieldsJson' in out.stage) {
    const { fieldsJson, ...stage } = out.stage;
    out.stage = { ...stage, fields: parse(fieldsJson, 'fieldsJson') };
  }
  return out;
}

function checkStage(req: RunStageRequest): void {
  const stage = req.stage as unknown;
  if (!isRecord(stage) || typeof stage.kind !== 'string' || typeof stage.name !== 'string' || !isRecord(stage.fields)) {
    throw badRequest('stage request needs "stage" with a "kind", a "name" and "fields"');
  }
}

async function runStage(req: RunStageRequest, options: HandleRequestOptions, masks: readonly string[]): Promise<StageResponse> {
  checkStage(req);
  const onLine = options.onLine;
  // Whole lines are masked: a secret split between two chunks of output is still found.
  const splitters = onLine ? { stdout: new LineSplitter((l) => onLine('stdout', scrubText(l, masks))), stderr: new LineSplitter((l) => onLine('stderr', scrubText(l, masks))) } : undefined;
  const opts = { signal: options.signal, cwd: options.cwd, ...(splitters ? { onOutput: (stream: 'stdout' | 'stderr', chunk: string) => splitters[stream].push(chunk) } : {}) };
  try {
    return await runStageKind(req, options, opts);
  } finally {
    splitters?.stdout.end();
    splitters?.stderr.end();
  }
}

async function runStageKind(req: RunStageRequest, options: HandleRequestOptions, opts: StageRunOptions): Promise<StageResponse> {
  switch (req.stage.kind) {
    case 'bash':
      return runBashStage(req, opts);
    case 'call':
      return runCallStage(req, opts);
    case 'docker':
      return runDockerStage(req, opts);
    case 'py':
    case 'virtual-py':
      return runPyStage(req, options.runPy);
    default:
      throw badRequest(`the stage runner cannot run a stage of kind ${JSON.stringify(req.stage.kind)}`);
  }
}

/**
 * Handles one runner request: `stage` → `{status, outputs}`; `eval` → `{[name]: value}`;
 * `collect` → the keyed outputs. `py` and `virtual-py` requests belong to the Python runner.
 */
export async function handleRequest(raw: RunnerRequest, options: HandleRequestOptions = {}): Promise<unknown> {
  if (!isRecord(raw)) throw fitFailure(badRequest(`a runner request must be an object, got ${JSON.stringify(raw)}`));
  const req = decodeJsonFields(raw as unknown as Record<string, unknown>) as unknown as RunnerRequest;
  const key = (raw as { key?: unknown }).key;
  let masks: string[] = [];
  try {
    const spill = options.spill ?? environmentSpillStore();
    // Values spilled to S3 are read back first: they may hold secret references in turn.
    const unspilled = await withSpilled(req as unknown as Record<string, unknown>, spill);
    const { req: plain, resolved } = await withSecrets(unspilled, options);
    masks = requestMasks(plain);
    const action = String(plain.action);
    const out = await dispatch(plain as unknown as RunnerRequest, options, masks);
    // Nothing resolved goes back into the machine's state: a value equal to a secret (or to an item
    // of one) goes back as its reference, and anything else holding a secret is masked, as GitHub
    // Actions masks logs. A stage's outputs are a record: masked only. What is too big for the
    // state then goes to S3 (or is truncated).
    if (RECORDED_ACTIONS.has(action)) {
      const record = maskSecrets(out, masks) as StageResponse;
      return { ...record, outputs: await spillOutputs(record.outputs ?? {}, spill) };
    }
    if (action === 'eval') return spillLists(distinctKeys(maskSecrets(toSecretRefs(out, resolved), masks)), plain as unknown as EvalRequest, spill);
    return out;
  } catch (e) {
    const failure = typeof key === 'string' ? keyedFailure(e, key) : e;
    throw fitFailure(maskError(failure, masks));
  }
}

/** The context of a request with every spilled value read back (spill-values.ts). */
async function withSpilled(req: Record<string, unknown>, spill: SpillStore | undefined): Promise<Record<string, unknown>> {
  if (!('ctx' in req) || !holdsSpillRef(req.ctx)) return req;
  return { ...req, ctx: await resolveSpilled(req.ctx, spill) };
}

/** An eval answer with each list value (a foreach's items) too big for the state spilled to S3. */
async function spillLists(out: unknown, req: EvalRequest, spill: SpillStore | undefined): Promise<unknown> {
  if (!isRecord(out) || !spill) return out;
  for (const [name, item] of Object.entries(req.items ?? {})) {
    if (item.kind === 'value' && item.mode === 'list' && Object.hasOwn(out, name)) out[name] = await spillList(out[name], spill, LIST_BUDGET_BYTES);
  }
  return out;
}

/**
 * Matrix combinations (`[{key, matrix}]`) whose keys masking made alike (`os-***` twice, from a
 * secret list) get `-2`, `-3`… so each combination keeps its own record.
 */
function distinctKeys(out: unknown): unknown {
  if (!isRecord(out)) return out;
  for (const value of Object.values(out)) {
    if (!Array.isArray(value) || !value.every((v) => isRecord(v) && typeof v.key === 'string' && isRecord(v.matrix))) continue;
    const seen = new Set<string>();
    for (const v of value as Array<{ key: string }>) {
      let key = v.key;
      for (let n = 2; seen.has(key); n++) key = `${v.key}-${n}`;
      v.key = key;
      seen.add(key);
    }
  }
  return out;
}

/** Requests whose answers are records of what ran (stage outputs, a failed child's document). */
const RECORDED_ACTIONS = new Set(['stage', 'child-outcome']);

/**
 * A request from a workflow with secret params names them (`secrets`) and carries the run's params
 * (`secretValues`): the masks of their values (secret-masks.ts), which the runner applies to the
 * outputs it returns and to the error it throws, so neither a stage that prints a secret nor an
 * expression error that quotes one reaches the execution's history.
 */
function requestMasks(req: Record<string, unknown>): string[] {
  const names = Array.isArray(req.secrets) ? (req.secrets as unknown[]) : [];
  const values = req.secretValues !== null && typeof req.secretValues === 'object' ? (req.secretValues as Record<string, unknown>) : {};
  return secretMasks(names.map((n) => (Object.hasOwn(values, String(n)) ? values[String(n)] : undefined)));
}

function maskError(e: unknown, masks: readonly string[]): unknown {
  if (!masks.length || !(e instanceof Error)) return e;
  const message = scrubText(e.message, masks);
  if (message === e.message) return e;
  return Object.assign(new RunnerError(e.name, message), { name: e.name });
}

/**
 * A failure of a request that carries a `key` (the state machine's name for where it failed) as
 * the JSON of a failed record holding the key: `StageFailed` for a stage's own failure,
 * `ExpressionError` for an expression that could not be evaluated (never retried). Other errors
 * (bad requests: bugs) pass unchanged.
 */
export function keyedFailure(e: unknown, key: string): unknown {
  if (!(e instanceof Error)) return e;
  if (e.name === ErrorNames.stageFailed) {
    try {
      const record = JSON.parse(e.message) as { errors?: { name?: string }; key?: unknown };
      const name = record.errors?.name === ErrorNames.expression ? ErrorNames.expression : ErrorNames.stageFailed;
      // A record that has its key already (the Python runner adds it) keeps its error as it came.
      if (record.key === key && name === e.name) return e;
      return new RunnerError(name, JSON.stringify({ ...record, key }));
    } catch {
      return new RunnerError(ErrorNames.stageFailed, JSON.stringify({ status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: e.message }, key }));
    }
  }
  if (e.name === ErrorNames.expression) {
    return new RunnerError(ErrorNames.expression, JSON.stringify({ status: 'FAILED', outputs: {}, errors: { name: ErrorNames.expression, message: e.message }, key }));
  }
  return e;
}

async function dispatch(req: RunnerRequest, options: HandleRequestOptions, masks: readonly string[]): Promise<unknown> {
  const action = (req as { action?: unknown }).action;
  switch (action) {
    case 'stage':
      return runStage(req as RunStageRequest, options, masks);
    case 'eval':
      if (!isRecord((req as { items?: unknown }).items)) throw badRequest('eval request needs "items"');
      return evaluateItems(req as EvalRequest);
    case 'collect':
      return collectResults(req as CollectRequest);
    case 'tally':
      return tallyResults(req as TallyRequest, options.s3 ?? (defaultS3 ??= await newS3Client()));
    case 'prepare':
      return prepareRun(req as PrepareRequest, storeFor(options));
    case 'start-deadline':
      return startDeadline(req as StartDeadlineRequest);
    case 'signal-wait':
      return (options.coordination ?? (await defaultCoordination())).signalWait(req as SignalWaitRequest);
    case 'needs-wait':
      return (options.coordination ?? (await defaultCoordination())).needsWait(req as NeedsWaitRequest);
    case 'job-done':
      return (options.coordination ?? (await defaultCoordination())).jobDone(req as JobDoneRequest);
    case 'concurrency-reclaim':
      return reclaimSlots(req as ConcurrencyReclaimRequest, options.coordination ?? (await defaultCoordination()));
    case 'concurrency-cancel':
      return cancelHolders(req as ConcurrencyCancelRequest, options.coordination ?? (await defaultCoordination()));
    case 'child-outcome': {
      const coordination = options.coordination ?? (await defaultCoordination());
      return childOutcome(req as ChildOutcomeRequest, (arn) => coordination.childHistory(arn));
    }
    case 'forget-secrets': {
      const store = storeFor(options);
      const secretRun = (req as unknown as { secretRun?: unknown }).secretRun;
      const run = isRecord(secretRun) ? secretRun.id : undefined;
      if (store && typeof run === 'string') await store.deleteRun(run);
      return {};
    }
    case 'py':
    case 'virtual-py':
      throw badRequest(`"${action}" requests go to the Python runner (functions/py-runner/handler.py), not the stage runner`);
    default:
      throw badRequest(`unknown action ${JSON.stringify(action)}; expected "stage", "eval", "collect", "tally", "prepare", "start-deadline", "signal-wait", "needs-wait", "job-done", "concurrency-reclaim", "concurrency-cancel", "child-outcome" or "forget-secrets"`);
  }
}
