/**
 * ARNs and names of the local endpoint. State machines are
 * `arn:aws:states:local:000000000000:stateMachine:<workflow>` and executions
 * `arn:aws:states:local:000000000000:execution:<workflow>:<name>`; names follow Step Functions'
 * rules, so a name the local endpoint accepts is one AWS accepts too.
 */
import { SfnError } from './sfn-error.ts';

/** The region part of local ARNs. */
export const LOCAL_REGION = 'local';

/** The account part of local ARNs. */
export const LOCAL_ACCOUNT = '000000000000';

const PREFIX = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}`;

/** The ARN of a workflow's local state machine. */
export function localStateMachineArn(workflow: string): string {
  return `${PREFIX}:stateMachine:${workflow}`;
}

/** The ARN of an execution of a local state machine. */
export function localExecutionArn(workflow: string, name: string): string {
  return `${PREFIX}:execution:${workflow}:${name}`;
}

/** The longest ARN taken (Step Functions' limit on an execution ARN). */
export const MAX_ARN_LENGTH = 2048;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Refuses an over-long ARN or one with control characters (ValidationException) before it is parsed. */
function checkArnText(arn: unknown, field: string): void {
  if (typeof arn !== 'string') return;
  if (arn.length > MAX_ARN_LENGTH) throw new SfnError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ARN_LENGTH} (got ${arn.length} characters)`);
  if (CONTROL.test(arn)) throw new SfnError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not contain control characters`);
}

const ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):([^:]+)(?::([^:]+))?$/;

/** The machine name of a state machine ARN; throws `InvalidArn` for anything else. */
export function parseStateMachineArn(arn: unknown): string {
  checkArnText(arn, 'stateMachineArn');
  const m = typeof arn === 'string' ? ARN.exec(arn) : null;
  if (!m || m[1] !== 'stateMachine' || m[3] !== undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  return m[2]!;
}

/** The machine and execution names of an execution ARN; throws `InvalidArn` for anything else. */
export function parseExecutionArn(arn: unknown): { machine: string; name: string } {
  checkArnText(arn, 'executionArn');
  const m = typeof arn === 'string' ? ARN.exec(arn) : null;
  if (!m || m[1] !== 'execution' || m[3] === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  return { machine: m[2]!, name: m[3] };
}

// Step Functions refuses whitespace, brackets, wildcards, these special characters and control characters.
const BAD_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Why a name is not a valid execution name, or undefined when it is (1-80 characters, no forbidden characters). */
export function executionNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 80) return `the name must be 1 to 80 characters long, got ${name.length}`;
  const bad = BAD_NAME.exec(name);
  if (bad) return `the name may not contain ${JSON.stringify(bad[0])}`;
  return undefined;
}

/**
 * A run id given in an execution's input (`run.id`, `run.parent`), checked as an execution name
 * is (1-80 characters; no whitespace, control characters, path separators or `#`, which the audit
 * table's keys use): the id itself, or a ValidationException naming the field.
 */
export function checkRunId(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new SfnError('ValidationException', `the input's ${field} must be a string, got ${value === null ? 'null' : typeof value}`);
  const problem = executionNameProblem(value);
  if (problem) throw new SfnError('ValidationException', `the input's ${field} ${JSON.stringify(value.slice(0, 100))} is not a valid run id: ${problem.replace(/^the name/, 'it')}${field === 'run.id' ? '. Leave run.id out to use the execution name' : ''}`);
  return value;
}
