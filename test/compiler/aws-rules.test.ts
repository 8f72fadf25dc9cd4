/**
 * Each AWS rule the compiler checks (lib/compiler/asl/rules), one test each, named by the rule as
 * AWS states it: a machine that breaks the rule is reported, the same machine with it followed is
 * not. Where AWS's own ASL language service knows the rule too, it must report the broken machine
 * as well, so the check is held to AWS's reading and not to ours.
 */
import { describe, expect, it } from 'vitest';
import { AWS_RULES } from '../../lib/compiler/asl/rules/index.ts';
import { definitionText } from '../../lib/compiler/asl/placeholders.ts';
import type { Machine, State } from '../../lib/compiler/index.ts';
import { aslServiceFindings } from '../helpers/aws-asl-service.ts';

const LAMBDA_RETRY = { ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 };
const one = (st: State, more: Record<string, State> = {}): Machine => ({ StartAt: 'a', States: { a: st, ...more } });
const pass = (parameters: Record<string, unknown>): Machine => one({ Type: 'Pass', Parameters: parameters, End: true });

interface Case {
  broken: Machine;
  fixed: Machine;
  /** Whether AWS's language service reports the broken machine too. */
  awsServiceKnows: boolean;
}

const CASES: Record<string, Case> = {
  transitions: {
    broken: one({ Type: 'Pass', Next: 'missing' }),
    fixed: one({ Type: 'Pass', Next: 'b' }, { b: { Type: 'Succeed' } }),
    awsServiceKnows: true,
  },
  'unique-state-names': {
    broken: one({ Type: 'Parallel', Branches: [{ StartAt: 'a', States: { a: { Type: 'Succeed' } } }], End: true }),
    fixed: one({ Type: 'Parallel', Branches: [{ StartAt: 'b', States: { b: { Type: 'Succeed' } } }], End: true }),
    awsServiceKnows: false,
  },
  'state-name-length': {
    broken: { StartAt: 'x'.repeat(81), States: { ['x'.repeat(81)]: { Type: 'Succeed' } } },
    fixed: { StartAt: 'é'.repeat(80), States: { ['é'.repeat(80)]: { Type: 'Succeed' } } },
    awsServiceKnows: false,
  },
  'whole-numbers': {
    broken: one({ Type: 'Wait', Seconds: 1.5, End: true }),
    fixed: one({ Type: 'Wait', Seconds: 2, End: true }),
    awsServiceKnows: true,
  },
  'backoff-rate': {
    broken: one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Retry: [{ ...LAMBDA_RETRY, BackoffRate: 0.5 }], End: true }),
    fixed: one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Retry: [LAMBDA_RETRY], End: true }),
    awsServiceKnows: true,
  },
  'choice-rule-next': {
    broken: one({ Type: 'Choice', Choices: [{ And: [{ Variable: '$.a', BooleanEquals: true }, { Variable: '$.b', BooleanEquals: true, Next: 'b' }], Next: 'b' }], Default: 'b' }, { b: { Type: 'Succeed' } }),
    fixed: one({ Type: 'Choice', Choices: [{ And: [{ Variable: '$.a', BooleanEquals: true }, { Variable: '$.b', BooleanEquals: true }], Next: 'b' }], Default: 'b' }, { b: { Type: 'Succeed' } }),
    awsServiceKnows: true,
  },
  'states-all-last': {
    broken: one({ Type: 'Pass', Next: 'b' }, { b: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Retry: [LAMBDA_RETRY], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'c' }, { ErrorEquals: ['X'], Next: 'c' }], End: true }, c: { Type: 'Succeed' } }),
    fixed: one({ Type: 'Pass', Next: 'b' }, { b: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Retry: [LAMBDA_RETRY], Catch: [{ ErrorEquals: ['X'], Next: 'c' }, { ErrorEquals: ['States.ALL'], Next: 'c' }], End: true }, c: { Type: 'Succeed' } }),
    awsServiceKnows: false,
  },
  'intrinsic-syntax': {
    broken: pass({ 'm.$': "States.Format('docker stage Container {y} exited with {}', $.params.env-name)" }),
    fixed: pass({ 'm.$': "States.Format('docker stage Container \\{y\\} exited with {}', $.params.env_name)" }),
    awsServiceKnows: false,
  },
  'definition-substitutions': {
    broken: pass({ script: 'echo ${AuditTableName}' }),
    fixed: one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${StageRunnerFunctionArn}', Payload: { script: 'echo ${AuditTableName}' } }, Retry: [LAMBDA_RETRY], End: true }),
    awsServiceKnows: false,
  },
  'service-retries': {
    broken: one({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn' }, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }], End: true }),
    fixed: one({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn' }, Retry: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceededException', 'StepFunctions.ThrottlingException', 'StepFunctions.SdkClientException'], MaxAttempts: 5 }], End: true }),
    awsServiceKnows: false,
  },
};

describe('AWS rules the compiler checks', () => {
  it('has a case for every rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(AWS_RULES.map((r) => r.id).sort());
  });

  for (const rule of AWS_RULES) {
    it(`${rule.id}: ${rule.aws}`, async () => {
      const c = CASES[rule.id]!;
      // The definition-substitutions rule reads the text as it would be written without escaping.
      const brokenText = rule.id === 'definition-substitutions' ? JSON.stringify(c.broken) : definitionText(c.broken);
      expect(rule.check(c.broken, brokenText).length).toBeGreaterThan(0);
      expect(rule.check(c.fixed, definitionText(c.fixed))).toEqual([]);
      if (c.awsServiceKnows) {
        expect(await aslServiceFindings(JSON.stringify(c.broken))).not.toEqual([]);
        expect(await aslServiceFindings(JSON.stringify(c.fixed))).toEqual([]);
      }
    });
  }

  it('writes ${ in user text so that CloudFormation substitution cannot reach it, the same value once parsed', () => {
    const m = one({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${StageRunnerFunctionArn}', Payload: { script: 'echo ${AuditTableName} ${HOME}', '${weird} key': 1 } }, Retry: [LAMBDA_RETRY], End: true });
    const text = definitionText(m);
    expect(text).toContain('"FunctionName":"${StageRunnerFunctionArn}"');
    expect(text).toContain('echo \\u0024{AuditTableName} \\u0024{HOME}');
    expect(JSON.parse(text)).toEqual(m);
  });
});
