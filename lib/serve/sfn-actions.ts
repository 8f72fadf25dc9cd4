/**
 * The Step Functions actions the local endpoint answers, by name (the part of `X-Amz-Target` after
 * `AWSStepFunctions.`), with the request checks AWS makes before an action runs.
 */
import type { LocalExecutions } from './local-executions.ts';
import { SfnError } from './sfn-error.ts';

type Body = Record<string, unknown>;

/** The names of the actions served. */
export const SFN_ACTIONS = [
  'StartExecution',
  'DescribeExecution',
  'StopExecution',
  'ListExecutions',
  'GetExecutionHistory',
  'RedriveExecution',
  'ListStateMachines',
  'DescribeStateMachine',
] as const;

/** One of {@link SFN_ACTIONS}. */
export type SfnAction = (typeof SFN_ACTIONS)[number];

function required(body: Body, ...names: string[]): void {
  const missing = names.filter((n) => body[n] === undefined || body[n] === null);
  if (missing.length) {
    throw new SfnError(
      'ValidationException',
      `${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${missing.map((n) => `Value null at '${n}' failed to satisfy constraint: Member must not be null`).join('; ')}`,
    );
  }
  for (const n of names) {
    if (typeof body[n] !== 'string') throw new SfnError('ValidationException', `1 validation error detected: Value at '${n}' failed to satisfy constraint: Member must be a string`);
  }
}

/** True when `name` is an action the endpoint serves. */
export function isSfnAction(name: string): name is SfnAction {
  return (SFN_ACTIONS as readonly string[]).includes(name);
}

/** Runs one action and returns its response body. */
export async function runSfnAction(executions: LocalExecutions, action: SfnAction, body: Body): Promise<unknown> {
  switch (action) {
    case 'StartExecution':
      required(body, 'stateMachineArn');
      return executions.start(body);
    case 'DescribeExecution':
      required(body, 'executionArn');
      return executions.describe(body);
    case 'StopExecution':
      required(body, 'executionArn');
      return executions.stop(body);
    case 'ListExecutions':
      if (body.stateMachineArn === undefined && body.mapRunArn === undefined) required(body, 'stateMachineArn');
      if (body.mapRunArn !== undefined) throw new SfnError('ValidationException', 'the local endpoint has no Map Runs (Distributed Map); list by stateMachineArn');
      return executions.list(body);
    case 'GetExecutionHistory':
      required(body, 'executionArn');
      return executions.history(body);
    case 'RedriveExecution':
      required(body, 'executionArn');
      return executions.redrive(body);
    case 'ListStateMachines':
      return executions.listStateMachines(body);
    case 'DescribeStateMachine':
      required(body, 'stateMachineArn');
      return executions.describeStateMachine(body);
  }
}
