/**
 * Execution names the client gives. A `normal` release gets a name made of the workflow and the
 * release minute only (`nightly-20240101T0900`), so a second start of the same minute is refused
 * by Step Functions itself (`ExecutionAlreadyExists`); any other start gets a unique name. Names
 * hold only the workflow name, dates and random hex: never a param value. They keep within Step
 * Functions' rules (at most 80 characters; workflow names are `[A-Za-z0-9_-]+`).
 */
import { createHash, randomBytes } from 'node:crypto';

const MAX = 80;

function compact(at: Date, withSeconds: boolean): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${withSeconds ? iso.slice(17, 19) : ''}`;
}

/** The workflow part of a name, shortened with a stable hash when the whole would pass 80 characters. */
function head(workflow: string, room: number): string {
  if (workflow.length <= room) return workflow;
  const hash = createHash('sha256').update(workflow).digest('hex').slice(0, 6);
  return `${workflow.slice(0, room - 7)}-${hash}`;
}

/** The execution name of a `normal` release: `<workflow>-<YYYYMMDDTHHMM>` (UTC minute). */
export function releaseExecutionName(workflow: string, at: Date): string {
  const stamp = compact(at, false);
  return `${head(workflow, MAX - stamp.length - 1)}-${stamp}`;
}

/** A unique execution name: `<workflow>-<YYYYMMDDTHHMMSS>-<8 hex>`. */
export function uniqueExecutionName(workflow: string, at: Date = new Date()): string {
  const tail = `${compact(at, true)}-${randomBytes(4).toString('hex')}`;
  return `${head(workflow, MAX - tail.length - 1)}-${tail}`;
}

/** The ARN of execution `name` of a state machine (`...:stateMachine:M` → `...:execution:M:name`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The state machine and execution names in an execution ARN, or undefined when it is not one. */
export function splitExecutionArn(arn: string): { machine: string; name: string; stateMachineArn: string } | undefined {
  const m = /^(arn:aws[a-z-]*:states:[^:]*:[^:]*):execution:([^:]+):([^:]+)$/.exec(arn);
  return m ? { machine: m[2]!, name: m[3]!, stateMachineArn: `${m[1]}:stateMachine:${m[2]}` } : undefined;
}
