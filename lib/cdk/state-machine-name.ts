import { createHash } from 'node:crypto';

/** Step Functions' limit on a state machine name. */
export const MAX_STATE_MACHINE_NAME = 80;

/** ECS's limit on a task definition family name. */
export const MAX_TASK_FAMILY_NAME = 255;

/**
 * `text` with the characters Step Functions and ECS do not accept in names (anything but letters,
 * digits, `-` and `_`) replaced by `-`. A result longer than `max` keeps its start and ends with a
 * short hash of the whole, so it stays unique and deterministic.
 */
export function boundedName(text: string, max: number): string {
  const full = text.replace(/[^A-Za-z0-9_-]/g, '-');
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - hash.length - 1)}-${hash}`;
}

/**
 * The deployed name of a workflow's state machine: `<prefix>-<workflow>`, with characters Step
 * Functions does not accept in names replaced by `-`. A name longer than 80 characters keeps its
 * start and ends with a short hash of the whole, so it stays unique and deterministic.
 */
export function stateMachineName(prefix: string, workflow: string): string {
  return boundedName(`${prefix}-${workflow}`, MAX_STATE_MACHINE_NAME);
}

/**
 * A name pattern that matches every {@link stateMachineName} of `prefix` (`<prefix>-*`): what the
 * start of each name has in common, however long the workflow's name, followed by `*`.
 */
export function stateMachineNamePattern(prefix: string): string {
  const start = `${prefix}-`.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${start.slice(0, MAX_STATE_MACHINE_NAME - 9)}*`;
}

/** A workflow name as the alphanumeric part of an identifier (`daily-report` → `DailyReport`). */
export function alphanumericName(workflow: string): string {
  return workflow
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
