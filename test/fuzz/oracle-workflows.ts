/**
 * Whole workflows for the oracle comparison: jobs with needs, `if` and trigger rules, matrices with
 * include/exclude and fail-fast, job outputs, and every stage kind the oracle models (echo, sleep,
 * bash, py, raise, group, parallel, foreach, case, until, try/catch/finally) nested two deep, with
 * `if`, `continue-on-error` and `retry`. Ids, names, param names and values are hostile. Actions are
 * the deterministic shapes of test/oracle/actions.ts.
 *
 * `KNOWN_BROKEN` names the classes of input that are open bugs; the generator leaves them out
 * unless asked (`broken`), so the suite stays green while they are fixed. Classes fixed during the
 * session are generated always: matrix values with dots, quotes and any script (fff8230), `case` in
 * the default match and `error` in catch stages (51df49d), `__proto__` as a param, branch or output
 * name (6fa4004; as a job, stage or axis id it is WF2007, a clear error, so it is not generated
 * there), also as a param of a triggered workflow (806e10c), needs read in bracket notation in job
 * conditions (`needs['a-'].result`), failures handled inside `finally` (`continue-on-error`, a nested
 * try's catch), templates in py code as values and inside string literals (any value: quotes,
 * backslashes, newlines), trigger stages whose child fails (the stage keeps the child's document).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { bashQuote } from '../oracle/actions.ts';

/**
 * Input classes with open bugs, left out of generated workflows unless asked for: none now. Add a
 * class here (with the SPEC rule it breaks) when a bug is found and left open, so the suite stays
 * green and `npm run fuzz -- --broken <class>` still finds it.
 */
export const KNOWN_BROKEN: Readonly<Record<string, string>> = {};

/** Which known-broken classes to generate. */
export type BrokenClass = string;

type Obj = Record<string, unknown>;

/** A workflow of the same file that `trigger` stages may start, with its param names. */
interface Child {
  name: string;
  params: string[];
}

interface Where {
  /** The workflow trigger stages start (absent inside that workflow itself). */
  child?: Child;
  /** Inside catch stages (and what they nest): `error` is in scope. */
  inCatch?: boolean;
  /** Inside an until body. */
  inUntil?: boolean;
  params: string[];
  axes: Record<string, unknown[]>;
  item?: unknown[];
  branch?: string;
  inCase?: 'match' | 'default';
  depth: number;
}

const NAME_TEXT = ['Step', 'it\'s "quoted"', '{braces} [x]', 'a.b.c', 'ünïcödé 🙂', '$HOME ${x} `pwd`', 'back\\slash', '  spaced  ', '#hash: colon'];
const TEXT = ['ok', 'hello world', 'it\'s', 'say "hi"', '{json: 1}', 'a.b', 'tab\there', 'ünï 🙂', '%s %d', '\\n', '$X ${Y}', '* ? [a]'];
const PARAM_VALUES = ['plain', 'it\'s', 'say "hi"', '{x}', 'a.b', 'ünï 🙂', '$V', '', ' lead', 'x\\y'];

/** Job and stage ids (`__proto__` is refused there with WF2007). */
const IDS = ['a', 'b-1', '1st', '_x', 'A-B_c', '9', 'x-', 'toString', 'constructor', 'valueOf', 'hasOwnProperty'];
/** Param, branch and output names. */
const NAMES = [...IDS, '__proto__'];
const MATRIX_VALUES = ['a', 'b', 1, 2, 'x-y', true, '1.5', 1.5, 'q\'x', 'a"b', 'v.1.2', 'a b', 'a-b', 'ünï 🙂', '{x}', '$y', null];

function ids(_broken: ReadonlySet<BrokenClass>): string[] {
  return IDS;
}

/** An expression literal for a string, number or boolean. */
function literal(v: unknown): string {
  return typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : JSON.stringify(v);
}

/** `root.key`, or `root['key']` where the key is not a name (docs/expressions.md: a `-` must be followed by a name character). */
function member(root: string, key: string): string {
  return /^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$/.test(key) ? `${root}.${key}` : `${root}[${literal(key)}]`;
}

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

/** Distinct ids for `n` stages of one list (some left without one). */
function stageIds(n: number, broken: ReadonlySet<BrokenClass>): fc.Arbitrary<Array<string | undefined>> {
  return fc.uniqueArray(pick(ids(broken)), { minLength: n, maxLength: n }).chain((xs) =>
    fc.tuple(...xs.map((x) => fc.option(fc.constant(x), { freq: 6 }))).map((ys) => ys.map((y) => y ?? undefined)),
  );
}

function condition(w: Where): fc.Arbitrary<unknown> {
  const options: Array<fc.Arbitrary<unknown>> = [fc.constant(true), fc.constant(false)];
  for (const p of w.params) options.push(pick(PARAM_VALUES).map((v) => `\${{ ${member('params', p)} == ${literal(v)} }}`));
  for (const [axis, values] of Object.entries(w.axes)) options.push(pick(values).map((v) => `\${{ ${member('matrix', axis)} == ${literal(v)} }}`));
  if (w.item) options.push(pick(w.item).map((v) => `\${{ item == ${literal(v)} }}`));
  if (w.branch) options.push(fc.constant(`\${{ branch == '${w.branch}' }}`));
  options.push(fc.constant('${{ always() }}'), fc.constant('${{ success() && !failure() }}'));
  return fc.oneof(...options);
}

/** Templates a stage may read where `w` is (each with its value in scope). */
function templates(w: Where): string[] {
  const out = w.params.map((p) => `\${{ ${member('params', p)} }}`);
  out.push(...Object.keys(w.axes).map((axis) => `\${{ ${member('matrix', axis)} }}`));
  if (w.item) out.push('${{ item }}', '${{ loop }}');
  if (w.branch) out.push('${{ branch }}');
  if (w.inCase) out.push('${{ case }}');
  if (w.inCatch) out.push('${{ error.name }}');
  return out;
}

function bashStage(w: Where): fc.Arbitrary<Obj> {
  const sources = templates(w);
  const piece = fc.oneof(
    pick(TEXT).map((t) => ({ text: `printf '%s' ${bashQuote(t)}`, env: undefined as string | undefined })),
    ...(sources.length ? [pick(sources)] : []).map((a) => a.map((t) => ({ text: '', env: t }))),
  );
  return fc.tuple(fc.array(fc.tuple(piece, fc.boolean()), { minLength: 1, maxLength: 2 }), pick([0, 0, 0, 1, 7])).map(([pieces, code]) => {
    const env: Obj = {};
    const lines = pieces.map(([p, err], i) => {
      if (p.env === undefined) return p.text + (err ? ' >&2' : '');
      env[`V${i}`] = p.env;
      return `printf '%s' "$V${i}"${err ? ' >&2' : ''}`;
    });
    return { bash: [...lines, `exit ${code}`].join('; '), ...(Object.keys(env).length ? { env } : {}) };
  });
}

function pyStage(w: Where): fc.Arbitrary<Obj> {
  const rhs: Array<fc.Arbitrary<string>> = [
    pick(['1', '-2.5', '"text"', '[1, "a", 2.5]', '{"k": "v", "n": [1]}', 'True', 'None', JSON.stringify('ünï "q" \'s\'')]),
  ];
  if (w.item) rhs.push(fc.constant('${{ loop }}'));
  const ts = templates(w);
  if (ts.length) rhs.push(pick(ts), pick(ts).map((t) => `"a '${t}' b"`));
  return fc.uniqueArray(fc.tuple(pick(['x', 'out_1', 'Value', 'item_count']), fc.oneof(...rhs)), { minLength: 1, maxLength: 3, selector: ([k]) => k })
    .map((lines) => ({ run: lines.map(([k, v]) => `${k} = ${v}`).join('\n') }));
}

function triggerStage(w: Where, child: Child): fc.Arbitrary<Obj> {
  const strings = [...w.params.map((p) => `\${{ ${member('params', p)} }}`), ...(w.branch ? ['${{ branch }}'] : []), ...(w.inCase ? ['${{ case }}'] : [])];
  const value = fc.oneof(pick(PARAM_VALUES), ...(strings.length ? [pick(strings)] : []));
  return fc.subarray(child.params).chain((names) =>
    fc.tuple(...names.map(() => value)).map((values) => ({
      trigger: child.name,
      ...(names.length ? { params: Object.fromEntries(names.map((n, i) => [n, values[i]])) } : {}),
    })),
  );
}

function leaf(w: Where, broken: ReadonlySet<BrokenClass>): fc.Arbitrary<Obj> {
  return fc.oneof(
    { weight: 3, arbitrary: pick(TEXT).map((t) => ({ echo: t })) },
    { weight: 1, arbitrary: fc.constant({ sleep: 0 }) },
    { weight: 4, arbitrary: bashStage(w) },
    { weight: 1, arbitrary: pyStage(w) },
    { weight: 2, arbitrary: pick(TEXT).map((t) => ({ raise: t })) },
    ...(w.child ? [{ weight: 1, arbitrary: triggerStage(w, w.child) }] : []),
  );
}

function list(w: Where, broken: ReadonlySet<BrokenClass>, max = 3): fc.Arbitrary<Obj[]> {
  return fc.integer({ min: 1, max }).chain((n) =>
    fc.tuple(stageIds(n, broken), fc.tuple(...Array.from({ length: n }, () => stage(w, broken)))).map(([sids, stages]) =>
      stages.map((s, i) => (sids[i] !== undefined ? { ...s, id: sids[i] } : s)),
    ),
  );
}

function container(w: Where, broken: ReadonlySet<BrokenClass>): fc.Arbitrary<Obj> {
  const inner = { ...w, depth: w.depth + 1 };
  const itemPool = ['a', 'b', 'x-y', 1, 2, 'ünï'];
  return fc.oneof(
    list(inner, broken).map((stages) => ({ stages })),
    fc.uniqueArray(pick(NAMES), { minLength: 1, maxLength: 2 }).chain((names) =>
      fc.tuple(...names.map((b) => list({ ...inner, branch: b }, broken, 2))).map((lists) => ({
        parallel: Object.fromEntries(names.map((b, i) => [b, lists[i]])),
      })),
    ),
    fc.uniqueArray(pick(itemPool), { minLength: 1, maxLength: 3 }).chain((items) =>
      fc.tuple(list({ ...inner, item: items }, broken, 2), fc.boolean()).map(([stages, byIndex]) => ({ foreach: items, stages, ...(byIndex ? { 'use-index-as-key': true } : {}) })),
    ),
    fc.tuple(pick(['a', 'b', 'zz']), fc.uniqueArray(pick(['a', 'b', '_']), { minLength: 1, maxLength: 3 }), fc.boolean()).chain(([value, cases, skip]) =>
      fc.tuple(...cases.map((c) => list({ ...inner, inCase: c === '_' ? 'default' : 'match' }, broken, 2))).map((lists) => ({
        case: value,
        match: cases.map((c, i) => ({ case: c, stages: lists[i] })),
        ...(skip ? { 'skip-not-match': true } : {}),
      })),
    ),
    fc.tuple(pick([1, 2, 3]), pick([2, 3, 10]), list({ ...inner, item: [0], inUntil: true }, broken, 2)).map(([k, maxLoop, stages]) => ({
      until: `\${{ loop > ${k} }}`,
      'max-loop': maxLoop,
      stages,
    })),
    fc.tuple(list(inner, broken, 2), fc.option(list({ ...inner, inCatch: true }, broken, 2)), fc.option(list(inner, broken, 2))).map(([t, c, f]) => ({
      try: t,
      ...(c ? { catch: c } : {}),
      ...(f ? { finally: f } : {}),
    })),
  );
}

function stage(w: Where, broken: ReadonlySet<BrokenClass>): fc.Arbitrary<Obj> {
  const body = w.depth < 2 ? fc.oneof({ weight: 3, arbitrary: leaf(w, broken) }, { weight: 2, arbitrary: container(w, broken) }) : leaf(w, broken);
  return fc
    .tuple(pick(NAME_TEXT), body, fc.option(condition(w), { freq: 4 }), fc.boolean(), fc.integer({ min: 0, max: 9 }))
    .map(([name, b, cond, coe, r]) => ({
      name,
      ...(cond !== null ? { if: cond } : {}),
      ...b,
      ...(coe && r < 3 ? { 'continue-on-error': true } : {}),
      ...(r === 9 ? { retry: 1 } : {}),
    }));
}

const RULES = ['all_success', 'all_failed', 'all_done', 'one_success', 'one_failed', 'none_failed', 'none_skipped'];

function job(earlier: string[], params: string[], broken: ReadonlySet<BrokenClass>, child?: Child): fc.Arbitrary<Obj> {
  return fc.subarray(earlier, { maxLength: Math.min(2, earlier.length) }).chain((needs) => {
    const ifs: string[] = ['${{ always() }}', '${{ failure() }}', '${{ success() }}', ...params.map((p) => `\${{ ${member('params', p)} != 'plain' }}`), ...needs.map((n) => `\${{ ${member('needs', n)}.result == 'success' || ${member('needs', n)}.result == 'skipped' }}`), ...needs.map((n) => `\${{ ${member('needs', n)}.result == 'failure' }}`), ...needs.map((n) => `\${{ always() && ${member('needs', n)}.result != 'skipped' }}`)];
    const axisNames = ['x', 'os', 'py-v', '2d'];
    const matrix = fc
      .uniqueArray(fc.tuple(pick(axisNames), fc.uniqueArray(pick(MATRIX_VALUES), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 2, selector: ([k]) => k })
      .chain((axes) => {
        const m = Object.fromEntries(axes);
        const first = axes[0]!;
        return fc.tuple(fc.option(pick(first[1])), fc.option(pick(MATRIX_VALUES)), fc.boolean()).map(([ex, inc, failFast]) => ({
          axes: m,
          strategy: {
            matrix: m,
            ...(ex !== null && first[1].length > 1 ? { exclude: [{ [first[0]]: ex }] } : {}),
            ...(inc !== null ? { include: [{ [first[0]]: inc, extra: 'added' }] } : {}),
            ...(failFast ? { 'fail-fast': true } : {}),
          },
        }));
      });
    return fc
      .tuple(fc.option(pick(ifs), { freq: 3 }), fc.option(pick(RULES), { freq: 4 }), fc.option(matrix, { freq: 3 }), fc.integer({ min: 0, max: 9 }))
      .chain(([cond, rule, m, r]) =>
        list({ params, axes: m?.axes ?? {}, depth: 0, ...(child ? { child } : {}) }, broken).map((stages) => ({
          ...(needs.length ? { needs } : {}),
          ...(cond !== null ? { if: cond } : {}),
          ...(rule !== null && needs.length ? { 'trigger-rule': rule } : {}),
          ...(m ? { strategy: m.strategy } : {}),
          ...(params.length && r < 3 ? { outputs: { [NAMES[r * 4 + 2]!]: `v-\${{ ${member('params', params[0]!)} }}`, ...(m ? { [NAMES[11 - r]!]: `\${{ ${member('matrix', Object.keys(m.axes)[0]!)} }}` } : {}) } } : {}),
          ...(r === 9 ? { retry: 1 } : {}),
          stages,
        })),
      );
  });
}

/** A generated workflow: its YAML text and its name. */
export interface GeneratedWorkflow {
  name: string;
  yaml: string;
}

const PARAM_NAMES = ['p', 'p-1', '2nd', 'x_y', 'Name', '__proto__'];

/** One workflow's model as plain data, its jobs able to trigger `child`. */
function workflowData(broken: ReadonlySet<BrokenClass>, maxJobs: number, child?: Child): fc.Arbitrary<{ params: string[]; wf: Obj }> {
  return fc
    .tuple(fc.uniqueArray(pick(PARAM_NAMES), { maxLength: 2 }), fc.uniqueArray(pick(ids(broken)), { minLength: 1, maxLength: maxJobs }))
    .chain(([params, jobIds]) =>
      fc.tuple(fc.tuple(...params.map(() => pick(PARAM_VALUES))), ...jobIds.map((_, i) => job(jobIds.slice(0, i), params, broken, child))).map(([values, ...jobs]) => ({
        params,
        wf: {
          type: 'Workflow',
          ...(params.length ? { params: Object.fromEntries(params.map((p, i) => [p, { type: 'str', default: values[i] }])) } : {}),
          jobs: Object.fromEntries(jobIds.map((id, i) => [id, jobs[i]])),
        },
      })),
    );
}

/**
 * Workflows for the oracle comparison (the one named `name` is run; one in three files also holds a
 * smaller workflow its `trigger` stages start); `broken` adds known-broken input classes.
 */
export function oracleWorkflow(broken: ReadonlySet<BrokenClass> = new Set()): fc.Arbitrary<GeneratedWorkflow> {
  return fc
    .tuple(pick(['wf', 'my-flow', '1-wf']), fc.option(workflowData(broken, 2), { freq: 2 }))
    .chain(([name, child]) =>
      workflowData(broken, 4, child ? { name: 'child-wf', params: child.params } : undefined).map((main) => ({
        name,
        yaml: stringify({ [name]: main.wf, ...(child ? { 'child-wf': child.wf } : {}) }, { lineWidth: 0 }),
      })),
    );
}
