/**
 * fast-check generators shared by the fuzz tests (bounded, seeded) and `npm run fuzz` (a time
 * budget): YAML-ish text, expressions built from the grammar, evaluation scopes, declared params
 * with caller input, whole valid workflows (every stage kind, nested, with needs, matrices and
 * conditions), and raw HTTP requests for the local Step Functions endpoint.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { Param, ParamType } from '../../lib/config/index.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// --- YAML text --------------------------------------------------------------------------------

const YAML_PIECES = [
  'type: Workflow', 'jobs:', 'stages:', '- name: s', '  echo: hi', 'bash: |', 'run: x = 1', 'params:', 'on:', '- cron: "0 9 * * *"',
  'needs: [a]', 'strategy:', 'matrix:', 'foreach: ${{ params.x }}', 'if: ${{ always() }}', '&a', '*a', '<<: *a', '? [a, b]', ': x',
  '!!binary', '!!str', '!custom', '{', '}', '[', ']', '"\\u0000"', "'", '"', '#', '---', '...', '%YAML 1.2', '\t', '\ufeff', '${{', '}}',
  'timezone: Mars/Olympus', 'retry: 99', 'timeout: -1', 'sleep: 1e309', 'max-loop: 0', 'trigger: self', 'uses: a/b@c', 'case: _',
];

/** Text that looks like a workflow file: lines of YAML pieces, indentation and random characters. */
export const yamlishText: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.nat({ max: 8 }), fc.constantFrom(...YAML_PIECES), fc.string({ maxLength: 6 })), { maxLength: 30 })
  .map((lines) => lines.map(([n, piece, tail]) => `${' '.repeat(n)}${piece}${tail}`).join('\n'));

/** A valid workflow's YAML with a random slice replaced by random text (structure damage). */
export function spliced(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...YAML_PIECES))).map(([text, at, del, ins]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + ins + text.slice(i + del);
  });
}

// --- expressions ------------------------------------------------------------------------------

const ROOTS = ['params', 'needs', 'matrix', 'item', 'loop', 'stages', 'jobs', 'release', 'run', 'env', 'retry', 'branch', 'case', 'nope'];
const SEGMENTS = ['name', 'count', 'list', 'map', 'a', 'b', 'outputs', 'result', 'status', 'stdout', 'date', 'ts', 'nothing', 'x', 'main-process', 'length', 'constructor', '__proto__', 'toString'];
const FUNCTIONS = ['always', 'success', 'failure', 'cancelled', 'contains', 'startsWith', 'endsWith', 'format', 'join', 'toJson', 'fromJson', 'length', 'nope'];
const FILTERS = ['abs', 'str', 'int', 'float', 'list', 'dict', 'title', 'upper', 'lower', 'rstr', 'keys', 'values', 'fmt', 'coalesce', 'getitem', 'getindex', 'nope'];
const OPS = ['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%'];
const FMT = ['%Y-%m-%d', '%H:%M:%S', '%%', '%', '%Q', '%Y-%m-%dT%H:%M:%S%z', '%j %U %a %b'];

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const numberLiteral = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('0', '1e308', '1e309', '9007199254740993', '0.1', '1.5e-7', '00', '1_000', '0x10', '.5', '5.'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(Math.abs(d))),
);
const stringLiteral = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('', '2024-01-05', '2024-03-09T14:05:09+07:00', '{"a": 1}', '[1, 2]', 'null', '{0}-{1}', '{9}', '{', '%Y', 'x\ny', '\u0000', '🙂'),
  fc.constantFrom(...FMT),
).map(quote);

/** Expression source text generated from the grammar: paths, literals, operators, calls, filters. */
export const expressionText: fc.Arbitrary<string> = fc.letrec<{ expr: string; path: string; atom: string }>((tie) => ({
  path: fc
    .tuple(
      fc.constantFrom(...ROOTS),
      fc.array(
        fc.oneof(
          fc.constantFrom(...SEGMENTS).map((s) => (/^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `[${quote(s)}]`)),
          fc.integer({ min: -2, max: 4 }).map((i) => `[${i}]`),
          fc.constantFrom(...SEGMENTS).map((s) => `[${quote(s)}]`),
          fc.constant('?'),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([root, segs]) => root + segs.join('').replace(/^\?/, '')),
  atom: fc.oneof(numberLiteral, stringLiteral, fc.constantFrom('null', 'true', 'false', 'True', 'None'), tie('path')),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('atom'),
    fc.tuple(fc.constantFrom('!', '-', '!!', '- -'), tie('expr')).map(([op, e]) => `${op}${e}`),
    fc.tuple(tie('expr'), fc.constantFrom(...OPS), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc
      .tuple(tie('atom'), fc.constantFrom(...FILTERS), fc.oneof(fc.constant(undefined), fc.array(fc.oneof(tie('atom'), fc.constantFrom(...FMT).map(quote)), { maxLength: 2 })))
      .map(([e, f, args]) => `${e} | ${f}${args === undefined ? '' : `(${args.join(', ')})`}`),
  ),
})).expr;

/** Template text: literal text around zero or more `${{ expr }}`, sometimes broken. */
export const templateText: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.string({ maxLength: 6 }), expressionText.map((e) => `\${{ ${e} }}`), fc.constantFrom('${{', '}}', '${{ }}', '$', '{{ x }}', '${{ ${{ x }} }}')), { maxLength: 4 })
  .map((parts) => parts.join(''));

const jsonLeaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.constantFrom('2024-01-05', '2024-03-09T14:05:09.123+07:00', '42', 'true', '[1]', '{"a":1}'));

/** A scope to evaluate against: the usual roots holding random JSON (NaN and ±Infinity included). */
export const evalScope: fc.Arbitrary<Record<string, unknown>> = fc.record({
  params: fc.dictionary(fc.constantFrom(...SEGMENTS), fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom(...SEGMENTS), jsonLeaf, { maxKeys: 3 }))),
  needs: fc.constant({ 'main-process': { result: 'failure', outputs: { tag: 'v1' } } }),
  matrix: fc.dictionary(fc.constantFrom('os', 'a', 'b'), jsonLeaf, { maxKeys: 2 }),
  item: jsonLeaf,
  loop: fc.nat({ max: 5 }),
  stages: fc.constant({ build: { outputs: { return_code: 0, stdout: 'ok' }, status: 'SUCCESS' } }),
});

// --- params -----------------------------------------------------------------------------------

const PARAM_TYPES: ParamType[] = ['str', 'int', 'float', 'decimal', 'bool', 'datetime', 'date', 'choice', 'map', 'array'];

/** A value a caller might send for a param: JSON values and text that spells one. */
export const paramValue: fc.Arbitrary<unknown> = fc.oneof(
  jsonLeaf,
  fc.constantFrom('3', '3.0', '1e3', ' 7 ', '-0', 'yes', 'No', 'TRUE', '2024-02-30', '2024-01-01T09:00:00+07:00', '2024-01-01 09:00', '0001-01-01', '9999-12-31T23:59:59-01:00', 'a', 'b', '1.23456789012345678', '{"k": [1]}', '[1, "2"]', '{', 'NaN', 'Infinity'),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53, 1e21),
  fc.array(jsonLeaf, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), jsonLeaf, { maxKeys: 3 }),
);

/** A declared param (any type, with or without a default that may not fit, sometimes secret). */
export function declaredParam(name: string): fc.Arbitrary<Param> {
  return fc
    .record({
      type: fc.constantFrom(...PARAM_TYPES),
      hasDefault: fc.boolean(),
      default: paramValue,
      required: fc.boolean(),
      options: fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 3 }),
      secret: fc.boolean(),
    })
    .map((p) => ({
      name,
      type: p.type,
      hasDefault: p.hasDefault,
      ...(p.hasDefault ? { default: p.default } : {}),
      required: !p.hasDefault && p.required,
      ...(p.type === 'choice' ? { options: p.options } : {}),
      secret: p.secret,
      loc: { file: 'fuzz.yml', line: 1, col: 1, offset: 0, length: 0 },
    }));
}

/** Declared params and the caller's input (declared names, near misses and unknown keys). */
export const paramsCase: fc.Arbitrary<{ params: Record<string, Param>; input: Record<string, unknown> }> = fc
  .uniqueArray(fc.constantFrom('n', 'name', 'token', 'when', 'day', 'mode', 'opts', 'list', 'ratio', 'flag'), { maxLength: 5 })
  .chain((names) =>
    fc.record({
      params: fc.tuple(...names.map((n) => declaredParam(n))).map((ps) => Object.fromEntries(ps.map((p) => [p.name, p]))),
      input: fc.dictionary(fc.oneof(fc.constantFrom(...names, 'nam', 'tokn', 'other', '__proto__', 'constructor'), fc.string({ maxLength: 4 })), paramValue, { maxKeys: 6 }),
    }),
  );

// --- workflows --------------------------------------------------------------------------------

type Stage = Record<string, Json>;

interface StageCtx {
  /** Inside a foreach or until: `item` and `loop` are in scope. */
  loop: boolean;
  depth: number;
}

const PARAM_DECLS: Record<string, Json> = {
  who: { type: 'str', default: 'world' },
  n: { type: 'int', default: 2 },
  flag: { type: 'bool', default: true },
  pick: { type: 'choice', options: ['a', 'b'], default: 'a' },
  token: { type: 'str', secret: true, default: 'hidden' },
  day: { type: 'date', default: '2024-01-05' },
  items: { type: 'array', default: [1, 2] },
};

const textTemplate = fc.constantFrom('plain', 'hi ${{ params.who }}', '${{ params.n + 1 }}', "${{ format('{0}-{1}', params.who, params.n) }}", '${{ params.day }}', '${{ run.id }}', '${{ release.logical_date }}');
const condition = fc.constantFrom<Json>(true, false, '${{ params.flag }}', 'params.n > 1', "${{ params.pick == 'a' }}", '${{ always() }}', 'success()', "'${{ params.who }}' == 'world'", '${{ failure() }}');
const loopTemplate = fc.constantFrom('${{ item }}', 'i=${{ item }} at ${{ loop }}', '${{ params.who }}');

function leafStage(ctx: StageCtx): fc.Arbitrary<Stage> {
  const text = ctx.loop ? fc.oneof(textTemplate, loopTemplate) : textTemplate;
  return fc.oneof(
    fc.record({ echo: text }),
    fc.record({ sleep: fc.constantFrom<Json>(0, 1, 2.5, '${{ params.n }}') }),
    fc.record({ echo: text, sleep: fc.constantFrom(0, 1) }),
    fc.record({ bash: fc.constantFrom('echo "$WHO"', 'exit 0', 'echo hi\necho there'), env: fc.constantFrom<Json>({ WHO: '${{ params.who }}' }, { N: '${{ params.n }}', F: '${{ params.flag }}' }, {}) }),
    fc.record({ run: fc.constantFrom('x = 1', 'y = params["n"] * 2', 'z = [i for i in range(3)]'), vars: fc.constantFrom<Json>({}, { a: '${{ params.n }}' }, { b: 'text' }) }),
    fc.record({ run: fc.constant('import sys'), deps: fc.constantFrom<Json>([], ['six']), version: fc.constantFrom('3.11', '3.12') }),
    fc.record({ uses: fc.constantFrom('tasks/count@v1', 'tasks/other-fn@latest'), with: fc.constantFrom<Json>({ n: '${{ params.n }}' }, {}, { files: '${{ params.items }}' }) }),
    fc.record({ trigger: fc.constant('child'), params: fc.constantFrom<Json>({ who: '${{ params.who }}' }, {}) }),
    fc.record({ raise: fc.constantFrom('boom', 'failed: ${{ params.who }}') }),
    fc.record({ image: fc.constantFrom('alpine', 'python'), tag: fc.constantFrom('3.19', 'latest'), cmd: fc.constantFrom<Json>('echo hi', 'echo ${{ params.who }}'), env: fc.constantFrom<Json>({}, { A: '${{ params.n }}' }) }),
  );
}

function stageList(ctx: StageCtx, min = 1): fc.Arbitrary<Stage[]> {
  return fc.array(stageArb(ctx), { minLength: min, maxLength: ctx.depth > 1 ? 2 : 3 });
}

function containerStage(ctx: StageCtx): fc.Arbitrary<Stage> {
  const inner: StageCtx = { ...ctx, depth: ctx.depth + 1 };
  const inLoop: StageCtx = { loop: true, depth: ctx.depth + 1 };
  return fc.oneof(
    fc.record({ parallel: fc.record({ a: stageList(inner), b: stageList(inner) }), 'max-workers': fc.integer({ min: 1, max: 4 }) }),
    fc.record({
      foreach: fc.constantFrom<Json>([1, 2, 3], ['x', 'y'], '${{ params.items }}', '${{ fromJson(\'["p", "q"]\') }}'),
      stages: stageList(inLoop),
      concurrent: fc.integer({ min: 1, max: 3 }),
      'use-index-as-key': fc.boolean(),
    }),
    fc.record({
      case: fc.constantFrom('${{ params.pick }}', '${{ params.n }}'),
      match: fc.tuple(stageList(inner, 0), stageList(inner, 0)).map(([a, other]) => [{ case: 'a', stages: a }, { case: '_', stages: other }] as Json),
      'skip-not-match': fc.boolean(),
    }),
    fc.record({ item: fc.constantFrom(0, 1), until: fc.constantFrom('${{ item >= 2 }}', 'item >= 1', '${{ loop >= 2 }}'), stages: stageList(inLoop), 'max-loop': fc.integer({ min: 1, max: 5 }) }),
    fc.record({ try: stageList(inner), catch: stageList(inner, 0), finally: stageList(inner, 0) }),
    fc.record({ stages: stageList(inner) }),
  );
}

function stageArb(ctx: StageCtx): fc.Arbitrary<Stage> {
  const body = ctx.depth >= 2 ? leafStage(ctx) : fc.oneof({ weight: 3, arbitrary: leafStage(ctx) }, { weight: 1, arbitrary: containerStage(ctx) });
  return fc
    .tuple(
      body,
      fc.record(
        {
          if: condition,
          retry: fc.constantFrom<Json>(0, 1, 3, '${{ params.n }}'),
          timeout: fc.integer({ min: 1, max: 600 }),
          'continue-on-error': fc.boolean(),
          desc: fc.string({ maxLength: 10 }),
        },
        { requiredKeys: [] },
      ),
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.boolean(),
    )
    .map(([kind, common, name, withId]) => {
      const extra: Stage = { ...common };
      if ('raise' in kind) delete extra.retry;
      const shown = name.replace(/\$/g, 'S').trim();
      return { name: shown === '' ? 'stage' : shown, ...(withId ? { id: 'pending' } : {}), ...kind, ...extra };
    });
}

/** Gives every stage that asked for one a unique id (`s0`, `s1`, ...), depth first. */
function numberStages(stages: Stage[], next: { n: number }): void {
  for (const st of stages) {
    if (st.id === 'pending') st.id = `s${next.n++}`;
    for (const key of ['stages', 'try', 'catch', 'finally']) if (Array.isArray(st[key])) numberStages(st[key] as Stage[], next);
    if (st.parallel && typeof st.parallel === 'object') for (const b of Object.values(st.parallel as Record<string, Stage[]>)) numberStages(b, next);
    if (Array.isArray(st.match)) for (const m of st.match as Array<{ stages: Stage[] }>) numberStages(m.stages, next);
  }
}

const jobArb = (index: number): fc.Arbitrary<Record<string, Json>> =>
  fc
    .tuple(
      stageList({ loop: false, depth: 0 }),
      fc.subarray(Array.from({ length: index }, (_, i) => `j${i}`)),
      fc.record(
        {
          if: condition,
          'trigger-rule': fc.constantFrom('all_success', 'all_failed', 'all_done', 'one_success', 'one_failed', 'none_failed', 'none_skipped'),
          retry: fc.integer({ min: 0, max: 3 }),
          timeout: fc.integer({ min: 1, max: 3600 }),
          desc: fc.string({ maxLength: 8 }),
          'runs-on': fc.constantFrom('lambda', 'local'),
        },
        { requiredKeys: [] },
      ),
      fc.option(
        fc.record(
          {
            matrix: fc.constantFrom<Json>({ os: ['linux', 'mac'] }, { os: ['linux'], py: [3.11, 3.12] }, { part: '${{ params.items }}' }),
            'max-parallel': fc.integer({ min: 1, max: 5 }),
            'fail-fast': fc.boolean(),
          },
          { requiredKeys: ['matrix'] },
        ),
        { nil: undefined },
      ),
      fc.boolean(),
    )
    .map(([stages, needs, common, strategy, withOutputs]) => ({
      ...common,
      ...(needs.length ? { needs } : {}),
      ...(strategy ? { strategy } : {}),
      ...(withOutputs ? { outputs: { greeting: 'hello ${{ params.who }}' } } : {}),
      stages,
    }));

/**
 * A valid workflow file: the workflow `wf` (1 to 4 jobs, needs only on earlier jobs, every stage
 * kind, nesting up to three levels) and the workflow `child` its trigger stages start.
 */
export const workflowYaml: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => jobArb(i)))),
    fc.subarray(Object.keys(PARAM_DECLS), { minLength: Object.keys(PARAM_DECLS).length }),
    fc.record(
      {
        timeout: fc.integer({ min: 1, max: 86_400 }),
        'max-job-parallel': fc.integer({ min: 1, max: 4 }),
        execution: fc.constantFrom('standard', 'express'),
        tags: fc.constant<Json>(['fuzz']),
        on: fc.constantFrom<Json>([{ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }], { schedule: [{ cronjob: '*/5 * * * *' }] }),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([jobs, params, extra]) => {
    // An Express execution lasts at most 300 s: a longer (or the default 3600 s) timeout is WF6006.
    if (extra.execution === 'express') extra.timeout = Math.min(extra.timeout ?? 300, 300);
    const next = { n: 0 };
    for (const job of jobs) numberStages(job.stages as Stage[], next);
    const wf: Record<string, Json> = {
      type: 'Workflow',
      params: Object.fromEntries(params.map((p) => [p, PARAM_DECLS[p]!])),
      ...extra,
      jobs: Object.fromEntries(jobs.map((j, i) => [`j${i}`, j])),
    };
    const child = { type: 'Workflow', params: { who: { type: 'str', default: 'x' } }, jobs: { only: { stages: [{ name: 'Only', echo: '${{ params.who }}' }] } } };
    return stringify({ wf, child });
  });

// --- HTTP requests ----------------------------------------------------------------------------

/** One raw request to the local endpoint. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const ACTIONS = ['StartExecution', 'DescribeExecution', 'StopExecution', 'ListExecutions', 'GetExecutionHistory', 'RedriveExecution', 'ListStateMachines', 'DescribeStateMachine', 'CreateStateMachine', 'SendTaskSuccess', ''];
const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:';
const EXECUTION = 'arn:aws:states:local:000000000000:execution:';

const arnValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(`${MACHINE}echo`, `${EXECUTION}echo:e1`, `${EXECUTION}echo:e2`) },
  { weight: 2, arbitrary: fc.constantFrom(`${MACHINE}nope`, `${EXECUTION}echo:nope`, `${EXECUTION}nope:x`, `${MACHINE}echo:extra`, 'arn:aws:states:local:0:stateMachine:echo', '', 'arn') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `${EXECUTION}echo:${s}`) },
  { weight: 1, arbitrary: jsonLeaf },
);
const inputValue = fc.oneof(
  fc.constantFrom('{}', '{"params": {"n": 3}}', '{"params": {"n": "lots"}}', '{"params": {"bogus": 1}}', '{"params": 5}', '[]', '"text"', '{', 'null', '{"release": {"logical_date": "not a date"}, "lock": true}', '{"jobs": {"only": 1}, "run": {"id": ""}}'),
  jsonLeaf,
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);
const fieldValue = (name: string): fc.Arbitrary<unknown> => {
  switch (name) {
    case 'stateMachineArn':
    case 'executionArn':
      return arnValue;
    case 'input':
      return inputValue;
    case 'name':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom('e1', 'e2') }, fc.constantFrom('a b', 'x'.repeat(81), '', 'ok-name', 'ünïcode', 'a:b'), fc.string({ maxLength: 10 }), jsonLeaf);
    case 'maxResults':
      return fc.oneof(fc.integer({ min: -5, max: 2000 }), jsonLeaf);
    case 'nextToken':
      return fc.oneof(
        fc.string({ maxLength: 12 }),
        fc
          .constantFrom<unknown>(
            { o: -1 },
            { o: 1.5 },
            [],
            { o: 99999 },
            { executionArn: { S: `${EXECUTION}echo:e1` }, stateMachineArn: { S: `${MACHINE}echo` }, startDate: { N: '1' } },
            { executionArn: { S: 'x' }, stateMachineArn: { S: `${MACHINE}other` }, startDate: { N: '1' } },
            { executionArn: { N: '1' }, stateMachineArn: { S: `${MACHINE}echo` }, startDate: { S: 'x' } },
          )
          .map((v) => Buffer.from(JSON.stringify(v)).toString('base64')),
        jsonLeaf,
      );
    case 'statusFilter':
      return fc.oneof(fc.constantFrom('RUNNING', 'SUCCEEDED', 'FAILED', 'BAD'), jsonLeaf);
    default:
      return fc.oneof(jsonLeaf, fc.jsonValue({ maxDepth: 2 }));
  }
};
const FIELDS = ['stateMachineArn', 'executionArn', 'input', 'name', 'maxResults', 'nextToken', 'statusFilter', 'reverseOrder', 'includeExecutionData', 'error', 'cause', 'mapRunArn', '__proto__', 'constructor'];

const REQUIRED: Record<string, string[]> = {
  StartExecution: ['stateMachineArn', 'input', 'name'],
  DescribeExecution: ['executionArn'],
  StopExecution: ['executionArn', 'error', 'cause'],
  ListExecutions: ['stateMachineArn', 'statusFilter', 'maxResults', 'nextToken'],
  GetExecutionHistory: ['executionArn', 'maxResults', 'nextToken', 'reverseOrder', 'includeExecutionData'],
  RedriveExecution: ['executionArn'],
  ListStateMachines: ['maxResults', 'nextToken'],
  DescribeStateMachine: ['stateMachineArn'],
};

/** A JSON object body for an action: mostly its own fields (right and wrong types), some others. */
function objectBody(action: string): fc.Arbitrary<string> {
  const own = Object.hasOwn(REQUIRED, action) ? REQUIRED[action]! : [];
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: fc.constant(own) }, fc.subarray(own)), fc.uniqueArray(fc.constantFrom(...FIELDS), { maxLength: 2 }))
    .chain(([mine, others]) => {
      const names = [...new Set([...mine, ...others])];
      return fc.tuple(...names.map((n) => fieldValue(n).map((v) => [n, v] as const)));
    })
    .map((entries) => JSON.stringify(Object.fromEntries(entries)));
}

const oddBody = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', ' ', 'null', '[]', '"x"', '1', '{"a":', '\u0000', '{"__proto__": {"x": 1}}', `{"input": "${'x'.repeat(300_000)}"}`));

/** A raw HTTP request: method, path, headers (target, content type) and body, mostly well formed. */
export const rawRequest: fc.Arbitrary<RawRequest> = fc
  .oneof({ weight: 12, arbitrary: fc.constantFrom(...Object.keys(REQUIRED)) }, { weight: 1, arbitrary: fc.constantFrom('CreateStateMachine', 'SendTaskSuccess', '', '__proto__', 'toString', 'constructor') })
  .chain((action) =>
    fc.record({
      method: fc.oneof({ weight: 15, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS') }),
      path: fc.oneof({ weight: 10, arbitrary: fc.constant('/') }, { weight: 1, arbitrary: fc.constantFrom('/x', '/?a=1', '//', '/%zz') }),
      headers: fc.record(
        {
          'x-amz-target': fc.oneof(
            { weight: 15, arbitrary: fc.constant(`AWSStepFunctions.${action}`) },
            { weight: 1, arbitrary: fc.constantFrom('AWSStepFunctions.', action, `awsstepfunctions.${action}`, '') },
            { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
          ),
          'content-type': fc.constantFrom('application/x-amz-json-1.0', 'application/json', 'text/plain', ''),
        },
        { requiredKeys: ['x-amz-target'] },
      ),
      body: fc.oneof({ weight: 8, arbitrary: objectBody(action) }, { weight: 1, arbitrary: oddBody }),
    }),
  );
