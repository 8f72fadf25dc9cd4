/**
 * How a stage that ran a process failed, in the user's words: the non-zero exit with the last
 * line of stderr, the signal that killed it, the timeout that stopped it, or the cancel.
 */
import { ErrorNames, type ErrorInfo } from '../protocol/index.ts';
import { lastLine } from './last-line.ts';

/** How a process ended, as the failure helpers need it. */
export interface ProcessEnd {
  return_code: number;
  stderr?: string;
  stdout?: string;
  signal?: string;
  timedOut?: boolean;
  aborted?: boolean;
}

/** The errors entry for a process that did not end well, or undefined when it exited 0. */
export function processFailure(label: string, end: ProcessEnd, timeoutSeconds?: number): ErrorInfo | undefined {
  if (end.aborted) return { name: 'StageCancelled', message: `${label} was cancelled and its processes were killed` };
  if (end.timedOut) {
    const after = timeoutSeconds !== undefined ? ` after ${timeoutSeconds} s` : '';
    return { name: ErrorNames.timeout, message: `${label} timed out${after} and was killed` };
  }
  const tail = lastLine(end.stderr ?? '') || lastLine(end.stdout ?? '');
  const detail = tail ? `: ${tail}` : '';
  if (end.signal) {
    return { name: 'StageError', message: `${label} was killed by signal ${end.signal} (return code ${end.return_code})${detail}` };
  }
  if (end.return_code !== 0) return { name: 'StageError', message: `${label} exited with code ${end.return_code}${detail}` };
  return undefined;
}
