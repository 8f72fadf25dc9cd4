/**
 * Intrinsic functions on the local engine give what Step Functions gives. The expected values are
 * those of AWS's documentation of each function (string literals escape ' { } \ with a backslash;
 * results keep every character of the input), not the engine's: the engine itself removes every
 * backslash from a text result, which these tests show first, so the fix is seen to matter.
 */
import '../../lib/local/polyfill.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { parseIntrinsic, type Machine } from '../../lib/compiler/index.ts';
import { loadWorkflows } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { exactIntrinsics, evaluateParameters, withOwnTypes } from '../../lib/local/exact-intrinsics.ts';

const HOSTILE = 'C:\\temp "quoted" \'single\' {braces} \\n not a newline';

async function runPass(parameters: Record<string, unknown>, input: unknown, exact: boolean): Promise<{ output: unknown; types: string[] }> {
  const def: Machine = { StartAt: 'p', States: { p: { Type: 'Pass', Parameters: parameters, ResultPath: '$.out', End: true } } };
  const prepared = exact ? exactIntrinsics(def) : { definition: def, wrap: () => ({}), passStates: new Set<string>() };
  const sm = new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } });
  const ex = sm.run(input as never, { overrides: { taskResourceLocalHandlers: prepared.wrap({}) as never } });
  const types: string[] = [];
  const watch = (async () => {
    for await (const ev of withOwnTypes(ex.eventLogs as AsyncGenerator<{ type: string; state?: { type: string } }>, prepared.passStates)) if (ev.state) types.push(`${ev.type}:${ev.state.type}`);
  })();
  const output = ((await ex.result) as { out: unknown }).out;
  await watch;
  return { output, types };
}

describe('intrinsic functions on the local engine', () => {
  const cases: Array<[string, Record<string, unknown>, unknown]> = [
    ['States.Format keeps every character of its values', { 'm.$': "States.Format('value: {}', $.v)" }, { m: `value: ${HOSTILE}` }],
    ['States.Format reads escaped reserved characters of its literal as themselves', { 'm.$': "States.Format('it\\'s \\{not a slot\\} \\\\ {}', $.n)" }, { m: "it's {not a slot} \\ 3" }],
    ['States.JsonToString gives JSON text that parses back to the value', { 'j.$': 'States.JsonToString($.o)' }, { j: JSON.stringify({ k: HOSTILE }) }],
    ['States.ArrayGetItem returns a text item whole', { 'i.$': 'States.ArrayGetItem($.xs, 1)' }, { i: HOSTILE }],
    ['plain paths beside an intrinsic, bracket notation included, are the engine\'s to resolve', { 'm.$': "States.Format('{}', $.n)", 'odd.$': "$['odd-key']", 'fixed': 'as is' }, { m: '3', odd: HOSTILE, fixed: 'as is' }],
    ['States.Format inside States.StringToJson', { 'o.$': "States.StringToJson(States.Format('\\{\"a\": {}\\}', $.n))" }, { o: { a: 3 } }],
  ];
  const input = { v: HOSTILE, n: 3, o: { k: HOSTILE }, xs: ['a', HOSTILE], 'odd-key': HOSTILE };

  it('the engine alone loses backslashes (what this wiring corrects)', async () => {
    const { output } = await runPass({ 'm.$': "States.Format('value: {}', $.v)" }, input, false);
    expect(output).not.toEqual({ m: `value: ${HOSTILE}` });
  });

  it.each(cases)('%s', async (_label, parameters, expected) => {
    for (const v of Object.values(parameters)) if (String(v).startsWith('States.')) expect(parseIntrinsic(v as string).error).toBeUndefined();
    const { output, types } = await runPass(parameters, input, true);
    expect(output).toEqual(expected);
    // The state is still a Pass to everything that reads the run's events.
    expect(types).toEqual(['StateEntered:Pass', 'StateExited:Pass']);
  });

  it("gives a Task's own handler its Parameters with the intrinsics evaluated exactly", async () => {
    const def: Machine = { StartAt: 't', States: { t: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f', Payload: { 'cause.$': "States.Format('stopped: {}', $.v)", 'key.$': "$['odd-key']" } }, End: true } } };
    const prepared = exactIntrinsics(def);
    const seen: unknown[] = [];
    const sm = new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } });
    await sm.run(input as never, { overrides: { taskResourceLocalHandlers: prepared.wrap({ t: async (p) => (seen.push(p), {}) }) as never } }).result;
    expect(seen).toEqual([{ FunctionName: 'f', Payload: { cause: `stopped: ${HOSTILE}`, key: HOSTILE } }]);
  });

  it('fails with States.Runtime where AWS does: a path that is not there', () => {
    expect(() => evaluateParameters({ 'm.$': "States.Format('{}', $.missing)" }, {}, {})).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
  });
});

describe('a run on the local engine', () => {
  it('reports a stage name with quotes, braces and backslashes whole in a message built by States.Format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-intrinsics-'));
    const name = `Each 'x' {y} \\ "z"`;
    writeFileSync(
      join(dir, 'wf.yml'),
      `quoting:\n  type: Workflow\n  params:\n    ids: {type: array}\n  jobs:\n    j:\n      stages:\n        - name: ${JSON.stringify(name)}\n          batch: 1\n          foreach: \${{ params.ids }}\n          stages:\n            - name: Echo\n              echo: hi\n`,
    );
    const { workflows, diagnostics } = loadWorkflows({ conf: dir, env: {} });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const doc = await runLocal(workflows.get('quoting')!, { workflows, params: { ids: Array.from({ length: 1001 }, (_, i) => i) } });
    expect(doc.status).toBe('FAILED');
    const job = doc.jobs.j as { errors?: { message: string } };
    expect(job.errors?.message).toBe(`foreach stage "${name}" has 1001 items; a batch of 1 items per child execution runs at most 1000; raise \`batch\``);
  });
});
