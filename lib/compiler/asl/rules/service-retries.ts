import type { Retrier } from '../types.ts';
import { visitStates, type AslRule } from './asl-rule.ts';

/** Errors of the Lambda service (not of the function) that AWS recommends retrying. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** Throttling of `states:startExecution` (a trigger, a split job, a batch of a foreach). */
export const START_EXECUTION_ERRORS = ['StepFunctions.ExecutionLimitExceededException', 'StepFunctions.ThrottlingException', 'StepFunctions.SdkClientException'] as const;

/** Throttling and transient failures of `ecs:runTask` (a docker stage): `ECS.AmazonECSException` is what the integration reports for a throttled or capacity-starved RunTask. */
export const ECS_RUN_TASK_ERRORS = ['ECS.AmazonECSException', 'ECS.ThrottlingException', 'ECS.ServerException', 'ECS.SdkClientException'] as const;

const NEEDED: Array<[RegExp, readonly string[]]> = [
  [/^arn:aws:states:::lambda:invoke/, LAMBDA_SERVICE_ERRORS],
  [/^arn:aws:states:::states:startExecution/, START_EXECUTION_ERRORS],
  [/^arn:aws:states:::ecs:runTask/, ECS_RUN_TASK_ERRORS],
];

function retried(retry: readonly Retrier[], error: string): boolean {
  return retry.some((r) => r.ErrorEquals.includes(error) && (r.MaxAttempts ?? 3) > 0);
}

/** AWS's best practice: a Task retries its service's transient errors (never only `States.ALL`). */
export const serviceRetries: AslRule = {
  id: 'service-retries',
  aws: 'Handle Lambda service exceptions (Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException, Lambda.ClientExecutionTimeoutException) and throttled service integrations with a Retry',
  check: (m) => {
    const out: string[] = [];
    for (const { where, name, state } of visitStates(m)) {
      if (state.Type !== 'Task') continue;
      const needed = NEEDED.find(([re]) => re.test(state.Resource ?? ''))?.[1] ?? [];
      const missing = needed.filter((e) => !retried(state.Retry ?? [], e));
      if (missing.length) out.push(`${where}/${name}: no Retry for ${missing.join(', ')}`);
    }
    return out;
  },
};
