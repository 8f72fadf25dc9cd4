/**
 * What fuzzing and the reliability tests found, each kept as a named case with the exact input.
 * A case says what the outcome must be now (a diagnostic, a redacted text, a readable message).
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { maskDocument, secretTexts } from '../../lib/local/index.ts';
import { HistoryRecorder } from '../../lib/serve/index.ts';
import { callFunction, tag } from '../../lib/runtime/index.ts';

function load(text: string) {
  const loaded = loadWorkflowsFromText({ 'conf/wf.yml': text });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded;
}

describe('compiler fuzz findings (seed 42)', () => {
  // Loads without an error, but an Express execution lasts at most 300 s: compiling reports WF6006
  // (a diagnostic, never an exception). `wf validate` does not compile, so it says "valid" here.
  it('an Express workflow with the default timeout is a WF6006 diagnostic at compile time', () => {
    const loaded = load(`wf:
  type: Workflow
  execution: express
  jobs:
    j0:
      stages:
        - name: stage
          raise: boom
`);
    const compiled = compileWorkflow(loaded.workflows.get('wf')!, { workflows: loaded.workflows });
    expect(compiled.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
      'error WF6006 workflow "wf" is an Express workflow with a timeout of 3600 s; Express executions end after 300 s',
    ]);
  });

  it('a docker stage inside a case of an Express workflow is a WF6006 diagnostic at compile time', () => {
    const loaded = load(`wf:
  type: Workflow
  execution: express
  timeout: 300
  jobs:
    j1:
      stages:
        - name: stage
          case: \${{ params.pick }}
          match:
            - case: a
              stages: []
            - case: _
              stages:
                - name: stage
                  image: alpine
                  tag: "3.19"
                  cmd: echo hi
  params:
    pick: { type: choice, options: [a, b], default: a }
`);
    const compiled = compileWorkflow(loaded.workflows.get('wf')!, { workflows: loaded.workflows });
    expect(compiled.diagnostics.map((d) => d.code)).toEqual(['WF6006']);
    expect(compiled.diagnostics[0]!.message).toContain('cannot run in an Express workflow: a docker stage waits for its ECS task');
  });
});

describe('secret values quoted by our own messages (found by test/reliability/secrets.test.ts)', () => {
  const workflow = { params: { token: { name: 'token', type: 'str' as const, hasDefault: false, required: true, secret: true, loc: { file: '', line: 1, col: 1, offset: 0, length: 0 } } } };
  const secrets = secretTexts(workflow, { token: 'Sup3rS3cretValue' });

  it('a condition error, a fromJson error and stage outputs in a result document are masked', () => {
    const doc = {
      status: 'FAILED',
      jobs: {
        cond: { status: 'FAILED', errors: { name: 'ExpressionError', message: 'job "cond" › stage "Not boolean": condition "${{ params.token }}" gave the string "Sup3rS3cretValue", not true or false [WF4007]' } },
        parse: { status: 'FAILED', stages: { bj: { status: 'FAILED', outputs: { stdout: 'Sup3rS3cretValue' }, errors: { name: 'ExpressionError', message: 'fromJson could not parse "Sup3rS3cretValue": Unexpected token \'S\', "Sup3rS3cretValue" is not valid JSON' } } } },
      },
      errors: [],
    };
    const clean = maskDocument(doc, secrets);
    expect(clean.jobs.cond.errors.message).toBe('job "cond" › stage "Not boolean": condition "${{ params.token }}" gave the string "***", not true or false [WF4007]');
    expect(clean.jobs.parse.stages.bj.errors.message).toBe('fromJson could not parse "***": Unexpected token \'S\', "***" is not valid JSON');
    expect(clean.jobs.parse.stages.bj.outputs).toEqual({ stdout: '***' });
  });

  it('a dry run call description is scrubbed', () => {
    const doc = { jobs: { call: { stages: { login: { status: 'SUCCESS', outputs: { dryrun: 'would call vault/login@v1 with {"token":"Sup3rS3cretValue"}' } } } } } };
    expect(maskDocument(doc, secrets).jobs.call.stages.login.outputs.dryrun).toBe('would call vault/login@v1 with {"token":"***"}');
  });

  it("the local endpoint's history redacts a secret inside a Task failure's cause", () => {
    const recorder = new HistoryRecorder({ secrets: ['Sup3rS3cretValue'], resources: new Map([['t', 'arn:aws:states:::lambda:invoke']]) });
    recorder.started('{}', 0);
    recorder.engine({ type: 'StateEntered', timestamp: 1, state: { name: 't', type: 'Task', input: { token: 'Sup3rS3cretValue' } } });
    recorder.engine({ type: 'StateFailed', timestamp: 2, state: { name: 't', type: 'Task' }, Error: 'ExpressionError', Cause: '{"errors":{"message":"gave the string \\"Sup3rS3cretValue\\""}}' });
    const text = JSON.stringify(recorder.events);
    expect(text).not.toContain('Sup3rS3cretValue');
    expect(text).toContain('gave the string \\\\\\"***\\\\\\"');
  });
});

describe('call functions that throw what is not an Error (found by test/reliability/faults.test.ts)', () => {
  it('a thrown object with a cycle is described by its shape, not "[object Object]"', async () => {
    tag('regressions', { alias: 'cycle' }, () => {
      const o: Record<string, unknown> = { name: 'loop' };
      o.self = o;
      throw o;
    });
    await expect(callFunction('regressions/cycle', {})).rejects.toThrow("regressions/cycle failed: threw <ref *1> { name: 'loop', self: [Circular *1] }");
  });
});
