/**
 * Workflow → state machine. The run starts by preparing its input (params checked and coerced,
 * unless the caller already did), runs the job plan (series-parallel, see plan-jobs.ts), then
 * decides the run's status and builds the result document: SUCCESS/SKIP end in a Succeed state
 * with the document as output; FAILED ends in a Fail state whose cause is the document (so Step
 * Functions shows the run as failed and it can be redriven).
 */
import type { Diagnostic } from '../diagnostics/index.ts';
import { childLists, triggerTargets, type Job, type Stage, type Workflow } from '../config/index.ts';
import type { ChoiceRule, Machine, State } from './asl/types.ts';
import { CompileContext, type BatchInfo, type CompileOptions, type StateInfo } from './compile-context.ts';
import { compileJob } from './compile-job.ts';
import { planWorkflowJobs, type PlanNode } from './plan-jobs.ts';
import { compileGraph } from './compile-dag.ts';
import { Placeholders } from '../protocol/index.ts';
import { hasPathKey } from './compile-expression.ts';
import { renderMachine } from './asl/render-machine.ts';
import { optimizeMachine } from './asl/optimize-machine.ts';
import { definitionText, placeholdersOf } from './asl/placeholders.ts';
import { checkMachine, estimateHistoryEvents, MAX_HISTORY_EVENTS, targetsOf } from './asl/check-machine.ts';
import { stateMachinePlaceholder } from './compile-stages.ts';
import { runConcurrency } from './compile-concurrency.ts';
import { withStartDeadline } from './compile-deadline.ts';
import { escapeIntrinsicText } from './asl/intrinsic.ts';
import { setOwn } from '../expr/index.ts';

/** The sentinel `next` meaning "end of this machine or branch". */
export const END = '\u0000END';

/** A compiled state machine: its definition, its texts, and what the compiler knows about it. */
export interface CompiledDefinition {
  /** The ASL definition with `${Placeholder}`s for deployment values. */
  definition: Machine;
  /**
   * The definition as deterministic compact JSON text: what CDK deploys (byte for byte, apart from
   * the substitutions) and `wf compile --compact` prints. Compact text keeps large workflows under
   * Step Functions' 1 MB definition limit.
   */
  json: string;
  /** The same definition indented for reading (`wf compile`, golden files). */
  pretty: string;
  /** What each state stands for (job, stage), for progress reporting. */
  states: Record<string, StateInfo>;
  /** Warnings and errors about Step Functions limits. */
  diagnostics: Diagnostic[];
  /** Placeholders the definition uses (fill them with CDK definitionSubstitutions or the local engine). */
  placeholders: string[];
}

/** One more state machine a workflow deploys beside its own (a split job, a batched foreach's chunks). */
export interface CompiledMachine extends CompiledDefinition {
  /** The machine's name (`<workflow>__<job>`, `<workflow>__<job>__batch<k>`); its ARN fills the `StateMachine_...` placeholder of that name. */
  name: string;
  /** For the chunk machine of a batched foreach: its chunk size and the parent's items path. */
  batch?: BatchInfo;
}

/** The output of {@link compileWorkflow}. */
export interface CompiledWorkflow extends CompiledDefinition {
  /** The docker stages: each needs an ECS task definition filled in for its placeholder. */
  dockerTasks: Array<{ placeholder: string; image: string; tag: string; job: string; stage: string }>;
  /** Workflows this one starts with `trigger` stages. */
  triggers: string[];
  /** Child machines to deploy before this one: the chunk machines of batched foreach stages, then (a split workflow) one machine per job. */
  children: CompiledMachine[];
}

function jobsOf(node: PlanNode): string[] {
  if (node.kind === 'graph') return node.jobs.map((j) => j.id);
  return node.kind === 'job' ? [node.id] : node.items.flatMap(jobsOf);
}

function compilePlan(cx: CompileContext, node: PlanNode, before: ReadonlySet<string>, next: string, split: boolean): string {
  const one = (job: Job, cont: string): string => (split ? compileJobViaChild(cx, job, cont) : compileJob(cx, job, cont));
  if (node.kind === 'job') return one(cx.workflow.jobs[node.id]!, next);
  if (node.kind === 'graph') return compileGraph(cx, node.jobs, next, END, one);
  if (node.kind === 'series') {
    const befores: Set<string>[] = [];
    let acc = new Set(before);
    for (const item of node.items) {
      befores.push(acc);
      acc = new Set([...acc, ...jobsOf(item)]);
    }
    let cont = next;
    for (let i = node.items.length - 1; i >= 0; i--) cont = compilePlan(cx, node.items[i]!, befores[i]!, cont, split);
    return cont;
  }
  // Parallel groups: each branch runs its jobs; the results are merged back into `$.jobs`.
  const branches = node.items.map((item) => cx.inSink(() => compilePlan(cx, item, before, END, split)));
  const selector: Record<string, unknown> = {};
  for (const j of before) selector[`${j}.$`] = `$[0].jobs.${j}`;
  node.items.forEach((item, i) => {
    for (const j of jobsOf(item)) selector[`${j}.$`] = `$[${i}].jobs.${j}`;
  });
  const label = ['jobs', ...jobsOf(node).slice(0, 3), jobsOf(node).length > 3 ? '…' : ''].filter(Boolean);
  const max = cx.workflow.maxJobParallel;
  if (max !== undefined && node.items.length > max) {
    // A cap on jobs at once: a Map over the branch indexes with MaxConcurrency.
    const n = cx.nextId();
    const proc = cx.inSink(() => {
      const choices: ChoiceRule[] = branches.map((b, i) => {
        Object.assign(cx.sink.states, b.sink.states);
        const unwrap = cx.add([...label, `group ${i + 1}`], { Type: 'Pass', InputPath: '$.doc', Next: b.value });
        return { Variable: '$.b', NumericEquals: i, Next: unwrap };
      });
      return cx.add([...label, 'group'], { Type: 'Choice', Choices: choices, Default: (choices[0] as { Next: string }).Next });
    });
    const map = cx.add(label, {
      Type: 'Map',
      ItemsPath: `$.__groups${n}`,
      MaxConcurrency: max,
      ItemSelector: { 'b.$': '$$.Map.Item.Value', 'doc.$': '$' },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...proc.sink.machine(proc.value) },
      ResultSelector: selector,
      ResultPath: '$.jobs',
      Next: next,
    });
    return cx.add([...label, 'groups'], { Type: 'Pass', Result: branches.map((_, i) => i), ResultPath: `$.__groups${n}`, Next: map });
  }
  return cx.add(label, {
    Type: 'Parallel',
    Branches: branches.map((b) => b.sink.machine(b.value)),
    ResultSelector: selector,
    ResultPath: '$.jobs',
    Next: next,
  });
}

/** Adds `pretty`, the indented text, computed when first read (large definitions rarely need it). */
function withPretty<T extends { definition: Machine }>(o: T): T & { pretty: string } {
  let text: string | undefined;
  return Object.defineProperty(o, 'pretty', {
    get: () => (text ??= definitionText(o.definition, 2) + '\n'),
    enumerable: true,
    configurable: true,
  }) as T & { pretty: string };
}

/** The name of the child state machine that runs one job of a split workflow. */
export function jobMachineName(workflow: string, job: string): string {
  return `${workflow}__${job}`;
}

/**
 * A job run as its own execution of a child state machine (a split workflow): the parent starts it
 * with the run's document and waits (`startExecution.sync:2`); the child's output is the job's
 * record, which lands in `$.jobs.<id>`. Each execution has its own 1 MB definition and 25,000-event
 * history.
 */
function compileJobViaChild(cx: CompileContext, job: Job, next: string): string {
  const label = [job.id];
  const place = cx.add([...label, 'record'], { Type: 'Pass', InputPath: '$.__child.Output', ResultPath: `$.jobs.${job.id}`, Next: next }, { job: job.id, role: 'job-end' });
  const failed = cx.add([...label, 'child failed'], {
    Type: 'Pass',
    Parameters: { status: 'FAILED', errors: { 'name.$': '$.__caught.Error', 'message.$': '$.__caught.Cause' } },
    ResultPath: `$.jobs.${job.id}`,
    Next: next,
  }, { job: job.id, role: 'job-end' });
  return cx.add(label, {
    Type: 'Task',
    Resource: 'arn:aws:states:::states:startExecution.sync:2',
    Parameters: {
      StateMachineArn: `\${${stateMachinePlaceholder(jobMachineName(cx.workflow.name, job.id))}}`,
      Input: { prepared: true, 'params.$': '$.params', 'release.$': '$.release', 'run.$': '$.run', 'jobs.$': '$.jobs', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    },
    ResultSelector: { 'Output.$': '$.Output' },
    ResultPath: '$.__child',
    Retry: [cx.startExecutionRetry()],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed }],
    Next: place,
  }, { job: job.id, role: 'job' });
}

/** A child machine's definition, text and placeholders, from its states. */
function finishMachine(cx: CompileContext, name: string, machine: Machine, diagnostics: Diagnostic[]): CompiledMachine {
  closeEnds(machine.States, cx.names);
  pruneUnreachable(machine);
  optimize(cx, machine);
  const definition = renderMachine(machine);
  const json = definitionText(definition);
  return withPretty({ name, definition, json, states: cx.info, diagnostics, placeholders: placeholdersOf(json) });
}

/** The chunk machines of the batched foreach stages a compile met, inner ones first. */
function batchMachines(cx: CompileContext): CompiledMachine[] {
  return cx.machines.map((m) => ({ ...finishMachine(cx, m.name, { Comment: m.comment, StartAt: m.machine.StartAt, TimeoutSeconds: Math.ceil(cx.workflow.timeout), States: m.machine.States }, []), batch: m.batch }));
}

/** The child state machine of one job (its states, ending with the job's record as output), after the chunk machines it starts. */
function compileJobMachine(workflow: Workflow, job: Job, options: CompileOptions): CompiledMachine[] {
  const cx = new CompileContext(workflow, options);
  const end = cx.add(['job result'], { Type: 'Pass', OutputPath: `$.jobs.${job.id}`, End: true });
  const start = compileJob(cx, job, end);
  const machine: Machine = { Comment: `Workflow ${workflow.name}, job ${job.id}`, StartAt: start, TimeoutSeconds: Math.ceil(workflow.timeout), States: cx.sink.states };
  return [...batchMachines(cx), finishMachine(cx, jobMachineName(workflow.name, job.id), machine, cx.diagnostics)];
}

/** The result document's fields, with secret params replaced by `***`. */
function resultParameters(workflow: Workflow, status: string): Record<string, unknown> {
  const doc: Record<string, unknown> = { status, 'run.$': '$.run' };
  if (Object.values(workflow.params).some((p) => p.secret)) {
    const params: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(workflow.params)) {
      if (p.secret) params[name] = '***';
      else params[`${name}.$`] = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `$.params.${name}` : `$.params['${name}']`;
    }
    doc.params = params;
  } else doc['params.$'] = '$.params';
  doc['release.$'] = '$.release';
  doc['jobs.$'] = '$.jobs';
  doc.errors = [];
  return doc;
}

/** Replaces the END sentinel: `Next: END` → `End: true`; Choice targets get a real end state. */
function closeEnds(states: Record<string, State>, names: CompileContext['names']): void {
  let endState: string | undefined;
  const endName = (): string => (endState ??= names.allocate('end'));
  for (const st of Object.values(states)) {
    if (st.Next === END) {
      delete st.Next;
      st.End = true;
    }
    if (st.Type === 'Choice') {
      if (st.Default === END) st.Default = endName();
      for (const c of st.Choices ?? []) if ((c as { Next?: string }).Next === END) (c as { Next?: string }).Next = endName();
    }
    for (const b of st.Branches ?? []) closeEnds(b.States, names);
    if (st.ItemProcessor) closeEnds(st.ItemProcessor.States, names);
  }
  if (endState) states[endState] = { Type: 'Pass', End: true };
}

/**
 * Removes states nothing reaches (constructs emit their failure handling eagerly; a stage that
 * cannot fail leaves it unused), in every branch and item processor too.
 */
function pruneUnreachable(m: Machine): void {
  const seen = new Set<string>();
  const todo = [m.StartAt];
  while (todo.length) {
    const n = todo.pop()!;
    if (seen.has(n) || !m.States[n]) continue;
    seen.add(n);
    const st = m.States[n]!;
    todo.push(...targetsOf(st));
  }
  for (const n of Object.keys(m.States)) {
    if (!seen.has(n)) delete m.States[n];
    else {
      const st = m.States[n]!;
      for (const b of st.Branches ?? []) pruneUnreachable(b);
      if (st.ItemProcessor) pruneUnreachable(st.ItemProcessor);
    }
  }
}

/** Removes transitions (see optimize-machine.ts), keeping every state progress reporting reads. */
function optimize(cx: CompileContext, machine: Machine): void {
  const keep = new Set(Object.entries(cx.info).filter(([, i]) => i.role !== 'run-end').map(([n]) => n));
  optimizeMachine(machine, keep);
  pruneUnreachable(machine);
}

/** Every stage of a workflow, nested ones included. */
function allStages(workflow: Workflow): Stage[] {
  const out: Stage[] = [];
  const walk = (list: readonly Stage[]): void => {
    for (const s of list) {
      out.push(s);
      for (const child of childLists(s)) walk(child);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return out;
}

/** Definitions above this size are split into one machine per job (Step Functions' limit is 1 MB). */
const SPLIT_BYTES = 900 * 1024;

/**
 * Compiles a validated workflow into an Amazon States Language definition. A workflow whose
 * definition would pass 900 KB, or whose run may pass 80 % of the 25,000 history events of one
 * execution, is split (`split: 'auto'`, the default): each job becomes a child state machine that
 * the parent starts and waits for, with a warning saying what was split and why. `split: 'jobs'`
 * always splits; `split: 'off'` never does.
 */
export function compileWorkflow(workflow: Workflow, options: CompileOptions = {}): CompiledWorkflow {
  const mode = options.split ?? 'auto';
  const jobs = Object.values(workflow.jobs);
  // A workflow far past the size limit is split without compiling it whole first (about 1.3 KB a stage).
  const surelyTooBig = mode === 'auto' && jobs.length >= 2 && allStages(workflow).length * 1300 > SPLIT_BYTES * 1.5;
  const whole = mode === 'jobs' || surelyTooBig ? undefined : compileRun(workflow, options, false);
  if (whole && (mode === 'off' || jobs.length < 2)) return whole;
  const bytes = whole ? Buffer.byteLength(whole.json) : allStages(workflow).length * 1300;
  const events = whole ? estimateHistoryEvents(whole.definition) : 0;
  const tooBig = bytes > SPLIT_BYTES;
  const tooLong = events > MAX_HISTORY_EVENTS * 0.8;
  if (whole && mode === 'auto' && !tooBig && !tooLong) return whole;
  const split = compileRun(workflow, options, true);
  const children = jobs.flatMap((j) => compileJobMachine(workflow, j, options));
  const jobMachines = children.filter((c) => Object.values(workflow.jobs).some((j) => c.name === jobMachineName(workflow.name, j.id)));
  const why = mode === 'jobs'
    ? 'split was asked for'
    : !whole
      ? `its ${allStages(workflow).length} stages would make a definition well over 1 MB`
      : tooBig
        ? `its definition would be ${bytes} bytes (the limit is 1 MB)`
        : `a run may produce about ${events} history events (the limit is 25,000 per execution)`;
  const diagnostics = split.diagnostics.filter((d) => d.code !== 'WF6002' && d.code !== 'WF6003');
  diagnostics.push({
    code: 'WF6008',
    severity: 'warning',
    message: `workflow "${workflow.name}" is split into ${jobMachines.length} child state machines, one per job (${jobMachines.map((c) => c.name).join(', ')}), because ${why}`,
    location: workflow.loc,
    note: 'each job runs as its own execution, started and awaited by the workflow\'s machine; deploy them together (the CDK app does)',
  });
  for (const c of jobMachines) {
    const size = Buffer.byteLength(c.json);
    if (size > 1024 * 1024) {
      diagnostics.push({ code: 'WF6002', severity: 'error', message: `job machine "${c.name}" is ${size} bytes, over Step Functions' 1 MB definition limit even after splitting`, location: workflow.jobs[c.name.slice(workflow.name.length + 2)]?.loc ?? workflow.loc, note: 'split the job into several jobs, or move stages into a child workflow started with a trigger stage' });
    }
  }
  return { ...split, diagnostics: [...diagnostics, ...children.flatMap((c) => c.diagnostics)], children };
}

function compileRun(workflow: Workflow, options: CompileOptions, split: boolean): CompiledWorkflow {
  const cx = new CompileContext(workflow, options);
  const jobs = Object.values(workflow.jobs);
  // A graph plan needs task tokens (not in Express) and runs every job at once (not with a cap).
  const graph = (options.jobGraph ?? 'auto') === 'auto' && workflow.execution !== 'express' && workflow.maxJobParallel === undefined;
  const plan = planWorkflowJobs(jobs.map((j) => ({ id: j.id, needs: j.needs })), { graph });

  const ends = new Map<string, string>();
  const endOf = (status: 'SUCCESS' | 'FAILED' | 'SKIP'): string => {
    let end = ends.get(status);
    if (end) return end;
    if (status === 'FAILED') {
      const fail = cx.add(['run failed'], { Type: 'Fail', Error: 'WorkflowFailed', CausePath: '$.cause' }, { role: 'run-end' });
      // A cause holds 32,768 characters and a result document can hold far more: the cause names the
      // run and where its document is (the result state's output, which the client and `wf` read).
      const cause = `workflow "${escapeIntrinsicText(workflow.name)}" run {} FAILED; its result document, with every job record, is the output of its last "run." state in the execution history`;
      end = cx.add(['run failed', 'cause'], { Type: 'Pass', Parameters: { 'cause.$': `States.Format('${cause}', $.run.id)` }, Next: fail });
    } else end = cx.add(['run', status === 'SUCCESS' ? 'succeeded' : 'skipped'], { Type: 'Succeed' }, { role: 'run-end' });
    ends.set(status, end);
    return end;
  };
  /** A result state: builds the result document, then ends the run as its status says. */
  const finish = (status: 'SUCCESS' | 'FAILED' | 'SKIP', label: string = status, errors?: Record<string, unknown>): string => {
    const params = resultParameters(workflow, status);
    if (errors) {
      delete params.errors;
      Object.assign(params, errors);
    }
    return cx.add(['run', label], { Type: 'Pass', Parameters: params, Next: endOf(status) }, { role: 'run-result' });
  };
  const ids = jobs.map((j) => j.id);
  const anyFailed: ChoiceRule = ids.length === 1 ? { Variable: `$.jobs.${ids[0]}.status`, StringEquals: 'FAILED' } : { Or: ids.map((j) => ({ Variable: `$.jobs.${j}.status`, StringEquals: 'FAILED' })) };
  const allSkipped: ChoiceRule = ids.length === 1 ? { Variable: `$.jobs.${ids[0]}.status`, StringEquals: 'SKIP' } : { And: ids.map((j) => ({ Variable: `$.jobs.${j}.status`, StringEquals: 'SKIP' })) };
  const status = cx.add(['run status'], {
    Type: 'Choice',
    Choices: [
      { ...anyFailed, Next: finish('FAILED') },
      { ...allSkipped, Next: finish('SKIP') },
    ],
    Default: finish('SUCCESS'),
  });
  // A workflow in a concurrency group holds a slot from after its claim to before its result.
  const concurrency = runConcurrency(cx);
  // A run with secret params deletes their stored values once its jobs are done (a failure to
  // delete never changes the run's outcome).
  const afterJobs = Object.values(workflow.params).some((p) => p.secret)
    ? cx.add(['forget secrets'], { ...cx.lambdaTask({ action: 'forget-secrets' }), ResultPath: null, Retry: [cx.transientRetry()], Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: status }], Next: status })
    : status;
  const planned = compilePlan(cx, plan, new Set(), concurrency ? concurrency.release(afterJobs) : afterJobs, split);
  const body = concurrency ? concurrency.acquire(planned, finish('FAILED', 'concurrency failed', { 'errors.$': 'States.Array($.__caught.r.errors)' })) : planned;

  // Input that did not come through `parameterize` (schedules, triggers, the raw API) is prepared first.
  const prepareFailed = cx.add(['prepare failed'], {
    Type: 'Fail',
    Error: 'ParamError',
    CausePath: '$.__caught.Cause',
  }, { role: 'run-end' });
  const declared: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(workflow.params)) {
    setOwn(declared, name, { type: p.type, required: p.required, ...(p.hasDefault ? { default: p.default } : {}), ...(p.options ? { options: p.options } : {}), ...(p.secret ? { secret: true } : {}) });
  }
  // A release of a scheduled minute claims it first: a conditional write that only one run of
  // the minute wins (EventBridge may deliver twice; two `wf release` may race). The loser is SKIP.
  const already = cx.add(['already released'], {
    Type: 'Pass',
    Parameters: { name: 'AlreadyReleased', 'message.$': "States.Format('workflow {} already has a run for this release ({})', $.run.workflow, $.lock)" },
    ResultPath: '$.__skip',
    Next: finish('SKIP', 'already released', { 'errors.$': 'States.Array($.__skip)' }),
  });
  const claimTask = cx.add(['claim release'], {
    Type: 'Task',
    Resource: 'arn:aws:states:::dynamodb:putItem',
    Parameters: {
      TableName: `\${${Placeholders.auditTable}}`,
      Item: { workflow: { 'S.$': '$.run.workflow' }, release: { 'S.$': '$.lock' }, run_id: { 'S.$': '$.run.id' } },
      ConditionExpression: 'attribute_not_exists(#r)',
      ExpressionAttributeNames: { '#r': 'release' },
    },
    ResultPath: null,
    Retry: [{ ErrorEquals: ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
    Catch: [
      { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: null, Next: already },
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.__caught',
        Next: cx.add(['claim failed'], {
          Type: 'Pass',
          Parameters: { 'name.$': '$.__caught.Error', 'message.$': '$.__caught.Cause' },
          ResultPath: '$.__skip',
          Next: finish('FAILED', 'claim failed', { 'errors.$': 'States.Array($.__skip)' }),
        }),
      },
    ],
    Next: body,
  });
  // A release that starts after its start deadline is SKIP before it claims its minute.
  const claimEntry = withStartDeadline(cx, claimTask, () => finish('SKIP', 'start deadline missed', { 'errors.$': 'States.Array($.__skip)' }));
  const claim = cx.add(['release?'], {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: '$.lock', IsPresent: true }, { Variable: '$.lock', IsString: true }], Next: claimEntry }],
    Default: body,
  });
  const prepare = cx.add(['prepare run'], {
    ...cx.lambdaTask({ action: 'prepare', workflow: workflow.name, ...(hasPathKey(declared) ? { paramsJson: JSON.stringify(declared) } : { params: declared }), 'input.$': '$', 'executionName.$': '$$.Execution.Name' }),
    ResultSelector: { 'params.$': '$.Payload.params', 'release.$': '$.Payload.release', 'run.$': '$.Payload.run', 'jobs.$': '$.Payload.jobs', 'lock.$': '$.Payload.lock' },
    Retry: [cx.transientRetry()],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: prepareFailed }],
    Next: claim,
  });
  // Prepared input (the CLI, the API client) goes straight on: to the claim when it carries a lock.
  const prepared: ChoiceRule[] = [{ Variable: '$.prepared', IsPresent: true }, { Variable: '$.prepared', BooleanEquals: true }];
  const start = cx.add(['start'], {
    Type: 'Choice',
    Choices: [
      { And: [...prepared, { Variable: '$.lock', IsPresent: true }, { Variable: '$.lock', IsString: true }], Next: claimEntry },
      { And: prepared, Next: body },
    ],
    Default: prepare,
  });
  closeEnds(cx.sink.states, cx.names);
  const machine: Machine = {
    Comment: `Workflow ${workflow.name}${workflow.desc ? `: ${workflow.desc.split('\n')[0]!.slice(0, 200)}` : ''}`,
    StartAt: start,
    TimeoutSeconds: Math.ceil(workflow.timeout),
    States: cx.sink.states,
  };
  pruneUnreachable(machine);
  optimize(cx, machine);
  const definition = renderMachine(machine);
  const json = definitionText(definition);
  const diagnostics = [...cx.diagnostics, ...checkMachine(definition, json, workflow)];
  const placeholders = placeholdersOf(json);
  if (workflow.execution === 'express' && workflow.timeout > 300) {
    diagnostics.push({
      code: 'WF6006',
      severity: 'error',
      message: `workflow "${workflow.name}" is an Express workflow with a timeout of ${workflow.timeout} s; Express executions end after 300 s`,
      location: workflow.fieldLocs.timeout ?? workflow.fieldLocs.execution ?? workflow.loc,
      note: 'set `timeout: 300` or less, or use `execution: standard`',
    });
  }
  const dockerTasks = Object.values(cx.info)
    .filter((i) => i.docker)
    .map((i) => ({ placeholder: i.docker!.placeholder, image: i.docker!.image, tag: i.docker!.tag, job: i.job!, stage: i.name ?? i.stage! }));
  const triggers = [...new Set(triggerTargets(workflow).flatMap((site) => site.targets ?? []))].sort();
  const children = batchMachines(cx);
  for (const c of children) diagnostics.push(...checkMachine(c.definition, c.json, workflow).filter((d) => d.code !== 'WF6003'));
  return withPretty({ definition, json, states: cx.info, diagnostics, placeholders, dockerTasks, triggers, children });
}
