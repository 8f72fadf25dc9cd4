import { createHash } from 'node:crypto';

/** Step Functions' limit on a state machine name. */
export const MAX_STATE_MACHINE_NAME = 80;

/**
 * The deployed name of a workflow's state machine: `<prefix>-<workflow>`, with characters Step
 * Functions does not accept in names replaced by `-`. A name longer than 80 characters keeps its
 * start and ends with a short hash of the whole, so it stays unique and deterministic.
 */
export function stateMachineName(prefix: string, workflow: string): string {
  const full = `${prefix}-${workflow}`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (full.length <= MAX_STATE_MACHINE_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_STATE_MACHINE_NAME - hash.length - 1)}-${hash}`;
}

/** A workflow name as the alphanumeric part of an identifier (`daily-report` → `DailyReport`). */
export function alphanumericName(workflow: string): string {
  return workflow
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
