/**
 * The native/engine contract, checked by running machines: for every condition the native Choice
 * rules (run on `aws-local-stepfunctions`, on a document laid out as the compiled machine lays it
 * out) give the expression engine's answer, or fall back to the `eval` action, whose answer (from
 * the wire context the compiler sends) is again the engine's. Same for plain-path values.
 *
 * The reference answer is `evaluateCondition` on the scope a runner builds from the complete wire
 * context (every root), with the status facts of the condition's level.
 */
import '../../lib/local/polyfill.ts';
import fc from 'fast-check';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { ChoiceRule } from '../../lib/compiler/asl/types.ts';
import type { StageScope } from '../../lib/compiler/compile-context.ts';
import {
  conditionAst,
  nativeCondition,
  nativeParameters,
  nativeValue,
  rootsOfCondition,
  conditionRoots,
  type NativeCondition,
  type PathScope,
} from '../../lib/compiler/compile-expression.ts';
import { ALL_CONTEXT_ROOTS, childDocument, wireContext } from '../../lib/compiler/wire-context.ts';
import { EvalError, evaluateCondition, renderValue, type EvalContext } from '../../lib/expr/index.ts';
import type { WireContext } from '../../lib/protocol/index.ts';
import { buildScope, statusFacts } from '../../lib/runtime/index.ts';

// ---------------------------------------------------------------------------------------------
// Machines

/**
 * Definitions run unvalidated (validation costs ~0.1 s a machine); every Choice the table produces
 * is validated once, together, by `asl-validator` (see "is valid ASL" below).
 */
const OPTIONS = { validationOptions: { noValidate: true } };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Runs a definition on the local engine; an execution failure becomes `{error: message}`. */
async function run(definition: Record<string, unknown>, input: unknown): Promise<{ output?: unknown; error?: string }> {
  const machine = new StateMachine(definition as never, OPTIONS);
  try {
    return { output: await machine.run(input as Json).result };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

type Outcome = 'YES' | 'NO' | 'FALLBACK';

/**
 * The Choice `conditionChoice` builds for a native condition, going to `yes` (the body), `no` (the
 * skip) or `fallback` (the `eval` Task). A condition that needs no state (a constant without
 * guard) gives its target directly.
 */
function choiceState(native: NativeCondition, to: Record<Outcome, string>): Record<string, unknown> | Outcome {
  const { guard, rule } = native;
  if (guard === undefined) {
    if (rule === true) return 'YES';
    if (rule === false) return 'NO';
    return { Type: 'Choice', Choices: [{ ...rule, Next: to.YES }], Default: to.NO };
  }
  const choices: ChoiceRule[] = [];
  if (rule === true) choices.push({ ...guard, Next: to.YES });
  else if (rule !== false) choices.push({ And: [guard, rule], Next: to.YES });
  choices.push({ ...guard, Next: to.NO });
  return { Type: 'Choice', Choices: choices, Default: to.FALLBACK };
}

/** A machine of that Choice with Pass states standing for its targets, each giving its name. */
function choiceMachine(native: NativeCondition): Record<string, unknown> | Outcome {
  const choice = choiceState(native, { YES: 'YES', NO: 'NO', FALLBACK: 'FALLBACK' });
  if (typeof choice === 'string') return choice;
  const states: Record<string, unknown> = { C: choice };
  for (const o of ['YES', 'NO', 'FALLBACK'] as const) states[o] = { Type: 'Pass', Result: o, End: true };
  return { StartAt: 'C', States: states };
}

/** Where the native Choice sends this document; a Choice that fails (it never should) throws. */
async function nativeOutcome(native: NativeCondition, doc: unknown): Promise<Outcome> {
  const m = choiceMachine(native);
  if (typeof m === 'string') return m;
  const r = await run(m, doc);
  if (r.error !== undefined) throw new Error(`the native Choice failed: ${r.error}`);
  return r.output as Outcome;
}

/** Resolves Task Parameters (a wire context) on a document, as the machine does before a runner call. */
async function resolveParameters(parameters: Record<string, unknown>, doc: unknown): Promise<{ output?: unknown; error?: string }> {
  return run({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } }, doc);
}

// ---------------------------------------------------------------------------------------------
// The scope: documents and path scopes of the places a condition can be written

const PARAMS = {
  s: 'abc',
  empty: '',
  one: '1',
  date: '2024-01-31',
  star: 'a*c',
  uni: 'é',
  n: 5,
  f: 2.5,
  zero: 0,
  neg: -3,
  b: true,
  off: false,
  nul: null,
  list: [1, 2, 3],
  strs: ['a', 'b'],
  m: { k: 'v', '0': 'zero', n: 1 },
  'my-p': 7,
};
const DECLARED = new Set(Object.keys(PARAMS));
const RELEASE = { logical_date: '2024-03-01T09:00:00Z', type: 'normal' };
const RUN = { id: 'run-1', workflow: 'wf' };

/** Stage records of job `main` (stage `later` is declared but has not run yet). */
const MAIN_STAGES = {
  a: { status: 'SUCCESS', outputs: { x: 'hello', n: 5, ok: true, no: false, nul: null, list: [1, 2], stdout: 'line\n' } },
  b: { status: 'FAILED', outputs: { return_code: 7, stdout: '', stderr: 'boom' }, errors: { name: 'StageError', message: 'exit 7' } },
  s: { status: 'SKIP' },
};
const MAIN_IDS = new Set(['a', 'b', 's', 'later']);

type Statuses = Record<string, string | null>;

/** `$.jobs`: the finished jobs; `statuses` overrides a job's status (null: no record). */
function jobsDoc(statuses: Statuses = {}): Record<string, unknown> {
  const jobs: Record<string, Record<string, unknown>> = {
    build: { status: 'SUCCESS', outputs: { version: '1.2.3', count: 3 }, stages: { compile: { status: 'SUCCESS', outputs: { return_code: 0 } } } },
    test: { status: 'SUCCESS', outputs: { passed: true }, stages: {} },
    'build-2': { status: 'SUCCESS', stages: {} },
    '2nd': { status: 'FAILED', stages: {}, errors: { name: 'StageError', message: 'failed' } },
    main: { status: 'WAIT', stages: MAIN_STAGES },
  };
  for (const [id, s] of Object.entries(statuses)) {
    if (s === null) delete jobs[id];
    else jobs[id] = { ...(jobs[id] ?? {}), status: s };
  }
  return jobs;
}

interface Place {
  scope: PathScope;
  /** The state's input document. */
  doc: (statuses?: Statuses) => Record<string, unknown>;
  /** Roots of the complete wire context (the reference scope). */
  refRoots: readonly string[];
}

const base = (statuses?: Statuses): Record<string, unknown> => ({ params: PARAMS, release: RELEASE, run: RUN, jobs: jobsDoc(statuses) });
const stageScope = (over: Partial<PathScope>): PathScope => ({
  frames: [{ path: '$.jobs.main.stages', ids: MAIN_IDS }],
  roots: {},
  needs: new Set(['build', 'test']),
  level: 'stage',
  params: DECLARED,
  ...over,
});
const jobScope = (needs: string[]): PathScope => ({
  // As `jobScope` in compile-job: the job's own stage frame, which does not exist yet at its `if`.
  frames: [{ path: '$.jobs.deploy.stages', ids: new Set(['d1']) }],
  roots: {},
  needs: new Set(needs),
  level: 'job',
  params: DECLARED,
});
const ALL_BUT_STAGES = ALL_CONTEXT_ROOTS.filter((r) => r !== 'stages');

const PLACES = {
  /** A job's `if`: needs build and test. */
  job: { scope: jobScope(['build', 'test']), doc: base, refRoots: ALL_BUT_STAGES },
  /** A job's `if`: needs build only. */
  jobOne: { scope: jobScope(['build']), doc: base, refRoots: ALL_BUT_STAGES },
  /** A job's `if` without needs. */
  jobNone: { scope: jobScope([]), doc: base, refRoots: ALL_BUT_STAGES },
  /** A job's `if`: needs jobs whose ids are not plain JSONPath names. */
  jobOdd: { scope: jobScope(['build-2', '2nd']), doc: base, refRoots: ALL_BUT_STAGES },
  /** A stage's `if` in job `main` (needs build, test). */
  stage: { scope: stageScope({}), doc: base, refRoots: ALL_CONTEXT_ROOTS },
  /** A stage's `if` in one combination of a matrix job (`arch` is not in every combination). */
  matrix: {
    scope: stageScope({ frames: [{ path: '$.stages', ids: new Set(['m1', 'm2']) }], roots: { matrix: '$.matrix' }, matrixKeys: new Set(['os', 'py', 'gpu']) }),
    doc: (st?: Statuses) => ({ ...base(st), matrix: { os: 'linux', py: 3.12, gpu: false }, stages: { m1: { status: 'SUCCESS', outputs: { v: 1 } } } }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
  /** A stage inside a foreach over objects (`a` is declared in both frames, run only in the outer). */
  each: {
    scope: stageScope({
      frames: [
        { path: '$.outer.s0', ids: MAIN_IDS },
        { path: '$.stages', ids: new Set(['x', 'a']) },
      ],
      roots: { item: '$.item', loop: '$.loop' },
    }),
    doc: (st?: Statuses) => ({
      ...base(st),
      outer: { s0: MAIN_STAGES },
      item: { name: 'x', n: 2, tags: ['t1', 't2'], on: true },
      loop: 1,
      stages: { x: { status: 'SUCCESS', outputs: { v: 'inner' } } },
    }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
  /** A stage inside a foreach over strings. */
  eachStr: {
    scope: stageScope({ frames: [{ path: '$.outer.s0', ids: MAIN_IDS }, { path: '$.stages', ids: new Set() }], roots: { item: '$.item', loop: '$.loop' } }),
    doc: (st?: Statuses) => ({ ...base(st), outer: { s0: MAIN_STAGES }, item: 'b', loop: 0, stages: {} }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
  /** A stage inside a foreach over lists. */
  eachList: {
    scope: stageScope({ frames: [{ path: '$.outer.s0', ids: MAIN_IDS }, { path: '$.stages', ids: new Set() }], roots: { item: '$.item', loop: '$.loop' } }),
    doc: (st?: Statuses) => ({ ...base(st), outer: { s0: MAIN_STAGES }, item: [10, 'two', null, true], loop: 3, stages: {} }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
  /** An until condition: item and loop live in the loop's state, stages in the job's frame. */
  until: {
    scope: stageScope({ roots: { item: '$.u1.item', loop: '$.u1.loop' } }),
    doc: (st?: Statuses) => ({ ...base(st), u1: { item: 3, loop: 2, acc: {}, cur: { status: 'SUCCESS', item: 3, stages: {} } } }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
  /** A stage in branch `left` of a parallel stage. */
  branch: {
    scope: stageScope({ frames: [{ path: '$.outer.s0', ids: MAIN_IDS }, { path: '$.stages', ids: new Set() }], roots: { branch: '$.branch' } }),
    doc: (st?: Statuses) => ({ ...base(st), outer: { s0: MAIN_STAGES }, branch: 'left', stages: {} }),
    refRoots: ALL_CONTEXT_ROOTS,
  },
} satisfies Record<string, Place>;
type PlaceName = keyof typeof PLACES;

const asStageScope = (scope: PathScope): StageScope => ({ ...scope, job: {}, prefix: [] }) as unknown as StageScope;

/** The wire context a runner receives for `roots` (Parameters resolved on the document). */
async function contextFor(place: Place, roots: ReadonlySet<string>, doc: unknown): Promise<WireContext> {
  const r = await resolveParameters(wireContext(asStageScope(place.scope), roots, undefined), doc);
  if (r.error !== undefined) throw new Error(`the wire context does not resolve: ${r.error}`);
  return r.output as WireContext;
}

type Answer = boolean | 'error';

function engineAnswer(cond: boolean | string, ctx: EvalContext): Answer {
  try {
    return evaluateCondition(cond, ctx);
  } catch (e) {
    if (e instanceof EvalError) return 'error';
    throw e;
  }
}

function evalContext(ctx: WireContext, level: 'job' | 'stage'): EvalContext {
  return { scope: buildScope(ctx), status: statusFacts(ctx, level) };
}

/** The reference: the engine on the complete scope of this place. */
async function referenceContext(place: Place, doc: unknown): Promise<EvalContext> {
  return evalContext(await contextFor(place, new Set(place.refRoots), doc), place.scope.level);
}

function nativeFor(cond: boolean | string, scope: PathScope): NativeCondition | undefined {
  if (typeof cond === 'boolean') return { rule: cond };
  const ast = conditionAst(cond);
  return ast ? nativeCondition(ast, scope) : undefined;
}

type Route = 'native' | 'fallback' | 'engine';

interface Verdict {
  reference: Answer;
  route: Route;
  outcome?: Outcome;
  /** The `eval` action's answer, for the fallback and engine routes. */
  fallback?: Answer;
  /** Where the machine's final answer differs from the reference. */
  mismatches: string[];
}

/** Runs a condition both ways at a place and says where the machine's answer would come from. */
async function judge(cond: boolean | string, place: Place, statuses?: Statuses): Promise<Verdict> {
  const doc = place.doc(statuses);
  const reference = engineAnswer(cond, await referenceContext(place, doc));
  const native = nativeFor(cond, place.scope);
  const mismatches: string[] = [];
  let route: Route = 'engine';
  let outcome: Outcome | undefined;
  if (native) {
    outcome = await nativeOutcome(native, doc);
    route = outcome === 'FALLBACK' ? 'fallback' : 'native';
    if (outcome === 'YES' && reference !== true) mismatches.push(`native: YES, engine: ${reference}`);
    if (outcome === 'NO' && reference !== false) mismatches.push(`native: NO, engine: ${reference}`);
  }
  let fallback: Answer | undefined;
  if (route !== 'native') {
    const ctx = await contextFor(place, conditionRoots(cond, place.scope.level), doc);
    fallback = engineAnswer(cond, evalContext(ctx, place.scope.level));
    if (fallback !== reference) mismatches.push(`fallback: ${fallback}, engine: ${reference}`);
  }
  return { reference, route, outcome, fallback, mismatches };
}

describe('the places are laid out as the compiler lays them out', () => {
  /** Runs a Map over `items` with the ItemSelector `childDocument` builds; returns the first child's document. */
  async function childDoc(parent: PathScope, parentDoc: Record<string, unknown>, extra: Record<string, unknown>, roots: Parameters<typeof childDocument>[2], items: unknown[]) {
    const { params, scope } = childDocument(asStageScope(parent), extra, roots);
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.__items',
            ItemSelector: params,
            ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { ...parentDoc, __items: items },
    );
    expect(r.error).toBeUndefined();
    return { doc: (r.output as Record<string, unknown>[])[0]!, scope };
  }
  const layout = (s: PathScope) => ({ frames: s.frames.map((f) => f.path), roots: s.roots });

  it('foreach', async () => {
    const want = PLACES.each.doc();
    const { doc, scope } = await childDoc(PLACES.stage.scope, base(), { 'item.$': '$$.Map.Item.Value', 'loop.$': '$$.Map.Item.Index' }, { item: true, loop: true }, ['first', want.item]);
    expect(layout(scope)).toEqual(layout(PLACES.each.scope));
    expect(scope.frames[0]!.ids).toBe(MAIN_IDS);
    // The first item's document; the place's is the second item's, after stage `x` ran.
    expect(doc).toEqual({ ...want, item: 'first', loop: 0, stages: {} });
  });

  it('parallel branch', async () => {
    const { doc, scope } = await childDoc(PLACES.stage.scope, base(), { branch: 'left' }, { branch: true }, [0]);
    expect(layout(scope)).toEqual(layout(PLACES.branch.scope));
    expect(doc).toEqual(PLACES.branch.doc());
  });

  it('matrix combination', async () => {
    const matrixJob: PathScope = { ...stageScope({}), frames: [] };
    const want = PLACES.matrix.doc();
    const { doc, scope } = await childDoc(matrixJob, base(), { 'matrix.$': '$$.Map.Item.Value' }, { matrix: true }, [want.matrix]);
    expect(layout(scope)).toEqual(layout(PLACES.matrix.scope));
    expect(doc).toEqual({ ...want, stages: {} });
  });
});

// ---------------------------------------------------------------------------------------------
// 1. Conditions

interface Row {
  cond: boolean | string;
  at: PlaceName;
  /** The engine's answer on the complete scope. */
  engine: Answer;
  /** `native`: the Choice decides; `fallback`: native rules whose guard fails here; `engine`: not native at all. */
  route: Route;
  /** Job statuses for this row (null: the job has no record). */
  jobs?: Statuses;
  /** A disagreement that exists today, exactly as `judge` words it; the lead removes the flag with the fix. */
  knownMismatch?: string;
}

const row = (cond: boolean | string, at: PlaceName, engine: Answer, route: Route, more: Partial<Row> = {}): Row => ({ cond, at, engine, route, ...more });
const FAILED_TEST: Statuses = { test: 'FAILED' };
const SKIPPED_BUILD: Statuses = { build: 'SKIP' };

const ROWS: Row[] = [
  // literals and YAML booleans
  row(true, 'stage', true, 'native'),
  row(false, 'stage', false, 'native'),
  row('true', 'stage', true, 'native'),
  row('false', 'stage', false, 'native'),
  row('${{ true }}', 'stage', true, 'native'),
  row('${{ false }}', 'job', false, 'native'),
  row('True', 'stage', true, 'native'),
  row('!true', 'stage', false, 'native'),
  row('null', 'stage', 'error', 'engine'),
  row("'yes'", 'stage', 'error', 'engine'),
  row('1 == 1', 'stage', true, 'engine'),
  row("'a' != 'b'", 'stage', true, 'engine'),
  // strings
  row("params.s == 'abc'", 'stage', true, 'native'),
  row("params.s == 'ABC'", 'stage', false, 'native'),
  row("params.s != 'abc'", 'stage', false, 'native'),
  row("'abc' == params.s", 'stage', true, 'native'),
  row("params.empty == ''", 'stage', true, 'native'),
  row("params.s < 'b'", 'stage', true, 'native'),
  row("params.s >= 'abd'", 'stage', false, 'native'),
  row("'abd' > params.s", 'stage', true, 'native'),
  row("params.s <= 'abc'", 'stage', true, 'native'),
  row("params.date < '2024-02-01'", 'stage', true, 'native'),
  row('params.s == "abc"', 'stage', true, 'native'),
  row("params.star == 'a*c'", 'stage', true, 'native'),
  row("params.star == 'a*'", 'stage', false, 'native'),
  row("params.uni == 'é'", 'stage', true, 'native'),
  row("params.uni > 'z'", 'stage', true, 'native'),
  row('params.s == 1', 'stage', false, 'native'),
  row('params.one == 1', 'stage', false, 'native'),
  row("params.one == '1'", 'stage', true, 'native'),
  row('params.one != 1', 'stage', true, 'native'),
  row("params.n == '5'", 'stage', false, 'native'),
  row('params.s == null', 'stage', false, 'native'),
  row('params.s != null', 'stage', true, 'native'),
  row('params.s > 1', 'stage', 'error', 'fallback'),
  row("params.n < 'z'", 'stage', 'error', 'fallback'),
  // numbers
  row('params.n == 5', 'stage', true, 'native'),
  row('params.n == 5.0', 'stage', true, 'native'),
  row('params.n != 5', 'stage', false, 'native'),
  row('params.n > 4', 'stage', true, 'native'),
  row('params.n >= 5', 'stage', true, 'native'),
  row('params.n < 5', 'stage', false, 'native'),
  row('params.n <= 4.999', 'stage', false, 'native'),
  row('3 < params.n', 'stage', true, 'native'),
  row('5 >= params.n', 'stage', true, 'native'),
  row('params.f == 2.5', 'stage', true, 'native'),
  row('params.f > 2', 'stage', true, 'native'),
  row('params.neg < 0', 'stage', true, 'native'),
  row('params.neg == -3', 'stage', true, 'native'),
  row('params.zero == 0', 'stage', true, 'native'),
  row('params.zero == false', 'stage', false, 'native'),
  row('params.zero == null', 'stage', false, 'native'),
  row('params.zero != null', 'stage', true, 'native'),
  row('params.n == true', 'stage', false, 'native'),
  row('params.n > 1e3', 'stage', false, 'native'),
  // booleans
  row('params.b', 'stage', true, 'native'),
  row('params.off', 'stage', false, 'native'),
  row('!params.b', 'stage', false, 'native'),
  row('!params.off', 'stage', true, 'native'),
  row('!!params.b', 'stage', true, 'native'),
  row('params.b == true', 'stage', true, 'native'),
  row('params.b != false', 'stage', true, 'native'),
  row("params.off == 'false'", 'stage', false, 'native'),
  row("params.b != 'true'", 'stage', true, 'native'),
  row('params.b == 1', 'stage', false, 'native'),
  row('params.b > 0', 'stage', 'error', 'fallback'),
  row('params.b < true', 'stage', 'error', 'engine'),
  // null
  row('params.nul == null', 'stage', true, 'native'),
  row('params.nul != null', 'stage', false, 'native'),
  row("params.nul == ''", 'stage', false, 'native'),
  row('params.nul == 0', 'stage', false, 'native'),
  row('params.nul != false', 'stage', true, 'native'),
  row('null == params.nul', 'stage', true, 'native'),
  row('params.nul', 'stage', 'error', 'fallback'),
  row('!params.nul', 'stage', true, 'fallback'),
  row('params.nul < 1', 'stage', 'error', 'fallback'),
  // lists and maps
  row('params.list[0] == 1', 'stage', true, 'native'),
  row('params.list[2] >= 3', 'stage', true, 'native'),
  row('params.list[3] == 4', 'stage', 'error', 'fallback'),
  row('params.list == null', 'stage', false, 'native'),
  row("params.list != 'x'", 'stage', true, 'native'),
  row('params.list != 1', 'stage', true, 'native'),
  row("params.strs[1] == 'b'", 'stage', true, 'native'),
  row("params.m.k == 'v'", 'stage', true, 'native'),
  row("params.m['k'] == 'v'", 'stage', true, 'native'),
  row("params.m[0] == 'zero'", 'stage', true, 'native'),
  row("params.m == 'v'", 'stage', false, 'native'),
  row('params.m.missing == 1', 'stage', 'error', 'fallback'),
  row('params.m', 'stage', 'error', 'fallback'),
  row('params.list[-1] == 3', 'stage', true, 'engine'),
  row('length(params.list) == 3', 'stage', true, 'engine'),
  row("contains(params.strs, 'a')", 'stage', true, 'engine'),
  // JSONPath reads `length` of lists and strings and indexes strings; the engine does neither.
  row('params.list.length == 3', 'stage', 'error', 'engine'),
  row('params.s.length == 3', 'stage', 'error', 'engine'),
  row("params.s[0] == 'a'", 'stage', 'error', 'fallback'),
  row('stages.a.outputs.stdout.length > 0', 'stage', 'error', 'engine'),
  row('params.list.length != 3', 'stage', 'error', 'engine'),
  // names with hyphens
  row('params.my-p == 7', 'stage', true, 'native'),
  row("params['my-p'] > 6", 'stage', true, 'native'),
  // missing paths and optional segments
  row('params.missing == 1', 'stage', 'error', 'fallback'),
  row('params.missing != 1', 'stage', 'error', 'fallback'),
  row('params.missing', 'stage', 'error', 'fallback'),
  row('!params.missing', 'stage', 'error', 'fallback'),
  row('params.missing? == null', 'stage', true, 'engine'),
  row('params.m.missing? == null', 'stage', true, 'engine'),
  row('params.list[9]? == null', 'stage', true, 'engine'),
  row("params.s? == 'abc'", 'stage', true, 'engine'),
  row('nothing.x == 1', 'stage', 'error', 'engine'),
  row('params.missing == 1 || params.b', 'stage', 'error', 'fallback'),
  row('params.b || params.missing == 1', 'stage', true, 'fallback'),
  row('params.off && params.missing == 1', 'stage', false, 'fallback'),
  row('always() || params.missing == 1', 'stage', true, 'fallback'),
  // !, &&, ||
  row('params.b && params.n > 3', 'stage', true, 'native'),
  row('params.b && params.n > 5', 'stage', false, 'native'),
  row("params.off || params.s == 'abc'", 'stage', true, 'native'),
  row("params.off || params.s == 'x'", 'stage', false, 'native'),
  row("!(params.n > 3 && params.s == 'abc')", 'stage', false, 'native'),
  row("params.n > 3 && (params.s == 'x' || params.f < 3)", 'stage', true, 'native'),
  row('!params.off && !params.b', 'stage', false, 'native'),
  row('(params.b || params.off) && !(params.n != 5)', 'stage', true, 'native'),
  row("params.off || params.zero == 1 || params.s == 'abc'", 'stage', true, 'native'),
  row('params.b && params.s', 'stage', 'error', 'fallback'),
  row('params.s && params.b', 'stage', true, 'fallback'),
  row('params.n == 5 || params.f', 'stage', true, 'fallback'),
  row('!params.b == false', 'stage', true, 'engine'),
  // release and run
  row("release.type == 'normal'", 'stage', true, 'native'),
  row("release.logical_date >= '2024-01-01'", 'job', true, 'native'),
  row("run.workflow == 'wf'", 'job', true, 'native'),
  row("run.id != 'run-1'", 'stage', false, 'native'),
  row('release.missing == 1', 'stage', 'error', 'fallback'),
  // stages.<id>
  row("stages.a.outputs.x == 'hello'", 'stage', true, 'native'),
  row("stages['a'].outputs['x'] == 'hello'", 'stage', true, 'native'),
  row("stages.a.status == 'SUCCESS'", 'stage', true, 'native'),
  row("stages.b.status == 'FAILED'", 'stage', true, 'native'),
  row('stages.b.outputs.return_code != 0', 'stage', true, 'native'),
  row('stages.b.outputs.return_code == 7 && stages.a.outputs.n >= 5', 'stage', true, 'native'),
  row('stages.a.outputs.ok', 'stage', true, 'native'),
  row('!stages.a.outputs.no', 'stage', true, 'native'),
  row('stages.a.outputs.nul == null', 'stage', true, 'native'),
  row('stages.a.outputs.list[1] == 2', 'stage', true, 'native'),
  row("stages.s.status == 'SKIP'", 'stage', true, 'native'),
  row("stages.b.errors.name == 'StageError'", 'stage', true, 'native'),
  row('stages.s.outputs.x == 1', 'stage', 'error', 'fallback'),
  row('stages.later.outputs.x == 1', 'stage', 'error', 'fallback'),
  row('stages.undeclared.outputs.x == 1', 'stage', 'error', 'engine'),
  // job-level status functions and needs
  row('success()', 'job', true, 'native'),
  row('success()', 'job', false, 'native', { jobs: FAILED_TEST }),
  row('success()', 'job', false, 'native', { jobs: SKIPPED_BUILD }),
  row('failure()', 'job', false, 'native'),
  row('failure()', 'job', true, 'native', { jobs: FAILED_TEST }),
  row('failure()', 'job', false, 'native', { jobs: SKIPPED_BUILD }),
  row('failure()', 'job', true, 'native', { jobs: { build: 'FAILED', test: 'FAILED' } }),
  row('always()', 'job', true, 'native', { jobs: FAILED_TEST }),
  row('cancelled()', 'job', false, 'native'),
  row('!success()', 'job', true, 'native', { jobs: FAILED_TEST }),
  row('!cancelled() && failure()', 'job', true, 'native', { jobs: FAILED_TEST }),
  row("success() && params.s == 'abc'", 'job', true, 'native'),
  row("success() && params.s == 'abc'", 'job', false, 'native', { jobs: FAILED_TEST }),
  row('failure() || needs.build.outputs.count > 5', 'job', true, 'native', { jobs: FAILED_TEST }),
  row('failure() || needs.build.outputs.count > 5', 'job', false, 'native'),
  row('success()', 'jobOne', false, 'native', { jobs: { build: 'FAILED' } }),
  row('failure()', 'jobOne', true, 'native', { jobs: { build: 'FAILED' } }),
  row('success()', 'jobNone', true, 'native'),
  row('failure()', 'jobNone', false, 'native'),
  row("needs.build.result == 'success'", 'job', true, 'native'),
  row("needs['build'].result == 'success'", 'job', true, 'native'),
  row("needs.test.result == 'failure'", 'job', true, 'native', { jobs: FAILED_TEST }),
  row("always() && needs.test.result == 'failure'", 'job', true, 'native', { jobs: FAILED_TEST }),
  row("needs.build.result == 'skipped'", 'job', true, 'native', { jobs: SKIPPED_BUILD }),
  row("needs.build.result != 'skipped'", 'job', false, 'native', { jobs: SKIPPED_BUILD }),
  row("needs.build.result == 'cancelled'", 'job', true, 'native', { jobs: { build: 'CANCEL' } }),
  row("needs.build.result == 'SUCCESS'", 'job', false, 'native'),
  row("needs.build.result == 'bogus'", 'job', false, 'native'),
  row("needs.build.result != 'bogus'", 'job', true, 'native'),
  row("'success' == needs.build.result", 'job', true, 'native'),
  row("needs.build.result == 'success'", 'job', false, 'fallback', { jobs: { build: null } }),
  row('needs.build.result == null', 'job', false, 'engine'),
  row("needs.build.result < 'z'", 'job', true, 'engine'),
  row('needs.build.result', 'job', 'error', 'engine'),
  row("needs.build.status == 'SUCCESS'", 'job', true, 'native'),
  row("needs.build.outputs.version == '1.2.3'", 'job', true, 'native'),
  row('needs.build.outputs.count > 2', 'job', true, 'native'),
  row('needs.build.outputs.missing == 1', 'job', 'error', 'fallback'),
  row('needs.test.outputs.passed', 'job', true, 'native'),
  row('needs.build.stages.compile.outputs.return_code == 0', 'job', true, 'native'),
  row('needs.build.outputs == null', 'job', false, 'engine'),
  row("needs.other.result == 'success'", 'job', 'error', 'engine'),
  row("jobs.build.status == 'SUCCESS'", 'job', true, 'native'),
  row("jobs.test.status == 'FAILED'", 'job', true, 'native', { jobs: FAILED_TEST }),
  row("jobs.build.result == 'success'", 'job', 'error', 'engine'),
  row("needs.build-2.result == 'success'", 'jobOdd', true, 'native'),
  row("needs['2nd'].result == 'failure'", 'jobOdd', true, 'native'),
  row('success()', 'jobOdd', false, 'native'),
  row('failure()', 'jobOdd', true, 'native'),
  // A needed job never is WAIT when a job's `if` runs, but the engine spells it 'waiting'.
  row("needs.build.result == 'waiting'", 'job', true, 'native', { jobs: { build: 'WAIT' } }),
  // The `eval` fallback of a job condition: its context has no `needs` unless the condition
  // reads `needs`/`jobs`, so status functions there see no needed job at all.
  row("failure() && contains(params.strs, 'a')", 'job', true, 'engine', { jobs: FAILED_TEST }),
  row("success() || contains(params.strs, 'z')", 'job', false, 'engine', { jobs: FAILED_TEST }),
  row('failure() && params.missing == 1', 'job', 'error', 'fallback', { jobs: FAILED_TEST }),
  row("failure() && contains(needs.test.outputs, 'passed')", 'job', true, 'engine', { jobs: FAILED_TEST }),
  row("success() && startsWith(params.s, 'ab')", 'job', true, 'engine'),
  // stage-level status functions
  row('success()', 'stage', true, 'native', { jobs: FAILED_TEST }),
  row('failure()', 'stage', false, 'native', { jobs: FAILED_TEST }),
  row('always() && !cancelled()', 'stage', true, 'native'),
  row("needs.test.result == 'failure'", 'stage', true, 'native', { jobs: FAILED_TEST }),
  // matrix
  row("matrix.os == 'linux'", 'matrix', true, 'native'),
  row("matrix['os'] != 'mac'", 'matrix', true, 'native'),
  row('matrix.py >= 3.11', 'matrix', true, 'native'),
  row("matrix.py == '3.12'", 'matrix', false, 'native'),
  row('matrix.gpu', 'matrix', false, 'native'),
  row("!matrix.gpu && matrix.os == 'linux'", 'matrix', true, 'native'),
  row("matrix.os == 'linux' && always()", 'matrix', true, 'native'),
  row("matrix.arch == 'x64'", 'matrix', 'error', 'fallback'),
  row("matrix.arch? == 'x64'", 'matrix', false, 'engine'),
  row('stages.m1.outputs.v == 1', 'matrix', true, 'native'),
  row("stages.m2.status == 'SUCCESS'", 'matrix', 'error', 'fallback'),
  row("jobs.build.status == 'SUCCESS'", 'matrix', true, 'native'),
  row("needs.build.result == 'success'", 'matrix', true, 'native'),
  row("matrix.os == 'linux'", 'stage', 'error', 'engine'),
  // foreach, until, parallel
  row("item.name == 'x'", 'each', true, 'native'),
  row('item.n > 1', 'each', true, 'native'),
  row("item.tags[0] == 't1'", 'each', true, 'native'),
  row('item.on', 'each', true, 'native'),
  row("item == 'b'", 'each', false, 'native'),
  row('item.missing == 1', 'each', 'error', 'fallback'),
  row('loop == 1', 'each', true, 'native'),
  row("loop > 0 && item.name != 'y'", 'each', true, 'native'),
  row("stages.x.outputs.v == 'inner'", 'each', true, 'native'),
  row('stages.b.outputs.return_code == 7', 'each', true, 'native'),
  // `a` is declared in the inner frame (not run yet): native reads there, the engine the outer one.
  row("stages.a.outputs.x == 'hello'", 'each', true, 'fallback'),
  row("item == 'b'", 'eachStr', true, 'native'),
  row("item < 'c'", 'eachStr', true, 'native'),
  row('loop == 0', 'eachStr', true, 'native'),
  row('item', 'eachStr', 'error', 'fallback'),
  row('!item', 'eachStr', false, 'fallback'),
  row('item[0] == 10', 'eachList', true, 'native'),
  row('item[3]', 'eachList', true, 'native'),
  row('item[2] == null', 'eachList', true, 'native'),
  row("item[1] == 'two' && item[0] < 11", 'eachList', true, 'native'),
  row('item == null', 'eachList', false, 'native'),
  row('item[-1]', 'eachList', true, 'engine'),
  row('item[4] == 1', 'eachList', 'error', 'fallback'),
  row('item == 3', 'until', true, 'native'),
  row('loop >= 2', 'until', true, 'native'),
  row('item > 5 || loop == 2', 'until', true, 'native'),
  row('stages.a.outputs.ok && item < 10', 'until', true, 'native'),
  row("branch == 'left'", 'branch', true, 'native'),
  row("branch != 'left'", 'branch', false, 'native'),
  row("stages.b.status == 'FAILED' && branch == 'left'", 'branch', true, 'native'),
  row("item == 'x'", 'stage', 'error', 'engine'),
  row('loop == 0', 'branch', 'error', 'engine'),
  // needs the engine
  row('params.n + 1 == 6', 'stage', true, 'engine'),
  row("(params.s | upper) == 'ABC'", 'stage', true, 'engine'),
  row("startsWith(params.s, 'ab')", 'stage', true, 'engine'),
  row("format('{0}', params.n) == '5'", 'stage', true, 'engine'),
  row('params.n == params.n', 'stage', true, 'engine'),
  row('retry == 0', 'stage', true, 'engine'),
  row("case == 'x'", 'stage', 'error', 'engine'),
  row('params.n -', 'stage', 'error', 'engine'),
  // template and mixed forms
  row('${{ params.n == 5 }}', 'stage', true, 'native'),
  row('  ${{ params.n == 5 }}  ', 'stage', true, 'native'),
  row("${{ params.s == 'abc' && matrix.py > 3 }}", 'matrix', true, 'native'),
  row('${{ params.n }}', 'stage', 'error', 'fallback'),
  row('${{ params.b }}', 'stage', true, 'native'),
  row('"${{ params.s }}" == "abc"', 'stage', true, 'engine'),
  row('${{ params.s }} == "abc"', 'stage', true, 'engine'),
  row('${{ params.n }} > 4', 'stage', true, 'engine'),
  row('"${{ params.b }}" == "True"', 'stage', true, 'engine'),
  row('${{ params.b }} && ${{ params.n > 1 }}', 'stage', true, 'engine'),
  row("'${{ matrix.os }}' == 'linux'", 'matrix', true, 'engine'),
  row('${{ params.n == 5 }} && x', 'stage', 'error', 'engine'),
];

describe('native conditions give the engine answer', () => {
  it('has a wide table', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(120);
    const routes = ROWS.reduce<Record<Route, number>>((acc, r) => ({ ...acc, [r.route]: acc[r.route] + 1 }), { native: 0, fallback: 0, engine: 0 });
    expect(routes.native).toBeGreaterThan(100);
    expect(routes.fallback).toBeGreaterThan(20);
    expect(routes.engine).toBeGreaterThan(20);
  });

  it.each(ROWS.map((r) => [`${typeof r.cond === 'string' ? r.cond : `YAML ${r.cond}`} @${r.at}${r.jobs ? ` ${JSON.stringify(r.jobs)}` : ''}`, r] as const))(
    '%s',
    async (_name, r) => {
      const verdict = await judge(r.cond, PLACES[r.at], r.jobs);
      expect(verdict.reference).toBe(r.engine);
      expect(verdict.route).toBe(r.route);
      // nativeCondition decides natively exactly for the rows routed native or fallback.
      expect(nativeFor(r.cond, PLACES[r.at].scope) !== undefined).toBe(r.route !== 'engine');
      if (r.knownMismatch) expect(verdict.mismatches).toEqual([r.knownMismatch]);
      else expect(verdict.mismatches).toEqual([]);
    },
  );
});

describe('native Choice rules', () => {
  it('every Choice of the table is valid ASL', () => {
    const choices = ROWS.map((r) => nativeFor(r.cond, PLACES[r.at].scope)).filter((n): n is NativeCondition => n !== undefined);
    const states: Record<string, unknown> = { END: { Type: 'Pass', End: true } };
    let count = 0;
    // One machine: each Choice leads to the next, so every state is reachable.
    for (let i = choices.length - 1, next = 'END'; i >= 0; i--) {
      const state = choiceState(choices[i]!, { YES: next, NO: next, FALLBACK: next });
      if (typeof state === 'string') continue;
      states[`C${i}`] = state;
      next = `C${i}`;
      count++;
    }
    const first = Object.keys(states).filter((k) => k !== 'END').sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))[0]!;
    const validation = aslValidator({ StartAt: first, States: states }, { checkPaths: true, checkArn: false });
    expect(validation.errors).toEqual([]);
    expect(validation.isValid).toBe(true);
    expect(count).toBeGreaterThan(150);
  });
});

describe('native conditions: the wire context of the fallback', () => {
  it('a job condition that reads needs gets their records and the needs list', async () => {
    const ctx = await contextFor(PLACES.job, rootsOfCondition("needs.build.result == 'success'"), PLACES.job.doc(FAILED_TEST));
    expect(ctx.needs).toEqual(['build', 'test']);
    expect((ctx.jobs as Record<string, { status: string }>).test.status).toBe('FAILED');
    expect(statusFacts(ctx, 'job')).toEqual({ success: false, failure: true, cancelled: false });
  });

  it('a stage condition sees the stages of every frame, inner ids shadowing outer ones', async () => {
    const place = PLACES.each;
    const ctx = await contextFor(place, rootsOfCondition('stages.x.outputs.v'), place.doc());
    const scope = buildScope(ctx);
    expect(Object.keys(scope.stages as object).sort()).toEqual(['a', 'b', 's', 'x']);
    expect(renderValue('${{ stages.a.outputs.x }}', { scope })).toBe('hello');
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Values

interface ValueRow {
  raw: unknown;
  at: PlaceName;
  /** The native form: a path, a static value, or undefined (needs the engine). */
  native: { path: string } | { value: unknown } | undefined;
}

const VALUE_ROWS: ValueRow[] = [
  ...['s', 'empty', 'one', 'date', 'n', 'f', 'zero', 'neg', 'b', 'off', 'nul', 'list', 'strs', 'm'].map(
    (p): ValueRow => ({ raw: `\${{ params.${p} }}`, at: 'stage', native: { path: `$.params.${p}` } }),
  ),
  { raw: '${{params.n}}', at: 'stage', native: { path: '$.params.n' } },
  { raw: '  ${{ params.list }} ', at: 'stage', native: { path: '$.params.list' } },
  { raw: "${{ params['s'] }}", at: 'stage', native: { path: '$.params.s' } },
  { raw: '${{ params.my-p }}', at: 'job', native: { path: '$.params.my-p' } },
  { raw: '${{ release.logical_date }}', at: 'job', native: { path: '$.release.logical_date' } },
  { raw: '${{ release.type }}', at: 'stage', native: { path: '$.release.type' } },
  { raw: '${{ run.id }}', at: 'stage', native: { path: '$.run.id' } },
  { raw: '${{ run.workflow }}', at: 'job', native: { path: '$.run.workflow' } },
  { raw: '${{ item }}', at: 'each', native: { path: '$.item' } },
  { raw: '${{ item }}', at: 'eachStr', native: { path: '$.item' } },
  { raw: '${{ item }}', at: 'eachList', native: { path: '$.item' } },
  { raw: '${{ item }}', at: 'until', native: { path: '$.u1.item' } },
  { raw: '${{ loop }}', at: 'each', native: { path: '$.loop' } },
  { raw: '${{ loop }}', at: 'until', native: { path: '$.u1.loop' } },
  { raw: '${{ branch }}', at: 'branch', native: { path: '$.branch' } },
  { raw: '${{ matrix.os }}', at: 'matrix', native: { path: '$.matrix.os' } },
  { raw: '${{ matrix.py }}', at: 'matrix', native: { path: '$.matrix.py' } },
  { raw: "${{ matrix['gpu'] }}", at: 'matrix', native: { path: '$.matrix.gpu' } },
  // static values and literals
  { raw: 'plain text', at: 'stage', native: { value: 'plain text' } },
  { raw: 42, at: 'stage', native: { value: 42 } },
  { raw: null, at: 'stage', native: { value: null } },
  { raw: ['a', 1, { k: true }], at: 'stage', native: { value: ['a', 1, { k: true }] } },
  { raw: { k: 'v', n: [1] }, at: 'stage', native: { value: { k: 'v', n: [1] } } },
  { raw: "${{ 'lit' }}", at: 'stage', native: { value: 'lit' } },
  { raw: '${{ 3.5 }}', at: 'stage', native: { value: 3.5 } },
  { raw: '${{ null }}', at: 'stage', native: { value: null } },
  { raw: '${{ True }}', at: 'stage', native: { value: true } },
  // paths that may be missing at run time (a missing path stops the execution), or not plain
  { raw: '${{ stages.a.outputs.x }}', at: 'stage', native: undefined },
  { raw: '${{ stages.m1.outputs.v }}', at: 'matrix', native: undefined },
  { raw: '${{ params.m.k }}', at: 'stage', native: undefined },
  { raw: '${{ params.list[0] }}', at: 'stage', native: undefined },
  { raw: '${{ params.undeclared }}', at: 'stage', native: undefined },
  { raw: '${{ params }}', at: 'stage', native: undefined },
  { raw: '${{ params.s? }}', at: 'stage', native: undefined },
  { raw: '${{ release.other }}', at: 'stage', native: undefined },
  { raw: '${{ release }}', at: 'stage', native: undefined },
  { raw: '${{ run.id.x }}', at: 'stage', native: undefined },
  { raw: '${{ item.name }}', at: 'each', native: undefined },
  { raw: '${{ item[0] }}', at: 'eachList', native: undefined },
  { raw: '${{ item }}', at: 'stage', native: undefined },
  { raw: '${{ loop }}', at: 'matrix', native: undefined },
  { raw: '${{ branch }}', at: 'each', native: undefined },
  { raw: '${{ matrix.arch }}', at: 'matrix', native: undefined },
  { raw: '${{ matrix }}', at: 'matrix', native: undefined },
  { raw: '${{ matrix.os }}', at: 'stage', native: undefined },
  { raw: '${{ needs.build.result }}', at: 'job', native: undefined },
  { raw: '${{ needs.build.outputs.version }}', at: 'job', native: undefined },
  { raw: '${{ jobs.build.status }}', at: 'job', native: undefined },
  { raw: '${{ env.HOME }}', at: 'stage', native: undefined },
  { raw: '${{ case }}', at: 'stage', native: undefined },
  { raw: '${{ params.n + 1 }}', at: 'stage', native: undefined },
  { raw: '${{ params.s | upper }}', at: 'stage', native: undefined },
  { raw: 'v${{ params.n }}', at: 'stage', native: undefined },
  { raw: '${{ params.n }}${{ params.f }}', at: 'stage', native: undefined },
  { raw: ['${{ params.n }}'], at: 'stage', native: undefined },
  { raw: { k: '${{ params.n }}' }, at: 'stage', native: undefined },
  { raw: '${{ params.n', at: 'stage', native: undefined },
];

/** What a Pass state gives for a native value on the place's document. */
async function nativeResult(nv: { path: string } | { value: unknown }, doc: unknown): Promise<unknown> {
  const parameters = 'path' in nv ? { 'v.$': nv.path } : { v: nv.value };
  const r = await resolveParameters(parameters, doc);
  if (r.error !== undefined) throw new Error(`the native value does not resolve: ${r.error}`);
  return (r.output as { v: unknown }).v;
}

describe('native values give the engine rendering', () => {
  it('has rows of each kind', () => {
    expect(VALUE_ROWS.filter((r) => r.native && 'path' in r.native).length).toBeGreaterThanOrEqual(30);
    expect(VALUE_ROWS.filter((r) => r.native === undefined).length).toBeGreaterThanOrEqual(25);
  });

  it.each(VALUE_ROWS.map((r) => [`${JSON.stringify(r.raw)} @${r.at}`, r] as const))('%s', async (_name, r) => {
    const place = PLACES[r.at];
    const nv = nativeValue(r.raw, place.scope);
    expect(nv).toEqual(r.native);
    if (!nv) return;
    const doc = place.doc();
    const engine = renderValue(r.raw, await referenceContext(place, doc));
    expect(await nativeResult(nv, doc)).toEqual(engine);
  });

  it('a case value is static inside its branch, and needs the engine elsewhere', () => {
    const scope = { ...PLACES.stage.scope, caseValue: 'blue' };
    expect(nativeValue('${{ case }}', scope)).toEqual({ value: 'blue' });
    expect(renderValue('${{ case }}', { scope: buildScope({ case: 'blue' }) })).toBe('blue');
    expect(nativeValue('${{ case }}', PLACES.stage.scope)).toBeUndefined();
  });

  const PARAMETER_ROWS: Array<{ raw: Record<string, unknown>; at: PlaceName }> = [
    { raw: { n: '${{ params.n }}', s: '${{ params.s }}', fixed: 'x', list: [1, 2] }, at: 'stage' },
    { raw: { os: '${{ matrix.os }}', py: '${{ matrix.py }}', nested: { item: 'static', at: '${{ release.logical_date }}' } }, at: 'matrix' },
    { raw: { item: '${{ item }}', loop: '${{ loop }}', deep: { deeper: { nul: '${{ params.nul }}', m: '${{ params.m }}' } } }, at: 'each' },
    { raw: { who: '${{ run.workflow }}', lit: "${{ 'x' }}", none: null, t: true }, at: 'job' },
    { raw: { b: '${{ branch }}', off: '${{ params.off }}', empty: {} }, at: 'branch' },
  ];

  it.each(PARAMETER_ROWS.map((r) => [JSON.stringify(r.raw), r] as const))('Parameters %s', async (_name, r) => {
    const place = PLACES[r.at];
    const native = nativeParameters(r.raw, place.scope);
    expect(native).toBeDefined();
    const doc = place.doc();
    const out = await resolveParameters(native!, doc);
    expect(out.error).toBeUndefined();
    expect(out.output).toEqual(renderValue(r.raw, await referenceContext(place, doc)));
  });

  it.each([
    { k: '${{ stages.a.outputs.x }}' },
    { ok: '${{ params.n }}', bad: '${{ params.undeclared }}' },
    { nested: { bad: '${{ params.m.k }}' } },
    { list: ['${{ params.n }}'] },
    { text: 'n=${{ params.n }}' },
  ])('Parameters %j need the engine', (raw) => {
    expect(nativeParameters(raw, PLACES.stage.scope)).toBeUndefined();
  });

  // A static key ending in `.$` would be read as a path inside Parameters: such maps go to the engine.
  it.each([
    [{ 'key.$': 'text', n: '${{ params.n }}' }, { 'key.$': 'text', n: 5 }],
    [{ cfg: { 'a.$': '$.params.s' }, n: '${{ params.n }}' }, { cfg: { 'a.$': '$.params.s' }, n: 5 }],
  ])('Parameters %j holding a key ending in .$ are left to the engine', async (raw, engine) => {
    const place = PLACES.stage;
    expect(renderValue(raw, await referenceContext(place, place.doc()))).toEqual(engine);
    expect(nativeParameters(raw, place.scope)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Random conditions

const STRINGS = ['abc', '', 'b', '1', 'true', 'linux', 'success', 'a b'];
const NUMBERS = [0, 1, -1, 2.5, 5, 1000];
const literalArb = fc.oneof(
  fc.constantFrom(...STRINGS).map((s) => `'${s}'`),
  fc.constantFrom(...NUMBERS).map(String),
  fc.constantFrom('true', 'false', 'null'),
);
const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...STRINGS),
  fc.constantFrom<Json>(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom<Json>([1, 2], { k: 'v' }, []),
);
const STATUSES = ['SUCCESS', 'FAILED', 'SKIP', 'CANCEL'];
const RESULTS = ['success', 'failure', 'skipped', 'cancelled', 'bogus'];
const OPS = ['==', '!=', '<', '<=', '>', '>='];

/** Paths read at each place: scalar params with random values, fixed containers, loop roots. */
const PATHS: Record<'job' | 'matrix', string[]> = {
  job: ['params.a', 'params.b', 'params.c', 'params.list[0]', 'params.m.k', 'params.gone', 'needs.build.outputs.count', 'needs.test.status', 'jobs.build.status', 'release.type'],
  matrix: ['params.a', 'params.b', 'params.c', 'params.list[1]', 'matrix.os', 'matrix.py', 'stages.m1.outputs.v', 'stages.m2.outputs.v', 'jobs.test.status'],
};

function leafArb(at: 'job' | 'matrix'): fc.Arbitrary<string> {
  const path = fc.constantFrom(...PATHS[at]);
  const comparison = fc
    .tuple(path, fc.constantFrom(...OPS), literalArb, fc.boolean())
    .map(([p, op, lit, flip]) => (flip ? `${lit} ${op} ${p}` : `${p} ${op} ${lit}`));
  return fc.oneof(
    { weight: 6, arbitrary: comparison },
    { weight: 2, arbitrary: path },
    { weight: 2, arbitrary: fc.constantFrom('always()', 'success()', 'failure()', 'cancelled()', 'true', 'false') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('needs.build.result', 'needs.test.result'), fc.constantFrom('==', '!='), fc.constantFrom(...RESULTS))
        .map(([p, op, r]) => `${p} ${op} '${r}'`),
    },
    // not native
    { weight: 1, arbitrary: fc.oneof(fc.tuple(path, path).map(([p, q]) => `${p} == ${q}`), path.map((p) => `${p}? == null`)) },
  );
}

function conditionArb(at: 'job' | 'matrix', depth: number): fc.Arbitrary<string> {
  const leaf = leafArb(at);
  if (depth === 0) return leaf;
  const sub = conditionArb(at, depth - 1);
  const wrap = (s: string, paren: boolean): string => (paren ? `(${s})` : s);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(sub, fc.boolean()).map(([a, p]) => `!${wrap(a, p)}`) },
    { weight: 2, arbitrary: fc.tuple(sub, sub, fc.constantFrom('&&', '||'), fc.boolean(), fc.boolean()).map(([a, b, op, pa, pb]) => `${wrap(a, pa)} ${op} ${wrap(b, pb)}`) },
  );
}

const caseArb = fc.constantFrom<'job' | 'matrix'>('job', 'matrix').chain((at) =>
  fc.record({
    at: fc.constant(at),
    cond: fc.tuple(conditionArb(at, 3), fc.boolean()).map(([c, t]) => (t ? `\${{ ${c} }}` : c)),
    params: fc.record({ a: valueArb, b: valueArb, c: valueArb }, { requiredKeys: [] }),
    build: fc.constantFrom(...STATUSES),
    test: fc.constantFrom(...STATUSES),
    os: fc.option(fc.constantFrom('linux', 'mac', 1), { nil: undefined }),
  }),
);

describe('random conditions', () => {
  it('a native answer is always the engine answer (seeded)', async () => {
    const counts = { decided: 0, fallback: 0, engine: 0, yes: 0 };
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const params = { ...c.params, list: [1, 2, 3], m: { k: 'v' } };
        const declared = new Set(['a', 'b', 'c', 'list', 'm']);
        const scope: PathScope =
          c.at === 'job'
            ? { ...jobScope(['build', 'test']), params: declared }
            : {
                ...PLACES.matrix.scope,
                params: declared,
              };
        const matrix: Record<string, unknown> = { py: 3.12 };
        if (c.os !== undefined) matrix.os = c.os;
        const doc = {
          params,
          release: RELEASE,
          run: RUN,
          jobs: jobsDoc({ build: c.build, test: c.test }),
          ...(c.at === 'matrix' ? { matrix, stages: { m1: { status: 'SUCCESS', outputs: { v: 1 } } } } : {}),
        };
        const place: Place = { scope, doc: () => doc, refRoots: c.at === 'job' ? ALL_BUT_STAGES : ALL_CONTEXT_ROOTS };
        const reference = engineAnswer(c.cond, await referenceContext(place, doc));
        const native = nativeFor(c.cond, scope);
        if (!native) {
          counts.engine++;
          return;
        }
        const outcome = await nativeOutcome(native, doc);
        if (outcome === 'FALLBACK') {
          counts.fallback++;
          return;
        }
        counts.decided++;
        if (outcome === 'YES') counts.yes++;
        expect({ cond: c.cond, answer: outcome === 'YES' }).toEqual({ cond: c.cond, answer: reference });
      }),
      { seed: 42, numRuns: 200 },
    );
    // The property is not vacuous: many conditions were decided natively, some fell back.
    expect(counts.decided).toBeGreaterThan(50);
    expect(counts.yes).toBeGreaterThan(15);
    expect(counts.decided - counts.yes).toBeGreaterThan(15);
    expect(counts.fallback).toBeGreaterThan(20);
    expect(counts.engine).toBeGreaterThan(20);
  });
});
