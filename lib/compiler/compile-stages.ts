/**
 * Stages → states. Each stage compiles with the state that follows it (`next`) and the state to
 * go to when it fails (`fail`, reached with the failure normalised in `$.__caught.r`), and returns
 * its first state. A stage with an `id` writes its record (`{status, outputs, errors?}`) into the
 * innermost frame; one without leaves nothing behind.
 */
import { isIntrinsicPath } from './asl/intrinsic.ts';
import type { Stage, CaseStage, ForeachStage, ParallelStage, UntilStage, TryStage } from '../config/index.ts';
import type { CompileContext, StageScope, StateInfo } from './compile-context.ts';
import type { ChoiceRule, State } from './asl/types.ts';
import {
  conditionAst,
  nativeCondition,
  nativeParameters,
  nativeValue,
  conditionRoots,
  rootsOfValue,
  containsTemplate,
  hasPathKey,
  wholeTemplateAst,
  nativePath,
} from './compile-expression.ts';
import { ALL_CONTEXT_ROOTS, childDocument, wireContext } from './wire-context.ts';
import { parseTemplate, pythonTemplateSites } from '../expr/index.ts';
import { compileWait } from './compile-wait.ts';
import { compileBatchedForeach, foreachBatchSize } from './compile-batched-foreach.ts';
import { compileDocker } from './compile-docker.ts';
import { compileS3Foreach, compileSpilledForeach } from './compile-s3-foreach.ts';
import { compileTrigger, stateMachinePlaceholder } from './compile-trigger.ts';
import { checkLambdaTimeout, counterRetry, lambdaStageTimeout, retriers, retryScope, stageInfo, workflowEnv as env } from './stage-parts.ts';
import { SPILL_REF_KEY } from '../protocol/index.ts';

/** Stage label parts for state names. */
type Label = string[];

export { stageInfo, stateMachinePlaceholder };

/** Compiles a list of stages in order; returns the first state (or `next` when empty). */
export function compileStages(cx: CompileContext, stages: readonly Stage[], scope: StageScope, label: Label, next: string, fail: string): string {
  const frame = scope.frames[scope.frames.length - 1]!;
  for (const s of stages) if (s.id) frame.ids.add(s.id);
  let cont = next;
  for (let i = stages.length - 1; i >= 0; i--) cont = compileStage(cx, stages[i]!, scope, label, cont, fail);
  return cont;
}

function recordPath(scope: StageScope, stage: Stage): string | undefined {
  return stage.id ? `${scope.frames[scope.frames.length - 1]!.path}.${stage.id}` : undefined;
}

/** Compiles one stage with its condition. */
export function compileStage(cx: CompileContext, stage: Stage, scope: StageScope, parent: Label, next: string, fail: string): string {
  const label = [...parent, stage.name];
  const rec = recordPath(scope, stage);
  const onFail = stage.continueOnError ? next : fail;
  // `failed` records the normalised failure under the stage's id; a composite stage that writes its
  // own failed record (with the outputs its children produced) goes to `onFail` directly.
  const failed = cx.recordFailure(label, rec, onFail);
  const body = compileBody(cx, stage, scope, label, rec, next, failed, onFail);
  if (stage.if === undefined || stage.if === true) return body;
  // A skipped stage passes through a state of its own even without an id (one transition), so that
  // progress, logs and the console can show it as skipped on AWS and locally alike.
  const skip = cx.add([...label, 'skip'], rec ? { Type: 'Pass', Result: { status: 'SKIP' }, ResultPath: rec, Next: next } : { Type: 'Pass', Next: next }, { ...stageInfo(scope, stage), skipped: true });
  if (stage.if === false) return skip;
  return conditionChoice(cx, stage.if, { ...scope, level: 'stage' }, label, body, skip, failed);
}

/**
 * A Choice that goes to `yes` or `no` on a condition: native rules when the compiler can express
 * them (with an evaluation fallback when their guard does not hold), else an `eval` Task first.
 */
export function conditionChoice(cx: CompileContext, cond: boolean | string, scope: StageScope, label: Label, yes: string, no: string, fail: string, extraRule?: ChoiceRule): string {
  const evalChoice = (): string => {
    const choice = cx.reserve([...label, 'condition result']);
    const roots = conditionRoots(cond, scope.level);
    const task = cx.evalTask(label, { cond: { kind: 'condition', cond, facts: scope.level } }, wireContext(scope, roots, env(cx)), '$.__cond', choice, fail);
    const rules: ChoiceRule[] = [{ Variable: '$.__cond.cond', BooleanEquals: true, Next: yes }];
    cx.put(choice, { Type: 'Choice', Choices: extraRule ? [{ And: [extraRule, { Variable: '$.__cond.cond', BooleanEquals: true }], Next: yes }] : rules, Default: no });
    return task;
  };
  const ast = conditionAst(cond);
  const native = typeof cond === 'boolean' ? { rule: cond } : ast ? nativeCondition(ast, scope) : undefined;
  if (!native) return evalChoice();
  const rule = native.rule;
  const withExtra = (r: ChoiceRule | boolean): ChoiceRule | boolean => {
    if (!extraRule) return r;
    if (r === false) return false;
    if (r === true) return extraRule;
    return { And: [extraRule, r] };
  };
  const decided = withExtra(rule);
  if (native.guard === undefined) {
    if (decided === true) return yes;
    if (decided === false) return no;
    return cx.add([...label, 'condition'], { Type: 'Choice', Choices: [{ ...decided, Next: yes }], Default: no });
  }
  const choices: ChoiceRule[] = [];
  if (decided === true) choices.push({ ...native.guard, Next: yes });
  else if (decided !== false) choices.push({ And: [native.guard, decided], Next: yes });
  choices.push({ ...native.guard, Next: no });
  return cx.add([...label, 'condition'], { Type: 'Choice', Choices: choices, Default: evalChoice() });
}

function compileBody(cx: CompileContext, stage: Stage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const info = stageInfo(scope, stage, 'stage', true);
  switch (stage.kind) {
    case 'empty':
      return compileEmpty(cx, stage, scope, label, rec, next, fail);
    case 'bash':
    case 'call':
      return compileAction(cx, stage, scope, label, rec, next, fail);
    case 'docker':
      // A dry run only says what would run: every acting stage goes to the stage runner.
      if (cx.options.dryrun) return compileAction(cx, stage, scope, label, rec, next, fail);
      return compileDocker(cx, stage, scope, label, rec, next, fail);
    case 'py':
    case 'virtual-py':
      if (cx.options.dryrun) return compileAction(cx, stage, scope, label, rec, next, fail);
      return compilePy(cx, stage, scope, label, rec, next, fail);
    case 'raise':
      return compileRaise(cx, stage.raise, scope, label, rec, fail, info);
    case 'group':
      return compileGroup(cx, stage, scope, label, rec, next, fail, recorded);
    case 'case':
      return compileCase(cx, stage, scope, label, rec, next, fail, recorded);
    case 'parallel':
      return compileParallel(cx, stage, scope, label, rec, next, fail, recorded);
    case 'foreach':
      return compileForeach(cx, stage, scope, label, rec, next, fail);
    case 'until':
      return compileUntil(cx, stage, scope, label, rec, next, fail, recorded);
    case 'try':
      return compileTry(cx, stage, scope, label, rec, next, fail, recorded);
    case 'trigger':
      return compileTrigger(cx, stage, scope, label, rec, next, fail);
    case 'wait':
      return compileWait(cx, stage, scope, label, rec, next, fail, stageInfo(scope, stage));
  }
}

function compileEmpty(cx: CompileContext, stage: Extract<Stage, { kind: 'empty' }>, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string): string {
  const info = {
    ...stageInfo(scope, stage),
    ...(stage.echo !== undefined ? { echo: { message: stage.echo, ctx: wireContext(scope, rootsOfValue(stage.echo), env(cx)) } } : {}),
  };
  let cont = next;
  if (rec) cont = cx.add([...label, 'done'], { Type: 'Pass', Result: { status: 'SUCCESS', outputs: {} }, ResultPath: rec, Next: cont }, info);
  if (stage.sleep !== undefined && stage.sleep !== 0) {
    if (typeof stage.sleep === 'number' && !Number.isInteger(stage.sleep)) {
      cx.diagnostics.push({
        code: 'WF6005',
        severity: 'warning',
        message: `stage "${stage.name}": sleep ${stage.sleep} s is rounded up to ${Math.ceil(stage.sleep)} s`,
        location: stage.fieldLocs.sleep ?? stage.loc,
        note: 'a Step Functions Wait state takes whole seconds; write a whole number to silence this',
      });
    }
    if (typeof stage.sleep === 'number') {
      cont = cx.add([...label, 'sleep'], { Type: 'Wait', Seconds: Math.ceil(stage.sleep), Next: cont }, info);
    } else {
      const wait = cx.add([...label, 'sleep'], { Type: 'Wait', SecondsPath: '$.__sleep.seconds', Next: cont }, info);
      const roots = rootsOfValue(stage.sleep);
      cont = cx.evalTask(label, { seconds: { kind: 'value', raw: stage.sleep, mode: 'seconds' } }, wireContext(scope, roots, env(cx)), '$.__sleep', wait, fail);
    }
  }
  if (cont === next) cont = cx.add([...label], { Type: 'Pass', ResultPath: null, Next: next }, info);
  // A templated message is rendered by the runner (its output is the message), so a template that
  // cannot be rendered fails the stage with the engine's error, as in every other stage.
  if (stage.echo !== undefined && containsTemplate(stage.echo)) {
    cont = cx.evalTask(label, { echo: { kind: 'value', raw: stage.echo, mode: 'text' } }, wireContext(scope, rootsOfValue(stage.echo), env(cx)), '$.__echo', cont, fail);
  }
  return cont;
}

/** The kind fields of an acting stage as the runner gets them (templates unrendered). */
function stageSpecFields(stage: Stage): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  switch (stage.kind) {
    case 'py':
    case 'virtual-py':
      fields.run = stage.run;
      fields.vars = stage.vars;
      if (stage.kind === 'virtual-py') Object.assign(fields, { deps: stage.deps, version: stage.version });
      break;
    case 'bash':
      fields.bash = stage.bash;
      fields.env = stage.env;
      break;
    case 'call':
      fields.uses = stage.uses;
      fields.with = stage.with;
      break;
    case 'docker':
      Object.assign(fields, { image: stage.image, tag: stage.tag, env: stage.env, volume: stage.volume, auth: stage.auth });
      if (stage.cmd !== undefined) fields.cmd = stage.cmd;
      break;
    default:
      break;
  }
  return fields;
}

function stageSpec(cx: CompileContext, stage: Stage): Record<string, unknown> {
  const fields = stageSpecFields(stage);
  const spec: Record<string, unknown> = { kind: stage.kind, name: stage.name, ...(hasPathKey(fields) ? { fieldsJson: JSON.stringify(fields) } : { fields }) };
  if (stage.id) spec.id = stage.id;
  if (cx.options.dryrun) spec.dryrun = true;
  return spec;
}

/**
 * The Task that runs an action stage on a runner Lambda, with the stage's retries, timeout and
 * failure handling; returns the state to enter (the templated-retry setup when there is one).
 */
function actionTask(cx: CompileContext, stage: Stage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, payload: Record<string, unknown>, fn: 'stage' | 'py', retryPath: string | undefined): string {
  const name = cx.reserve(label);
  const { start, retry } = counterRetry(cx, stage, scope, label, name, fail, retryPath);
  const { catchers, key } = cx.lambdaCatch(label, fail, retry);
  const task: State = {
    ...cx.lambdaTask({ ...payload, key }, fn),
    ResultSelector: { 'status.$': '$.Payload.status', 'outputs.$': '$.Payload.outputs' },
    ResultPath: rec ?? null,
    Retry: [cx.transientRetry(), ...(retryPath ? [] : retriers(stage) ?? [])],
    Catch: catchers,
    Next: next,
  };
  checkLambdaTimeout(cx, stage);
  task.TimeoutSeconds = lambdaStageTimeout(stage, scope) + 5;
  cx.put(name, task, stageInfo(scope, stage));
  return start;
}

function compileAction(cx: CompileContext, stage: Extract<Stage, { kind: 'bash' | 'call' | 'py' | 'virtual-py' | 'docker' }>, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string): string {
  const roots = rootsOfValue(Object.values(stageSpecFields(stage)));
  const spec = stageSpec(cx, stage);
  spec.timeout = lambdaStageTimeout(stage, scope);
  const r = retryScope(cx, stage, scope, roots);
  return actionTask(cx, stage, r.scope, label, rec, next, fail, { action: 'stage', stage: spec, ctx: wireContext(r.scope, roots, env(cx)) }, 'stage', r.path);
}

function compilePy(cx: CompileContext, stage: Extract<Stage, { kind: 'py' | 'virtual-py' }>, outer: StageScope, label: Label, rec: string | undefined, next: string, fail: string): string {
  const r = retryScope(cx, stage, outer, rootsOfValue([stage.run, stage.vars]));
  const scope = r.scope;
  const globals = wireContext(scope, new Set(ALL_CONTEXT_ROOTS), env(cx));
  // Code parts: text stays text; a plain-path template becomes a value the runner writes for its
  // place (a Python literal in code, escaped text in a string; lib/expr/python-sites.ts).
  // Parameters cannot hold paths inside arrays, so parts are keyed: `t<i>` text, `v<i>` code values,
  // `s<i>` string values, `f<i>` f-string values.
  const { parts } = parseTemplate(stage.run);
  const sites = new Map(pythonTemplateSites(stage.run).map(({ part, site }) => [part.offset, site]));
  const codeParts: Record<string, unknown> = {};
  let native = true;
  parts.forEach((p, i) => {
    if (p.kind === 'text') codeParts[`t${i}`] = p.text;
    else {
      const site = sites.get(p.offset);
      const key = site?.kind === 'code' ? 'v' : site?.kind === 'string' ? 's' : site?.kind === 'fstring' ? 'f' : undefined;
      const path = p.ast ? nativePath(p.ast, scope, true) : undefined;
      if (!key) native = false;
      else if (p.ast?.type === 'literal') codeParts[`${key}${i}`] = p.ast.value;
      else if (path) codeParts[`${key}${i}.$`] = path;
      else native = false;
    }
  });
  const vars = nativeParameters(stage.vars, scope);
  const request: Record<string, unknown> = { action: stage.kind, name: stage.name };
  if (native && vars) {
    request.code = codeParts;
    request.vars = vars;
  } else {
    request['code.$'] = '$.__py.code';
    request['vars.$'] = '$.__py.vars';
  }
  request.globals = globals;
  if (stage.kind === 'virtual-py') {
    request.deps = stage.deps;
    request.version = stage.version;
  }
  request.timeout = lambdaStageTimeout(stage, scope);
  const start = actionTask(cx, stage, scope, label, rec, next, fail, request, 'py', r.path);
  if (native && vars) return start;
  const roots = rootsOfValue([stage.run, stage.vars]);
  return cx.evalTask(label, { code: { kind: 'value', raw: stage.run, mode: 'python-parts' }, vars: { kind: 'value', raw: stage.vars } }, wireContext(scope, roots, env(cx)), '$.__py', start, fail);
}

function compileRaise(cx: CompileContext, message: string, scope: StageScope, label: Label, rec: string | undefined, fail: string, info: StateInfo): string {
  const nv = nativeValue(message, scope);
  const set = (msg: Record<string, unknown>): string =>
    cx.add([...label, 'raise'], {
      Type: 'Pass',
      Parameters: { r: { status: 'FAILED', outputs: {}, errors: { name: 'RaiseError', ...msg } } },
      ResultPath: '$.__caught',
      Next: fail,
    }, info);
  if (nv && 'value' in nv) return set({ message: typeof nv.value === 'string' ? nv.value : JSON.stringify(nv.value) });
  const state = set({ 'message.$': '$.__raise.message' });
  return cx.evalTask(label, { message: { kind: 'value', raw: message, mode: 'text' } }, wireContext(scope, rootsOfValue(message), env(cx)), '$.__raise', state, fail);
}

/** A group: its stages recorded under `outputs.stages`. */
function compileGroup(cx: CompileContext, stage: Extract<Stage, { kind: 'group' }>, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const n = cx.nextId();
  const base = rec ?? `$.__g${n}`;
  const inner: StageScope = { ...scope, frames: [...scope.frames, { path: `${base}.outputs.stages`, ids: new Set() }] };
  const done = cx.add([...label, 'done'], { Type: 'Pass', Result: 'SUCCESS', ResultPath: `${base}.status`, Next: next }, stageInfo(scope, stage, 'stage-close'));
  const failed = cx.add([...label, 'group failed'], {
    Type: 'Pass',
    Parameters: { status: 'FAILED', outputs: { 'stages.$': `${base}.outputs.stages` }, 'errors.$': '$.__caught.r.errors' },
    ResultPath: base,
    Next: recorded,
  }, stageInfo(scope, stage, 'stage-close', true));
  const body = compileStages(cx, stage.stages, inner, label, done, failed);
  return cx.add([...label, 'start'], { Type: 'Pass', Result: { status: 'WAIT', outputs: { stages: {} } }, ResultPath: base, Next: body }, stageInfo(scope, stage, 'stage-open'));
}

function compileCase(cx: CompileContext, stage: CaseStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const n = cx.nextId();
  const base = rec ?? `$.__c${n}`;
  const branches: Array<{ value: string; start: string }> = [];
  // The default branch is entered from the native Choice (the value at `path`), after the `eval`
  // Task (`$.__case.value`) or statically; each way has its own start state, which records the
  // matched value as `outputs.case`, where the branch's `case` reads it.
  let defaultStart: ((from: { path: string } | { value: string }) => string) | undefined;
  for (const m of stage.match) {
    const caseLabel = [...label, `case ${m.case}`];
    const frames = [...scope.frames, { path: `${base}.outputs.stages`, ids: new Set<string>() }];
    const { case: _outer, ...roots } = scope.roots;
    const inner: StageScope = m.isDefault
      ? { ...scope, caseValue: undefined, roots: { ...roots, case: `${base}.outputs.case` }, frames }
      : { ...scope, caseValue: m.case, roots, frames };
    const done = cx.add([...caseLabel, 'done'], { Type: 'Pass', Result: 'SUCCESS', ResultPath: `${base}.status`, Next: next }, stageInfo(scope, stage, 'stage-close'));
    const failed = cx.add([...caseLabel, 'failed'], {
      Type: 'Pass',
      Parameters: { status: 'FAILED', outputs: { ...(m.isDefault ? { 'case.$': `${base}.outputs.case` } : { case: m.case }), 'stages.$': `${base}.outputs.stages` }, 'errors.$': '$.__caught.r.errors' },
      ResultPath: base,
      Next: recorded,
    }, stageInfo(scope, stage, 'stage-close', true));
    const body = compileStages(cx, m.stages, inner, caseLabel, done, failed);
    const startState = (suffix: string, value: Record<string, unknown>): string =>
      cx.add([...caseLabel, `start${suffix}`], { Type: 'Pass', ...value, ResultPath: base, Next: body }, stageInfo(scope, stage, 'stage-open'));
    if (m.isDefault) {
      defaultStart ??= (from) => 'value' in from
        ? startState('', { Result: { status: 'WAIT', outputs: { case: from.value, stages: {} } } })
        : startState(from.path === evalPath && path !== undefined ? ' from evaluation' : '', { Parameters: { status: 'WAIT', outputs: { 'case.$': from.path, stages: {} } } });
    } else branches.push({ value: m.case, start: startState('', { Result: { status: 'WAIT', outputs: { case: m.case, stages: {} } } }) });
  }
  const ast = wholeTemplateAst(stage.case);
  const path = ast ? nativePath(ast, scope) : undefined;
  const evalPath = '$.__case.value';
  const noMatchFrom = (from: { path: string } | { value: string }): string => {
    if (defaultStart) return defaultStart(from);
    return noMatch ??= noMatchState();
  };
  let noMatch: string | undefined;
  const noMatchState = (): string => {
    if (stage.skipNotMatch) return cx.add([...label, 'no match'], { Type: 'Pass', Result: { status: 'SKIP' }, ResultPath: base, Next: next });
    const cases = stage.match.map((m) => `"${m.case}"`).join(', ');
    return cx.add([...label, 'no match'], {
      Type: 'Pass',
      Parameters: { r: { status: 'FAILED', outputs: {}, errors: { name: 'CaseError', message: `case stage "${stage.name}": the value matched none of ${cases} and there is no default (_) branch` } } },
      ResultPath: '$.__caught',
      Next: fail,
    });
  };
  if (!containsTemplate(stage.case)) {
    const hit = branches.find((b) => b.value === stage.case);
    return hit ? hit.start : noMatchFrom({ value: stage.case });
  }
  const rulesOn = (p: string, guardString: boolean): ChoiceRule[] =>
    branches.map((b) => ({ And: [{ Variable: p, IsString: true }, { Variable: p, StringEquals: b.value }], Next: b.start }) as ChoiceRule)
      .concat(guardString ? [{ Variable: p, IsString: true, Next: noMatchFrom({ path: p }) }] : []);
  const evalChoice = cx.add([...label, 'match'], { Type: 'Choice', Choices: rulesOn(evalPath, false), Default: noMatchFrom({ path: evalPath }) });
  const evalTask = cx.evalTask(label, { value: { kind: 'value', raw: stage.case, mode: 'text' } }, wireContext(scope, rootsOfValue(stage.case), env(cx)), '$.__case', evalChoice, fail);
  if (path === undefined) return evalTask;
  // One Choice: each rule checks the value is there and a string before comparing it.
  const present: ChoiceRule = { Variable: path, IsPresent: true };
  const guarded = rulesOn(path, true).map((r) => ({ And: [present, ...(r.And ?? [{ Variable: r.Variable, IsString: true }])], Next: r.Next }) as ChoiceRule);
  return cx.add([...label, 'case'], { Type: 'Choice', Choices: guarded, Default: evalTask });
}

function compileParallel(cx: CompileContext, stage: ParallelStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const names = Object.keys(stage.branches);
  const branchMachines = names.map((b) =>
    cx.inSink(() => {
      const { params, scope: inner } = childDocument(scope, { branch: b }, { branch: true });
      const bl = [...label, b];
      const end = cx.add([...bl, 'end'], { Type: 'Pass', Parameters: { status: 'SUCCESS', 'stages.$': '$.stages' }, End: true });
      const failed = cx.add([...bl, 'failed'], { Type: 'Pass', Parameters: { status: 'FAILED', 'stages.$': '$.stages', 'errors.$': '$.__caught.r.errors' }, End: true });
      const body = compileStages(cx, stage.branches[b]!, { ...inner, roots: { ...inner.roots, branch: '$.branch' } }, bl, end, failed);
      return cx.add([...bl, 'start'], { Type: 'Pass', Parameters: params, Next: body });
    }),
  );
  const outputs: Record<string, unknown> = {};
  names.forEach((b, i) => (outputs[`${b}.$`] = `$[${i}]`));
  const n = cx.nextId();
  const base = rec ?? `$.__p${n}`;
  const anyFailed: ChoiceRule = { Or: names.map((b) => ({ Variable: `${base}.outputs.parallel.${b}.status`, StringEquals: 'FAILED' })) };
  const failedBranch = cx.add([...label, 'branch failed'], {
    Type: 'Pass',
    Parameters: { r: { status: 'FAILED', outputs: {}, errors: { name: 'ParallelError', message: `parallel stage "${stage.name}": a branch failed` } } },
    ResultPath: '$.__caught',
    Next: cx.add([...label, 'record branch failure'], { Type: 'Pass', Result: 'FAILED', ResultPath: `${base}.status`, Next: cx.add([...label, 'errors'], { Type: 'Pass', Parameters: { name: 'ParallelError', message: `parallel stage "${stage.name}": a branch failed` }, ResultPath: `${base}.errors`, Next: recorded }) }),
  });
  const check = cx.add([...label, 'status'], {
    Type: 'Choice',
    Choices: [{ ...(names.length === 1 ? (anyFailed as { Or: ChoiceRule[] }).Or[0]! : anyFailed), Next: failedBranch }],
    Default: cx.add([...label, 'done'], { Type: 'Pass', Result: 'SUCCESS', ResultPath: `${base}.status`, Next: next }),
  });
  const info = stageInfo(scope, stage);
  if (stage.maxWorkers >= names.length) {
    return cx.add(label, {
      Type: 'Parallel',
      Branches: branchMachines.map((m) => m.sink.machine(m.value)),
      ResultSelector: { status: 'WAIT', outputs: { parallel: outputs } },
      ResultPath: base,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, fail) }],
      Next: check,
    }, info);
  }
  // More branches than workers: a Map over the branch names caps the concurrency. Each
  // iteration carries the whole document and unwraps it once its branch is chosen.
  const proc = cx.inSink(() => {
    const choices: ChoiceRule[] = names.map((b, i) => {
      Object.assign(cx.sink.states, branchMachines[i]!.sink.states);
      const unwrap = cx.add([...label, b, 'unwrap'], { Type: 'Pass', InputPath: '$.doc', Next: branchMachines[i]!.value });
      return { Variable: '$.b', StringEquals: b, Next: unwrap };
    });
    return cx.add([...label, 'branch'], { Type: 'Choice', Choices: choices, Default: (choices[0] as { Next: string }).Next });
  });
  const m = cx.nextId();
  const map = cx.add(label, {
    Type: 'Map',
    ItemsPath: `$.__branches${m}`,
    MaxConcurrency: stage.maxWorkers,
    ItemSelector: { 'b.$': '$$.Map.Item.Value', 'doc.$': '$' },
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...proc.sink.machine(proc.value) },
    ResultSelector: { status: 'WAIT', outputs: { parallel: outputs } },
    ResultPath: base,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, fail) }],
    Next: check,
  }, info);
  return cx.add([...label, 'branches'], { Type: 'Pass', Result: names, ResultPath: `$.__branches${m}`, Next: map });
}

function compileForeach(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string): string {
  if (stage.s3) return compileS3Foreach(cx, stage, scope, label, rec, next, fail);
  const proc = cx.inSink(() => foreachItemBody(cx, stage, scope, label));
  const batch = foreachBatchSize(cx, stage, proc.sink.machine(proc.value.start));
  if (batch !== undefined) return compileBatchedForeach(cx, stage, scope, label, rec, next, fail, batch, proc);
  const n = cx.nextId();
  const itemsPath = `$.__items${n}`;
  const base = rec ?? `$.__f${n}`;
  const info = stageInfo(scope, stage);
  const collected = rec ? foreachCollect(cx, label, rec, { 'results.$': `${base}.results`, 'items.$': itemsPath, useIndexAsKey: stage.useIndexAsKey }, next, fail) : next;
  const map = cx.add(label, {
    Type: 'Map',
    ItemsPath: itemsPath,
    MaxConcurrency: stage.concurrent,
    ItemSelector: proc.value.params,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...proc.sink.machine(proc.value.start) },
    ResultSelector: { 'results.$': '$' },
    ResultPath: rec ? base : null,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: cx.genericFailure(label, fail) }],
    Next: collected,
  }, info);
  return foreachItems(cx, stage, scope, label, itemsPath, map, fail, spilledRoute(cx, stage, scope, label, rec, next, fail));
}

/**
 * The route a foreach takes when the runner had to spill its list to S3 (too big for the state):
 * a Distributed Map reading it back. Only a foreach outside any other foreach or until has one (its
 * body compiles twice; nested, the copies would multiply), and only in Standard workflows.
 */
export function spilledRoute(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string): ((ref: string) => string) | undefined {
  if (cx.workflow.execution === 'express' || scope.roots.item !== undefined) return undefined;
  return (ref) => compileSpilledForeach(cx, stage, scope, [...label, 'from S3'], rec, next, fail, ref);
}

/**
 * One foreach item's states (a Map iteration), ending with the item's stages. Fail-fast: a failed
 * item fails the Map, which stops the others.
 */
export function foreachItemBody(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label): { start: string; params: Record<string, unknown> } {
  const { params, scope: inner } = childDocument(scope, { 'item.$': '$$.Map.Item.Value', 'loop.$': '$$.Map.Item.Index' }, { item: true, loop: true });
  const il = [...label, 'item'];
  // An item's output is its stages (the `collect` adds status and item). The last stage's own state
  // ends the iteration with that output; only a Choice (a skipped last stage) goes through `end`.
  const end = cx.add([...il, 'end'], { Type: 'Pass', OutputPath: '$.stages', End: true });
  const failed = cx.add([...il, 'fail'], { Type: 'Fail', Error: 'ForeachItemFailed', CausePath: '$.__caught.r.errors.message' });
  const start = compileStages(cx, stage.stages, inner, il, end, failed);
  for (const st of Object.values(cx.sink.states)) {
    if (st.Next !== end || st.Type === 'Choice' || st.OutputPath !== undefined) continue;
    delete st.Next;
    st.End = true;
    st.OutputPath = '$.stages';
  }
  return { start, params };
}

/** The `collect` Task that keys a foreach's item records into the stage's outputs at `rec`. */
export function foreachCollect(cx: CompileContext, label: Label, rec: string, request: Record<string, unknown>, next: string, fail: string): string {
  const { catchers, key } = cx.lambdaCatch(label, fail);
  return cx.add([...label, 'collect'], {
    ...cx.lambdaTask({ action: 'collect', key, kind: 'foreach', ...request }),
    ResultSelector: { status: 'SUCCESS', 'outputs.$': '$.Payload' },
    ResultPath: rec,
    Retry: [cx.transientRetry()],
    Catch: catchers,
    Next: next,
  });
}

/**
 * The states that put a foreach's items (a list) at `itemsPath`: a static list, a plain path, or
 * the expression engine's value. With `spilled`, a value the runner wrote to S3 instead (too big
 * for the state) goes to the route `spilled` compiles, given the path of the reference.
 */
export function foreachItems(cx: CompileContext, stage: ForeachStage, scope: StageScope, label: Label, itemsPath: string, next: string, fail: string, spilled?: (ref: string) => string): string {
  if (Array.isArray(stage.foreach) && !containsTemplate(stage.foreach)) {
    return cx.add([...label, 'items'], { Type: 'Pass', Result: stage.foreach, ResultPath: itemsPath, Next: next });
  }
  const nv = nativeValue(stage.foreach, scope);
  const param = nv && 'path' in nv && nv.path.startsWith('$.params.') ? cx.workflow.params[nv.path.slice('$.params.'.length)] : undefined;
  if (nv && 'path' in nv && param?.type === 'array' && (param.required || (param.hasDefault && Array.isArray(param.default)))) {
    return cx.add([...label, 'items'], { Type: 'Pass', InputPath: nv.path, ResultPath: itemsPath, Next: next });
  }
  const copy = cx.add([...label, 'copy items'], { Type: 'Pass', InputPath: '$.__fe.items', ResultPath: itemsPath, Next: next });
  const ref = `$.__fe.items.${SPILL_REF_KEY}`;
  const setItems = spilled ? cx.add([...label, 'items in S3?'], { Type: 'Choice', Choices: [{ Variable: ref, IsPresent: true, Next: spilled(ref) }], Default: copy }) : copy;
  return cx.evalTask(label, { items: { kind: 'value', raw: stage.foreach, mode: 'list' } }, wireContext(scope, rootsOfValue(stage.foreach), env(cx)), '$.__fe', setItems, fail);
}

function compileUntil(cx: CompileContext, stage: UntilStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const n = cx.nextId();
  const u = `$.u${n}`;
  const base = rec ?? `$.__u${n}`;
  // The next item: the last stage (by order) that left an `item` output sets it. Only stages whose
  // outputs are the user's own (py, call) can leave one. When each of them always records outputs
  // (no `if`), merging their outputs into `{item}` picks it without a state; else a Choice does.
  const idStages = stage.stages.filter((s) => s.id && (s.kind === 'py' || s.kind === 'call'));
  // The merge reads each stage's outputs inside an intrinsic, whose paths take plain steps only.
  const merged = idStages.every((s) => s.if === undefined && isIntrinsicPath(`$.${s.id}`));
  const itemPath = merged ? `${u}.it.item` : `${u}.item`;
  // `${u}`: {item or it: {item}, loop, acc: {<loop>: record}, cur: this iteration's stages, last: the previous one's, one}.
  const frame = { path: `${u}.cur.stages`, ids: new Set<string>() };
  const inner: StageScope = {
    ...scope,
    roots: { ...scope.roots, item: itemPath, loop: `${u}.loop` },
    frames: [...scope.frames, frame],
  };
  const info = stageInfo(scope, stage, 'stage-open');
  const merge = cx.reserve([...label, 'record iteration']);
  const done = cx.add([...label, 'done'], { Type: 'Pass', Parameters: { status: 'SUCCESS', outputs: { 'until.$': `${u}.acc` } }, ResultPath: base, Next: next }, stageInfo(scope, stage, 'stage-close'));
  const tooMany = cx.add([...label, 'max-loop'], {
    Type: 'Pass',
    Parameters: { r: { status: 'FAILED', outputs: {}, errors: { name: 'UntilError', message: `until stage "${stage.name}": the condition did not hold after max-loop = ${stage.maxLoop} iterations` } } },
    ResultPath: '$.__caught',
    Next: cx.add([...label, 'record max-loop'], {
      Type: 'Pass',
      Parameters: { status: 'FAILED', outputs: { 'until.$': `${u}.acc` }, 'errors.$': '$.__caught.r.errors' },
      ResultPath: base,
      Next: recorded,
    }, stageInfo(scope, stage, 'stage-close', true)),
  });
  let afterRecord = merge;
  if (!merged) {
    const choices: ChoiceRule[] = [];
    for (let i = idStages.length - 1; i >= 0; i--) {
      const p = `${u}.cur.stages.${idStages[i]!.id}.outputs.item`;
      choices.push({ Variable: p, IsPresent: true, Next: cx.add([...label, `item from ${idStages[i]!.id}`], { Type: 'Pass', InputPath: p, ResultPath: `${u}.item`, Next: merge }) });
    }
    afterRecord = cx.add([...label, 'next item'], { Type: 'Choice', Choices: choices, Default: merge });
  }
  // The iteration's record goes under its loop number. A key computed at run time would need a
  // JSON string round trip, so each possible loop number (at most max-loop) gets its own state.
  const keyChoices: ChoiceRule[] = [];
  for (let k = 1; k <= stage.maxLoop; k++) {
    keyChoices.push({
      Variable: `${u}.loop`,
      NumericEquals: k,
      Next: cx.add([...label, `iteration ${k}`], {
        Type: 'Pass',
        Parameters: { [k]: { status: 'SUCCESS', 'item.$': itemPath, 'stages.$': `${u}.cur.stages` } },
        ResultPath: `${u}.one`,
        Next: afterRecord,
      }),
    });
  }
  const keyed = cx.add([...label, 'iteration key'], { Type: 'Choice', Choices: keyChoices, Default: tooMany });
  const failed = cx.add([...label, 'iteration failed'], {
    Type: 'Pass',
    Parameters: { status: 'FAILED', outputs: { 'until.$': `${u}.acc` }, 'errors.$': '$.__caught.r.errors' },
    ResultPath: base,
    Next: recorded,
  }, stageInfo(scope, stage, 'stage-close', true));
  const body = compileStages(cx, stage.stages, inner, [...label, 'loop'], keyed, failed);
  // After an iteration's record is merged, the condition sees that iteration's stages (as `last`),
  // and the next iteration starts with a fresh `cur`, without a state of its own.
  const condScope: StageScope = { ...inner, level: 'stage', frames: [...scope.frames, { path: `${u}.last.stages`, ids: frame.ids }] };
  const again: ChoiceRule = { Variable: `${u}.loop`, NumericGreaterThan: stage.maxLoop };
  const loopCheck = cx.add([...label, 'loop check'], { Type: 'Choice', Choices: [{ ...again, Next: tooMany }], Default: body });
  const cond = conditionChoice(cx, stage.until, condScope, [...label, 'until'], done, loopCheck, fail);
  // A native condition's Choice also checks the loop count, which saves the loop check's transition.
  const condState = cx.sink.states[cond];
  if (condState?.Type === 'Choice' && condState.Choices?.[0]?.Next === done && condState.Choices.length === 2 && condState.Choices[1]!.Next === loopCheck) {
    condState.Choices.splice(1, 0, { ...again, Next: tooMany });
    condState.Choices[2]!.Next = body;
  }
  const nextItem: Record<string, unknown> = merged
    ? { 'it.$': idStages.reduce((acc, s) => `States.JsonMerge(${acc}, ${u}.cur.stages.${s.id}.outputs, false)`, `${u}.it`) }
    : { 'item.$': `${u}.item` };
  cx.put(merge, {
    Type: 'Pass',
    Parameters: {
      ...nextItem,
      'loop.$': `States.MathAdd(${u}.loop, 1)`,
      'acc.$': `States.JsonMerge(${u}.acc, ${u}.one, false)`,
      'last.$': `${u}.cur`,
      cur: { stages: {} },
    },
    ResultPath: u,
    Next: cond,
  });
  const init = (item: Record<string, unknown>): Record<string, unknown> => ({ ...(merged ? { it: item } : item), loop: 1, acc: {}, cur: { stages: {} } });
  const nv = nativeValue(stage.item, scope);
  if (nv) {
    const item = 'path' in nv ? { 'item.$': nv.path } : { item: nv.value };
    return cx.add([...label, 'start'], { Type: 'Pass', Parameters: init(item), ResultPath: u, Next: body }, info);
  }
  const start = cx.add([...label, 'start'], { Type: 'Pass', Parameters: init({ 'item.$': '$.__ui.item' }), ResultPath: u, Next: body }, info);
  return cx.evalTask(label, { item: { kind: 'value', raw: stage.item } }, wireContext(scope, rootsOfValue(stage.item), env(cx)), '$.__ui', start, fail);
}

function compileTry(cx: CompileContext, stage: TryStage, scope: StageScope, label: Label, rec: string | undefined, next: string, fail: string, recorded: string): string {
  const n = cx.nextId();
  const base = rec ?? `$.__t${n}`;
  const part = (key: 'try' | 'catch' | 'finally', stages: readonly Stage[], suffix: string, onDone: string, onFail: string): string => {
    const pl = [...label, key + suffix];
    // Catch stages read the failure of the try as `error` ({name, message}).
    const roots = key === 'catch' ? { ...scope.roots, error: `${base}.outputs.try.errors` } : scope.roots;
    const inner: StageScope = { ...scope, roots, frames: [...scope.frames, { path: `${base}.outputs.${key}.stages`, ids: new Set() }] };
    const ok = cx.add([...pl, 'done'], { Type: 'Pass', Result: 'SUCCESS', ResultPath: `${base}.outputs.${key}.status`, Next: onDone });
    const bad = cx.add([...pl, 'failed'], {
      Type: 'Pass',
      Parameters: { status: 'FAILED', 'stages.$': `${base}.outputs.${key}.stages`, 'errors.$': '$.__caught.r.errors' },
      ResultPath: `${base}.outputs.${key}`,
      Next: onFail,
    });
    const body = compileStages(cx, stages, inner, pl, ok, bad);
    return cx.add([...pl, 'start'], { Type: 'Pass', Result: { status: 'WAIT', stages: {} }, ResultPath: `${base}.outputs.${key}`, Next: body });
  };
  const succeed = cx.add([...label, 'done'], { Type: 'Pass', Result: 'SUCCESS', ResultPath: `${base}.status`, Next: next }, stageInfo(scope, stage, 'stage-close'));
  const failOut = cx.add([...label, 'failed'], {
    Type: 'Pass',
    Result: 'FAILED',
    ResultPath: `${base}.status`,
    Next: cx.add([...label, 'errors'], { Type: 'Pass', InputPath: '$.__caught.r.errors', ResultPath: `${base}.errors`, Next: recorded }),
  }, stageInfo(scope, stage, 'stage-close', true));
  const fin = (suffix: string, after: string): string => (stage.finally.length ? part('finally', stage.finally, suffix, after, failOut) : after);
  const afterOk = fin('', succeed);
  // Failures handled inside finally (continue-on-error, a nested try's catch) overwrite `$.__caught`:
  // the try's or catch's failure waits in its own place while finally runs, and is put back after.
  const kept = `$.__f${n}`;
  const afterBad = stage.finally.length
    ? cx.add([...label, 'keep failure'], {
      Type: 'Pass',
      InputPath: '$.__caught',
      ResultPath: kept,
      Next: fin(' after failure', cx.add([...label, 'restore failure'], { Type: 'Pass', InputPath: kept, ResultPath: '$.__caught', Next: failOut })),
    })
    : failOut;
  const onTryFail = stage.catch.length ? part('catch', stage.catch, '', afterOk, afterBad) : afterBad;
  const tryStart = part('try', stage.try, '', afterOk, onTryFail);
  return cx.add([...label, 'start'], { Type: 'Pass', Result: { status: 'WAIT', outputs: {} }, ResultPath: base, Next: tryStart }, stageInfo(scope, stage, 'stage-open'));
}
